//! Logging: env_logger at `LOG_LEVEL`, plain text or (with `LOG_JSON_ENABLED`) one JSON object per
//! line with `timestamp`, `level`, `message`, `target`, `service`, `pod_name` and, when the
//! current thread is handling a request or message, `correlation_id` and `trace_id`.

use crate::settings::{registry, Settings};
use std::cell::RefCell;
use std::io::Write;
use std::sync::{Arc, RwLock};

/// Runs a write to stderr; set while something else draws there (a progress bar), which then
/// clears itself for the log line and redraws below it.
pub type StderrGuard = Arc<dyn Fn(&mut dyn FnMut()) + Send + Sync>;

static STDERR_GUARD: RwLock<Option<StderrGuard>> = RwLock::new(None);

/// Route log lines through `guard` until it is set to `None` again.
pub fn set_stderr_guard(guard: Option<StderrGuard>) {
    if let Ok(mut g) = STDERR_GUARD.write() {
        *g = guard;
    }
}

/// stderr, written through the current [`StderrGuard`] when there is one. env_logger hands a
/// pipe target one whole record per write, so a line is never split around a redraw.
struct GuardedStderr;

impl Write for GuardedStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let guard = STDERR_GUARD.read().ok().and_then(|g| g.clone());
        let mut result = Ok(());
        let mut write = || result = std::io::stderr().write_all(buf);
        match guard {
            Some(guard) => guard(&mut write),
            None => write(),
        }
        result.map(|()| buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

thread_local! {
    static CORRELATION_ID: RefCell<Option<String>> = const { RefCell::new(None) };
    static TRACE_ID: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Sets the trace id for log lines written by this thread until the guard drops.
pub struct TraceIdGuard {
    previous: Option<String>,
}

/// Attach `trace_id` (32 hex) to every log line this thread writes while the guard lives, so a
/// log search by trace id finds the lines of every service an event passed through.
pub fn with_trace_id(trace_id: &str) -> TraceIdGuard {
    let previous = TRACE_ID.with(|c| c.replace(Some(trace_id.to_string())));
    TraceIdGuard { previous }
}

impl Drop for TraceIdGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        TRACE_ID.with(|c| *c.borrow_mut() = previous);
    }
}

fn current_trace_id() -> Option<String> {
    TRACE_ID.with(|c| c.borrow().clone())
}

/// Sets the correlation id for log lines written by this thread until the guard drops.
pub struct CorrelationGuard {
    previous: Option<String>,
}

/// Attach `id` to every log line this thread writes while the returned guard lives.
pub fn with_correlation_id(id: &str) -> CorrelationGuard {
    let previous = CORRELATION_ID.with(|c| c.replace(Some(id.to_string())));
    CorrelationGuard { previous }
}

impl Drop for CorrelationGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        CORRELATION_ID.with(|c| *c.borrow_mut() = previous);
    }
}

fn current_correlation_id() -> Option<String> {
    CORRELATION_ID.with(|c| c.borrow().clone())
}

/// Install the global logger for `service` running as instance `pod`. Safe to call once per
/// process; later calls are ignored.
pub fn init(settings: &Settings, service: &str, pod: &str) {
    let json = settings.bool(&registry::LOG_JSON_ENABLED);
    let service = service.to_string();
    let pod = pod.to_string();
    let mut builder = env_logger::Builder::new();
    builder.filter_level(settings.log_level());
    // Dependencies chatter at debug level (connection pools, HTTP internals); keep them at warn
    // unless the operator asks for trace.
    if settings.log_level() < log::LevelFilter::Trace {
        for noisy in ["r2d2", "tokio_postgres", "postgres", "rustls", "hyper"] {
            builder.filter_module(noisy, log::LevelFilter::Warn);
        }
    }
    builder.target(env_logger::Target::Pipe(Box::new(GuardedStderr)));
    if json {
        builder.format(move |buf, record| {
            let line = json_line(record, &service, &pod);
            writeln!(buf, "{line}")
        });
    } else {
        builder.format(move |buf, record| {
            let ts = crate::timefmt::millis(chrono::Utc::now());
            match current_correlation_id() {
                Some(cid) => writeln!(
                    buf,
                    "{ts} {:<5} {} [{cid}] {}",
                    record.level(),
                    record.target(),
                    record.args()
                ),
                None => writeln!(
                    buf,
                    "{ts} {:<5} {} {}",
                    record.level(),
                    record.target(),
                    record.args()
                ),
            }
        });
    }
    let _ = builder.try_init();
}

/// Render one record as a JSON log line (no trailing newline).
pub fn json_line(record: &log::Record<'_>, service: &str, pod: &str) -> String {
    let mut obj = serde_json::Map::new();
    obj.insert(
        "timestamp".into(),
        crate::timefmt::micros(chrono::Utc::now()).into(),
    );
    obj.insert("level".into(), record.level().as_str().into());
    obj.insert("message".into(), record.args().to_string().into());
    obj.insert("target".into(), record.target().into());
    obj.insert("service".into(), service.into());
    obj.insert("pod_name".into(), pod.into());
    if let Some(cid) = current_correlation_id() {
        obj.insert("correlation_id".into(), cid.into());
    }
    if let Some(tid) = current_trace_id() {
        obj.insert("trace_id".into(), tid.into());
    }
    serde_json::Value::Object(obj).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(message: &str) -> serde_json::Value {
        let args = format_args!("{message}");
        let record = log::Record::builder()
            .args(args)
            .level(log::Level::Warn)
            .target("mutt::test")
            .build();
        serde_json::from_str(&json_line(&record, "ingestor", "pod-1")).unwrap()
    }

    #[test]
    fn json_line_has_the_documented_fields() {
        let v = render("hello \"quoted\"\nnext");
        assert_eq!(v["level"], "WARN");
        assert_eq!(v["message"], "hello \"quoted\"\nnext");
        assert_eq!(v["target"], "mutt::test");
        assert_eq!(v["service"], "ingestor");
        assert_eq!(v["pod_name"], "pod-1");
        assert!(v.get("correlation_id").is_none());
        let ts = v["timestamp"].as_str().unwrap();
        assert!(ts.ends_with('Z'), "{ts}");
        assert!(chrono::DateTime::parse_from_rfc3339(ts).is_ok());
    }

    #[test]
    fn correlation_id_is_scoped_to_the_guard() {
        {
            let _g = with_correlation_id("cid-1");
            assert_eq!(render("x")["correlation_id"], "cid-1");
            {
                let _inner = with_correlation_id("cid-2");
                assert_eq!(render("x")["correlation_id"], "cid-2");
            }
            assert_eq!(render("x")["correlation_id"], "cid-1");
        }
        assert!(render("x").get("correlation_id").is_none());
    }

    #[test]
    fn trace_id_is_scoped_to_the_guard() {
        assert!(render("x").get("trace_id").is_none());
        {
            let _g = with_trace_id("4bf92f3577b34da6a3ce929d0e0e4736");
            assert_eq!(render("x")["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736");
        }
        assert!(render("x").get("trace_id").is_none());
    }
}
