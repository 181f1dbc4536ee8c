//! A small real HTTP server that speaks the part of the Vault API mutt uses: AppRole login,
//! `auth/token/renew-self` and KV v2 reads, with short-lived tokens and test controls to rotate
//! the secret, revoke tokens and take the server down and up again. (No Vault binary can be
//! installed on the test machine; the wire format follows Vault's HTTP API documentation.)

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// Counters of what clients did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub logins: u32,
    pub failed_logins: u32,
    pub renewals: u32,
    pub reads: u32,
    pub refused_tokens: u32,
}

struct TokenState {
    expires: Instant,
    max_expires: Instant,
}

struct State {
    role_id: String,
    secret_id: String,
    ttl: Duration,
    max_ttl: Duration,
    tokens: HashMap<String, TokenState>,
    /// "mount/path" → fields.
    kv: HashMap<String, serde_json::Map<String, serde_json::Value>>,
    counts: Counts,
    namespaces: Vec<String>,
    /// Every successful secret read: the token used and when.
    reads: Vec<(String, Instant)>,
}

/// What the test asks of the accept loop, and what it has done.
#[derive(Default)]
struct Control {
    want_down: bool,
    stop: bool,
    /// The loop's state: listening (up) or holding the port without listening (down).
    down: bool,
}

type Shared = Arc<(Mutex<Control>, Condvar)>;

/// The test Vault. Dropping it stops the server.
pub struct TestVault {
    port: u16,
    tls: bool,
    state: Arc<Mutex<State>>,
    control: Shared,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestVault {
    /// A server with one AppRole (`role_id`/`secret_id`) and tokens living `ttl` (renewable up
    /// to `max_ttl`).
    pub fn start(role_id: &str, secret_id: &str, ttl: Duration, max_ttl: Duration) -> TestVault {
        TestVault::start_with(role_id, secret_id, ttl, max_ttl, None)
    }

    /// The same server speaking HTTPS with this PEM certificate chain and key.
    pub fn start_tls(
        role_id: &str,
        secret_id: &str,
        ttl: Duration,
        cert_pem: &[u8],
        key_pem: &[u8],
    ) -> TestVault {
        mutt::crypto::install_crypto_provider();
        let certs = rustls_pemfile::certs(&mut &cert_pem[..])
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        let key = rustls_pemfile::private_key(&mut &key_pem[..])
            .unwrap()
            .unwrap();
        let cfg = rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
        TestVault::start_with(role_id, secret_id, ttl, ttl * 10, Some(Arc::new(cfg)))
    }

    fn start_with(
        role_id: &str,
        secret_id: &str,
        ttl: Duration,
        max_ttl: Duration,
        tls: Option<Arc<rustls::ServerConfig>>,
    ) -> TestVault {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State {
            role_id: role_id.into(),
            secret_id: secret_id.into(),
            ttl,
            max_ttl,
            tokens: HashMap::new(),
            kv: HashMap::new(),
            counts: Counts::default(),
            namespaces: Vec::new(),
            reads: Vec::new(),
        }));
        let control: Shared = Arc::default();
        let tls_used = tls.is_some();
        let thread = {
            let (state, control) = (Arc::clone(&state), Arc::clone(&control));
            std::thread::spawn(move || serve(listener, state, control, tls))
        };
        TestVault {
            port,
            tls: tls_used,
            state,
            control,
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:<port>` (`https://localhost:<port>` for a TLS server).
    pub fn addr(&self) -> String {
        if self.tls {
            format!("https://localhost:{}", self.port)
        } else {
            format!("http://127.0.0.1:{}", self.port)
        }
    }

    /// Replace the fields of the KV v2 secret at `mount/path` (a new version, as `vault kv put`).
    pub fn put(&self, location: &str, fields: &[(&str, &str)]) {
        let map = fields
            .iter()
            .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.to_string())))
            .collect();
        self.state.lock().unwrap().kv.insert(location.into(), map);
    }

    /// Change some fields of the secret, keeping the others (as `vault kv patch`).
    pub fn patch(&self, location: &str, fields: &[(&str, &str)]) {
        let mut st = self.state.lock().unwrap();
        let map = st.kv.entry(location.into()).or_default();
        for (k, v) in fields {
            map.insert(k.to_string(), serde_json::Value::String(v.to_string()));
        }
    }

    /// Revoke every token issued so far.
    pub fn revoke_all(&self) {
        self.state.lock().unwrap().tokens.clear();
    }

    /// Stop answering (connections are refused) or answer again; returns once the server is
    /// in the new state.
    pub fn set_up(&self, up: bool) {
        let (lock, cv) = &*self.control;
        lock.lock().unwrap().want_down = !up;
        cv.notify_all();
        if !up {
            wake(self.port);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut c = lock.lock().unwrap();
        while c.down == up {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "the test Vault did not go up={up}");
            c = cv.wait_timeout(c, left).unwrap().0;
        }
    }

    /// Tokens that read the secret at or after `since`.
    pub fn readers_since(&self, since: Instant) -> HashSet<String> {
        let st = self.state.lock().unwrap();
        st.reads
            .iter()
            .filter(|(_, at)| *at >= since)
            .map(|(token, _)| token.clone())
            .collect()
    }

    /// Wait until every client that read the secret in the `window` before now has read it
    /// again: then each of them holds what was written before this call (a read and a write
    /// of the secret take the same lock).
    pub fn wait_for_rereads(&self, window: Duration, within: Duration) {
        let mark = Instant::now();
        let active = self.readers_since(mark.checked_sub(window).unwrap_or(mark));
        assert!(!active.is_empty(), "no client read the secret lately");
        super::wait_for(
            within,
            "every Vault client to read the secret again",
            || self.readers_since(mark).is_superset(&active),
        );
    }

    /// What clients have done so far.
    pub fn counts(&self) -> Counts {
        self.state.lock().unwrap().counts
    }

    /// Namespaces seen in X-Vault-Namespace headers.
    pub fn namespaces(&self) -> Vec<String> {
        self.state.lock().unwrap().namespaces.clone()
    }
}

impl Drop for TestVault {
    fn drop(&mut self) {
        let (lock, cv) = &*self.control;
        lock.lock().unwrap().stop = true;
        cv.notify_all();
        wake(self.port);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Make a blocked `accept` return, so the loop looks at its control flags (nothing listens
/// when it is down: then this is refused, and the loop waits on the condvar instead).
fn wake(port: u16) {
    let _ = TcpStream::connect_timeout(
        &SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_secs(1),
    );
}

/// The port held without listening while the server is down: connections are refused, and no
/// other process can take the port before it is up again.
fn hold(port: u16) -> tokio::net::TcpSocket {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    // Connections it accepted may linger in TIME_WAIT on this port.
    socket.set_reuseaddr(true).unwrap();
    socket
        .bind(SocketAddr::from(([127, 0, 0, 1], port)))
        .unwrap();
    socket
}

fn serve(
    listener: TcpListener,
    state: Arc<Mutex<State>>,
    control: Shared,
    tls: Option<Arc<rustls::ServerConfig>>,
) {
    static TOKENS: AtomicU32 = AtomicU32::new(0);
    let port = listener.local_addr().unwrap().port();
    let mut listener = Some(listener);
    let (lock, cv) = &*control;
    loop {
        let l = listener.take().expect("listening");
        for stream in l.incoming() {
            let c = lock.lock().unwrap();
            if c.stop || c.want_down {
                break;
            }
            drop(c);
            let Ok(stream) = stream else { continue };
            let state = Arc::clone(&state);
            let tls = tls.clone();
            std::thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let _ = match tls {
                    Some(cfg) => match rustls::ServerConnection::new(cfg) {
                        Ok(conn) => handle(rustls::StreamOwned::new(conn, stream), &state, &TOKENS),
                        Err(_) => Ok(()),
                    },
                    None => handle(stream, &state, &TOKENS),
                };
            });
        }
        // Closing the listener makes new connections fail with "connection refused".
        drop(l);
        if lock.lock().unwrap().stop {
            return;
        }
        let held = hold(port);
        let mut c = lock.lock().unwrap();
        c.down = true;
        cv.notify_all();
        while c.want_down && !c.stop {
            c = cv.wait(c).unwrap();
        }
        if c.stop {
            return;
        }
        drop(held);
        listener = Some(TcpListener::bind(("127.0.0.1", port)).expect("listen again"));
        c.down = false;
        cv.notify_all();
    }
}

fn handle<S: Read + Write>(
    stream: S,
    state: &Mutex<State>,
    tokens: &AtomicU32,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("").to_string();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h)?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    reader.read_exact(&mut body)?;
    let (status, json) = route(state, tokens, &method, &target, &headers, &body);
    let text = json.to_string();
    let out = reader.get_mut();
    write!(
        out,
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    )?;
    out.flush()
}

fn errors(status: u16, msg: &str) -> (u16, serde_json::Value) {
    (status, serde_json::json!({"errors": [msg]}))
}

fn route(
    state: &Mutex<State>,
    tokens: &AtomicU32,
    method: &str,
    target: &str,
    headers: &HashMap<String, String>,
    body: &[u8],
) -> (u16, serde_json::Value) {
    let mut st = state.lock().unwrap();
    if let Some(ns) = headers.get("x-vault-namespace") {
        st.namespaces.push(ns.clone());
    }
    let now = Instant::now();
    st.tokens.retain(|_, t| t.expires > now);
    let token_ok = |st: &State| {
        headers
            .get("x-vault-token")
            .is_some_and(|t| st.tokens.contains_key(t))
    };
    match (method, target) {
        ("POST", "/v1/auth/approle/login") => {
            let req: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
            if req["role_id"] != st.role_id.as_str() || req["secret_id"] != st.secret_id.as_str() {
                st.counts.failed_logins += 1;
                return errors(400, "invalid role or secret ID");
            }
            st.counts.logins += 1;
            let token = format!("hvs.test{}", tokens.fetch_add(1, Ordering::SeqCst));
            let (ttl, max) = (st.ttl, st.max_ttl);
            st.tokens.insert(
                token.clone(),
                TokenState {
                    expires: now + ttl,
                    max_expires: now + max,
                },
            );
            (
                200,
                serde_json::json!({"auth": {"client_token": token, "lease_duration": ttl.as_secs(),
                    "renewable": true, "policies": ["mutt"]}}),
            )
        }
        ("POST", "/v1/auth/token/renew-self") => {
            if !token_ok(&st) {
                st.counts.refused_tokens += 1;
                return errors(403, "permission denied");
            }
            st.counts.renewals += 1;
            let ttl = st.ttl;
            let token = headers["x-vault-token"].clone();
            let t = st.tokens.get_mut(&token).unwrap();
            t.expires = (now + ttl).min(t.max_expires);
            let lease = t.expires.saturating_duration_since(now).as_secs();
            (
                200,
                serde_json::json!({"auth": {"client_token": token, "lease_duration": lease,
                    "renewable": true}}),
            )
        }
        ("GET", path) if path.starts_with("/v1/") && path.contains("/data/") => {
            if !token_ok(&st) {
                st.counts.refused_tokens += 1;
                return errors(403, "permission denied");
            }
            let rest = &path[4..];
            let (mount, p) = rest.split_once("/data/").unwrap();
            match st.kv.get(&format!("{mount}/{p}")).cloned() {
                Some(data) => {
                    st.counts.reads += 1;
                    let token = headers["x-vault-token"].clone();
                    st.reads.push((token, now));
                    (
                        200,
                        serde_json::json!({"data": {"data": data,
                            "metadata": {"version": 1}}}),
                    )
                }
                None => (404, serde_json::json!({"errors": []})),
            }
        }
        _ => errors(404, "unsupported path"),
    }
}
