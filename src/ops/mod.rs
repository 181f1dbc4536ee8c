//! Batch upkeep of the stores: monthly audit partitions and retention of expired data.

pub mod partitions;
pub mod retention;
