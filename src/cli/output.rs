//! Output helpers: human tables (tabled) or JSON for scripts.

use serde::Serialize;
use std::io::Write;

/// `--output` choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned table for people.
    Table,
    /// JSON for scripts.
    Json,
}

/// Print `rows` as a table or as a JSON value, per `format`.
pub fn print<T: tabled::Tabled>(
    format: Format,
    rows: &[T],
    json: &impl Serialize,
) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, json)?;
            writeln!(out)
        }
        Format::Table => {
            let mut table = tabled::Table::new(rows);
            table.with(tabled::settings::Style::psql());
            writeln!(out, "{table}")
        }
    }
}
