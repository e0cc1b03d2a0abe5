//! `kessai bank export` (the real binary): pending payouts and refunds become one bank file,
//! dated the next business day, each instruction exported exactly once; a file whose write
//! failed is written by the next run from the stored bytes; ISO 20022 output validates.

mod support;

use kessai_formats::zengin::{self, transfer::transfers};
use std::process::Command;
use support::bank::kessai;
use support::Db;

on_both_databases!(
    instructions_are_exported_exactly_once,
    the_scheduler_exports_on_business_days_only
);

async fn the_scheduler_exports_on_business_days_only(db: Db) {
    let s = support::spawn(db).await;
    // A second handle on the same database, configured to export by itself.
    let mut config = s.app.config.clone();
    config.auto_export = Some(kessai_server::service::bank_export::ExportFormat::Zengin);
    let app = kessai_server::offline::open(config).await.unwrap();
    scheduler_case(&s, &app).await;
}

async fn scheduler_case(s: &support::TestServer, app: &kessai_server::App) {
    let (buyer, seller) = s.agreed_deal("sched", 9_000).await;
    s.credit("sched-1", 9_000, &buyer).await.ok();
    s.ship(&seller).await.ok();
    s.receipt(&buyer).await.ok();
    let day = |d: &str| {
        time::Date::parse(d, time::macros::format_description!("[year]-[month]-[day]")).unwrap()
    };
    for holiday in [
        "2026-11-21",
        "2026-11-22",
        "2026-11-23",
        "2026-12-31",
        "2027-01-02",
    ] {
        assert!(
            kessai_server::scheduler::export_due(app, day(holiday))
                .await
                .unwrap()
                .is_empty(),
            "{holiday} is not a business day"
        );
    }
    let files = kessai_server::scheduler::export_due(app, day("2026-11-24"))
        .await
        .unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(
        (files[0].records, files[0].value_date.as_str()),
        (1, "2026-11-24")
    );
    assert!(
        kessai_server::scheduler::export_due(app, day("2026-11-25"))
            .await
            .unwrap()
            .is_empty(),
        "each instruction once"
    );
}

/// `kessai bank export` on the test database: (exit code, stdout, stderr).
fn export_cli(
    s: &support::TestServer,
    format: &str,
    date: &str,
    out: &std::path::Path,
) -> (i32, String, String) {
    kessai(&[
        "bank",
        "export",
        "--db",
        &s.db_url,
        "--format",
        format,
        "--date",
        date,
        "--out",
        &out.to_string_lossy(),
    ])
}

fn files_in(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

async fn instructions_are_exported_exactly_once(db: Db) {
    let s = support::spawn(db).await;
    let (buyer, seller) = s.agreed_deal("exp-a", 10_000).await;
    s.credit("exp-1", 10_700, &buyer).await.ok();
    s.ship(&seller).await.ok();
    s.receipt(&buyer).await.ok(); // payout 9,640 + refund 700
    let (buyer2, _) = s.agreed_deal("exp-b", 5_000).await;
    s.credit("exp-2", 5_000, &buyer2).await.ok();
    s.advance_days(8).await;
    s.run_scheduler().await; // refund 5,000

    // First run: the output path is a file, so writing fails after the export was recorded.
    let blocked = s.dir.path().join("not-a-dir");
    std::fs::write(&blocked, "x").unwrap();
    let (code, _, err) = export_cli(&s, "zengin", "2026-11-21", &blocked);
    assert_eq!(code, 1, "{err}");
    let out = s.dir.path().join("out");
    // Saturday 21st → Monday 23rd is 勤労感謝の日 → Tuesday 24th.
    let (code, stdout, err) = export_cli(&s, "zengin", "2026-11-21", &out);
    assert_eq!(code, 0, "{err}");
    assert!(
        stdout.contains("3 records, ¥15,340 for 2026-11-24 (zengin-21)"),
        "{stdout}"
    );
    let files = files_in(&out);
    assert_eq!(files.len(), 1, "{files:?}");
    let parsed = zengin::parse(&std::fs::read(&files[0]).unwrap()).unwrap();
    assert_eq!(parsed.groups[0].header.get("振込指定日"), "1124");
    let mut got: Vec<(u64, String, Option<String>)> = transfers(&parsed)
        .into_iter()
        .map(|t| (t.amount_yen, t.payee_name, t.edi))
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            (700, "ﾔﾏﾀﾞ ﾀﾛｳ".into(), Some(buyer.clone())),
            (5_000, "ﾔﾏﾀﾞ ﾀﾛｳ".into(), Some(buyer2.clone())),
            (9_640, "ｻﾄｳ ﾊﾅｺ".into(), Some(seller.clone()))
        ]
    );
    assert!(s
        .instructions(&buyer)
        .await
        .iter()
        .all(|i| i["status"] == "sent"));

    // Again: nothing new, nothing rewritten.
    let before = s.snapshot().await;
    let (_, stdout, _) = export_cli(&s, "zengin", "2026-11-24", &out);
    assert!(stdout.contains("nothing to export"), "{stdout}");
    assert_eq!(files_in(&out).len(), 1);
    assert_eq!(s.snapshot().await, before);

    // A later payout as ISO 20022, valid against the official schema.
    let (buyer3, seller3) = s.agreed_deal("exp-c", 3_000).await;
    s.credit("exp-3", 3_000, &buyer3).await.ok();
    s.ship(&seller3).await.ok();
    s.receipt(&buyer3).await.ok();
    let iso = s.dir.path().join("iso");
    let (code, stdout, err) = export_cli(&s, "iso20022", "2026-12-31", &iso);
    assert_eq!(code, 0, "{err}");
    assert!(
        stdout.contains("1 records, ¥2,892 for 2027-01-04 (pain.001.001.09)"),
        "{stdout}"
    );
    let xml_path = &files_in(&iso)[0];
    let xsd = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../kessai-formats/tests/xsd/sepaxml.pain.001.001.09.xsd"
    );
    let check = Command::new("xmllint")
        .args(["--noout", "--schema", xsd])
        .arg(xml_path)
        .output()
        .expect("xmllint (bash test.sh installs it)");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let xml = std::fs::read_to_string(xml_path).unwrap();
    assert!(
        xml.contains("<InstdAmt Ccy=\"JPY\">2892</InstdAmt>")
            && xml.contains(&format!("<Ustrd>{seller3}</Ustrd>")),
        "{xml}"
    );
    s.assert_books_sound().await;
}
