//! Worker-pool HTTP server on top of `tiny_http` with graceful shutdown.

use std::any::Any;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::shutdown::Shutdown;

use super::metrics::HttpMetrics;
use super::request::{Request, CORRELATION_ID_HEADER};
use super::response::Response;
use super::router::{self, RouteMatch, Router, UNMATCHED_ROUTE};
use super::Limits;

/// Upper bound on how long the accept loop takes to notice a shutdown request.
const RECV_POLL_INTERVAL: Duration = Duration::from_millis(50);

/// Bytes each header line costs on the wire beyond name and value (`": "` and CRLF).
const HEADER_LINE_OVERHEAD: usize = 4;

/// Interim status sent before the raw 413 on abandoned connections.
const CONTINUE_STATUS: u16 = 100;

/// Largest unread body tiny_http 0.12 may be left to discard after a response.
///
/// tiny_http discards an unread body by allocating a buffer of the *declared* remaining
/// length (upstream issues #252/#290), so a request claiming e.g. 100 GB aborts the whole
/// process on allocation failure. Above this size the connection is abandoned instead.
const MAX_DISCARDABLE_BODY_BYTES: usize = 64 * 1024 * 1024;

/// A bound listening socket, not yet serving.
pub struct Server {
    inner: tiny_http::Server,
    local_addr: SocketAddr,
    limits: Limits,
    metrics: Option<HttpMetrics>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("local_addr", &self.local_addr)
            .field("limits", &self.limits)
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
        let listener = TcpListener::bind(addr)?;
        let local_addr = listener.local_addr()?;
        let inner = tiny_http::Server::from_listener(listener, None).map_err(io::Error::other)?;
        Ok(Server {
            inner,
            local_addr,
            limits,
            metrics: None,
        })
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

    /// Serves requests on `workers` threads until `shutdown` is requested.
    ///
    /// On shutdown the listener is closed first, requests already handed to workers finish
    /// and are answered, and then the workers are joined. Returns an error only if the
    /// listener failed while serving.
    pub fn run(self, router: Router, workers: usize, shutdown: &Shutdown) -> io::Result<()> {
        let workers = workers.max(1);
        let ctx = Arc::new(Context {
            router,
            limits: self.limits,
            metrics: self.metrics,
        });
        // Bounded so that accepted-but-unstarted work stays small and visible to shutdown.
        let (tx, rx) = mpsc::sync_channel::<tiny_http::Request>(workers);
        let rx = Arc::new(Mutex::new(rx));

        let mut handles = Vec::with_capacity(workers);
        for index in 0..workers {
            let ctx = Arc::clone(&ctx);
            let rx = Arc::clone(&rx);
            let spawned = thread::Builder::new()
                .name(format!("http-worker-{index}"))
                .spawn(move || worker_loop(&ctx, &rx));
            match spawned {
                Ok(handle) => handles.push(handle),
                Err(err) => {
                    drop(tx);
                    join_workers(handles);
                    return Err(err);
                }
            }
        }

        let result = dispatch(&self.inner, &tx, shutdown);

        // Requests that were read but never handed to a worker are not "in flight"; tell
        // their clients to retry elsewhere instead of leaving them hanging.
        while let Ok(Some(rq)) = self.inner.try_recv() {
            ctx.reject_shutting_down(rq);
        }
        // Dropping the tiny_http server closes the listening socket, so new connections are
        // refused while the workers finish what they already have.
        drop(self.inner);
        drop(tx);
        join_workers(handles);
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

fn dispatch(
    server: &tiny_http::Server,
    tx: &SyncSender<tiny_http::Request>,
    shutdown: &Shutdown,
) -> io::Result<()> {
    while !shutdown.is_requested() {
        match server.recv_timeout(RECV_POLL_INTERVAL) {
            Ok(Some(rq)) => {
                if tx.send(rq).is_err() {
                    return Err(io::Error::other("all HTTP workers exited"));
                }
            }
            Ok(None) => {}
            Err(err) => {
                // tiny_http stops accepting after any accept error, so serving cannot continue.
                log::error!("HTTP listener failed: {err}");
                return Err(err);
            }
        }
    }
    Ok(())
}

fn worker_loop(ctx: &Context, rx: &Mutex<Receiver<tiny_http::Request>>) {
    loop {
        let next = rx.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok(rq) = next else {
            return;
        };
        // Handler panics are already turned into 500s; this guards the plumbing itself
        // (including tiny_http's drop of the request) so one bad request cannot kill a worker.
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| ctx.serve(rq))) {
            log::error!(
                "panic while processing HTTP request: {}",
                panic_message(payload.as_ref())
            );
        }
    }
}

fn join_workers(handles: Vec<JoinHandle<()>>) {
    for handle in handles {
        if handle.join().is_err() {
            log::error!("HTTP worker thread panicked");
        }
    }
}

struct Context {
    router: Router,
    limits: Limits,
    metrics: Option<HttpMetrics>,
}

impl Context {
    fn serve(&self, mut rq: tiny_http::Request) {
        let started = Instant::now();
        let mut request = convert_request(&rq);
        if self.must_abandon(&rq, &request) {
            self.abandon_oversized(rq, request, started);
            return;
        }
        let header_bytes: usize = request
            .headers()
            .iter()
            .map(|(name, value)| name.len() + value.len() + HEADER_LINE_OVERHEAD)
            .sum();

        let resolved = self.router.resolve(&request.method, &request.path);
        let response = if has_unparsable_content_length(&rq, &request) {
            // tiny_http treats such a body as empty, so its bytes would be parsed as the
            // next request; refuse rather than serve a misframed request.
            request.set_route(route_label(&resolved), Vec::new());
            Response::error(400, "invalid Content-Length", &request.correlation_id)
        } else if header_bytes > self.limits.max_header_bytes {
            // tiny_http has already buffered the headers by now; rejecting still stops
            // oversized metadata from reaching handlers and logs.
            request.set_route(route_label(&resolved), Vec::new());
            Response::error(431, "request headers too large", &request.correlation_id)
        } else {
            match resolved {
                RouteMatch::NotFound => {
                    request.set_route(UNMATCHED_ROUTE, Vec::new());
                    router::not_found(&request.correlation_id)
                }
                RouteMatch::MethodNotAllowed { template, allow } => {
                    request.set_route(template, Vec::new());
                    router::method_not_allowed(&request.correlation_id, &allow)
                }
                RouteMatch::Found {
                    template,
                    params,
                    handler,
                } => {
                    request.set_route(template, params);
                    match read_body(&mut rq, self.limits.max_body_bytes) {
                        Ok(body) => {
                            request.body = body;
                            run_handler(&request, handler.as_ref())
                        }
                        Err(BodyError::TooLarge) => {
                            Response::error(413, "request body too large", &request.correlation_id)
                        }
                        Err(BodyError::Io(err)) => {
                            log::debug!(
                                "failed to read request body (correlation_id={}): {err}",
                                request.correlation_id
                            );
                            Response::error(
                                400,
                                "could not read request body",
                                &request.correlation_id,
                            )
                        }
                    }
                }
            }
        };
        self.send(rq, &request, response, started);
    }

    /// Whether dropping this request unread would make tiny_http allocate a huge buffer.
    fn must_abandon(&self, rq: &tiny_http::Request, request: &Request) -> bool {
        let cap = self.limits.max_body_bytes.max(MAX_DISCARDABLE_BODY_BYTES);
        // tiny_http hands upgrade requests the raw stream, which is dropped without draining.
        let is_upgrade = request
            .header("Connection")
            .is_some_and(|v| v.to_ascii_lowercase().contains("upgrade"));
        rq.body_length().is_some_and(|len| len > cap) && !is_upgrade
    }

    /// Answers 413 and then deliberately leaks the connection.
    ///
    /// Leaking one socket and one tiny_http connection thread is bounded damage; letting
    /// tiny_http drop the body reader would abort the process.
    fn abandon_oversized(&self, rq: tiny_http::Request, mut request: Request, started: Instant) {
        let resolved = self.router.resolve(&request.method, &request.path);
        request.set_route(route_label(&resolved), Vec::new());
        log::warn!(
            "abandoning connection from {:?} declaring a {:?}-byte body (correlation_id={})",
            request.remote_addr,
            rq.body_length(),
            request.correlation_id
        );
        let mut response = Response::error(413, "request body too large", &request.correlation_id);
        response.set_header(CORRELATION_ID_HEADER, &request.correlation_id);
        // Without this the client would wait for a close that never comes.
        response.set_header("Connection", "close");
        let status = response.status;
        // `upgrade` is the only tiny_http API that hands back the body reader without
        // dropping it. It insists on writing a response itself, so it writes an interim
        // 100 (which HTTP/1.1 clients must skip) and the real 413 goes out raw afterwards.
        let interim = tiny_http::Response::empty(CONTINUE_STATUS);
        let mut stream = rq.upgrade("close", interim);
        if let Err(err) = write_raw_response(&mut stream, &response) {
            log::debug!(
                "failed to write 413 (correlation_id={}): {err}",
                request.correlation_id
            );
        }
        std::mem::forget(stream);
        self.record(&request, status, started);
    }

    fn reject_shutting_down(&self, rq: tiny_http::Request) {
        let started = Instant::now();
        let mut request = convert_request(&rq);
        if self.must_abandon(&rq, &request) {
            self.abandon_oversized(rq, request, started);
            return;
        }
        let resolved = self.router.resolve(&request.method, &request.path);
        request.set_route(route_label(&resolved), Vec::new());
        let response = Response::error(503, "server is shutting down", &request.correlation_id);
        self.send(rq, &request, response, started);
    }

    fn send(
        &self,
        rq: tiny_http::Request,
        request: &Request,
        response: Response,
        started: Instant,
    ) {
        let status = response.status;
        if let Err(err) = rq.respond(to_tiny_response(request, response)) {
            log::debug!(
                "failed to write response (correlation_id={}): {err}",
                request.correlation_id
            );
        }
        self.record(request, status, started);
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

fn write_raw_response(out: &mut dyn Write, response: &Response) -> io::Result<()> {
    let reason = tiny_http::StatusCode(response.status).default_reason_phrase();
    let mut head = format!("HTTP/1.1 {} {reason}\r\n", response.status);
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", response.body.len()));
    out.write_all(head.as_bytes())?;
    out.write_all(&response.body)?;
    out.flush()
}

fn to_tiny_response(request: &Request, mut response: Response) -> tiny_http::ResponseBox {
    response.set_header(CORRELATION_ID_HEADER, &request.correlation_id);
    let mut out = tiny_http::Response::from_data(response.body)
        .with_status_code(response.status)
        // The body is fully buffered, so a Content-Length is always possible and is
        // friendlier to simple clients than chunked encoding.
        .with_chunked_threshold(usize::MAX);
    for (name, value) in &response.headers {
        match tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            Ok(header) => out.add_header(header),
            Err(()) => log::warn!("dropping invalid response header {name:?}"),
        }
    }
    out.boxed()
}

fn convert_request(rq: &tiny_http::Request) -> Request {
    let headers = rq
        .headers()
        .iter()
        .map(|h| {
            (
                h.field.as_str().as_str().to_owned(),
                h.value.as_str().to_owned(),
            )
        })
        .collect();
    Request::from_parts(
        rq.method().as_str().to_ascii_uppercase(),
        rq.url(),
        headers,
        rq.remote_addr().copied(),
    )
}

fn has_unparsable_content_length(rq: &tiny_http::Request, request: &Request) -> bool {
    rq.body_length().is_none()
        && request.header("Transfer-Encoding").is_none()
        && request.header("Content-Length").is_some()
}

fn route_label(resolved: &RouteMatch) -> &'static str {
    match resolved {
        RouteMatch::Found { template, .. } | RouteMatch::MethodNotAllowed { template, .. } => {
            template
        }
        RouteMatch::NotFound => UNMATCHED_ROUTE,
    }
}

enum BodyError {
    TooLarge,
    Io(io::Error),
}

/// Reads at most `max + 1` bytes so an oversized or lying client costs bounded memory.
fn read_body(rq: &mut tiny_http::Request, max: usize) -> Result<Vec<u8>, BodyError> {
    let declared = rq.body_length();
    if declared.is_some_and(|len| len > max) {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::with_capacity(declared.unwrap_or(0));
    let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    rq.as_reader()
        .take(limit)
        .read_to_end(&mut body)
        .map_err(BodyError::Io)?;
    if body.len() > max {
        return Err(BodyError::TooLarge);
    }
    Ok(body)
}

fn run_handler(
    request: &Request,
    handler: &(dyn Fn(&Request) -> Response + Send + Sync),
) -> Response {
    // Every log line the handler writes carries the request's correlation id.
    let _log_context = crate::logging::with_correlation_id(&request.correlation_id);
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
