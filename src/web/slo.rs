//! The SLO report: Prometheus queries and their evaluation.
