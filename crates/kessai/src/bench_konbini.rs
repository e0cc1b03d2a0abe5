//! `kessai bench konbini-import --records N`: one collection agent's confirmed payment file of
//! N store payments imported through the real service (`Konbini::import`: the file read whole
//! and refused whole if bad, each payment's slip found, its order paid, its journal posted,
//! each payment recorded once). The N orders and slips are written first in bulk; the file
//! comes from the konbini simulator. Last line: `records/s: X`.

use crate::bench_support::peak_mib;
use clap::Args;
use kessai_formats::konbini::{self as format, ReportKind};
use kessai_server::service::payment::konbini::Konbini;
use kessai_store::FilledSlip;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Args)]
pub struct KonbiniImportArgs {
    #[arg(long, default_value_t = 100_000)]
    pub records: usize,
    /// Database (default: a temporary SQLite file).
    #[arg(long)]
    pub db: Option<String>,
}

pub async fn konbini_import(args: KonbiniImportArgs) -> anyhow::Result<ExitCode> {
    let workdir = tempfile::tempdir()?;
    let db = crate::bench_support::database(args.db.as_deref(), workdir.path());
    let mut config = kessai_server::config::Config::new(
        &db,
        kessai_server::config::MailTransport::Directory(workdir.path().join("mail")),
    );
    config.banks = vec![kessai_server::config::demo_bank()];
    let app = kessai_server::offline::open(config).await?;
    let n = args.records;
    println!(
        "bench konbini-import: {n} payments, database {}",
        app.store.backend_name()
    );
    let input: kessai_server::service::merchant::MerchantInput = serde_json::from_value(
        serde_json::json!({
            "id": "bench-shop", "name": "Bench",
            "payout_account": {"bank_code": "0005", "branch_code": "123", "account_type": "ordinary",
                               "account_number": "7000333", "holder_name": "ﾍﾞﾝﾁ"},
            "methods": ["konbini"], "valid_until": "2099-12-31",
        }),
    )?;
    kessai_server::service::merchant::create(&app, &input).await?;
    let now = app.clock.now().0;
    let due = kessai_server::i18n::date_jst(kessai_core::Millis(now + 7 * 86_400_000));
    let started = Instant::now();
    let mut agent = kessai_sim::konbini::Agent::new("BENCH");
    let at = format::on(kessai_server::i18n::date_jst(app.clock.now()), 12, 0, 0);
    for start in (0..n).step_by(10_000) {
        let end = (start + 10_000).min(n);
        let rows: Vec<(String, String, String, String, i64)> = (start..end)
            .map(|i| {
                let number = format!("{:011}", 10_000_000_000u64 + i as u64);
                let amount = 100 + (i % 9_000) as i64;
                let barcode = format::barcode_data("912345", &number, 0, due, false, amount)
                    .expect("bench slip data");
                (
                    kessai_store::new_internal_id(),
                    format!("BENCH-{i:08}"),
                    number,
                    barcode,
                    amount,
                )
            })
            .collect();
        let slips: Vec<FilledSlip<'_>> = rows
            .iter()
            .map(|(id, number, payment, barcode, amount)| FilledSlip {
                order_id: id,
                number,
                amount_yen: *amount,
                payment_number: payment,
                barcode,
                due_date: "2099-12-31",
            })
            .collect();
        let mut tx = app.store.begin().await?;
        tx.fill_konbini_orders("bench-shop", &slips, now + 7 * 86_400_000, now)
            .await?;
        tx.commit().await?;
        for (_, _, payment, barcode, amount) in &rows {
            if start % 2 == 0 {
                agent
                    .pay_by_barcode(barcode, at, "SEJ", "1")
                    .map_err(anyhow::Error::msg)?;
            } else {
                agent
                    .pay_by_number(payment, *amount, at, "LAW", "2")
                    .map_err(anyhow::Error::msg)?;
            }
        }
    }
    println!(
        "orders and slips written in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    let (name, bytes) = agent
        .report(ReportKind::Confirmed, at)
        .ok_or_else(|| anyhow::anyhow!("nothing to report"))?;
    drop(agent);
    println!("payment file: {} bytes", bytes.len());
    let started = Instant::now();
    let done = Konbini.import(&app, &name, &bytes).await?;
    let s = started.elapsed().as_secs_f64();
    println!(
        "imported {} payments in {s:.2} s: {} orders paid, {} unknown (peak {:.0} MiB)",
        done.records,
        done.applied,
        done.unknown,
        peak_mib()
    );
    let violations = app.store.check().await?;
    println!(
        "ledger check: {}",
        if violations.is_empty() {
            "ok"
        } else {
            "FAILED"
        }
    );
    println!("records/s: {:.0}", done.records as f64 / s.max(1e-9));
    Ok(if violations.is_empty() && done.applied == n {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
