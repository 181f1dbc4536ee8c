//! The two stores mutt coordinates through: Redis (queues, counters, dynamic config) and
//! PostgreSQL (rules, hosts, teams, audit logs).

pub mod postgres;
pub mod redis;
