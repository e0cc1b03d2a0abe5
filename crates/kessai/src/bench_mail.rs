//! `kessai bench outbox`: how fast the email worker drains a backlog, into a directory or over
//! SMTP to a loopback mail server, with N emails waiting. The claim query must cost the same
//! with a million waiting as with a thousand, or a backlog never catches up.

use crate::bench_support;
use clap::Args;
use kessai_server::config::MailTransport;
use kessai_store::Store;
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(Args)]
pub struct OutboxArgs {
    /// Emails waiting when the worker starts.
    #[arg(long, default_value_t = 1_000)]
    pub pending: usize,
    /// Emails timed: the first this many delivered (at most `--pending`).
    #[arg(long, default_value_t = 20_000)]
    pub measure: usize,
    /// Deliver over SMTP to a mail server on loopback instead of into a directory.
    #[arg(long)]
    pub smtp: bool,
    /// Database (default: a temporary SQLite file).
    #[arg(long)]
    pub db: Option<String>,
}

pub async fn outbox(args: OutboxArgs) -> anyhow::Result<ExitCode> {
    let workdir = tempfile::tempdir()?;
    let db = bench_support::database(args.db.as_deref(), workdir.path());
    let store = Store::connect(&db).await?;
    store.migrate().await?;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?;
    let filling = Instant::now();
    store
        .fill_outbox(args.pending, now.as_millis() as i64)
        .await?;
    let backend = store.backend_name();
    store.close().await;
    println!(
        "bench outbox: {} pending ({:.1} s to write), transport {}, database {backend}",
        args.pending,
        filling.elapsed().as_secs_f64(),
        if args.smtp { "smtp" } else { "directory" }
    );

    let smtp = args.smtp.then(kessai_sim::smtp::SmtpServer::start);
    let mail_dir = workdir.path().join("mail");
    let transport = match &smtp {
        Some(server) => bench_support::smtp_to(server),
        None => MailTransport::Directory(mail_dir),
    };
    let config = bench_support::server_config(&db, transport)?;
    let target = args.measure.min(args.pending) as i64;
    let started = Instant::now();
    let running = kessai_server::start(config).await?;
    // Timed from the first email seen sent, so that starting the server is not counted.
    let mut first: Option<(Instant, i64)> = None;
    let sent = loop {
        let sent = running.app.store.emails_sent().await?;
        if first.is_none() && sent > 0 {
            first = Some((Instant::now(), sent));
        }
        if sent >= target || started.elapsed() > Duration::from_secs(600) {
            break sent;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    let (since, at_first) = first.unwrap_or((started, 0));
    let seconds = since.elapsed().as_secs_f64();
    running.handle.abort();
    if let Some(server) = &smtp {
        println!("received by the mail server: {}", server.count());
    }
    println!(
        "sent: {sent} of {target} timed, {} of them in {seconds:.2} s after the first ({:.2} s after the start)",
        sent - at_first,
        started.elapsed().as_secs_f64()
    );
    println!("emails/s: {:.0}", (sent - at_first) as f64 / seconds);
    Ok(if sent >= target {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
