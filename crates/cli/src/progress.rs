//! Progress bars on a terminal, silence elsewhere (CI, pipes, tests).

use std::io::IsTerminal;
use std::sync::Mutex;

use hubecon_ingest::Progress;
use indicatif::{ProgressBar, ProgressStyle};

/// An indicatif bar per stage, drawn only when stderr is a terminal.
pub struct Bars {
    bar: Mutex<Option<ProgressBar>>,
    enabled: bool,
}

impl Bars {
    pub fn new() -> Self {
        Self {
            bar: Mutex::new(None),
            enabled: std::io::stderr().is_terminal() && std::env::var_os("CI").is_none(),
        }
    }
}

impl Bars {
    /// Progress reported as `(stage, done, total)` (the synthetic
    /// generator's form): a new bar whenever the stage changes.
    pub fn stage(&self, stage: &str, done: u64, total: u64) {
        if !self.enabled {
            return;
        }
        let same = self
            .bar
            .lock()
            .ok()
            .and_then(|b| b.as_ref().map(|bar| bar.message() == stage))
            .unwrap_or(false);
        if !same {
            self.finish();
            self.start(stage, total);
        }
        if let Ok(b) = self.bar.lock()
            && let Some(bar) = b.as_ref()
        {
            bar.set_position(done);
        }
    }

    /// Ends the current stage's bar.
    pub fn finish_stage(&self) {
        self.finish();
    }
}

impl Default for Bars {
    fn default() -> Self {
        Self::new()
    }
}

impl Progress for Bars {
    fn start(&self, stage: &str, total: u64) {
        if !self.enabled {
            return;
        }
        let bar = ProgressBar::new(total);
        let style = ProgressStyle::with_template("{msg:32} [{bar:30}] {pos}/{len} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        bar.set_style(style);
        bar.set_message(stage.to_string());
        if let Ok(mut b) = self.bar.lock() {
            *b = Some(bar);
        }
    }
    fn advance(&self, n: u64) {
        if let Ok(b) = self.bar.lock()
            && let Some(bar) = b.as_ref()
        {
            bar.inc(n);
        }
    }
    fn finish(&self) {
        if let Ok(mut b) = self.bar.lock()
            && let Some(bar) = b.take()
        {
            bar.finish_and_clear();
        }
    }
}
