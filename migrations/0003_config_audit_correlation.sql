-- mutt accepts client correlation ids of up to 128 characters (CONTRACT §5) and writes them into
-- the audit row; v2.5's VARCHAR(36) made the audit insert fail for longer ids. Widening a
-- VARCHAR is a catalog-only change in PostgreSQL (no table rewrite).
ALTER TABLE config_audit_log ALTER COLUMN correlation_id TYPE VARCHAR(128);
