//! A small W3C WebDriver client for the browser test: Debian's chromedriver run as a child
//! process, driving headless Chromium over the WebDriver HTTP protocol with ureq.
//!
//! Reads go through `execute/sync` (JavaScript) rather than element references, so a table the
//! page re-renders while we poll never turns into a stale-element error.

use serde_json::{json, Value};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where `scripts/setup.sh` installs the browser (Debian's `chromium` package).
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// Where `scripts/setup.sh` installs the driver (Debian's `chromium-driver` package).
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// How long a wait for the page may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(10);

/// The WebDriver spec's key for an element reference in JSON.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A chromedriver child process in its own process group, which is killed on drop (so a
/// Chromium it started dies with it even if the session was never closed).
struct Driver {
    child: Child,
    url: String,
    log: PathBuf,
}

impl Driver {
    fn start(dir: &Path) -> Driver {
        for (path, package) in [(CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")] {
            assert!(
                Path::new(path).exists(),
                "{path} is missing: install Debian's {package} (scripts/setup.sh does)"
            );
        }
        let port = mutt::dev::services::private_port().expect("free port for chromedriver");
        let log = dir.join("chromedriver.log");
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("spawn chromedriver");
        let mut driver = Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
            log,
        };
        let agent = agent();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = driver.child.try_wait().unwrap() {
                panic!(
                    "chromedriver exited early ({status}): {}",
                    driver.log_text()
                );
            }
            if let Ok(r) = agent.get(&format!("{}/status", driver.url)).call() {
                let v: Value = serde_json::from_str(&r.into_string().unwrap()).unwrap();
                if v["value"]["ready"] == json!(true) {
                    return driver;
                }
            }
            assert!(Instant::now() < deadline, "chromedriver did not come up");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // SAFETY: signalling the process group of our own child (its id is the group id).
        unsafe { libc::kill(-(self.child.id() as i32), libc::SIGKILL) };
        let _ = self.child.wait();
    }
}

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(60))
        .build()
}

/// A WebDriver element reference.
#[derive(Debug, Clone)]
pub struct Element(String);

/// One headless Chromium session; the session is deleted and the driver killed on drop.
pub struct Browser {
    agent: ureq::Agent,
    session: String,
    // Dropped after `Drop::drop` has deleted the session, and before the directory holding
    // its log and the browser profile.
    driver: Driver,
    _dir: tempfile::TempDir,
}

impl Browser {
    /// Start chromedriver and a headless Chromium with a throwaway profile. Fails the test
    /// (never skips it) when either binary is missing.
    pub fn start() -> Browser {
        let dir = tempfile::tempdir().unwrap();
        let driver = Driver::start(dir.path());
        let profile = dir.path().join("profile");
        let caps = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "pageLoadStrategy": "normal",
                    "goog:chromeOptions": {
                        "binary": CHROMIUM,
                        "args": [
                            "--headless=new",
                            "--no-sandbox",
                            "--disable-gpu",
                            "--disable-dev-shm-usage",
                            "--disable-quic",
                            "--no-first-run",
                            "--disable-background-networking",
                            "--disable-component-update",
                            "--disable-sync",
                            "--window-size=1280,1000",
                            format!("--user-data-dir={}", profile.display()),
                        ]
                    },
                    // Console output, so the test can fail on script errors and CSP violations.
                    "goog:loggingPrefs": { "browser": "ALL" }
                }
            }
        });
        let agent = agent();
        let reply = send(
            &agent,
            "POST",
            &format!("{}/session", driver.url),
            Some(&caps),
        )
        .unwrap_or_else(|e| panic!("new WebDriver session: {e}\n{}", driver.log_text()));
        let session = reply["value"]["sessionId"]
            .as_str()
            .expect("session id")
            .to_string();
        Browser {
            agent,
            session,
            driver,
            _dir: dir,
        }
    }

    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
        let url = format!("{}/session/{}{path}", self.driver.url, self.session);
        send(&self.agent, method, &url, body).map(|v| v["value"].clone())
    }

    fn must(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        self.call(method, path, body)
            .unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e}"))
    }

    /// Load `url` and wait for the document to load.
    pub fn goto(&self, url: &str) {
        self.must("POST", "/url", Some(&json!({ "url": url })));
    }

    /// The current URL.
    pub fn url(&self) -> String {
        self.must("GET", "/url", None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The path (and query) of the current URL.
    pub fn path(&self) -> String {
        let url = url::Url::parse(&self.url()).expect("page URL");
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        }
    }

    /// Run `script` (a function body; `arguments` holds `args`) and return its result.
    pub fn exec(&self, script: &str, args: &[Value]) -> Value {
        self.must(
            "POST",
            "/execute/sync",
            Some(&json!({ "script": script, "args": args })),
        )
    }

    /// The first element matching a CSS selector, if any.
    pub fn find(&self, css: &str) -> Option<Element> {
        let body = json!({ "using": "css selector", "value": css });
        self.call("POST", "/element", Some(&body))
            .ok()
            .and_then(|v| v[ELEMENT_KEY].as_str().map(|id| Element(id.to_string())))
    }

    /// Wait for an element matching `css` that is displayed (the pages reveal admin controls
    /// only after the session has loaded).
    pub fn wait_visible(&self, css: &str) -> Element {
        self.wait_for(&format!("{css} to be visible"), || {
            let shown = self.exec(
                "const n = document.querySelector(arguments[0]); \
                 return !!n && n.getClientRects().length > 0;",
                &[json!(css)],
            );
            if shown == json!(true) {
                self.find(css)
            } else {
                None
            }
        })
    }

    /// Click an element.
    pub fn click(&self, el: &Element) {
        self.must(
            "POST",
            &format!("/element/{}/click", el.0),
            Some(&json!({})),
        );
    }

    /// Clear an input and type `text` into it (real key events).
    pub fn type_into(&self, css: &str, text: &str) {
        let el = self.wait_visible(css);
        self.must(
            "POST",
            &format!("/element/{}/clear", el.0),
            Some(&json!({})),
        );
        self.must(
            "POST",
            &format!("/element/{}/value", el.0),
            Some(&json!({ "text": text })),
        );
    }

    /// Choose the option with `value` in a `<select>`.
    pub fn select(&self, css: &str, value: &str) {
        self.wait_visible(css);
        let option = self
            .find(&format!("{css} option[value=\"{value}\"]"))
            .unwrap_or_else(|| panic!("{css} has no option {value:?}"));
        self.click(&option);
    }

    /// The text content of the first element matching `css` (None if there is none).
    pub fn text(&self, css: &str) -> Option<String> {
        let v = self.exec(
            "const n = document.querySelector(arguments[0]); return n ? n.textContent : null;",
            &[json!(css)],
        );
        v.as_str().map(|s| s.trim().to_string())
    }

    /// The visible text of the page, for failure messages.
    pub fn page_text(&self) -> String {
        let v = self.exec("return document.body ? document.body.innerText : '';", &[]);
        v.as_str().unwrap_or_default().chars().take(3000).collect()
    }

    /// Poll `probe` every 100 ms until it yields a value; fail after [`WAIT`] with what the page
    /// showed. The bound is a limit, not a sleep: it returns as soon as the page is ready.
    pub fn wait_for<T>(&self, what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(v) = probe() {
                return v;
            }
            if Instant::now() >= deadline {
                panic!(
                    "timed out after {WAIT:?} waiting for {what}\nURL: {}\npage text:\n{}",
                    self.url(),
                    self.page_text()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Console messages at level SEVERE since the last call (the driver drains its buffer).
    pub fn console_errors(&self) -> Vec<String> {
        let v = self.must("POST", "/se/log", Some(&json!({ "type": "browser" })));
        v.as_array()
            .map(|entries| {
                entries
                    .iter()
                    .filter(|e| e["level"] == json!("SEVERE"))
                    .map(|e| e["message"].as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Save a PNG screenshot of the window (for looking at a failure).
    pub fn screenshot(&self, path: &Path) {
        let v = self.must("GET", "/screenshot", None);
        let png = base64_decode(v.as_str().unwrap_or_default());
        std::fs::write(path, png).expect("write screenshot");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Ends Chromium; the driver itself is killed when `driver` drops right after.
        let url = format!("{}/session/{}", self.driver.url, self.session);
        let _ = send(&self.agent, "DELETE", &url, None);
    }
}

/// One WebDriver request; Err carries the WebDriver error and message.
fn send(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    body: Option<&Value>,
) -> Result<Value, String> {
    let req = agent
        .request(method, url)
        .set("Content-Type", "application/json; charset=utf-8");
    let result = match body {
        Some(b) => req.send_string(&b.to_string()),
        None => req.call(),
    };
    let (status, text) = match result {
        Ok(r) => (r.status(), r.into_string().map_err(|e| e.to_string())?),
        Err(ureq::Error::Status(code, r)) => (code, r.into_string().unwrap_or_default()),
        Err(e) => return Err(e.to_string()),
    };
    let v: Value = serde_json::from_str(&text).map_err(|e| format!("{e}: {text}"))?;
    if status >= 400 {
        return Err(format!(
            "{status} {}: {}",
            v["value"]["error"].as_str().unwrap_or("?"),
            v["value"]["message"].as_str().unwrap_or(&text)
        ));
    }
    Ok(v)
}

/// Standard base64 (screenshots are PNG bytes in base64).
fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let digits: Vec<u32> = text.bytes().filter_map(value).collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, d)| acc | d << (18 - 6 * i));
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}
