//! Progress bars of the long admin jobs (`partitions drop|ensure`, `dlq replay|purge`, `rules
//! import`, `retention run`): drawn with indicatif on stderr, and only when stderr is a terminal
//! and the output is a table. Under cron, CI, a pipe or `--output json` a [`Progress`] is a
//! no-op, so stdout and stderr carry exactly what they carry without it.
//!
//! The jobs themselves (ops, admin) take plain callbacks (`&dyn Fn(u64)`, `&dyn Fn(Step)`); only
//! this module knows indicatif.

use super::output::Format;
use indicatif::{ProgressBar, ProgressFinish, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

// Redraw rate of the spinner and elapsed time while one long step (a batch, a DDL lock wait)
// reports nothing.
const TICK: Duration = Duration::from_millis(120);

// With a known length: a bar. Without: a spinner and a count.
const BAR_TEMPLATE: &str =
    "{spinner} {prefix} [{bar:30}] {human_pos}/{human_len} {msg} ({elapsed})";
const COUNT_TEMPLATE: &str = "{spinner} {prefix}: {human_pos} {msg} ({elapsed})";

/// Whether a bar would be drawn for this output format: a table on a terminal's stderr.
pub fn shown(format: Format) -> bool {
    format == Format::Table && std::io::stderr().is_terminal()
}

/// A progress bar on stderr, or nothing at all when it would not be [`shown`].
#[derive(Debug)]
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A bar of `len` steps (`None`: a spinner counting steps) labelled `what`, visible only when
    /// [`shown`] holds for `format`.
    pub fn new(len: Option<u64>, what: &str, format: Format) -> Progress {
        if !shown(format) {
            return Progress::hidden();
        }
        let (bar, template) = match len {
            Some(n) => (ProgressBar::new(n), BAR_TEMPLATE),
            None => (ProgressBar::new_spinner(), COUNT_TEMPLATE),
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        // Dropped on an error path (`?`), the bar is wiped rather than left half drawn above the
        // error line.
        let bar = bar
            .with_prefix(what.to_string())
            .with_finish(ProgressFinish::AndClear);
        bar.enable_steady_tick(TICK);
        // A log line (a retried batch, a reconnect) would otherwise land in the middle of the
        // bar; through the guard the bar steps aside and redraws below it.
        let drawn = bar.clone();
        crate::logging::set_stderr_guard(Some(std::sync::Arc::new(move |write| {
            drawn.suspend(write)
        })));
        Progress { bar: Some(bar) }
    }

    /// A progress that draws nothing.
    pub fn hidden() -> Progress {
        Progress { bar: None }
    }

    /// Whether anything is drawn.
    pub fn is_visible(&self) -> bool {
        self.bar.is_some()
    }

    /// `n` more steps done.
    pub fn inc(&self, n: u64) {
        if let Some(b) = &self.bar {
            b.inc(n);
        }
    }

    /// Steps done so far.
    pub fn set_position(&self, pos: u64) {
        if let Some(b) = &self.bar {
            b.set_position(pos);
        }
    }

    /// The total, once known (turns nothing into a bar: the template was chosen at creation).
    pub fn set_length(&self, len: u64) {
        if let Some(b) = &self.bar {
            b.set_length(len);
        }
    }

    /// The text after the count: what is being worked on now.
    pub fn set_message(&self, msg: impl Into<String>) {
        if let Some(b) = &self.bar {
            b.set_message(msg.into());
        }
    }

    /// Done: wipe the bar, so the table printed next starts on a clean line.
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
            crate::logging::set_stderr_guard(None);
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if self.bar.is_some() {
            crate::logging::set_stderr_guard(None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_output_never_draws() {
        let p = Progress::new(Some(10), "test", Format::Json);
        assert!(!p.is_visible());
        // Every call is a no-op on a hidden progress.
        p.inc(3);
        p.set_message("x");
        p.set_length(4);
        p.set_position(1);
        p.finish();
    }

    #[test]
    fn tables_draw_only_on_a_terminal() {
        let p = Progress::new(None, "test", Format::Table);
        assert_eq!(p.is_visible(), std::io::stderr().is_terminal());
        p.finish();
    }
}
