//! The management layer shared by the REST API and the admin CLI: validated writes of rules,
//! development hosts, device teams and dynamic configuration, each committed with its
//! `config_audit_log` row in one transaction and announced on `mutt:config:updates`.
