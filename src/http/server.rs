//! HTTP/1.1 server: hyper on a small tokio runtime owned by the server, with the synchronous
//! handlers run on that runtime's blocking pool, and graceful shutdown.
//!
//! Connections are plain async tasks, so an idle keep-alive connection costs no thread and a
//! burst of new connections is never queued behind long-lived ones (tiny_http's thread pool
//! starved them). Only handler execution is bounded, by a semaphore of `workers` permits.

use std::any::Any;
use std::convert::Infallible;
use std::io;
use std::net::{SocketAddr, TcpListener as StdTcpListener};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::{Body as _, Incoming};
use hyper::header::{HeaderName, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::StatusCode;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

use crate::shutdown::Shutdown;

use super::metrics::HttpMetrics;
use super::request::{Request, CORRELATION_ID_HEADER};
use super::response::Response;
use super::router::{self, Handler, RouteMatch, Router, UNMATCHED_ROUTE};
use super::tls::ServerTls;
use super::Limits;

/// Async worker threads: they only parse, route and copy bytes, so two keep up with far more
/// connections than the handlers (on the blocking pool) can serve.
const IO_THREADS: usize = 2;

/// Upper bound on how long the accept loop takes to notice a shutdown request.
///
/// `Shutdown` is a condvar, not an async primitive; polling it costs nothing measurable and
/// avoids parking a thread that would outlive the server if `run` ended early.
const SHUTDOWN_POLL_INTERVAL: Duration = Duration::from_millis(50);

/// Pause after a failed accept, so running out of file descriptors does not spin a core.
const ACCEPT_ERROR_BACKOFF: Duration = Duration::from_millis(100);

/// Longest wait on shutdown for open connections to finish writing their last response.
///
/// Handlers themselves are always waited for (see [`Server::run`]); this only bounds waiting
/// on clients that stopped reading.
const SHUTDOWN_DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// Bytes each header line costs on the wire beyond name and value (`": "` and CRLF).
const HEADER_LINE_OVERHEAD: usize = 4;

/// Room for the request line on top of the header lines when sizing hyper's own head limit.
const REQUEST_LINE_ALLOWANCE: usize = 8 * 1024;

/// Longest TLS handshake when no header read timeout is configured: a stalled handshake must not
/// hold a connection slot forever.
const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

/// hyper panics on a smaller `max_buf_size`.
const MIN_HYPER_BUF_SIZE: usize = 8 * 1024;

/// A bound listening socket, not yet serving.
pub struct Server {
    listener: StdTcpListener,
    local_addr: SocketAddr,
    limits: Limits,
    metrics: Option<HttpMetrics>,
    tls: Option<ServerTls>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("local_addr", &self.local_addr)
            .field("limits", &self.limits)
            .field("tls", &self.tls.is_some())
            .finish()
    }
}

/// Handle to a server running on a background thread.
#[derive(Debug)]
pub struct ServerHandle {
    local_addr: SocketAddr,
    thread: JoinHandle<io::Result<()>>,
}

impl ServerHandle {
    /// Address the server is listening on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Waits for the server to finish (after shutdown was requested) and returns its result.
    pub fn join(self) -> io::Result<()> {
        self.thread
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("HTTP server thread panicked")))
    }
}

impl Server {
    /// Binds `addr` (e.g. `0.0.0.0:8080` or `127.0.0.1:0`) so the port is known before serving.
    pub fn bind(addr: &str, limits: Limits) -> io::Result<Server> {
        let listener = StdTcpListener::bind(addr)?;
        // tokio requires a non-blocking socket; doing it here keeps `run` free of socket setup.
        listener.set_nonblocking(true)?;
        let local_addr = listener.local_addr()?;
        Ok(Server {
            listener,
            local_addr,
            limits,
            metrics: None,
            tls: None,
        })
    }

    /// Speaks HTTPS only, with `tls`'s certificate (reloaded on SIGHUP).
    pub fn with_tls(mut self, tls: ServerTls) -> Server {
        self.tls = Some(tls);
        self
    }

    /// Records every request in `metrics`.
    pub fn with_metrics(mut self, metrics: HttpMetrics) -> Server {
        self.metrics = Some(metrics);
        self
    }

    /// Address the server is listening on (useful after binding port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Serves requests, running at most `workers` handlers at once, until `shutdown` is requested.
    ///
    /// On shutdown the listener is closed first, idle keep-alive connections are closed,
    /// requests already received finish and are answered, and every handler has returned
    /// before this does. Returns an error only if the runtime or listener could not be set up;
    /// failed accepts are logged and retried.
    pub fn run(self, router: Router, workers: usize, shutdown: &Shutdown) -> io::Result<()> {
        let workers = workers.clamp(1, Semaphore::MAX_PERMITS);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(IO_THREADS)
            // The semaphore already caps running handlers at `workers`; this only keeps tokio
            // from creating threads that could never be busy.
            .max_blocking_threads(workers)
            .thread_name("http")
            .enable_io()
            .enable_time()
            .build()?;
        let ctx = Arc::new(Context {
            router,
            limits: self.limits,
            metrics: self.metrics,
            tls: self.tls,
            handler_permits: Arc::new(Semaphore::new(workers)),
        });
        let result = runtime.block_on(serve(self.listener, Arc::clone(&ctx), shutdown));
        // Dropping the runtime waits for handlers still running on the blocking pool (their
        // connections may have been given up on by the drain timeout), so no handler outlives
        // `run` and whatever the router owns is released when it returns.
        drop(runtime);
        // The router is released here, outside the runtime: what it owns may block when dropped
        // (a synchronous `postgres::Client` runs its own runtime to close), which panics when it
        // happens inside `block_on`, as it did whenever the last reference went with `serve`.
        drop(ctx);
        log::info!("HTTP server on {} stopped", self.local_addr);
        result
    }

    /// Runs [`Server::run`] on a background thread.
    pub fn spawn(
        self,
        router: Router,
        workers: usize,
        shutdown: &Shutdown,
    ) -> io::Result<ServerHandle> {
        let local_addr = self.local_addr;
        let shutdown = shutdown.clone();
        let thread = thread::Builder::new()
            .name("http-server".to_owned())
            .spawn(move || self.run(router, workers, &shutdown))?;
        Ok(ServerHandle { local_addr, thread })
    }
}

/// Accepts connections until shutdown, then drains them.
async fn serve(listener: StdTcpListener, ctx: Arc<Context>, shutdown: &Shutdown) -> io::Result<()> {
    let listener = TcpListener::from_std(listener)?;
    let builder = connection_builder(&ctx.limits);
    let graceful = GracefulShutdown::new();
    let mut shutdown_poll = tokio::time::interval(SHUTDOWN_POLL_INTERVAL);
    while !shutdown.is_requested() {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, remote)) => {
                    spawn_connection(stream, remote, &builder, &graceful, &ctx);
                }
                Err(err) => {
                    // EMFILE/ENFILE or a connection reset before it was accepted: neither is
                    // fatal, and the listener keeps working once descriptors are free again.
                    log::warn!("failed to accept an HTTP connection: {err}");
                    tokio::time::sleep(ACCEPT_ERROR_BACKOFF).await;
                }
            },
            _ = shutdown_poll.tick() => {
                // Checked here so reload needs no thread of its own and ends with the server.
                if let Some(tls) = &ctx.tls {
                    tls.reload_if_signalled();
                }
            }
        }
    }

    // Closing the listener first makes new connections fail at once instead of hanging in the
    // backlog while the open ones drain.
    drop(listener);
    let open = graceful.count();
    log::info!("HTTP server shutting down, draining {open} connection(s)");
    // Idle keep-alive connections close now; busy ones after writing their current response.
    if tokio::time::timeout(SHUTDOWN_DRAIN_TIMEOUT, graceful.shutdown())
        .await
        .is_err()
    {
        log::warn!(
            "HTTP connections still open {SHUTDOWN_DRAIN_TIMEOUT:?} after shutdown; dropping them"
        );
    }
    Ok(())
}

fn connection_builder(limits: &Limits) -> http1::Builder {
    // hyper answers heads over this size itself (431 with an empty body, then closes). It sits
    // well above `max_header_bytes` so that ordinary oversized heads reach our own check and
    // get the JSON envelope, while a runaway head still cannot grow the buffer unboundedly.
    let head_limit = limits
        .max_header_bytes
        .saturating_mul(2)
        .saturating_add(REQUEST_LINE_ALLOWANCE);
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(non_zero(limits.header_read_timeout))
        .max_header_size(head_limit)
        .max_buf_size(head_limit.max(MIN_HYPER_BUF_SIZE))
        // One-shot clients (scripts, `nc -N`) shut down their write side after the request;
        // they still deserve the answer. Handlers cannot be cancelled anyway, so noticing a
        // vanished client early would save nothing.
        .half_close(true)
        .keep_alive(true);
    builder
}

fn spawn_connection(
    stream: TcpStream,
    remote: SocketAddr,
    builder: &http1::Builder,
    graceful: &GracefulShutdown,
    ctx: &Arc<Context>,
) {
    // Responses are written in one go; Nagle would only delay them behind the client's ACK.
    if let Err(err) = stream.set_nodelay(true) {
        log::debug!("failed to set TCP_NODELAY for {remote}: {err}");
    }
    let ctx = Arc::clone(ctx);
    let tls = ctx.tls.as_ref().map(ServerTls::acceptor);
    let handshake_timeout =
        non_zero(ctx.limits.header_read_timeout).unwrap_or(DEFAULT_HANDSHAKE_TIMEOUT);
    let service = service_fn(move |rq: hyper::Request<Incoming>| {
        let ctx = Arc::clone(&ctx);
        async move { Ok::<_, Infallible>(ctx.serve(rq, remote).await) }
    });
    let Some(acceptor) = tls else {
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                // Header timeouts, malformed requests and resets all end up here; hyper has
                // already answered what deserved an answer.
                log::debug!("HTTP connection from {remote} ended: {err}");
            }
        });
        return;
    };
    // The handshake runs in the connection's task so a slow client never stalls accepting.
    let watcher = graceful.watcher();
    let builder = builder.clone();
    tokio::spawn(async move {
        let stream = match tokio::time::timeout(handshake_timeout, acceptor.accept(stream)).await {
            Ok(Ok(stream)) => stream,
            Ok(Err(err)) => {
                // Plain HTTP on the TLS port and unknown-CA clients end here; not our fault.
                log::debug!("TLS handshake with {remote} failed: {err}");
                return;
            }
            Err(_) => {
                log::debug!("TLS handshake with {remote} timed out");
                return;
            }
        };
        let connection = watcher.watch(builder.serve_connection(TokioIo::new(stream), service));
        if let Err(err) = connection.await {
            log::debug!("HTTPS connection from {remote} ended: {err}");
        }
    });
}

fn non_zero(timeout: Duration) -> Option<Duration> {
    (!timeout.is_zero()).then_some(timeout)
}

struct Context {
    router: Router,
    limits: Limits,
    metrics: Option<HttpMetrics>,
    /// Present when the listener speaks HTTPS.
    tls: Option<ServerTls>,
    /// One permit per handler allowed to run at once.
    handler_permits: Arc<Semaphore>,
}

impl Context {
    async fn serve(
        &self,
        rq: hyper::Request<Incoming>,
        remote: SocketAddr,
    ) -> hyper::Response<Full<Bytes>> {
        let started = Instant::now();
        let (head, body) = rq.into_parts();
        let mut request = convert_request(&head, remote);
        let header_bytes: usize = head
            .headers
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len() + HEADER_LINE_OVERHEAD)
            .sum();
        // The lower bound is the Content-Length when there is one, 0 for chunked bodies.
        let declared_body = body.size_hint().lower();
        let max_body = u64::try_from(self.limits.max_body_bytes).unwrap_or(u64::MAX);

        let resolved = self.router.resolve(&request.method, &request.path);
        // A response sent with part of the body unread ends the connection (hyper cannot find
        // the next request); saying so lets the client reconnect without a failed write first.
        let body_unread;
        let response = if header_bytes > self.limits.max_header_bytes {
            request.set_route(route_label(&resolved), Vec::new());
            body_unread = true;
            Response::error(431, "request headers too large", &request.correlation_id)
        } else if declared_body > max_body {
            // Refused before reading a byte of it, whatever the route.
            request.set_route(route_label(&resolved), Vec::new());
            body_unread = true;
            Response::error(413, "request body too large", &request.correlation_id)
        } else {
            match resolved {
                RouteMatch::NotFound => {
                    request.set_route(UNMATCHED_ROUTE, Vec::new());
                    body_unread = self.discard_body(body, &request).await;
                    router::not_found(&request.correlation_id)
                }
                RouteMatch::MethodNotAllowed { template, allow } => {
                    request.set_route(template, Vec::new());
                    body_unread = self.discard_body(body, &request).await;
                    router::method_not_allowed(&request.correlation_id, &allow)
                }
                RouteMatch::Found {
                    template,
                    params,
                    handler,
                } => {
                    request.set_route(template, params);
                    match self.read_body(body).await {
                        Ok(bytes) => {
                            request.body = bytes;
                            let request = Arc::new(request);
                            let response = self.run_handler(Arc::clone(&request), handler).await;
                            return self.finish(&request, response, false, started);
                        }
                        Err(err) => {
                            body_unread = true;
                            body_error_response(&err, &request)
                        }
                    }
                }
            }
        };
        self.finish(&request, response, body_unread, started)
    }

    /// Reads the whole body within the size and time limits.
    async fn read_body(&self, body: Incoming) -> Result<Vec<u8>, BodyError> {
        let max = self.limits.max_body_bytes;
        let collect = collect_limited(body, max);
        match non_zero(self.limits.body_read_timeout) {
            Some(timeout) => tokio::time::timeout(timeout, collect)
                .await
                .unwrap_or(Err(BodyError::TimedOut)),
            None => collect.await,
        }
    }

    /// Reads and drops the body of a request answered without a handler, so the connection
    /// can stay open; returns whether it had to be left unread.
    async fn discard_body(&self, body: Incoming, request: &Request) -> bool {
        if body.is_end_stream() {
            return false;
        }
        match self.read_body(body).await {
            Ok(_) => false,
            Err(err) => {
                log::debug!(
                    "gave up reading an unrouted request body (correlation_id={}): {err:?}",
                    request.correlation_id
                );
                true
            }
        }
    }

    /// Runs the handler on the blocking pool once one of the `workers` permits is free.
    async fn run_handler(&self, request: Arc<Request>, handler: Handler) -> Response {
        let correlation_id = request.correlation_id.clone();
        let Ok(permit) = Arc::clone(&self.handler_permits).acquire_owned().await else {
            // The semaphore is never closed; this only keeps the plumbing panic-free.
            return Response::error(503, "server is shutting down", &correlation_id);
        };
        let task = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            call_handler(&request, handler.as_ref())
        });
        match task.await {
            Ok(response) => response,
            Err(err) => {
                // `call_handler` catches handler panics, so this is the runtime going away.
                log::error!("handler task failed (correlation_id={correlation_id}): {err}");
                Response::error(500, "internal error", &correlation_id)
            }
        }
    }

    fn finish(
        &self,
        request: &Request,
        mut response: Response,
        body_unread: bool,
        started: Instant,
    ) -> hyper::Response<Full<Bytes>> {
        self.router.apply_finishers(request, &mut response);
        if body_unread {
            // hyper closes the connection after a response carrying this header.
            response.set_header("Connection", "close");
        }
        let status = response.status;
        let out = to_hyper_response(request, response);
        self.record(request, status, started);
        out
    }

    fn record(&self, request: &Request, status: u16, started: Instant) {
        let elapsed = started.elapsed();
        if let Some(metrics) = &self.metrics {
            metrics.observe(&request.method, request.route, status, elapsed);
        }
        log::debug!(
            "{} {} -> {} in {:?} (route={}, correlation_id={})",
            request.method,
            request.path,
            status,
            elapsed,
            request.route,
            request.correlation_id
        );
    }
}

#[derive(Debug)]
enum BodyError {
    TooLarge,
    TimedOut,
    Io(hyper::Error),
}

fn body_error_response(err: &BodyError, request: &Request) -> Response {
    match err {
        BodyError::TooLarge => {
            Response::error(413, "request body too large", &request.correlation_id)
        }
        BodyError::TimedOut => Response::error(
            408,
            "timed out reading request body",
            &request.correlation_id,
        ),
        BodyError::Io(err) => {
            log::debug!(
                "failed to read request body (correlation_id={}): {err}",
                request.correlation_id
            );
            Response::error(400, "could not read request body", &request.correlation_id)
        }
    }
}

/// Collects at most `max` bytes, so a chunked or lying body costs bounded memory.
async fn collect_limited(mut body: Incoming, max: usize) -> Result<Vec<u8>, BodyError> {
    let declared = usize::try_from(body.size_hint().lower()).unwrap_or(max);
    let mut out = Vec::with_capacity(declared.min(max));
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(BodyError::Io)?;
        // Trailers carry no body bytes; handlers never saw them before either.
        if let Ok(data) = frame.into_data() {
            if data.len() > max - out.len() {
                return Err(BodyError::TooLarge);
            }
            out.extend_from_slice(&data);
        }
    }
    Ok(out)
}

fn to_hyper_response(request: &Request, mut response: Response) -> hyper::Response<Full<Bytes>> {
    response.set_header(CORRELATION_ID_HEADER, &request.correlation_id);
    let status = StatusCode::from_u16(response.status).unwrap_or_else(|_| {
        log::error!(
            "handler returned invalid status {} (correlation_id={})",
            response.status,
            request.correlation_id
        );
        StatusCode::INTERNAL_SERVER_ERROR
    });
    // The body is fully buffered, so hyper always sends a Content-Length, which is friendlier
    // to simple clients than chunked encoding.
    let mut out = hyper::Response::new(Full::new(Bytes::from(response.body)));
    *out.status_mut() = status;
    let headers = out.headers_mut();
    for (name, value) in &response.headers {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            (Ok(name), Ok(value)) => {
                headers.append(name, value);
            }
            _ => log::warn!("dropping invalid response header {name:?}"),
        }
    }
    out
}

fn convert_request(head: &hyper::http::request::Parts, remote: SocketAddr) -> Request {
    let headers = head
        .headers
        .iter()
        .map(|(name, value)| {
            // Bytes outside visible ASCII (obs-text, e.g. a UTF-8 `é`) are legal on the wire;
            // decoding lossily lets such a value reach the handler and simply fail to match
            // (an API key then gets the normal 401) instead of dropping the header.
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let target = head
        .uri
        .path_and_query()
        .map_or_else(|| head.uri.path(), |pq| pq.as_str());
    Request::from_parts(
        head.method.as_str().to_ascii_uppercase(),
        target,
        headers,
        Some(remote),
    )
}

fn route_label(resolved: &RouteMatch) -> &'static str {
    match resolved {
        RouteMatch::Found { template, .. } | RouteMatch::MethodNotAllowed { template, .. } => {
            template
        }
        RouteMatch::NotFound => UNMATCHED_ROUTE,
    }
}

fn call_handler(
    request: &Request,
    handler: &(dyn Fn(&Request) -> Response + Send + Sync),
) -> Response {
    // Every log line the handler writes carries the request's correlation id and trace id.
    let _log_context = crate::logging::with_correlation_id(&request.correlation_id);
    let _trace_context = crate::logging::with_trace_id(&request.trace.trace_id_hex());
    let mut span = request_span(request);
    let response = run_caught(request, handler);
    span.attr("http.response.status_code", response.status);
    if response.status >= 500 {
        span.set_error();
    }
    span.end();
    response
}

/// The server span of a request; probes and scrapes are not traced (they would drown the
/// traces of real work).
fn request_span(request: &Request) -> crate::trace::Span {
    use crate::trace::{Span, SpanKind};
    let probe = request.path.starts_with("/health") || request.path == "/metrics";
    if probe || !crate::trace::enabled() {
        return Span::none();
    }
    let mut span = Span::start(
        &format!("{} {}", request.method, request.route),
        SpanKind::Server,
        request.trace,
        request.trace_parent,
    );
    span.attr("http.request.method", request.method.clone());
    span.attr("http.route", request.route);
    span.attr("correlation_id", request.correlation_id.clone());
    span
}

fn run_caught(
    request: &Request,
    handler: &(dyn Fn(&Request) -> Response + Send + Sync),
) -> Response {
    match catch_unwind(AssertUnwindSafe(|| handler(request))) {
        Ok(response) => response,
        Err(payload) => {
            log::error!(
                "handler for {} {} panicked (correlation_id={}): {}",
                request.method,
                request.route,
                request.correlation_id,
                panic_message(payload.as_ref())
            );
            Response::error(500, "internal error", &request.correlation_id)
        }
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "non-string panic payload"
    }
}
