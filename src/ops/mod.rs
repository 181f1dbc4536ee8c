//! Operations: batch upkeep of the stores (monthly audit partitions, retention of expired data)
//! and the operator tools behind `mutt dlq` and `mutt status`.

pub mod dlq;
pub mod partitions;
pub mod retention;
pub mod status;
