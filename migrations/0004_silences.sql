-- Silences (maintenance windows) and alert deduplication: events they hold back are audited but
-- not alerted. Additive to the v2.5 schema: v2.5 services never read these tables or columns.

CREATE TABLE IF NOT EXISTS silences (
    id               SERIAL PRIMARY KEY,
    hostname         VARCHAR(255),
    hostname_match   VARCHAR(5)    NOT NULL DEFAULT 'exact',
    rule_id          INT,
    team             VARCHAR(100),
    message_contains VARCHAR(1000),
    starts_at        TIMESTAMPTZ   NOT NULL,
    ends_at          TIMESTAMPTZ   NOT NULL,
    -- {"time_zone": "Europe/Berlin", "windows": [{"days": "sun", "start": "02:00", "end": "04:00"}]}
    schedule         JSONB,
    comment          VARCHAR(1000) NOT NULL,
    created_by       VARCHAR(100)  NOT NULL,
    created_at       TIMESTAMPTZ   NOT NULL DEFAULT NOW(),
    CONSTRAINT chk_silences_hostname_match CHECK (hostname_match IN ('exact', 'glob', 'regex')),
    CONSTRAINT chk_silences_matcher CHECK (hostname IS NOT NULL OR rule_id IS NOT NULL
                                           OR team IS NOT NULL OR message_contains IS NOT NULL),
    CONSTRAINT chk_silences_range CHECK (ends_at >= starts_at)
);
-- The alerter loads the silences that have not ended yet.
CREATE INDEX IF NOT EXISTS idx_silences_ends_at ON silences (ends_at);
COMMENT ON TABLE silences IS 'Maintenance windows: matching events are audited with silenced_by and not forwarded';

-- The silence that held the event back (no alert was queued); NULL for every other row. No
-- foreign key: audit rows outlive the silences table's history and move to the archive.
ALTER TABLE event_audit_log ADD COLUMN IF NOT EXISTS silenced_by INT;
ALTER TABLE event_audit_log_archive ADD COLUMN IF NOT EXISTS silenced_by INT;

-- The event whose alert a held-back repeat was counted into (ALERT_DEDUP_WINDOW_SECONDS); NULL
-- for every other row.
ALTER TABLE event_audit_log ADD COLUMN IF NOT EXISTS dedup_of TEXT;
ALTER TABLE event_audit_log_archive ADD COLUMN IF NOT EXISTS dedup_of TEXT;
