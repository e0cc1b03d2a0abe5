//! What the benches share: their database, a server on loopback, running N jobs C at a time,
//! and the process's memory.

use kessai_server::config::{Config, MailTransport};
use std::future::Future;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// The database given, or a new SQLite file in `dir`.
pub fn database(given: Option<&str>, dir: &Path) -> String {
    given
        .map(str::to_string)
        .unwrap_or_else(|| format!("sqlite://{}", dir.join("bench.db").display()))
}

/// A server on a free loopback port with the demo bank, mailing through `mail`.
pub fn server_config(db: &str, mail: MailTransport) -> anyhow::Result<Config> {
    let mut config = Config::new(db, mail);
    config.listen = "127.0.0.1:0".parse()?;
    config.banks = vec![kessai_server::config::demo_bank()];
    Ok(config)
}

/// Mail to the loopback mail server.
pub fn smtp_to(server: &kessai_sim::smtp::SmtpServer) -> MailTransport {
    MailTransport::Smtp {
        host: server.addr.ip().to_string(),
        port: server.addr.port(),
    }
}

/// Runs `job(0)` … `job(total - 1)`, `concurrency` at a time; the first error stops the run.
pub async fn in_parallel<F, Fut>(concurrency: usize, total: usize, job: F) -> anyhow::Result<()>
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = vec![];
    for _ in 0..concurrency.max(1) {
        let (next, job) = (next.clone(), job.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= total {
                    return Ok::<(), anyhow::Error>(());
                }
                job(n).await?;
            }
        }));
    }
    for w in workers {
        w.await??;
    }
    Ok(())
}

/// A figure of `/proc/self/status` (`VmRSS`, `VmHWM`) in MiB.
fn status_mib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1024.0
}

/// The most memory this process has held.
pub fn peak_mib() -> f64 {
    status_mib("VmHWM:")
}

/// The memory this process holds now.
pub fn rss_mib() -> f64 {
    status_mib("VmRSS:")
}
