-- MUTT v2.5 baseline schema: the tables of mutt_schema.sql, config_audit_schema.sql and
-- partitioned_event_audit_log.sql, with v2.5's names, types and constraints.
--
-- Every statement is create-if-missing, so a database already built by v2.5's SQL files is
-- adopted as it is (its rows untouched). No sample rows: `mutt rules import` loads examples.

CREATE TABLE IF NOT EXISTS alert_rules (
    id              SERIAL PRIMARY KEY,
    match_string    VARCHAR(255),
    trap_oid        VARCHAR(255),
    syslog_severity INT,
    match_type      VARCHAR(20)  NOT NULL DEFAULT 'contains',
    priority        INT          NOT NULL DEFAULT 100,
    prod_handling   VARCHAR(100) NOT NULL,
    dev_handling    VARCHAR(100) NOT NULL,
    team_assignment VARCHAR(100) NOT NULL,
    is_active       BOOLEAN      NOT NULL DEFAULT true,
    CONSTRAINT chk_syslog_severity CHECK (syslog_severity IS NULL OR (syslog_severity >= 0 AND syslog_severity <= 7)),
    CONSTRAINT chk_match_type CHECK (match_type IN ('contains', 'regex', 'oid_prefix')),
    CONSTRAINT chk_match_criteria CHECK (match_string IS NOT NULL OR trap_oid IS NOT NULL)
);
CREATE INDEX IF NOT EXISTS idx_alert_rules_match_type ON alert_rules (match_type);
CREATE INDEX IF NOT EXISTS idx_alert_rules_is_active ON alert_rules (is_active);
COMMENT ON TABLE alert_rules IS 'Operator rules matched against incoming events; lower priority wins';

CREATE TABLE IF NOT EXISTS development_hosts (
    hostname VARCHAR(255) PRIMARY KEY
);
COMMENT ON TABLE development_hosts IS 'Hosts listed here are handled as the dev environment';

CREATE TABLE IF NOT EXISTS device_teams (
    hostname        VARCHAR(255) PRIMARY KEY,
    team_assignment VARCHAR(100) NOT NULL
);
COMMENT ON TABLE device_teams IS 'Owning team of a device, used to route unhandled events';

CREATE TABLE IF NOT EXISTS event_audit_log (
    id                BIGSERIAL    NOT NULL,
    event_timestamp   TIMESTAMPTZ  NOT NULL,
    hostname          VARCHAR(255) NOT NULL,
    matched_rule_id   INT          NOT NULL,
    handling_decision VARCHAR(100) NOT NULL,
    forwarded_to_moog BOOLEAN      NOT NULL DEFAULT false,
    raw_message       TEXT,
    PRIMARY KEY (id, event_timestamp),
    CONSTRAINT fk_event_audit_matched_rule FOREIGN KEY (matched_rule_id)
        REFERENCES alert_rules (id) ON DELETE RESTRICT
) PARTITION BY RANGE (event_timestamp);
CREATE INDEX IF NOT EXISTS idx_audit_log_timestamp ON event_audit_log (event_timestamp);
CREATE INDEX IF NOT EXISTS idx_audit_log_hostname ON event_audit_log (hostname);
CREATE INDEX IF NOT EXISTS idx_audit_log_rule_id ON event_audit_log (matched_rule_id);
COMMENT ON TABLE event_audit_log IS 'One row per matched event, partitioned by month of event_timestamp';

CREATE TABLE IF NOT EXISTS event_audit_log_archive (
    id                           BIGSERIAL PRIMARY KEY,
    event_timestamp              TIMESTAMPTZ  NOT NULL,
    hostname                     VARCHAR(255) NOT NULL,
    matched_rule_id              INT          NOT NULL,
    handling_decision            VARCHAR(100) NOT NULL,
    forwarded_to_moog            BOOLEAN      NOT NULL DEFAULT false,
    raw_message                  TEXT,
    archived_at                  TIMESTAMPTZ  NOT NULL DEFAULT NOW(),
    archived_from_partition      VARCHAR(50),
    original_id                  BIGINT,
    original_partition_timestamp TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS idx_audit_archive_timestamp ON event_audit_log_archive (event_timestamp);
CREATE INDEX IF NOT EXISTS idx_audit_archive_hostname ON event_audit_log_archive (hostname);
CREATE INDEX IF NOT EXISTS idx_audit_archive_archived_at ON event_audit_log_archive (archived_at);
CREATE INDEX IF NOT EXISTS idx_audit_archive_rule_id ON event_audit_log_archive (matched_rule_id);
COMMENT ON TABLE event_audit_log_archive IS 'Audit rows moved out of event_audit_log past hot retention';

CREATE TABLE IF NOT EXISTS config_audit_log (
    id             BIGSERIAL PRIMARY KEY,
    changed_at     TIMESTAMPTZ  NOT NULL DEFAULT NOW(),
    changed_by     VARCHAR(100) NOT NULL,
    operation      VARCHAR(10)  NOT NULL CHECK (operation IN ('CREATE', 'UPDATE', 'DELETE')),
    table_name     VARCHAR(50)  NOT NULL,
    record_id      INTEGER      NOT NULL,
    old_values     JSONB,
    new_values     JSONB,
    reason         TEXT,
    correlation_id VARCHAR(36)
);
CREATE INDEX IF NOT EXISTS idx_config_audit_log_table_record ON config_audit_log (table_name, record_id);
CREATE INDEX IF NOT EXISTS idx_config_audit_log_changed_at ON config_audit_log (changed_at DESC);
CREATE INDEX IF NOT EXISTS idx_config_audit_log_changed_by ON config_audit_log (changed_by);
CREATE INDEX IF NOT EXISTS idx_config_audit_log_correlation_id ON config_audit_log (correlation_id)
    WHERE correlation_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_config_audit_log_old_values_gin ON config_audit_log USING GIN (old_values);
CREATE INDEX IF NOT EXISTS idx_config_audit_log_new_values_gin ON config_audit_log USING GIN (new_values);
COMMENT ON TABLE config_audit_log IS 'Who changed which rule, host, team or setting, when, and from what to what';
