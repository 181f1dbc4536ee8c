//! The HTTP side: sender threads posting request bodies to Moog's webhook through one pooled
//! keep-alive agent, each request in a span continuing its alert's trace.

use super::payload::{self, Outcome};
use crate::settings::secrets::SecretSource;
use crate::trace::{Span, SpanId, SpanKind, TraceContext};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

/// One request's worth of alerts and its answer.
pub(super) struct Job {
    pub indexes: Vec<usize>,
    pub body: String,
    /// The POST's span: a child of the (first) alert's `_traceparent`, sent as `traceparent`.
    pub trace: TraceContext,
    pub trace_parent: Option<SpanId>,
    pub reply: mpsc::Sender<(Vec<usize>, Outcome, Duration)>,
}

/// Senders: threads posting to Moog through one pooled keep-alive agent.
pub(super) struct Senders {
    pub tx: Option<mpsc::Sender<Job>>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Senders {
    pub fn start(
        url: String,
        api_key: SecretSource,
        timeout: Duration,
        n: usize,
    ) -> std::io::Result<Senders> {
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(timeout)
            .timeout_read(timeout)
            .timeout_write(timeout)
            .max_idle_connections(n.max(1))
            .max_idle_connections_per_host(n.max(1))
            .build();
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let mut threads = Vec::with_capacity(n);
        for i in 0..n.max(1) {
            let (agent, rx, url, key) =
                (agent.clone(), Arc::clone(&rx), url.clone(), api_key.clone());
            threads.push(
                std::thread::Builder::new()
                    .name(format!("moog-sender-{i}"))
                    .spawn(move || loop {
                        let job = match rx.lock() {
                            Ok(r) => r.recv(),
                            Err(_) => return,
                        };
                        let Ok(job) = job else { return };
                        let started = Instant::now();
                        let _tid = crate::logging::with_trace_id(&job.trace.trace_id_hex());
                        let mut span =
                            Span::start("moog.post", SpanKind::Client, job.trace, job.trace_parent);
                        span.attr("mutt.events", job.indexes.len() as u64);
                        let outcome = post(&agent, &url, &key, &job.body, &job.trace.header());
                        if outcome.is_failure() {
                            span.set_error();
                        }
                        span.end();
                        let _ = job.reply.send((job.indexes, outcome, started.elapsed()));
                    })?,
            );
        }
        Ok(Senders {
            tx: Some(tx),
            threads,
        })
    }

    pub fn join(mut self) {
        self.tx.take();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

fn post(
    agent: &ureq::Agent,
    url: &str,
    key_source: &SecretSource,
    body: &str,
    traceparent: &str,
) -> Outcome {
    let key = key_source.get();
    let key = key.as_deref();
    let mut req = agent
        .post(url)
        .set("Content-Type", "application/json")
        .set(crate::trace::TRACEPARENT_HEADER, traceparent);
    if let Some(k) = key {
        req = req.set("Authorization", &format!("Bearer {k}"));
    }
    match req.send_string(body) {
        Ok(resp) => {
            let status = resp.status();
            let _ = resp.into_string();
            payload::classify(status, None, "")
        }
        Err(ureq::Error::Status(status, resp)) => {
            if matches!(status, 401 | 403) {
                // MOOG_API_KEY may have been rotated in Vault: have it re-read soon.
                key_source.request_refresh();
            }
            let retry_after = payload::parse_retry_after(resp.header("Retry-After"));
            let text = resp.into_string().unwrap_or_default();
            payload::classify(status, retry_after, &text)
        }
        Err(ureq::Error::Transport(t)) => Outcome::Retry {
            status: None,
            retry_after: None,
            error: format!(
                "{:?}: {}",
                t.kind(),
                t.message().unwrap_or("transport error")
            ),
        },
    }
}
