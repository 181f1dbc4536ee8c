//! The dashboard's ingest rates from the per-minute and per-hour counters the ingestor keeps.
