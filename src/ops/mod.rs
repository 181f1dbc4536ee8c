//! Operator tools behind the admin CLI: dead-letter handling (`mutt dlq`) and the system overview (`mutt status`).

pub mod dlq;
pub mod status;
