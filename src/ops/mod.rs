//! Operations: batch upkeep of the stores (monthly audit partitions, retention of expired data),
//! the operator tools behind `mutt dlq` and `mutt status`, and the snmptrapd trap handler.

pub mod dlq;
pub mod partitions;
pub mod retention;
pub mod status;
pub mod trap;
