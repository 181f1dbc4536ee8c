-- mutt's additions to the v2.5 schema (CONTRACT §4). Additive only: v2.5 services keep working.

-- Idempotent audit writes: every event carries _event_id from ingest; retried batches insert
-- nothing twice. A unique index on a partitioned table must include the partition key.
ALTER TABLE event_audit_log ADD COLUMN IF NOT EXISTS event_id TEXT;
CREATE UNIQUE INDEX IF NOT EXISTS uq_event_audit_log_event_id
    ON event_audit_log (event_id, event_timestamp);
ALTER TABLE event_audit_log_archive ADD COLUMN IF NOT EXISTS event_id TEXT;

-- Rows whose month has no partition land here instead of failing the insert (v2.5 lost them).
-- `mutt partitions ensure` moves them into their month when that partition is created.
-- An operator may already have made a default partition under another name; keep theirs.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_partitioned_table
                   WHERE partrelid = 'event_audit_log'::regclass AND partdefid <> 0) THEN
        CREATE TABLE event_audit_log_default PARTITION OF event_audit_log DEFAULT;
    END IF;
END
$$;

-- Audit rows for records keyed by text (host names, dynamic config keys).
ALTER TABLE config_audit_log ADD COLUMN IF NOT EXISTS record_key TEXT;
CREATE INDEX IF NOT EXISTS idx_config_audit_log_table_record_key
    ON config_audit_log (table_name, record_key) WHERE record_key IS NOT NULL;
