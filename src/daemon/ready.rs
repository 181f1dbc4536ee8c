//! `MUTT_READY_FILE`: where a started daemon says which addresses it listens on.
//!
//! A supervisor or test harness that starts a daemon with its ports set to 0 cannot guess the
//! ports the kernel chose (and guessing a "free" port races: another process may take it, and on
//! Linux a connect to a not-yet-listening port of the ephemeral range can connect to itself).
//! So every daemon, once all its listeners are bound, writes one JSON object
//! `{"pid": …, "service": …, "listeners": {"<PORT SETTING>": "<ip>:<port>", …}}` to this file,
//! atomically (a temporary file in the same directory, then a rename), so a reader that sees the
//! file sees all of it.

use crate::settings::{registry, Settings};
use serde_json::{json, Map, Value};
use std::net::SocketAddr;
use std::path::Path;

/// The file's content for `service` listening on `listeners` (setting name, bound address).
pub fn render(service: &str, listeners: &[(&str, SocketAddr)]) -> String {
    let mut by_name = Map::new();
    for (name, addr) in listeners {
        by_name.insert(name.to_string(), Value::from(addr.to_string()));
    }
    json!({"pid": std::process::id(), "service": service, "listeners": by_name}).to_string()
}

/// Write `MUTT_READY_FILE` when it is set; a failure to write it stops startup (a harness or
/// supervisor waiting for it would otherwise wait forever).
pub fn announce(
    settings: &Settings,
    service: &str,
    listeners: &[(&str, SocketAddr)],
) -> std::io::Result<()> {
    let Some(path) = settings
        .opt_text(&registry::MUTT_READY_FILE)
        .filter(|p| !p.is_empty())
    else {
        return Ok(());
    };
    write(Path::new(path), service, listeners)
}

/// Write the ready file at `path` for `service` listening on `listeners`.
pub fn write(path: &Path, service: &str, listeners: &[(&str, SocketAddr)]) -> std::io::Result<()> {
    write_atomically(path, &render(service, listeners)).map_err(|e| {
        std::io::Error::new(
            e.kind(),
            format!("cannot write MUTT_READY_FILE {}: {e}", path.display()),
        )
    })
}

fn write_atomically(path: &Path, content: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut tmp, content.as_bytes())?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_names_each_listener_by_its_setting() {
        let listeners = [
            ("HEALTH_PORT_ALERTER", "127.0.0.1:41000".parse().unwrap()),
            ("METRICS_PORT_ALERTER", "127.0.0.1:41001".parse().unwrap()),
        ];
        let v: Value = serde_json::from_str(&render("mutt-alerter", &listeners)).unwrap();
        assert_eq!(v["service"], "mutt-alerter");
        assert_eq!(v["pid"], std::process::id());
        assert_eq!(
            v["listeners"],
            json!({"HEALTH_PORT_ALERTER": "127.0.0.1:41000", "METRICS_PORT_ALERTER": "127.0.0.1:41001"})
        );
    }

    #[test]
    fn writing_replaces_the_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ready.json");
        write_atomically(&path, "first, longer content").unwrap();
        write_atomically(&path, "second").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "second");
        // Nothing but the file itself is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
