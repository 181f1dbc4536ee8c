//! Run the real `mutt` binary on a pseudo-terminal (openpty): stdin and stderr (and, if asked,
//! stdout) are the terminal, which is also the child's controlling terminal, so `/dev/tty` works
//! (rpassword reads there). Everything the child writes to the terminal is captured as "the
//! screen"; a piped stdout is captured separately.
//!
//! Every wait has a deadline; nothing sleeps for a fixed time.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long any step may take before the test fails (generous: 2 shared cores).
pub const DEADLINE: Duration = Duration::from_secs(60);

// What the terminal showed, and whether its reader has seen the end (no writer left).
type Screen = Arc<(Mutex<(Vec<u8>, bool)>, Condvar)>;

/// A child process on a pseudo-terminal.
pub struct Terminal {
    master: File,
    child: Child,
    screen: Screen,
    stdout: Option<JoinHandle<Vec<u8>>>,
}

/// What the child left behind.
pub struct Finished {
    /// Its exit status.
    pub status: ExitStatus,
    /// Everything written to the terminal (stderr, the prompt, and stdout when on the terminal).
    pub screen: String,
    /// Its stdout when piped (empty when stdout was the terminal).
    pub stdout: String,
}

impl Finished {
    /// The run succeeded, drew a progress bar naming every one of `labels` on the terminal, and
    /// kept its piped stdout free of drawing.
    pub fn assert_bar_drawn(&self, labels: &[&str]) {
        assert!(self.status.success(), "{:?}", self.screen);
        assert!(
            drawn(&self.screen) && labels.iter().all(|l| self.screen.contains(l)),
            "no progress bar naming {labels:?} on the terminal: {:?}",
            self.screen
        );
        assert!(
            !drawn(&self.stdout),
            "stdout stays clean: {:?}",
            self.stdout
        );
    }

    /// The run succeeded and drew nothing: no bar, no label of one (`labels`).
    pub fn assert_no_bar(&self, labels: &[&str]) {
        assert!(self.status.success(), "{:?}", self.screen);
        assert!(
            !drawn(&self.screen) && !labels.iter().any(|l| self.screen.contains(l)),
            "a progress bar: {:?}",
            self.screen
        );
    }
}

impl Terminal {
    /// Start `mutt args` with exactly `env` (plus PATH and HOME), stdin and stderr on a new
    /// pseudo-terminal of 120×40, stdout there too when `stdout_on_terminal`, else a pipe.
    pub fn spawn(args: &[&str], env: &[(String, String)], stdout_on_terminal: bool) -> Terminal {
        // posix_openpt with O_CLOEXEC (and the slave opened by std, which always sets it): a
        // child another test thread forks meanwhile never inherits either side, which would keep
        // the terminal open after our child exits.
        // SAFETY: plain libc calls on a descriptor we own; ptsname_r writes into `name`.
        let master = unsafe {
            let fd = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC);
            assert!(fd >= 0, "posix_openpt: {}", std::io::Error::last_os_error());
            assert_eq!(libc::grantpt(fd), 0, "grantpt");
            assert_eq!(libc::unlockpt(fd), 0, "unlockpt");
            File::from_raw_fd(fd)
        };
        let mut name = [0 as libc::c_char; 128];
        // SAFETY: `name` is a writable buffer of the length given.
        let rc = unsafe { libc::ptsname_r(master.as_raw_fd(), name.as_mut_ptr(), name.len()) };
        assert_eq!(rc, 0, "ptsname_r");
        // SAFETY: ptsname_r wrote a NUL-terminated path.
        let path = unsafe { std::ffi::CStr::from_ptr(name.as_ptr()) }
            .to_string_lossy()
            .into_owned();
        let slave: OwnedFd = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NOCTTY)
            .open(&path)
            .unwrap_or_else(|e| panic!("open {path}: {e}"))
            .into();
        let size = libc::winsize {
            ws_row: 40,
            ws_col: 120,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: a valid winsize for an open terminal descriptor.
        let rc = unsafe { libc::ioctl(slave.as_raw_fd(), libc::TIOCSWINSZ, &size) };
        assert_eq!(rc, 0, "TIOCSWINSZ: {}", std::io::Error::last_os_error());

        let mut cmd = Command::new(env!("CARGO_BIN_EXE_mutt"));
        cmd.args(args).env_clear();
        for keep in ["PATH", "HOME"] {
            if let Ok(v) = std::env::var(keep) {
                cmd.env(keep, v);
            }
        }
        cmd.env("TERM", "xterm").envs(env.iter().cloned());
        let fd = || Stdio::from(slave.try_clone().expect("dup the terminal"));
        cmd.stdin(fd()).stderr(fd());
        if stdout_on_terminal {
            cmd.stdout(fd());
        } else {
            cmd.stdout(Stdio::piped());
        }
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                // A new session whose controlling terminal is the pty (stdin): /dev/tty is it.
                if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY as _, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let mut child = cmd.spawn().expect("start mutt on a pseudo-terminal");
        // Only the child may hold the terminal's slave side, so reading the master ends (EIO)
        // once the child is gone.
        drop(cmd);
        drop(slave);

        let screen: Screen = Arc::new((Mutex::new((Vec::new(), false)), Condvar::new()));
        {
            let screen = Arc::clone(&screen);
            let mut master = master.try_clone().expect("dup the master");
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let (lock, changed) = &*screen;
                // Linux answers EIO once the last slave descriptor is closed.
                while let Ok(n) = master.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    lock.lock().unwrap().0.extend_from_slice(&buf[..n]);
                    changed.notify_all();
                }
                lock.lock().unwrap().1 = true;
                changed.notify_all();
            });
        }
        let stdout = child.stdout.take().map(|mut out| {
            std::thread::spawn(move || {
                let mut all = Vec::new();
                let _ = out.read_to_end(&mut all);
                all
            })
        });
        Terminal {
            master,
            child,
            screen,
            stdout,
        }
    }

    /// The screen so far.
    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.screen.0.lock().unwrap().0).into_owned()
    }

    /// Wait until the screen shows `text` at least `n` times.
    pub fn wait_for_count(&self, text: &str, n: usize) {
        let deadline = Instant::now() + DEADLINE;
        let (lock, changed) = &*self.screen;
        let mut seen = lock.lock().unwrap();
        while String::from_utf8_lossy(&seen.0).matches(text).count() < n {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "{text:?} not {n} times on the terminal within {DEADLINE:?}; screen: {:?}",
                String::from_utf8_lossy(&seen.0)
            );
            seen = changed.wait_timeout(seen, left).unwrap().0;
        }
    }

    /// Wait until the screen shows `text`; panics with the screen after [`DEADLINE`].
    pub fn wait_for(&self, text: &str) {
        self.wait_for_count(text, 1);
    }

    /// Whether the terminal echoes what is typed (its termios, read through the master).
    pub fn echoes(&self) -> bool {
        // SAFETY: a zeroed termios is a valid out-buffer; the master fd is open.
        let mut t: libc::termios = unsafe { std::mem::zeroed() };
        let rc = unsafe { libc::tcgetattr(self.master.as_raw_fd(), &mut t) };
        assert_eq!(rc, 0, "tcgetattr: {}", std::io::Error::last_os_error());
        t.c_lflag & libc::ECHO != 0
    }

    /// Wait until the program has turned echo off (a password prompt is ready to read), so
    /// nothing typed next can be echoed by the terminal itself.
    pub fn wait_echo_off(&self) {
        let deadline = Instant::now() + DEADLINE;
        // termios changes raise no event to wait on; poll it briefly.
        while self.echoes() {
            assert!(
                Instant::now() < deadline,
                "echo still on after {DEADLINE:?}; screen: {:?}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Type `text` (use `\r` for Enter, as a terminal sends it).
    pub fn type_text(&mut self, text: &str) {
        self.master.write_all(text.as_bytes()).expect("type");
        self.master.flush().expect("type");
    }

    /// Wait for the child to exit (killing it and failing after [`DEADLINE`]) and collect what
    /// it wrote.
    pub fn finish(mut self) -> Finished {
        let deadline = Instant::now() + DEADLINE;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait for mutt") {
                break status;
            }
            if Instant::now() >= deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!(
                    "mutt did not exit within {DEADLINE:?}; screen: {:?}",
                    self.screen()
                );
            }
            // A child exit raises no event a test can wait on portably; poll it briefly.
            std::thread::sleep(Duration::from_millis(10));
        };
        {
            let (lock, changed) = &*self.screen;
            let mut seen = lock.lock().unwrap();
            while !seen.1 {
                let left = deadline.saturating_duration_since(Instant::now());
                assert!(
                    !left.is_zero(),
                    "the terminal stayed open after mutt exited"
                );
                seen = changed.wait_timeout(seen, left).unwrap().0;
            }
        }
        let stdout = self
            .stdout
            .take()
            .map(|h| h.join().unwrap_or_default())
            .unwrap_or_default();
        Finished {
            status,
            screen: self.screen(),
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
        }
    }
}

/// Whether `text` holds terminal drawing (a progress bar): ANSI escape sequences, or a carriage
/// return that does not end a line (the terminal turns every `\n` into `\r\n`).
pub fn drawn(text: &str) -> bool {
    text.contains('\x1b') || text.replace("\r\n", "\n").contains('\r')
}
