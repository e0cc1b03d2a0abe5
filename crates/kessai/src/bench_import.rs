//! `kessai bench import`: one Zengin 01 file of N incoming transfers through the whole import
//! (parse, checks, the credit path per record, the file's entries), in one transaction.
//!
//! The file is written first and imported by a second run of this binary (`--file`), so that
//! the peak memory printed is the import's alone, not the generator's.

use crate::bench::ImportArgs;
use crate::bench_support::peak_mib;
use kessai_formats::zengin::notice::{notice_file, IncomingTransfer, NoticeAccount};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

/// A Zengin trailer gives the record count in 6 digits.
const MAX_RECORDS: usize = 999_999;

pub async fn import(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let workdir = tempfile::tempdir()?;
    let db = crate::bench_support::database(args.db.as_deref(), workdir.path());
    if let Some(file) = &args.file {
        return import_file(&db, workdir.path(), file).await;
    }
    if args.records == 0 || args.records > MAX_RECORDS {
        anyhow::bail!(
            "--records must be 1 to {MAX_RECORDS} (a Zengin file counts records in 6 digits)"
        );
    }
    let file = workdir.path().join("bench.txt");
    let bytes = write_file(args.records)?;
    std::fs::write(&file, &bytes)?;
    println!(
        "bench import: one Zengin 01 file of {} transfers ({} bytes)",
        args.records,
        bytes.len()
    );
    drop(bytes);
    let status = std::process::Command::new(std::env::current_exe()?)
        .args(["bench", "import", "--db", &db, "--file"])
        .arg(&file)
        .status()?;
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The file's bytes: every record to the operator's demo account, none quoting a deal.
fn write_file(n: usize) -> anyhow::Result<Vec<u8>> {
    let account = NoticeAccount {
        bank_code: "0001".into(),
        bank_name: "ﾐｽﾞﾎ".into(),
        branch_code: "001".into(),
        account_type: 1,
        account_number: "1234567".into(),
        account_name: "ｹﾂｻｲ".into(),
        date_yymmdd: "081124".into(),
    };
    let run = kessai_server::secrets::random_token();
    // A different year per run, so that runs on one database do not repeat records.
    let year = u64::from_str_radix(&run[..6], 16).unwrap_or(0) % 100;
    let transfers: Vec<IncomingTransfer> = (0..n)
        .map(|i| IncomingTransfer {
            bank_code: String::new(),
            branch_code: String::new(),
            account_number: String::new(),
            inquiry_number: format!("{:06}", i % 1_000_000),
            booking_date: format!("{year:02}1124"),
            amount_yen: 1_000 + (i as u64 % 9_000),
            transferor_code: "0000000000".into(),
            transferor_name: format!("ﾔﾏﾀﾞ ﾀﾛｳ {}", i % 977),
            edi: String::new(),
            cancelled: false,
        })
        .collect();
    Ok(kessai_formats::zengin::write(&notice_file(
        &[(account, transfers)],
        true,
    )?))
}

async fn import_file(db: &str, workdir: &Path, file: &Path) -> anyhow::Result<ExitCode> {
    let mut config = kessai_server::config::Config::new(
        db,
        kessai_server::config::MailTransport::Directory(workdir.join("mail")),
    );
    config.banks = vec![kessai_server::config::demo_bank()];
    let app = kessai_server::offline::open(config).await?;
    println!("database {}", app.store.backend_name());
    let started = Instant::now();
    let bytes = std::fs::read(file)?;
    let summary = kessai_server::service::bank_import::import(&app, "bench.txt", bytes).await?;
    let elapsed = started.elapsed().as_secs_f64();
    let import_peak = peak_mib();
    let violations = app.store.check().await?;
    println!(
        "{} records applied ({} to suspense) in {elapsed:.2} s; ledger check: {}",
        summary.records,
        summary.unmatched,
        if violations.is_empty() {
            "ok"
        } else {
            "FAILED"
        }
    );
    println!(
        "peak memory: {import_peak:.0} MiB importing, {:.0} MiB with the check",
        peak_mib()
    );
    println!("records/s: {:.0}", summary.records as f64 / elapsed);
    Ok(if violations.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
