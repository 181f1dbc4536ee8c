//! Launches private `redis-server` and PostgreSQL (`initdb` + `postgres`) child processes on free
//! loopback ports in temporary directories.
//!
//! Neither server can bind port 0 and report the port it got, so the launcher picks one with
//! [`private_port`] (outside the ephemeral range, see there) and, when the server still finds
//! it taken, tries another. An explicit port is used exactly as given.
//!
//! Used by the integration tests (once per test binary) and by `mutt up`. Children die with the
//! process that started them: they are spawned from one long-lived thread with
//! `PR_SET_PDEATHSIG` (a thread-scoped signal on Linux, so a short-lived spawning thread would
//! kill them early), and an `atexit` hook stops them and removes their directories on a normal
//! exit. PostgreSQL refuses to run as root, so when mutt runs as root the server runs as the
//! `postgres` (or `nobody`) user.

use std::fs;
use std::io;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Why a private server could not be started.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    /// A program is not installed.
    #[error("{program} not found on PATH: {hint}")]
    Missing {
        /// The program looked for.
        program: String,
        /// What to install.
        hint: String,
    },
    /// The program ran but the server did not come up.
    #[error("{what} failed: {detail}")]
    Failed {
        /// What was being done.
        what: String,
        /// Cause, including the tail of the server's log.
        detail: String,
    },
    /// The server could not listen on its port because something else holds it.
    #[error("{program} cannot listen on 127.0.0.1:{port}: the port is already in use")]
    PortInUse {
        /// The server program.
        program: String,
        /// The port it was given.
        port: u16,
    },
    /// A file-system or process error.
    #[error("{0}")]
    Io(#[from] io::Error),
}

fn failed(what: &str, detail: impl Into<String>) -> LaunchError {
    LaunchError::Failed {
        what: what.to_string(),
        detail: detail.into(),
    }
}

const READY_TIMEOUT: Duration = Duration::from_secs(60);
const STOP_TIMEOUT: Duration = Duration::from_secs(15);
const SETUP_HINT: &str = "run scripts/setup.sh (Debian/Ubuntu)";

/// Ports this process handed out already (by [`free_port`] or [`private_port`]): the kernel may
/// give a just-released port to the next bind, and a port handed to a server that has not bound
/// it yet still looks free, so two servers of one process could otherwise get the same one.
static HANDED_OUT: Mutex<Vec<u16>> = Mutex::new(Vec::new());

/// A port on 127.0.0.1 that was free a moment ago and that this process has not handed out
/// before (the kernel may give a just-released port to the next bind, and two listeners of one
/// process on one port make `mutt up` or a test refuse to start).
///
/// The port comes from the ephemeral range, so connecting to it before something listens there
/// can connect the client to itself; servers started here use [`private_port`] instead.
pub fn free_port() -> io::Result<u16> {
    let mut seen = HANDED_OUT.lock().unwrap_or_else(|p| p.into_inner());
    loop {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        if !seen.contains(&port) {
            seen.push(port);
            return Ok(port);
        }
    }
}

/// Lowest port [`private_port`] picks: below it lie the well-known and registered ports of
/// services a developer machine may run (PostgreSQL 5432, Redis 6379, web servers 8000-9999).
const PRIVATE_PORT_FLOOR: u16 = 20_000;

/// Linux's default ephemeral range, used when `/proc` cannot say.
const DEFAULT_EPHEMERAL: (u16, u16) = (32_768, 60_999);

/// The range the kernel picks client source ports (and port-0 binds) from.
fn ephemeral_range() -> (u16, u16) {
    let text = fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").unwrap_or_default();
    let mut bounds = text.split_whitespace().map(str::parse::<u16>);
    match (bounds.next(), bounds.next()) {
        (Some(Ok(lo)), Some(Ok(hi))) if lo <= hi => (lo, hi),
        _ => DEFAULT_EPHEMERAL,
    }
}

/// A free port on 127.0.0.1 for a server that must be told its port because it cannot bind
/// port 0 and report the one it got (`redis-server`, `postgres`), chosen at random from
/// 20000 up to the bottom of the ephemeral range or above its top
/// (`/proc/sys/net/ipv4/ip_local_port_range`, 32768-60999 by default), free when checked and
/// not handed out by this process before.
///
/// Why outside the ephemeral range: a port found free by binding port 0 comes from that range,
/// and so does every client's source port. While the server is still starting, a client that
/// connects to such a port can be given that very port as its own source port, and TCP's
/// simultaneous open then connects the socket to itself: the client "reaches" a server that
/// does not exist and reads its own bytes or a reset. A port outside the range is never a
/// source port, so that cannot happen, and no client connection can occupy it either.
///
/// Another process may still take the port between the check and the server's bind; the
/// launchers here notice ("Address already in use") and try another port. When the ephemeral
/// range leaves no room above 20000, this falls back to [`free_port`].
pub fn private_port() -> io::Result<u16> {
    let (lo, hi) = ephemeral_range();
    let ranges = private_ranges(lo, hi);
    let total: u32 = ranges
        .iter()
        .map(|r| u32::from(r.end() - r.start()) + 1)
        .sum();
    if total == 0 {
        return free_port();
    }
    let mut seen = HANDED_OUT.lock().unwrap_or_else(|p| p.into_inner());
    for _ in 0..1000 {
        let mut i = rand::random_range(0..total);
        let mut port = 0;
        for r in &ranges {
            let len = u32::from(r.end() - r.start()) + 1;
            if i < len {
                // i < len <= 65536 - start, so this stays a u16.
                port = r.start() + i as u16;
                break;
            }
            i -= len;
        }
        if seen.contains(&port) || TcpListener::bind(("127.0.0.1", port)).is_err() {
            continue;
        }
        seen.push(port);
        return Ok(port);
    }
    Err(io::Error::new(
        io::ErrorKind::AddrNotAvailable,
        format!("no free port on 127.0.0.1 outside the ephemeral range {lo}-{hi} in 1000 tries"),
    ))
}

/// The ports at or above [`PRIVATE_PORT_FLOOR`] outside the ephemeral range `lo..=hi`.
fn private_ranges(lo: u16, hi: u16) -> Vec<std::ops::RangeInclusive<u16>> {
    let mut ranges = Vec::new();
    if lo > PRIVATE_PORT_FLOOR {
        ranges.push(PRIVATE_PORT_FLOOR..=lo - 1);
    }
    if hi < u16::MAX {
        ranges.push((hi + 1).max(PRIVATE_PORT_FLOOR)..=u16::MAX);
    }
    ranges
}

/// How many ports a launcher tries when the server finds the chosen one taken.
const PORT_ATTEMPTS: usize = 5;

/// Run `launch` on the `explicit` port, or on ports from `choose` until one is not taken by
/// someone else (at most [`PORT_ATTEMPTS`]). An explicit port is never swapped for another.
fn launch_on_a_port(
    explicit: Option<u16>,
    mut choose: impl FnMut() -> io::Result<u16>,
    mut launch: impl FnMut(u16) -> Result<(), LaunchError>,
) -> Result<(), LaunchError> {
    if let Some(port) = explicit {
        return launch(port);
    }
    let mut attempts = 1;
    loop {
        match launch(choose()?) {
            // Another process took the port after it was checked: try another one.
            Err(LaunchError::PortInUse { .. }) if attempts < PORT_ATTEMPTS => attempts += 1,
            other => return other,
        }
    }
}

/// Find `program` on PATH, then in extra directories.
pub fn find_program(program: &str, extra_dirs: &[PathBuf]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(extra_dirs.iter().cloned())
        .map(|dir| dir.join(program))
        .find(|candidate| {
            fs::metadata(candidate)
                .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
                .unwrap_or(false)
        })
}

fn postgres_bin_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir("/usr/lib/postgresql")
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path().join("bin"))
                .collect()
        })
        .unwrap_or_default();
    // Highest version first (directory names are major versions).
    dirs.sort_by_key(|d| {
        std::cmp::Reverse(
            d.parent()
                .and_then(|p| p.file_name())
                .and_then(|n| n.to_str())
                .and_then(|n| n.parse::<u32>().ok())
                .unwrap_or(0),
        )
    });
    dirs
}

// ---------------------------------------------------------------------------------------------
// Child supervision

struct Registered {
    pid: i32,
    signal: i32,
    dir: PathBuf,
}

static REGISTRY: Mutex<Vec<Registered>> = Mutex::new(Vec::new());

extern "C" fn stop_all_at_exit() {
    let entries = match REGISTRY.lock() {
        Ok(mut guard) => std::mem::take(&mut *guard),
        Err(_) => return,
    };
    for e in &entries {
        // SAFETY: sending a signal to a pid we started; a stale pid at worst gets ESRCH.
        unsafe { libc::kill(e.pid, e.signal) };
    }
    for e in &entries {
        wait_pid_gone(e.pid, STOP_TIMEOUT);
        let _ = fs::remove_dir_all(&e.dir);
    }
}

fn wait_pid_gone(pid: i32, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        let mut status = 0;
        // SAFETY: reaps our own child if it exited; returns -1/ECHILD if it is not ours anymore.
        let rc = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if rc == pid || rc == -1 {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn register(pid: u32, signal: i32, dir: &Path) {
    static HOOK: OnceLock<()> = OnceLock::new();
    HOOK.get_or_init(|| {
        // SAFETY: registering a plain extern "C" fn with no captured state.
        unsafe { libc::atexit(stop_all_at_exit) };
    });
    if let Ok(mut guard) = REGISTRY.lock() {
        guard.push(Registered {
            pid: pid as i32,
            signal,
            dir: dir.to_path_buf(),
        });
    }
}

fn unregister(pid: u32) {
    if let Ok(mut guard) = REGISTRY.lock() {
        guard.retain(|e| e.pid != pid as i32);
    }
}

type SpawnRequest = (Command, mpsc::Sender<io::Result<Child>>);

/// Spawn `cmd` from the supervisor thread so it gets `PR_SET_PDEATHSIG(signal)` tied to a thread
/// that lives as long as the process.
fn spawn_supervised(mut cmd: Command, signal: i32) -> io::Result<Child> {
    static SPAWNER: OnceLock<Mutex<mpsc::Sender<SpawnRequest>>> = OnceLock::new();
    let sender = SPAWNER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<SpawnRequest>();
        std::thread::Builder::new()
            .name("mutt-child-spawner".into())
            .spawn(move || {
                for (mut cmd, reply) in rx {
                    let _ = reply.send(cmd.spawn());
                }
                // The channel lives in a static, so this thread never ends while the process runs.
            })
            .expect("spawn the child-spawner thread");
        Mutex::new(tx)
    });
    // A process group of its own: Ctrl-C in a terminal signals the whole foreground group, and
    // the servers must outlive that signal so `mutt up`'s daemons can drain into them before
    // they are stopped in turn.
    cmd.process_group(0);
    // SAFETY: prctl is async-signal-safe; it runs in the forked child before exec, after any
    // uid change (a uid change would clear the death signal).
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, signal as libc::c_ulong) != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let (reply_tx, reply_rx) = mpsc::channel();
    sender
        .lock()
        .map_err(|_| io::Error::other("spawner lock poisoned"))?
        .send((cmd, reply_tx))
        .map_err(|_| io::Error::other("spawner thread is gone"))?;
    reply_rx
        .recv()
        .map_err(|_| io::Error::other("spawner thread is gone"))?
}

fn tail(path: &Path, lines: usize) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join(" | ")
}

fn stop_child(child: &mut Child, signal: i32) {
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, signal) };
    let deadline = Instant::now() + STOP_TIMEOUT;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// The uid/gid PostgreSQL runs as: ourselves, or an unprivileged user when we are root.
fn unprivileged_ids() -> Option<(u32, u32)> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return None;
    }
    for name in ["postgres", "nobody"] {
        let cname = std::ffi::CString::new(name).ok()?;
        // SAFETY: getpwnam returns a pointer into static storage or null; read immediately.
        let pw = unsafe { libc::getpwnam(cname.as_ptr()) };
        if !pw.is_null() {
            // SAFETY: non-null pointer from getpwnam.
            let (uid, gid) = unsafe { ((*pw).pw_uid, (*pw).pw_gid) };
            return Some((uid, gid));
        }
    }
    None
}

fn make_dir(prefix: &str, owner: Option<(u32, u32)>) -> io::Result<PathBuf> {
    let dir = tempfile::Builder::new().prefix(prefix).tempdir()?.keep();
    if let Some((uid, gid)) = owner {
        std::os::unix::fs::chown(&dir, Some(uid), Some(gid))?;
    }
    Ok(dir)
}

// ---------------------------------------------------------------------------------------------
// Redis

/// Options of a private Redis.
#[derive(Debug, Clone, Default)]
pub struct RedisOptions {
    /// `requirepass`, if any.
    pub password: Option<String>,
    /// Fixed port; a free one when `None`.
    pub port: Option<u16>,
    /// Keep data in this directory instead of a temporary one (`mutt up --data-dir`).
    pub dir: Option<PathBuf>,
    /// Extra `redis-server` arguments (e.g. TLS options, `--replicaof 127.0.0.1 <port>`).
    pub extra_args: Vec<String>,
    /// Run as a Sentinel watching this master instead of as a data server.
    pub sentinel: Option<SentinelOptions>,
}

/// What a private Sentinel watches, and how quickly it fails the master over.
#[derive(Debug, Clone)]
pub struct SentinelOptions {
    /// The name clients ask for (`REDIS_SENTINEL_MASTER`).
    pub master_name: String,
    /// The master's port on 127.0.0.1.
    pub master_port: u16,
    /// Sentinels that must agree the master is down.
    pub quorum: u32,
    /// Silence after which a Sentinel considers the master down.
    pub down_after: Duration,
    /// How long one failover attempt may take before another is tried.
    pub failover_timeout: Duration,
    /// `requirepass` of the Sentinels (also what they present to each other).
    pub password: Option<String>,
}

impl SentinelOptions {
    /// The Sentinel's own configuration lines (it appends what it learns to the same file).
    fn config(&self) -> String {
        let name = &self.master_name;
        let auth = self
            .password
            .as_ref()
            .map(|pw| format!("requirepass {pw}\nsentinel sentinel-pass {pw}\n"))
            .unwrap_or_default();
        auth + &format!(
            "sentinel monitor {name} 127.0.0.1 {} {}\n\
             sentinel down-after-milliseconds {name} {}\n\
             sentinel failover-timeout {name} {}\n\
             sentinel parallel-syncs {name} 1\n",
            self.master_port,
            self.quorum,
            self.down_after.as_millis(),
            self.failover_timeout.as_millis()
        )
    }
}

/// A running private `redis-server`.
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
    owns_dir: bool,
    options: RedisOptions,
}

impl RedisServer {
    /// Start one and wait until it answers PING.
    pub fn start(options: RedisOptions) -> Result<RedisServer, LaunchError> {
        let (dir, owns_dir) = match &options.dir {
            Some(d) => {
                fs::create_dir_all(d)?;
                (d.clone(), false)
            }
            None => (make_dir("mutt-redis-", None)?, true),
        };
        let explicit = options.port;
        let mut server = RedisServer {
            child: None,
            port: 0,
            dir,
            owns_dir,
            options,
        };
        launch_on_a_port(explicit, private_port, |port| {
            server.port = port;
            server.launch()
        })?;
        Ok(server)
    }

    fn launch(&mut self) -> Result<(), LaunchError> {
        let program = if self.options.sentinel.is_some() {
            "redis-sentinel"
        } else {
            "redis-server"
        };
        let bin = find_program(program, &[]).ok_or_else(|| LaunchError::Missing {
            program: program.into(),
            hint: format!("install it with `apt-get install {program}` or {SETUP_HINT}"),
        })?;
        let log = self.dir.join("redis.log");
        // redis-server appends to its log (kept across runs of `mutt up --data-dir`, and across
        // attempts on other ports): only what this run writes says why it stopped.
        let log_start = fs::metadata(&log).map(|m| m.len()).unwrap_or(0);
        let mut cmd = Command::new(bin);
        if let Some(sentinel) = &self.options.sentinel {
            // A Sentinel needs a writable configuration file; each launch starts it afresh.
            let conf = self.dir.join("sentinel.conf");
            fs::write(&conf, sentinel.config())?;
            cmd.arg(&conf);
        }
        cmd.args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--daemonize", "no"]);
        if self.options.sentinel.is_none() {
            cmd.args(["--save", "", "--appendonly", "no"]);
        }
        cmd.args(["--protected-mode", "no", "--logfile"])
            .arg(&log)
            .arg("--dir")
            .arg(&self.dir);
        if let Some(pw) = &self.options.password {
            cmd.args(["--requirepass", pw]);
        }
        cmd.args(&self.options.extra_args);
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut child = spawn_supervised(cmd, libc::SIGTERM)?;
        register(
            child.id(),
            libc::SIGTERM,
            if self.owns_dir {
                &self.dir
            } else {
                Path::new("")
            },
        );
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                unregister(child.id());
                if log_since(&log, log_start).contains("Address already in use") {
                    return Err(LaunchError::PortInUse {
                        program: program.into(),
                        port: self.port,
                    });
                }
                return Err(failed(
                    program,
                    format!("exited with {status}: {}", tail(&log, 5)),
                ));
            }
            // Ours, not another server that holds the port (ours then exits, handled above).
            // An error answer is not taken for ready either: ours says LOADING while it reads
            // a kept data directory, and NOAUTH or a refused AUTH means someone else's.
            let password = self.options.password.as_deref().or_else(|| {
                self.options
                    .sentinel
                    .as_ref()
                    .and_then(|s| s.password.as_deref())
            });
            if redis_pid(self.port, password) == Some(child.id()) {
                break;
            }
            if Instant::now() > deadline {
                stop_child(&mut child, libc::SIGKILL);
                unregister(child.id());
                return Err(failed(
                    program,
                    format!("not ready in time: {}", tail(&log, 5)),
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.child = Some(child);
        Ok(())
    }

    /// The port it listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `redis://127.0.0.1:<port>` (no password).
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Stop it (SIGTERM, then SIGKILL after a grace period). Data in memory is lost.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            unregister(child.id());
            stop_child(&mut child, libc::SIGTERM);
        }
    }

    /// Start it again on the same port, e.g. after [`RedisServer::stop`] in an outage test.
    pub fn restart(&mut self) -> Result<(), LaunchError> {
        self.stop();
        self.launch()
    }

    /// Freeze it (SIGSTOP), as a stalled or partitioned server looks: connections stay open and
    /// nothing is answered until [`RedisServer::resume`].
    pub fn pause(&self) {
        if let Some(child) = &self.child {
            // SAFETY: signalling our own child.
            unsafe { libc::kill(child.id() as i32, libc::SIGSTOP) };
        }
    }

    /// Let a [`RedisServer::pause`]d server run again (SIGCONT).
    pub fn resume(&self) {
        if let Some(child) = &self.child {
            // SAFETY: signalling our own child.
            unsafe { libc::kill(child.id() as i32, libc::SIGCONT) };
        }
    }

    /// Kill it with SIGKILL, as a crash or an OOM kill would: no shutdown work at all.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            unregister(child.id());
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Whether the child is running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.as_mut().map(|c| c.try_wait()), Some(Ok(None)))
    }
}

/// The process id of the Redis answering on 127.0.0.1:`port` (`INFO server`, after `AUTH` when
/// a password is given); `None` when nothing answers or the answer is an error.
fn redis_pid(port: u16, password: Option<&str>) -> Option<u32> {
    use std::io::{BufRead, BufReader, Read, Write};
    let stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_millis(500)))
        .ok()?;
    let mut reader = BufReader::new(stream);
    let command = |args: &[&str]| {
        let mut out = format!("*{}\r\n", args.len());
        for a in args {
            out.push_str(&format!("${}\r\n{a}\r\n", a.len()));
        }
        out
    };
    let mut request = String::new();
    if let Some(pw) = password {
        request.push_str(&command(&["AUTH", pw]));
    }
    request.push_str(&command(&["INFO", "server"]));
    reader.get_mut().write_all(request.as_bytes()).ok()?;
    let mut line = String::new();
    if password.is_some() {
        reader.read_line(&mut line).ok()?;
        if !line.starts_with('+') {
            return None;
        }
        line.clear();
    }
    reader.read_line(&mut line).ok()?;
    // A bulk string: "$<length>", then the text (an error answer starts with '-' instead).
    let len: usize = line.strip_prefix('$')?.trim_end().parse().ok()?;
    let mut body = vec![0u8; len];
    reader.read_exact(&mut body).ok()?;
    String::from_utf8_lossy(&body)
        .lines()
        .find_map(|l| l.strip_prefix("process_id:")?.trim().parse().ok())
}

/// What `path` holds past its first `offset` bytes.
fn log_since(path: &Path, offset: u64) -> String {
    let bytes = fs::read(path).unwrap_or_default();
    let start = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(bytes.len());
    String::from_utf8_lossy(&bytes[start..]).into_owned()
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
        if self.owns_dir {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

/// Options of a private PostgreSQL.
#[derive(Debug, Clone)]
pub struct PostgresOptions {
    /// Superuser name.
    pub superuser: String,
    /// Superuser password (TCP connections use SCRAM password authentication).
    pub password: String,
    /// Fixed port; a free one when `None`.
    pub port: Option<u16>,
    /// Keep the cluster in this directory (reused if it already holds one).
    pub dir: Option<PathBuf>,
    /// Extra `-c name=value` server settings.
    pub extra_settings: Vec<(String, String)>,
}

impl Default for PostgresOptions {
    fn default() -> Self {
        PostgresOptions {
            superuser: "postgres".into(),
            password: uuid::Uuid::new_v4().simple().to_string(),
            port: None,
            dir: None,
            extra_settings: Vec::new(),
        }
    }
}

/// A running private PostgreSQL cluster.
pub struct PostgresServer {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
    owns_dir: bool,
    options: PostgresOptions,
    run_as: Option<(u32, u32)>,
    postgres_bin: PathBuf,
}

impl PostgresServer {
    /// `initdb` a cluster (unless `dir` already holds one), start `postgres`, wait until it
    /// accepts the superuser.
    pub fn start(options: PostgresOptions) -> Result<PostgresServer, LaunchError> {
        let extra = postgres_bin_dirs();
        let missing = |program: &str| LaunchError::Missing {
            program: program.into(),
            hint: format!(
                "install the PostgreSQL server (`apt-get install postgresql`) or {SETUP_HINT}"
            ),
        };
        let initdb = find_program("initdb", &extra).ok_or_else(|| missing("initdb"))?;
        let postgres_bin = find_program("postgres", &extra).ok_or_else(|| missing("postgres"))?;
        let run_as = unprivileged_ids();
        let (dir, owns_dir) = match &options.dir {
            Some(d) => {
                fs::create_dir_all(d)?;
                if let Some((uid, gid)) = run_as {
                    std::os::unix::fs::chown(d, Some(uid), Some(gid))?;
                }
                (d.clone(), false)
            }
            None => (make_dir("mutt-pg-", run_as)?, true),
        };
        let data = dir.join("data");
        if !data.join("PG_VERSION").exists() {
            let pwfile = dir.join("pwfile");
            fs::write(&pwfile, format!("{}\n", options.password))?;
            fs::set_permissions(&pwfile, fs::Permissions::from_mode(0o600))?;
            if let Some((uid, gid)) = run_as {
                std::os::unix::fs::chown(&pwfile, Some(uid), Some(gid))?;
            }
            let mut cmd = Command::new(&initdb);
            cmd.arg("-D")
                .arg(&data)
                .args([
                    "-U",
                    &options.superuser,
                    "-E",
                    "UTF8",
                    "--no-sync",
                    "--locale=C",
                ])
                .args(["--auth-local=trust", "--auth-host=scram-sha-256"])
                .arg(format!("--pwfile={}", pwfile.display()))
                .stdin(Stdio::null());
            if let Some((uid, gid)) = run_as {
                cmd.uid(uid).gid(gid);
            }
            let out = cmd.output()?;
            let _ = fs::remove_file(&pwfile);
            if !out.status.success() {
                let stderr = String::from_utf8_lossy(&out.stderr);
                return Err(failed(
                    "initdb",
                    stderr.lines().last().unwrap_or("").to_string(),
                ));
            }
        }
        let explicit = options.port;
        let mut server = PostgresServer {
            child: None,
            port: 0,
            dir,
            owns_dir,
            options,
            run_as,
            postgres_bin,
        };
        launch_on_a_port(explicit, private_port, |port| {
            server.port = port;
            server.launch()
        })?;
        Ok(server)
    }

    fn launch(&mut self) -> Result<(), LaunchError> {
        let log = self.dir.join("postgres.log");
        let log_file = fs::File::create(&log)?;
        if let Some((uid, gid)) = self.run_as {
            std::os::unix::fs::chown(&log, Some(uid), Some(gid))?;
        }
        let mut cmd = Command::new(&self.postgres_bin);
        cmd.arg("-D")
            .arg(self.dir.join("data"))
            .args(["-p", &self.port.to_string(), "-k"])
            .arg(&self.dir)
            .args(["-c", "listen_addresses=127.0.0.1"])
            // A scratch cluster: durability is not wanted, speed is.
            .args(["-c", "fsync=off", "-c", "synchronous_commit=off"])
            .args(["-c", "full_page_writes=off", "-c", "max_connections=400"])
            .args([
                "-c",
                "shared_buffers=64MB",
                "-c",
                "log_min_messages=warning",
            ]);
        for (name, value) in &self.options.extra_settings {
            cmd.arg("-c").arg(format!("{name}={value}"));
        }
        cmd.stdin(Stdio::null())
            .stdout(log_file.try_clone()?)
            .stderr(log_file);
        if let Some((uid, gid)) = self.run_as {
            cmd.uid(uid).gid(gid);
        }
        // SIGQUIT = immediate shutdown: the postmaster stops its backends and frees shared memory.
        let mut child = spawn_supervised(cmd, libc::SIGQUIT)?;
        register(
            child.id(),
            libc::SIGQUIT,
            if self.owns_dir {
                &self.dir
            } else {
                Path::new("")
            },
        );
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                unregister(child.id());
                let text = fs::read_to_string(&log).unwrap_or_default();
                if text.contains("could not bind") || text.contains("Address already in use") {
                    return Err(LaunchError::PortInUse {
                        program: "postgres".into(),
                        port: self.port,
                    });
                }
                return Err(failed(
                    "postgres",
                    format!("exited with {status}: {}", tail(&log, 5)),
                ));
            }
            // Ours, not another server that holds the port (ours then exits, handled above).
            if self.serves_our_cluster() {
                break;
            }
            if Instant::now() > deadline {
                stop_child(&mut child, libc::SIGKILL);
                unregister(child.id());
                return Err(failed(
                    "postgres",
                    format!("not ready in time: {}", tail(&log, 5)),
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.child = Some(child);
        Ok(())
    }

    /// Whether the server on our port accepts our superuser and runs our data directory.
    fn serves_our_cluster(&self) -> bool {
        // The client's connect timeout does not cover the startup exchange, so a server of
        // another kind on the port (one that never answers a PostgreSQL startup packet) would
        // hang it: first check that a PostgreSQL server answers at all.
        if !postgres_answers(self.port) {
            return false;
        }
        let Ok(mut client) = self.admin_client("postgres") else {
            return false;
        };
        let Ok(row) = client.query_one("SHOW data_directory", &[]) else {
            return false;
        };
        let theirs = PathBuf::from(row.get::<_, String>(0));
        let ours = self.dir.join("data");
        if theirs == ours {
            return true;
        }
        matches!(
            (fs::canonicalize(&theirs), fs::canonicalize(&ours)),
            (Ok(a), Ok(b)) if a == b
        )
    }

    /// The port it listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The superuser name.
    pub fn superuser(&self) -> &str {
        &self.options.superuser
    }

    /// The superuser password.
    pub fn password(&self) -> &str {
        &self.options.password
    }

    /// A superuser connection URL for `db`.
    pub fn url(&self, db: &str) -> String {
        format!(
            "postgres://{}:{}@127.0.0.1:{}/{db}",
            self.options.superuser, self.options.password, self.port
        )
    }

    /// A superuser connection to `db` over TCP.
    pub fn admin_client(&self, db: &str) -> Result<postgres::Client, postgres::Error> {
        postgres::Config::new()
            .host("127.0.0.1")
            .port(self.port)
            .user(&self.options.superuser)
            .password(&self.options.password)
            .dbname(db)
            .connect_timeout(Duration::from_secs(5))
            .connect(postgres::NoTls)
    }

    /// Create database `name` owned by the superuser (if it does not exist).
    pub fn create_database(&self, name: &str) -> Result<(), LaunchError> {
        let mut admin = self
            .admin_client("postgres")
            .map_err(|e| failed("connect as superuser", e.to_string()))?;
        let exists = admin
            .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
            .map_err(|e| failed("look up database", e.to_string()))?
            .is_some();
        if !exists {
            admin
                .batch_execute(&format!(
                    "CREATE DATABASE \"{}\"",
                    name.replace('"', "\"\"")
                ))
                .map_err(|e| failed("create database", e.to_string()))?;
        }
        Ok(())
    }

    /// Stop it the way an operator does (fast shutdown: clients disconnected, a checkpoint
    /// written), so committed data survives even with this scratch cluster's fsync off.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            unregister(child.id());
            stop_child(&mut child, libc::SIGINT);
        }
    }

    /// Start it again on the same port with the same data.
    pub fn restart(&mut self) -> Result<(), LaunchError> {
        self.stop();
        self.launch()
    }

    /// The cluster directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A streaming replica of `primary`: `pg_basebackup -R` of its cluster into a new
    /// temporary directory, started as a hot standby on its own port.
    pub fn start_standby(primary: &PostgresServer) -> Result<PostgresServer, LaunchError> {
        let extra = postgres_bin_dirs();
        let basebackup =
            find_program("pg_basebackup", &extra).ok_or_else(|| LaunchError::Missing {
                program: "pg_basebackup".into(),
                hint: format!("install the PostgreSQL client tools or {SETUP_HINT}"),
            })?;
        let dir = make_dir("mutt-pg-standby-", primary.run_as)?;
        let mut cmd = Command::new(basebackup);
        cmd.arg("-D")
            .arg(dir.join("data"))
            // A fast checkpoint: the default spreads it over minutes.
            .args([
                "-R",
                "-X",
                "stream",
                "-c",
                "fast",
                "--no-sync",
                "-h",
                "127.0.0.1",
            ])
            .args(["-p", &primary.port.to_string(), "-U", primary.superuser()])
            .env("PGPASSWORD", primary.password())
            .stdin(Stdio::null());
        if let Some((uid, gid)) = primary.run_as {
            cmd.uid(uid).gid(gid);
        }
        let out = cmd.output()?;
        if !out.status.success() {
            let _ = fs::remove_dir_all(&dir);
            let stderr = String::from_utf8_lossy(&out.stderr);
            return Err(failed(
                "pg_basebackup",
                stderr.lines().last().unwrap_or("").to_string(),
            ));
        }
        let mut standby = PostgresServer::start(PostgresOptions {
            superuser: primary.options.superuser.clone(),
            password: primary.options.password.clone(),
            port: None,
            dir: Some(dir),
            extra_settings: primary.options.extra_settings.clone(),
        })?;
        standby.owns_dir = true;
        Ok(standby)
    }

    /// `pg_ctl promote`: a standby becomes a primary that accepts writes (waits until it does).
    pub fn promote(&self) -> Result<(), LaunchError> {
        let pg_ctl =
            find_program("pg_ctl", &postgres_bin_dirs()).ok_or_else(|| LaunchError::Missing {
                program: "pg_ctl".into(),
                hint: format!("install the PostgreSQL server or {SETUP_HINT}"),
            })?;
        let mut cmd = Command::new(pg_ctl);
        cmd.arg("promote")
            .arg("-w")
            .arg("-D")
            .arg(self.dir.join("data"))
            .stdin(Stdio::null());
        if let Some((uid, gid)) = self.run_as {
            cmd.uid(uid).gid(gid);
        }
        let out = cmd.output()?;
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            return Err(failed(
                "pg_ctl promote",
                stderr.lines().last().unwrap_or("").to_string(),
            ));
        }
        Ok(())
    }
}

/// Whether a PostgreSQL server answers on 127.0.0.1:`port`: an SSLRequest gets one byte, `N`
/// or `S`, straight away.
fn postgres_answers(port: u16) -> bool {
    use std::io::{Read, Write};
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(mut s) = std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(500)) else {
        return false;
    };
    if s.set_read_timeout(Some(Duration::from_millis(500)))
        .is_err()
    {
        return false;
    }
    // Length 8, then the SSLRequest code 80877103 (protocol documentation, "SSLRequest").
    let request = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f];
    let mut answer = [0u8; 1];
    s.write_all(&request).is_ok()
        && s.read_exact(&mut answer).is_ok()
        && matches!(answer[0], b'N' | b'S')
}

impl Drop for PostgresServer {
    fn drop(&mut self) {
        self.stop();
        if self.owns_dir {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_ports_lie_outside_the_ephemeral_range() {
        assert_eq!(
            private_ranges(32_768, 60_999),
            vec![20_000..=32_767, 61_000..=65_535]
        );
        assert_eq!(private_ranges(49_152, 65_535), vec![20_000..=49_151]);
        assert_eq!(private_ranges(10_000, 30_000), vec![30_001..=65_535]);
        // Nothing left above the floor: the caller falls back to free_port().
        assert_eq!(private_ranges(1_024, 65_535), vec![]);
    }

    #[test]
    fn a_private_port_is_free_outside_the_range_and_never_handed_out_twice() {
        let (lo, hi) = ephemeral_range();
        let mut ports: Vec<u16> = (0..50).map(|_| private_port().unwrap()).collect();
        for &p in &ports {
            assert!(p >= PRIVATE_PORT_FLOOR && !(lo..=hi).contains(&p), "{p}");
            TcpListener::bind(("127.0.0.1", p)).unwrap();
        }
        ports.sort_unstable();
        ports.dedup();
        assert_eq!(ports.len(), 50);
    }

    #[test]
    fn a_chosen_port_found_taken_is_replaced_and_an_explicit_one_is_not() {
        let busy = TcpListener::bind("127.0.0.1:0").unwrap();
        let taken = busy.local_addr().unwrap().port();
        let in_use = |port| LaunchError::PortInUse {
            program: "x".into(),
            port,
        };
        let try_port = |tried: &mut Vec<u16>, port: u16| {
            tried.push(port);
            if port == taken {
                Err(in_use(port))
            } else {
                Ok(())
            }
        };
        let mut offers = vec![40_001, taken];
        let mut tried = Vec::new();
        launch_on_a_port(
            None,
            || Ok(offers.pop().unwrap()),
            |p| try_port(&mut tried, p),
        )
        .unwrap();
        assert_eq!(tried, [taken, 40_001]);

        let mut tried = Vec::new();
        let err = launch_on_a_port(Some(taken), || Ok(40_002), |p| try_port(&mut tried, p));
        assert!(matches!(err, Err(LaunchError::PortInUse { port, .. }) if port == taken));
        assert_eq!(tried, [taken]);

        // A port that stays taken is given up on after a few tries.
        let mut tried = Vec::new();
        let err = launch_on_a_port(None, || Ok(taken), |p| try_port(&mut tried, p));
        assert!(matches!(err, Err(LaunchError::PortInUse { .. })));
        assert_eq!(tried.len(), PORT_ATTEMPTS);
    }

    #[test]
    fn a_private_redis_survives_its_first_port_being_taken() {
        if find_program("redis-server", &[]).is_none() {
            return;
        }
        // The first port offered is held by a listener, as if another process took it after
        // the check: redis-server fails with "Address already in use" and the next one is used.
        let busy = TcpListener::bind("127.0.0.1:0").unwrap();
        let taken = busy.local_addr().unwrap().port();
        let mut offers = vec![private_port().unwrap(), taken];
        let mut server = RedisServer {
            child: None,
            port: 0,
            dir: make_dir("mutt-redis-", None).unwrap(),
            owns_dir: true,
            options: RedisOptions::default(),
        };
        launch_on_a_port(
            None,
            || Ok(offers.pop().unwrap()),
            |port| {
                server.port = port;
                server.launch()
            },
        )
        .unwrap();
        assert_ne!(server.port(), taken);
        assert!(server.is_running());
    }

    #[test]
    fn an_explicit_redis_port_in_use_is_a_clear_error() {
        if find_program("redis-server", &[]).is_none() {
            return;
        }
        let busy = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = busy.local_addr().unwrap().port();
        let err = RedisServer::start(RedisOptions {
            port: Some(port),
            ..Default::default()
        })
        .err()
        .expect("the port is taken");
        assert_eq!(
            err.to_string(),
            format!("redis-server cannot listen on 127.0.0.1:{port}: the port is already in use")
        );
    }

    #[test]
    fn an_explicit_postgres_port_in_use_is_a_clear_error_and_another_redis_is_not_ours() {
        if find_program("postgres", &postgres_bin_dirs()).is_none() {
            return;
        }
        // Held by a Redis of our own: its answers must not pass for the new server's.
        let other = RedisServer::start(RedisOptions::default()).unwrap();
        let err = RedisServer::start(RedisOptions {
            port: Some(other.port()),
            ..Default::default()
        })
        .err()
        .expect("the port is taken");
        assert!(matches!(err, LaunchError::PortInUse { .. }), "{err}");
        let err = PostgresServer::start(PostgresOptions {
            port: Some(other.port()),
            ..Default::default()
        })
        .err()
        .expect("the port is taken");
        assert_eq!(
            err.to_string(),
            format!(
                "postgres cannot listen on 127.0.0.1:{}: the port is already in use",
                other.port()
            )
        );
    }
}
