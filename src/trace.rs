//! Distributed tracing: W3C Trace Context (`traceparent`) parsing and formatting (pure), and
//! spans exported with the OpenTelemetry SDK over OTLP/HTTP (JSON encoding).
//!
//! The trace travels ingest → `_traceparent` on the queued event → alerter (child span) →
//! `_traceparent` on the alert → forwarder (child span) → `traceparent` header to Moog.
//!
//! The W3C parse/format below stays ours rather than `TraceContextPropagator`: the ids must exist
//! before the span (the queued event and the Moog header carry them as exact strings), the
//! propagator works on `Context`s through carrier maps, and a strict 40-line parser is simpler
//! than round-tripping every queue message through one.
//!
//! Export is the SDK's: each [`Span`] is an `opentelemetry_sdk` span whose ids are the ones of its
//! [`TraceContext`] (a thread-local handed to our [`IdGenerator`] while the span is built), ended
//! into a `BatchSpanProcessor` (bounded queue, full → dropped and counted, its own thread, no async
//! runtime) and POSTed by `opentelemetry-otlp` to `<OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces`
//! through `UreqClient`, our `HttpClient` over the ureq agent the forwarder already uses.

use crate::settings::{registry, Settings};
use opentelemetry::trace::{
    SpanContext, Status, TraceContextExt, TraceFlags, TraceState, Tracer as _, TracerProvider as _,
};
use opentelemetry::{Context, KeyValue};
use opentelemetry_otlp::{Protocol, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, IdGenerator, Sampler, SdkTracer, SdkTracerProvider,
};
use opentelemetry_sdk::trace::{SpanData, SpanExporter};
use opentelemetry_sdk::Resource;
use serde_json::Value;
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, OnceLock};
use std::time::{Duration, SystemTime};

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
/// Timeout of one export (the exporter's retries included): a slow collector delays only the
/// exporter thread.
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
    fn otel(self) -> opentelemetry::trace::SpanKind {
        use opentelemetry::trace::SpanKind as K;
        match self {
            SpanKind::Internal => K::Internal,
            SpanKind::Server => K::Server,
            SpanKind::Client => K::Client,
            SpanKind::Consumer => K::Consumer,
        }
    }
}

thread_local! {
    /// The ids of the span being built on this thread (set by [`Span::start`] around the SDK's
    /// `build_with_context`, which asks the id generator synchronously on the calling thread).
    static NEXT_IDS: Cell<Option<(TraceId, SpanId)>> = const { Cell::new(None) };
}

/// Hands the SDK the ids of our [`TraceContext`], so the exported span ids are the ones written
/// to `_traceparent` and the Moog header; random ids outside [`Span::start`].
#[derive(Debug)]
struct ContextIds;

impl IdGenerator for ContextIds {
    fn new_trace_id(&self) -> opentelemetry::trace::TraceId {
        let id = NEXT_IDS
            .with(Cell::get)
            .map_or_else(random_nonzero, |(t, _)| t);
        opentelemetry::trace::TraceId::from_bytes(id)
    }

    fn new_span_id(&self) -> opentelemetry::trace::SpanId {
        let id = NEXT_IDS
            .with(Cell::get)
            .map_or_else(random_nonzero, |(_, s)| s);
        opentelemetry::trace::SpanId::from_bytes(id)
    }
}

/// A JSON attribute value as an OpenTelemetry one (string, integer, float or boolean).
fn otel_value(value: Value) -> opentelemetry::Value {
    match value {
        Value::Bool(b) => b.into(),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.into(),
            (None, Some(u)) => i64::try_from(u).unwrap_or(i64::MAX).into(),
            _ => n.as_f64().unwrap_or(0.0).into(),
        },
        Value::String(s) => s.into(),
        other => other.to_string().into(),
    }
}

/// A span being recorded; exported when [`Span::end`] is called (or on drop). Costs nothing
/// beyond the context when export is off.
pub struct Span {
    inner: Option<opentelemetry_sdk::trace::Span>,
}

impl Span {
    /// Start a span for `ctx` (its span id is this span's) under `parent`.
    pub fn start(name: &str, kind: SpanKind, ctx: TraceContext, parent: Option<SpanId>) -> Span {
        let Some(tracer) = TRACER.get().map(|t| &t.tracer) else {
            return Span { inner: None };
        };
        let parent_cx = match parent {
            Some(parent) => Context::new().with_remote_span_context(SpanContext::new(
                opentelemetry::trace::TraceId::from_bytes(ctx.trace_id),
                opentelemetry::trace::SpanId::from_bytes(parent),
                TraceFlags::new(ctx.flags),
                true,
                TraceState::NONE,
            )),
            None => Context::new(),
        };
        let builder = tracer
            .span_builder(name.to_string())
            .with_kind(kind.otel())
            .with_start_time(SystemTime::now());
        NEXT_IDS.with(|n| n.set(Some((ctx.trace_id, ctx.span_id))));
        let span = tracer.build_with_context(builder, &parent_cx);
        NEXT_IDS.with(|n| n.set(None));
        Span { inner: Some(span) }
    }

    /// A span that is never exported (e.g. health probes), whatever the export setting.
    pub fn none() -> Span {
        Span { inner: None }
    }

    /// Attach an attribute (string, integer or boolean JSON value).
    pub fn attr(&mut self, key: &'static str, value: impl Into<Value>) {
        use opentelemetry::trace::Span as _;
        if let Some(s) = &mut self.inner {
            s.set_attribute(KeyValue::new(key, otel_value(value.into())));
        }
    }

    /// Mark the span as failed (OTLP status ERROR).
    pub fn set_error(&mut self) {
        use opentelemetry::trace::Span as _;
        if let Some(s) = &mut self.inner {
            s.set_status(Status::error(""));
        }
    }

    /// Finish the span and hand it to the batch processor (dropping it does the same).
    pub fn end(self) {
        drop(self);
    }
}

impl Drop for Span {
    fn drop(&mut self) {
        // Dropping the SDK span ends it and hands it to the batch processor.
        if self.inner.take().is_some() {
            if let Some(t) = TRACER.get() {
                t.ended.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

struct Tracing {
    provider: SdkTracerProvider,
    tracer: SdkTracer,
    /// Spans ended (handed to the batch processor).
    ended: AtomicU64,
    /// Spans the collector accepted.
    exported: Arc<AtomicU64>,
}

static TRACER: OnceLock<Tracing> = OnceLock::new();

/// Whether spans are being exported in this process.
pub fn enabled() -> bool {
    TRACER.get().is_some()
}

/// Spans ended in this process but not (yet) accepted by the collector: dropped on a full queue,
/// lost to a failed export, or still queued (none after a completed [`flush`]).
pub fn dropped_spans() -> u64 {
    TRACER.get().map_or(0, |t| {
        let exported = t.exported.load(Ordering::Relaxed);
        t.ended.load(Ordering::Relaxed).saturating_sub(exported)
    })
}

/// The OTLP exporter, counting the spans the collector accepted (the batch processor keeps its
/// drop count to itself).
#[derive(Debug)]
struct Counting<E> {
    inner: E,
    exported: Arc<AtomicU64>,
}

impl<E: SpanExporter> SpanExporter for Counting<E> {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let n = batch.len() as u64;
        let result = self.inner.export(batch).await;
        if result.is_ok() {
            self.exported.fetch_add(n, Ordering::Relaxed);
        }
        result
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
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

/// `opentelemetry_http::HttpClient` over a blocking ureq agent. The batch processor runs the
/// exporter's future with `block_on` on its own thread, so blocking inside it stalls nothing
/// else. Failures are logged once per outage, then every 100th (a collector being down must not
/// flood the logs).
#[derive(Debug)]
struct UreqClient {
    agent: ureq::Agent,
    /// Export requests that failed (transport error or non-2xx answer).
    failures: AtomicU64,
}

impl UreqClient {
    fn new() -> UreqClient {
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(EXPORT_TIMEOUT)
            .timeout_read(EXPORT_TIMEOUT)
            .timeout_write(EXPORT_TIMEOUT)
            .build();
        UreqClient {
            agent,
            failures: AtomicU64::new(0),
        }
    }

    fn failed(&self, url: &str, what: &dyn std::fmt::Display) {
        let n = self.failures.fetch_add(1, Ordering::Relaxed) + 1;
        if n == 1 || n.is_multiple_of(100) {
            log::warn!("tracing: OTLP export to {url} failed ({n} request(s) so far): {what}");
        }
    }

    fn send(
        &self,
        request: opentelemetry_http::Request<opentelemetry_http::Bytes>,
    ) -> Result<
        opentelemetry_http::Response<opentelemetry_http::Bytes>,
        opentelemetry_http::HttpError,
    > {
        let url = request.uri().to_string();
        let mut call = self.agent.request(request.method().as_str(), &url);
        for (name, value) in request.headers() {
            if let Ok(value) = value.to_str() {
                call = call.set(name.as_str(), value);
            }
        }
        let response = match call.send_bytes(request.body()) {
            Ok(r) => r,
            Err(ureq::Error::Status(code, r)) => {
                self.failed(&url, &format!("HTTP {code}"));
                r
            }
            Err(e) => {
                self.failed(&url, &e);
                return Err(Box::new(e));
            }
        };
        let status = response.status();
        let mut body = Vec::new();
        // OTLP answers are small; a collector sending more than 1 MiB is cut off.
        std::io::Read::read_to_end(
            &mut std::io::Read::take(response.into_reader(), 1 << 20),
            &mut body,
        )?;
        Ok(opentelemetry_http::Response::builder()
            .status(status)
            .body(body.into())?)
    }
}

#[async_trait::async_trait]
impl opentelemetry_http::HttpClient for UreqClient {
    async fn send_bytes(
        &self,
        request: opentelemetry_http::Request<opentelemetry_http::Bytes>,
    ) -> Result<
        opentelemetry_http::Response<opentelemetry_http::Bytes>,
        opentelemetry_http::HttpError,
    > {
        self.send(request)
    }
}

/// Start the exporter when `OTEL_ENABLED` is on; `service` names the resource unless
/// `OTEL_SERVICE_NAME` does. Returns whether export is on. Later calls are ignored.
pub fn init(settings: &Settings, service: &str, pod: &str) -> bool {
    if !settings.bool(&registry::OTEL_ENABLED) || TRACER.get().is_some() {
        return enabled();
    }
    let url = traces_url(settings.text(&registry::OTEL_EXPORTER_OTLP_ENDPOINT));
    let service_name = settings
        .opt_text(&registry::OTEL_SERVICE_NAME)
        .filter(|s| !s.trim().is_empty())
        .unwrap_or(service)
        .to_string();
    let exporter = match opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_http_client(UreqClient::new())
        .with_protocol(Protocol::HttpJson)
        .with_endpoint(url)
        .with_timeout(EXPORT_TIMEOUT)
        .build()
    {
        Ok(e) => e,
        Err(e) => {
            log::warn!("tracing: could not build the OTLP exporter ({e}); spans are not exported");
            return false;
        }
    };
    let exported = Arc::new(AtomicU64::new(0));
    let exporter = Counting {
        inner: exporter,
        exported: Arc::clone(&exported),
    };
    let processor = BatchSpanProcessor::builder(exporter)
        .with_batch_config(
            BatchConfigBuilder::default()
                .with_max_queue_size(QUEUE_CAPACITY)
                .with_max_export_batch_size(MAX_BATCH)
                .with_scheduled_delay(FLUSH_EVERY)
                .build(),
        )
        .build();
    let resource = Resource::builder()
        .with_service_name(service_name.clone())
        .with_attributes([
            KeyValue::new("service.version", env!("CARGO_PKG_VERSION")),
            KeyValue::new("service.instance.id", pod.to_string()),
        ])
        .build();
    let provider = SdkTracerProvider::builder()
        .with_span_processor(processor)
        .with_id_generator(ContextIds)
        // Every span is recorded, as before the SDK: an upstream "not sampled" flag is carried on
        // in `traceparent` but does not hide our hops from our own collector.
        .with_sampler(Sampler::AlwaysOn)
        .with_resource(resource)
        .build();
    let tracer = provider.tracer_with_scope(
        opentelemetry::InstrumentationScope::builder("mutt")
            .with_version(env!("CARGO_PKG_VERSION"))
            .build(),
    );
    let _ = TRACER.set(Tracing {
        provider,
        tracer,
        ended: AtomicU64::new(0),
        exported,
    });
    log::info!("tracing: exporting spans of {service_name} over OTLP/HTTP JSON");
    true
}

/// Export what is queued and wait (at most `within`) for it to be posted: called before exit so
/// the last requests' spans are not lost. The SDK's flush waits on its own timeout, so it runs on
/// a helper thread and a stuck collector costs at most `within`.
pub fn flush(within: Duration) {
    let Some(t) = TRACER.get() else { return };
    let (tx, rx) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("otlp-flush".into())
        .spawn(move || {
            let _ = tx.send(t.provider.force_flush());
        });
    if spawned.is_ok() {
        match rx.recv_timeout(within) {
            Ok(Ok(())) => {}
            Ok(Err(e)) => log::warn!("tracing: flushing spans failed: {e}"),
            Err(_) => log::warn!("tracing: spans not flushed within {within:?}"),
        }
    }
    let dropped = dropped_spans();
    if dropped > 0 {
        log::warn!(
            "tracing: {dropped} span(s) not exported (export queue full, collector unreachable \
             or still queued)"
        );
    }
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
    fn json_attribute_values_map_to_otel_values() {
        assert_eq!(otel_value(Value::from(3)), opentelemetry::Value::I64(3));
        assert_eq!(
            otel_value(Value::from(u64::MAX)),
            opentelemetry::Value::I64(i64::MAX)
        );
        assert_eq!(
            otel_value(Value::from(true)),
            opentelemetry::Value::Bool(true)
        );
        assert_eq!(otel_value(Value::from(1.5)), opentelemetry::Value::F64(1.5));
        assert_eq!(
            otel_value(Value::from("/x")),
            opentelemetry::Value::from("/x")
        );
    }

    #[test]
    fn the_id_generator_hands_out_the_context_ids_while_a_span_is_built() {
        let ctx = TraceContext::parse(VALID).unwrap();
        NEXT_IDS.with(|n| n.set(Some((ctx.trace_id, ctx.span_id))));
        assert_eq!(ContextIds.new_trace_id().to_bytes(), ctx.trace_id);
        assert_eq!(ContextIds.new_span_id().to_bytes(), ctx.span_id);
        NEXT_IDS.with(|n| n.set(None));
        assert_ne!(ContextIds.new_span_id().to_bytes(), ctx.span_id);
    }

    #[test]
    fn spans_cost_nothing_when_export_is_off() {
        let mut span = Span::start("x", SpanKind::Internal, TraceContext::new_root(), None);
        span.attr("k", 1);
        assert!(span.inner.is_none() || enabled());
        span.end();
    }
}
