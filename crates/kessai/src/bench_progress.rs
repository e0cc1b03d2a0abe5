//! Progress of a long bench stage, on standard error: a line redrawn in place on a terminal,
//! a log line every ten seconds otherwise (CI logs, files), so a run of a million contracts
//! never sits silent for minutes. The figures themselves stay on standard output.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Shows one stage's progress until dropped.
pub struct Progress {
    done: Arc<AtomicUsize>,
    ticker: tokio::task::JoinHandle<()>,
    terminal: bool,
}

impl Progress {
    /// Starts showing `stage`, of `of` records where the count is known as it goes.
    pub fn start(stage: &'static str, of: Option<usize>) -> Progress {
        let done = Arc::new(AtomicUsize::new(0));
        let terminal = std::io::stderr().is_terminal();
        let every = if terminal {
            Duration::from_millis(250)
        } else {
            Duration::from_secs(10)
        };
        let (seen, started) = (done.clone(), Instant::now());
        let ticker = tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.tick().await;
            loop {
                tick.tick().await;
                let s = started.elapsed().as_secs();
                let count = match of {
                    Some(of) => format!(", {} of {of} records", seen.load(Ordering::Relaxed)),
                    None => String::new(),
                };
                let mut err = std::io::stderr().lock();
                let _ = if terminal {
                    write!(err, "\r\x1b[2K{stage}: {s} s{count}")
                } else {
                    writeln!(err, "bench: {stage} running, {s} s{count}")
                };
                let _ = err.flush();
            }
        });
        Progress {
            done,
            ticker,
            terminal,
        }
    }

    /// Records done so far in this stage.
    pub fn set(&self, done: usize) {
        self.done.store(done, Ordering::Relaxed);
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.ticker.abort();
        if self.terminal {
            // Clear the redrawn line before the stage's figure is printed.
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
    }
}
