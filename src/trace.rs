//! Distributed tracing: W3C Trace Context (`traceparent`) parsing and formatting (pure), spans,
//! and a small OTLP/HTTP JSON exporter.
//!
//! The trace travels ingest → `_traceparent` on the queued event → alerter (child span) →
//! `_traceparent` on the alert → forwarder (child span) → `traceparent` header to Moog.
//!
//! The exporter is ours rather than the `opentelemetry-otlp` crate: that pulls a second HTTP
//! stack, protobuf code generation and an async runtime contract into a binary that only needs
//! "POST a JSON document now and then". Spans go into a bounded channel (full → dropped and
//! counted, never blocking a request or a batch) and a background thread POSTs them in batches
//! to `<OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces` in the OTLP JSON encoding.

use crate::settings::{registry, Settings};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The HTTP header carrying the trace context (W3C Trace Context).
pub const TRACEPARENT_HEADER: &str = "traceparent";
/// The queue message field carrying the trace context (events and alerts).
pub const QUEUE_FIELD: &str = "_traceparent";

/// Spans waiting for export at most; more are dropped (and counted) rather than queued.
const QUEUE_CAPACITY: usize = 8192;
/// Spans per OTLP request at most.
const MAX_BATCH: usize = 512;
/// How long a span may wait for a full batch before it is sent anyway.
const FLUSH_EVERY: Duration = Duration::from_millis(500);
/// Timeout of one export request: a slow collector delays only the exporter thread.
const EXPORT_TIMEOUT: Duration = Duration::from_secs(3);

/// A 16-byte trace id.
pub type TraceId = [u8; 16];
/// An 8-byte span id.
pub type SpanId = [u8; 8];

/// One position in a trace: the trace, the current span and the trace flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceContext {
    /// The trace all spans of one event share.
    pub trace_id: TraceId,
    /// The span this context stands for (the parent of whatever continues it).
    pub span_id: SpanId,
    /// Trace flags (bit 0: sampled).
    pub flags: u8,
}

/// Lower-case hex in one allocation: ids are formatted for every message in the hot path.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    out
}

/// Lower-case hex only: the W3C format forbids upper case, and a strict parser keeps junk out of
/// logs and queues.
fn unhex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let bytes = text.as_bytes();
    if bytes.len() != N * 2 {
        return None;
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let mut out = [0u8; N];
    for (i, pair) in bytes.chunks(2).enumerate() {
        out[i] = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Some(out)
}

fn random_nonzero<const N: usize>() -> [u8; N] {
    loop {
        let id: [u8; N] = rand::random();
        if id.iter().any(|b| *b != 0) {
            return id;
        }
    }
}

impl TraceContext {
    /// Parse a `traceparent` value (version 00); `None` when it is not a valid one.
    pub fn parse(header: &str) -> Option<TraceContext> {
        let mut parts = header.trim().split('-');
        let (version, trace, span, flags) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || version != "00" {
            return None;
        }
        let trace_id: TraceId = unhex(trace)?;
        let span_id: SpanId = unhex(span)?;
        let [flags] = unhex::<1>(flags)?;
        if trace_id.iter().all(|b| *b == 0) || span_id.iter().all(|b| *b == 0) {
            return None;
        }
        Some(TraceContext {
            trace_id,
            span_id,
            flags,
        })
    }

    /// A new trace (sampled: every span is recorded when export is on).
    pub fn new_root() -> TraceContext {
        TraceContext {
            trace_id: random_nonzero(),
            span_id: random_nonzero(),
            flags: 0x01,
        }
    }

    /// The next span of the same trace.
    pub fn child(&self) -> TraceContext {
        TraceContext {
            span_id: random_nonzero(),
            ..*self
        }
    }

    /// Continue from an optional incoming `traceparent`: a child of a valid one (returned with
    /// its parent span id), else a new trace (an invalid header is ignored, never refused).
    pub fn continue_from(header: Option<&str>) -> (TraceContext, Option<SpanId>) {
        match header.and_then(TraceContext::parse) {
            Some(parent) => (parent.child(), Some(parent.span_id)),
            None => (TraceContext::new_root(), None),
        }
    }

    /// The `traceparent` value for this context.
    pub fn header(&self) -> String {
        format!(
            "00-{}-{}-{:02x}",
            hex(&self.trace_id),
            hex(&self.span_id),
            self.flags
        )
    }

    /// The trace id as 32 lower-case hex characters (logs, OTLP JSON).
    pub fn trace_id_hex(&self) -> String {
        hex(&self.trace_id)
    }

    /// The span id as 16 lower-case hex characters.
    pub fn span_id_hex(&self) -> String {
        hex(&self.span_id)
    }
}

/// What a span stands for (OTLP `SpanKind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanKind {
    /// Work inside the process (a batch).
    Internal,
    /// Handling an incoming request.
    Server,
    /// An outgoing request (the POST to Moog).
    Client,
    /// Taking a message from a queue.
    Consumer,
}

impl SpanKind {
    fn otlp(self) -> u8 {
        match self {
            SpanKind::Internal => 1,
            SpanKind::Server => 2,
            SpanKind::Client => 3,
            SpanKind::Consumer => 5,
        }
    }
}

/// A finished span, as exported.
#[derive(Debug, Clone)]
struct SpanData {
    name: String,
    kind: SpanKind,
    ctx: TraceContext,
    parent: Option<SpanId>,
    start_ns: u64,
    end_ns: u64,
    error: bool,
    attributes: Vec<(&'static str, Value)>,
}

fn unix_nanos() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

/// A span being recorded; exported when [`Span::end`] is called (or on drop). Costs nothing
/// beyond the context when export is off.
pub struct Span {
    data: Option<Box<SpanData>>,
}

impl Span {
    /// Start a span for `ctx` (its span id is this span's) under `parent`.
    pub fn start(name: &str, kind: SpanKind, ctx: TraceContext, parent: Option<SpanId>) -> Span {
        if !enabled() {
            return Span { data: None };
        }
        Span {
            data: Some(Box::new(SpanData {
                name: name.to_string(),
                kind,
                ctx,
                parent,
                start_ns: unix_nanos(),
                end_ns: 0,
                error: false,
                attributes: Vec::new(),
            })),
        }
    }

    /// A span that is never exported (e.g. health probes), whatever the export setting.
    pub fn none() -> Span {
        Span { data: None }
    }

    /// Attach an attribute (string, integer or boolean JSON value).
    pub fn attr(&mut self, key: &'static str, value: impl Into<Value>) {
        if let Some(d) = &mut self.data {
            d.attributes.push((key, value.into()));
        }
    }

    /// Mark the span as failed (OTLP status ERROR).
    pub fn set_error(&mut self) {
        if let Some(d) = &mut self.data {
            d.error = true;
        }
    }

    /// Finish the span and hand it to the exporter.
    pub fn end(self) {
        drop(self);
    }
}

impl Drop for Span {
    fn drop(&mut self) {
        if let Some(mut d) = self.data.take() {
            d.end_ns = unix_nanos();
            if let Some(e) = EXPORTER.get() {
                e.submit(*d);
            }
        }
    }
}

enum Msg {
    Span(SpanData),
    Flush(mpsc::Sender<()>),
}

struct Exporter {
    tx: SyncSender<Msg>,
    dropped: AtomicU64,
}

impl Exporter {
    fn submit(&self, span: SpanData) {
        match self.tx.try_send(Msg::Span(span)) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {
                if self.dropped.fetch_add(1, Ordering::Relaxed) == 0 {
                    log::warn!("tracing: export queue full; dropping spans (counted)");
                }
            }
        }
    }
}

static EXPORTER: OnceLock<Exporter> = OnceLock::new();

/// Whether spans are being exported in this process.
pub fn enabled() -> bool {
    EXPORTER.get().is_some()
}

/// Spans dropped because the export queue was full.
pub fn dropped_spans() -> u64 {
    EXPORTER
        .get()
        .map_or(0, |e| e.dropped.load(Ordering::Relaxed))
}

/// The OTLP/HTTP traces URL for a base endpoint (`…/v1/traces` is appended unless present).
pub fn traces_url(endpoint: &str) -> String {
    let base = endpoint.trim().trim_end_matches('/');
    if base.ends_with("/v1/traces") {
        base.to_string()
    } else {
        format!("{base}/v1/traces")
    }
}

/// Start the exporter when `OTEL_ENABLED` is on; `service` names the resource unless
/// `OTEL_SERVICE_NAME` does. Returns whether export is on. Later calls are ignored.
pub fn init(settings: &Settings, service: &str, pod: &str) -> bool {
    if !settings.bool(&registry::OTEL_ENABLED) || EXPORTER.get().is_some() {
        return enabled();
    }
    let url = traces_url(settings.text(&registry::OTEL_EXPORTER_OTLP_ENDPOINT));
    let service_name = settings
        .opt_text(&registry::OTEL_SERVICE_NAME)
        .filter(|s| !s.trim().is_empty())
        .unwrap_or(service)
        .to_string();
    let resource = json!({"attributes": [
        attr_json("service.name", &Value::from(service_name.as_str())),
        attr_json("service.version", &Value::from(env!("CARGO_PKG_VERSION"))),
        attr_json("service.instance.id", &Value::from(pod)),
    ]});
    let (tx, rx) = mpsc::sync_channel(QUEUE_CAPACITY);
    let spawned = std::thread::Builder::new()
        .name("otlp-export".into())
        .spawn(move || export_loop(rx, &url, &resource));
    if let Err(e) = spawned {
        log::warn!("tracing: could not start the exporter thread ({e}); spans are not exported");
        return false;
    }
    let _ = EXPORTER.set(Exporter {
        tx,
        dropped: AtomicU64::new(0),
    });
    log::info!("tracing: exporting spans of {service_name} over OTLP/HTTP JSON");
    true
}

/// Send what is queued and wait (at most `within`) for it to be posted: called before exit so the
/// last requests' spans are not lost.
pub fn flush(within: Duration) {
    let Some(e) = EXPORTER.get() else { return };
    let (tx, rx) = mpsc::channel();
    if send_within(&e.tx, Msg::Flush(tx), within) {
        let _ = rx.recv_timeout(within);
    }
    let dropped = dropped_spans();
    if dropped > 0 {
        log::warn!("tracing: {dropped} span(s) dropped because the export queue was full");
    }
}

/// `SyncSender` has no send with a timeout; retrying `try_send` until `within` keeps a full queue
/// from blocking shutdown.
fn send_within(tx: &SyncSender<Msg>, mut msg: Msg, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    loop {
        match tx.try_send(msg) {
            Ok(()) => return true,
            Err(TrySendError::Disconnected(_)) => return false,
            Err(TrySendError::Full(m)) => {
                if Instant::now() >= deadline {
                    return false;
                }
                msg = m;
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
}

fn export_loop(rx: Receiver<Msg>, url: &str, resource: &Value) {
    let agent = ureq::AgentBuilder::new()
        .timeout_connect(EXPORT_TIMEOUT)
        .timeout_read(EXPORT_TIMEOUT)
        .timeout_write(EXPORT_TIMEOUT)
        .build();
    let mut batch: Vec<SpanData> = Vec::with_capacity(MAX_BATCH);
    let mut failures: u64 = 0;
    let mut first_at: Option<Instant> = None;
    loop {
        let wait = first_at.map_or(FLUSH_EVERY, |t| FLUSH_EVERY.saturating_sub(t.elapsed()));
        let mut ack = None;
        match rx.recv_timeout(wait) {
            Ok(Msg::Span(s)) => {
                first_at.get_or_insert_with(Instant::now);
                batch.push(s);
                if batch.len() < MAX_BATCH {
                    continue;
                }
            }
            Ok(Msg::Flush(done)) => ack = Some(done),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        if !batch.is_empty() {
            let body = otlp_json(&batch, resource).to_string();
            match agent
                .post(url)
                .set("Content-Type", "application/json")
                .send_string(&body)
            {
                Ok(_) => failures = 0,
                Err(e) => {
                    failures += 1;
                    // One line per outage, then every 100th failed batch: a collector being down
                    // must not flood the logs.
                    if failures == 1 || failures.is_multiple_of(100) {
                        log::warn!(
                            "tracing: OTLP export to {url} failed ({failures} batch(es) so far): {e}"
                        );
                    }
                }
            }
            batch.clear();
        }
        first_at = None;
        if let Some(done) = ack {
            let _ = done.send(());
        }
    }
}

fn attr_json(key: &str, value: &Value) -> Value {
    let v = match value {
        Value::Bool(b) => json!({"boolValue": b}),
        // OTLP JSON encodes 64-bit integers as strings.
        Value::Number(n) if n.is_i64() || n.is_u64() => json!({"intValue": n.to_string()}),
        Value::Number(n) => json!({"doubleValue": n}),
        Value::String(s) => json!({"stringValue": s}),
        other => json!({"stringValue": other.to_string()}),
    };
    json!({"key": key, "value": v})
}

/// The OTLP JSON `ExportTraceServiceRequest` for some spans of one resource.
fn otlp_json(spans: &[SpanData], resource: &Value) -> Value {
    let spans: Vec<Value> = spans
        .iter()
        .map(|s| {
            let mut span = json!({
                "traceId": hex(&s.ctx.trace_id),
                "spanId": hex(&s.ctx.span_id),
                "name": s.name,
                "kind": s.kind.otlp(),
                "startTimeUnixNano": s.start_ns.to_string(),
                "endTimeUnixNano": s.end_ns.max(s.start_ns).to_string(),
                "attributes": s.attributes.iter().map(|(k, v)| attr_json(k, v)).collect::<Vec<_>>(),
                "status": {"code": if s.error { 2 } else { 0 }},
            });
            if let (Some(parent), Some(obj)) = (s.parent, span.as_object_mut()) {
                obj.insert("parentSpanId".into(), hex(&parent).into());
            }
            span
        })
        .collect();
    json!({"resourceSpans": [{
        "resource": resource,
        "scopeSpans": [{
            "scope": {"name": "mutt", "version": env!("CARGO_PKG_VERSION")},
            "spans": spans,
        }],
    }]})
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[test]
    fn parses_and_formats_a_valid_header() {
        let ctx = TraceContext::parse(VALID).unwrap();
        assert_eq!(ctx.trace_id_hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(ctx.span_id_hex(), "00f067aa0ba902b7");
        assert_eq!(ctx.flags, 1);
        assert_eq!(ctx.header(), VALID);
        assert_eq!(TraceContext::parse(&format!("  {VALID} ")), Some(ctx));
    }

    #[test]
    fn rejects_invalid_headers() {
        for bad in [
            "",
            "garbage",
            "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0x",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902g7-01",
        ] {
            assert_eq!(TraceContext::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn child_keeps_the_trace_and_changes_the_span() {
        let parent = TraceContext::parse(VALID).unwrap();
        let child = parent.child();
        assert_eq!(child.trace_id, parent.trace_id);
        assert_eq!(child.flags, parent.flags);
        assert_ne!(child.span_id, parent.span_id);
        assert_eq!(TraceContext::parse(&child.header()), Some(child));
    }

    #[test]
    fn continue_from_starts_a_new_trace_unless_the_header_is_valid() {
        let (ctx, parent) = TraceContext::continue_from(Some(VALID));
        assert_eq!(ctx.trace_id_hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(parent.map(|p| hex(&p)).as_deref(), Some("00f067aa0ba902b7"));
        for header in [None, Some("nonsense")] {
            let (a, parent) = TraceContext::continue_from(header);
            let (b, _) = TraceContext::continue_from(header);
            assert_eq!(parent, None);
            assert_ne!(a.trace_id, b.trace_id);
            assert_eq!(a.flags, 1);
            assert!(TraceContext::parse(&a.header()).is_some());
        }
    }

    #[test]
    fn traces_url_appends_the_path_once() {
        assert_eq!(
            traces_url("http://127.0.0.1:4318"),
            "http://127.0.0.1:4318/v1/traces"
        );
        assert_eq!(traces_url("http://c:4318/"), "http://c:4318/v1/traces");
        assert_eq!(
            traces_url("http://c:4318/v1/traces"),
            "http://c:4318/v1/traces"
        );
    }

    #[test]
    fn otlp_json_has_the_documented_shape() {
        let ctx = TraceContext::parse(VALID).unwrap().child();
        let span = SpanData {
            name: "ingest".into(),
            kind: SpanKind::Server,
            ctx,
            parent: Some(TraceContext::parse(VALID).unwrap().span_id),
            start_ns: 10,
            end_ns: 20,
            error: true,
            attributes: vec![("events", Value::from(3)), ("route", Value::from("/x"))],
        };
        let resource = json!({"attributes": [attr_json("service.name", &Value::from("ingestor"))]});
        let v = otlp_json(&[span], &resource);
        let s = &v["resourceSpans"][0]["scopeSpans"][0]["spans"][0];
        assert_eq!(s["traceId"], "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(s["parentSpanId"], "00f067aa0ba902b7");
        assert_eq!(s["spanId"], ctx.span_id_hex());
        assert_eq!(s["kind"], 2);
        assert_eq!(s["startTimeUnixNano"], "10");
        assert_eq!(s["endTimeUnixNano"], "20");
        assert_eq!(s["status"]["code"], 2);
        assert_eq!(s["attributes"][0]["value"]["intValue"], "3");
        assert_eq!(s["attributes"][1]["value"]["stringValue"], "/x");
        assert_eq!(
            v["resourceSpans"][0]["resource"]["attributes"][0]["value"]["stringValue"],
            "ingestor"
        );
    }

    fn span(name: &str) -> SpanData {
        SpanData {
            name: name.into(),
            kind: SpanKind::Internal,
            ctx: TraceContext::new_root(),
            parent: None,
            start_ns: 1,
            end_ns: 2,
            error: false,
            attributes: Vec::new(),
        }
    }

    #[test]
    fn a_full_export_queue_drops_and_counts_instead_of_blocking() {
        let (tx, rx) = mpsc::sync_channel(1);
        let exporter = Exporter {
            tx,
            dropped: AtomicU64::new(0),
        };
        exporter.submit(span("a"));
        exporter.submit(span("b"));
        exporter.submit(span("c"));
        assert_eq!(exporter.dropped.load(Ordering::Relaxed), 2);
        match rx.try_recv() {
            Ok(Msg::Span(s)) => assert_eq!(s.name, "a"),
            _ => panic!("the first span should be queued"),
        }
        drop(rx);
        exporter.submit(span("d"));
        assert_eq!(exporter.dropped.load(Ordering::Relaxed), 3);
    }

    #[test]
    fn spans_cost_nothing_when_export_is_off() {
        let mut span = Span::start("x", SpanKind::Internal, TraceContext::new_root(), None);
        span.attr("k", 1);
        assert!(span.data.is_none() || enabled());
        span.end();
    }
}
