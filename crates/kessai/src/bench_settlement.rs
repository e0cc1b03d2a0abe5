//! `kessai bench settlement --contracts N`: one marketplace day through the settlement desk's
//! real code paths, each stage timed: bulk upload (the upload's reader and the contract
//! service, in requests of at most 100,000), the debit run, the bank's results (the bank
//! simulator answers each request; Kessai imports each answer), the delivery run, and the
//! carrier's notices (the carrier simulator answers; Kessai imports), the payout run (its
//! Zengin 21 files) and the bank's confirmation (the simulator settles the files and answers
//! with its statement, Zengin 03; Kessai imports it). Half the buyers bank at 0005, where the
//! operator has a collection account: after the debit results the sweep run moves it to the
//! main account and both accounts' statement confirms it. The last line, `total_s`, is the
//! whole day.

use crate::bench_progress::Progress;
use crate::bench_support::peak_mib;
use clap::Args;
use kessai_server::service::contract::{read_upload, UploadFormat, MAX_CONTRACTS_PER_UPLOAD};
use kessai_server::service::{
    bank_import, carrier_import, debit_run, delivery_run, payout_run, sweep,
};
use std::process::ExitCode;
use std::time::Instant;

#[derive(Args)]
pub struct SettlementArgs {
    #[arg(long, default_value_t = 100_000)]
    pub contracts: usize,
    /// Database (default: a temporary SQLite file).
    #[arg(long)]
    pub db: Option<String>,
    /// Debits the simulated bank fails, per thousand.
    #[arg(long, default_value_t = 20)]
    pub reject_per_mille: u32,
    /// Give the site a webhook URL, so that every change of a contract's status is recorded
    /// as a webhook event (none is posted: the bench runs no worker).
    #[arg(long)]
    pub webhooks: bool,
}

/// One stage's figure, printed as it ends (its progress line gone first).
fn stage(name: &str, records: usize, started: Instant, progress: Progress) -> f64 {
    drop(progress);
    let s = started.elapsed().as_secs_f64();
    println!(
        "{name}: {records} records in {s:.2} s, {:.0} records/s (peak {:.0} MiB)",
        records as f64 / s.max(1e-9),
        peak_mib()
    );
    s
}

/// A contract as a site's JSON line: buyers at the operator's main bank (even `i`) or at its
/// collection bank, sellers elsewhere.
fn line(i: usize) -> String {
    let (bank, branch) = if i.is_multiple_of(2) {
        ("0001", "001")
    } else {
        ("0005", "123")
    };
    format!(
        concat!(
            r#"{{"number":"BENCH-{i:08}","amount_yen":{amount},"#,
            r#""buyer":{{"name":"買手 {i}","address":"東京都千代田区丸の内1-{b}","account":{{"bank_code":"{bank}","branch_code":"{branch}","account_type":"ordinary","account_number":"{acct:07}","holder_name":"ｶｲﾃ {b}"}}}},"#,
            r#""seller":{{"name":"売手 {s}","address":"大阪府大阪市北区梅田2-{s}","account":{{"bank_code":"0005","branch_code":"123","account_type":"ordinary","account_number":"{sacct:07}","holder_name":"ｳﾘﾃ {s}"}}}},"#,
            r#""goods":{{"name":"部品","model":"P-{b}","quantity":1}}}}"#
        ),
        i = i,
        bank = bank,
        branch = branch,
        amount = 1_000 + i % 90_000,
        b = i % 977,
        s = i % 331,
        acct = 2_000_000 + i % 7_000_000,
        sacct = 3_000_000 + i % 331,
    )
}

pub async fn settlement(args: SettlementArgs) -> anyhow::Result<ExitCode> {
    let workdir = tempfile::tempdir()?;
    let db = crate::bench_support::database(args.db.as_deref(), workdir.path());
    let mut config = kessai_server::config::Config::new(
        &db,
        kessai_server::config::MailTransport::Directory(workdir.path().join("mail")),
    );
    config.banks = vec![
        kessai_server::config::demo_bank(),
        kessai_server::config::demo_collection_bank(),
    ];
    config.bank_out_dir = workdir.path().join("bank-out");
    let app = kessai_server::offline::open(config).await?;
    let n = args.contracts;
    println!(
        "bench settlement: {n} contracts, database {}",
        app.store.backend_name()
    );
    let input = kessai_server::service::site::SiteInput {
        id: "bench".into(),
        name: "Bench".into(),
        webhook_url: args
            .webhooks
            .then(|| "http://127.0.0.1:9/webhooks".to_string()),
        main_bank: "0001".into(),
        collection_banks: vec!["0001".into(), "0005".into()],
        fee_rate_bp: 300,
        fee_fixed_yen: 0,
        debit_lead_days: 2,
        delivery_lead_days: 1,
        shipping_lead_days: 2,
        payout_lead_days: 2,
        delivery_after_payout: false,
    };
    kessai_server::service::site::create(&app, &input).await?;
    let site = app.store.site("bench").await?.expect("the site just made");
    let day = kessai_core::calendar::add_business_days(
        kessai_core::calendar::business_day_on_or_after(kessai_server::i18n::date_jst(
            app.clock.now(),
        ))?,
        1,
    )?;
    let all = Instant::now();
    let mut total = 0.0;

    let (started, progress) = (Instant::now(), Progress::start("upload", Some(n)));
    let mut accepted = 0;
    for chunk_start in (0..n).step_by(MAX_CONTRACTS_PER_UPLOAD) {
        let end = (chunk_start + MAX_CONTRACTS_PER_UPLOAD).min(n);
        let body: String = (chunk_start..end).map(|i| line(i) + "\n").collect();
        let lines = read_upload(UploadFormat::JsonLines, None, body.as_bytes())?;
        drop(body);
        let answer = kessai_server::service::contract::submit(&app, &site, lines).await?;
        accepted += answer.accepted;
        progress.set(end);
    }
    total += stage("upload", accepted, started, progress);

    let (started, progress) = (Instant::now(), Progress::start("debit run", None));
    let requests = debit_run::run(&app, day, &app.config.bank_out_dir).await?;
    let requested: i64 = requests.iter().map(|f| f.records).sum();
    total += stage("debit run", requested as usize, started, progress);

    let (started, progress) = (
        Instant::now(),
        Progress::start("bank results", Some(requested as usize)),
    );
    let mut bank = kessai_sim::bank::BankState::new(
        11,
        args.reject_per_mille,
        kessai_sim::bank::AccountRef {
            bank_code: "0001".into(),
            branch_code: "001".into(),
            account_number: "1234567".into(),
            name: "ｹﾂｻｲ".into(),
        },
    );
    let collection = kessai_server::config::demo_collection_bank().account;
    bank.open_account(kessai_sim::bank::AccountRef {
        bank_code: collection.bank_code,
        branch_code: collection.branch_code,
        account_number: collection.account_number,
        name: collection.holder_name,
    });
    let mut debited = 0;
    for f in &requests {
        let bytes = std::fs::read(app.config.bank_out_dir.join(&f.file_name))?;
        for (name, result) in bank.process_debit_request(&f.file_name, &bytes)? {
            let s = bank_import::import(&app, &name, result).await?;
            debited += s.debits_applied;
        }
        progress.set(debited);
    }
    total += stage("bank results", debited, started, progress);

    let (started, progress) = (Instant::now(), Progress::start("delivery run", None));
    let instructions = delivery_run::run(&app, day, &app.config.bank_out_dir).await?;
    let instructed: i64 = instructions.iter().map(|f| f.records).sum();
    total += stage("delivery run", instructed as usize, started, progress);

    let (started, progress) = (
        Instant::now(),
        Progress::start("shipping notices", Some(instructed as usize)),
    );
    let mut shipped = 0;
    for f in &instructions {
        let bytes = std::fs::read(app.config.bank_out_dir.join(&f.file_name))?;
        let notice = kessai_sim::carrier::ship(&bytes, 5)?;
        let s = carrier_import::import(&app, &format!("{}.notice", f.file_name), &notice).await?;
        shipped += s.shipped;
        progress.set(shipped);
    }
    total += stage("shipping notices", shipped, started, progress);

    // The collection account's balance to the main account, and both banks' statement of it.
    let (started, progress) = (Instant::now(), Progress::start("sweep", None));
    bank.zengin_files = true;
    let sweeps = sweep::run(&app, day, &app.config.bank_out_dir).await?;
    let mut swept = 0;
    for f in &sweeps {
        let bytes = std::fs::read(app.config.bank_out_dir.join(&f.file_name))?;
        bank.process_zengin_transfers(&f.file_name, &bytes, &day.to_string())?;
    }
    for (name, statement) in bank.end_of_day_statements("", &day.to_string()) {
        swept += bank_import::import(&app, &name, statement)
            .await?
            .answers_applied;
    }
    let swept_yen: i64 = sweeps.iter().map(|f| f.total_yen).sum();
    total += stage("sweep", swept, started, progress);
    println!("  swept {swept_yen} yen from the collection account (withdrawal and arrival applied: {swept})");

    let (started, progress) = (Instant::now(), Progress::start("payout run", None));
    let payouts = payout_run::run(&app, day, &app.config.bank_out_dir).await?;
    total += stage("payout run", payouts.transfers, started, progress);

    let (started, progress) = (Instant::now(), Progress::start("bank confirmation", None));
    bank.zengin_files = true;
    for f in &payouts.files {
        let bytes = std::fs::read(app.config.bank_out_dir.join(&f.file_name))?;
        bank.process_zengin_transfers(&f.file_name, &bytes, &day.to_string())?;
    }
    let mut entries = 0;
    for (name, statement) in bank.end_of_day_statements("", &day.to_string()) {
        let s = bank_import::import(&app, &name, statement).await?;
        entries += s.records;
        println!(
            "  the statement's answers applied: {} (paid, and transfers that came back)",
            s.answers_applied
        );
    }
    total += stage("bank confirmation", entries, started, progress);

    let (started, progress) = (Instant::now(), Progress::start("check", None));
    let violations = app.store.check().await?;
    stage("check", n, started, progress);
    println!(
        "ledger check: {}; wall time {:.2} s",
        if violations.is_empty() {
            "ok"
        } else {
            "FAILED"
        },
        all.elapsed().as_secs_f64()
    );
    if args.webhooks {
        println!(
            "webhook events recorded: {}",
            app.store.webhook_event_count("bench").await?
        );
    }
    println!("total_s: {total:.2}");
    Ok(if violations.is_empty() && accepted == n {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
