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

/// Write an export document: YAML for people (the table format), JSON with `-o json`; to
/// `file`, saying on stderr how many `what` went there, or to stdout.
pub fn write_export(
    format: Format,
    doc: &serde_json::Value,
    file: Option<&std::path::Path>,
    count: usize,
    what: &str,
) -> Result<(), super::CliError> {
    let text = match format {
        Format::Json => serde_json::to_string_pretty(doc).map_err(std::io::Error::other)? + "\n",
        Format::Table => serde_yaml_ng::to_string(doc).map_err(std::io::Error::other)?,
    };
    match file {
        Some(path) => {
            std::fs::write(path, text).map_err(|e| {
                super::CliError::Other(format!("cannot write {}: {e}", path.display()))
            })?;
            eprintln!("exported {count} {what} to {}", path.display());
        }
        None => std::io::stdout().write_all(text.as_bytes())?,
    }
    Ok(())
}
