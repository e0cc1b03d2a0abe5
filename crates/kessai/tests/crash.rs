//! Crash safety: the real `kessai serve` is killed with SIGKILL several times while
//! `kessai demo --server` drives three deals through it, and restarted each time. Afterwards
//! `kessai check` passes and every payout, refund, credit and email exists exactly once.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_kessai");
const TOKEN: &str = "crash-operator-token";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_server(dir: &Path, db: &str, port: u16) -> Child {
    let child = Command::new(BIN)
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--db",
            db,
            "--operator-token",
            TOKEN,
            "--test-clock",
        ])
        .args([
            "--argon2-memory-kib",
            "256",
            "--argon2-iterations",
            "1",
            "--scheduler-interval-ms",
            "50",
        ])
        .arg("--mail-dir")
        .arg(dir.join("mail"))
        .arg("--bank-out")
        .arg(dir.join("bank-out"))
        .arg("--bank-config")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/support/operator-banks.toml"
        ))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("server starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "server did not come up");
        std::thread::sleep(Duration::from_millis(10));
    }
    child
}

fn sql_count(db_path: &Path, sql: &str) -> i64 {
    let out = Command::new(BIN)
        .args(["check", "--db"])
        .arg(format!("sqlite://{}", db_path.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "kessai check failed:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = kessai_store::Store::connect(&format!("sqlite://{}", db_path.display()))
            .await
            .unwrap();
        let n: i64 = sqlx::query_scalar(sql)
            .fetch_one(store.pool())
            .await
            .unwrap();
        store.close().await;
        n
    })
}

#[test]
fn sigkill_mid_traffic_loses_and_duplicates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("kessai.db");
    let db = format!("sqlite://{}", db_path.display());
    let port = free_port();
    let mut server = start_server(dir.path(), &db, port);
    let mut demo = Command::new(BIN)
        .args([
            "demo",
            "--server",
            &format!("http://127.0.0.1:{port}"),
            "--operator-token",
            TOKEN,
            "--tag",
            "crash",
            "--pace-ms",
            "40",
        ])
        .arg("--bank-out")
        .arg(dir.path().join("bank-out"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    // Kill the server at several points of the demo's traffic and bring it back each time.
    let mut kills = 0;
    for pause_ms in [70, 130, 90, 160, 110, 150, 120] {
        std::thread::sleep(Duration::from_millis(pause_ms));
        if demo.try_wait().unwrap().is_some() {
            break;
        }
        server.kill().unwrap(); // SIGKILL: no shutdown code runs
        server.wait().unwrap();
        kills += 1;
        server = start_server(dir.path(), &db, port);
    }
    let output = demo.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "demo failed after {kills} kills:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        kills >= 4,
        "the server should have been killed mid-traffic at least 4 times, was {kills} times"
    );
    assert!(stdout.contains("ledger check: ok"), "{stdout}");

    // Let the restarted server's worker deliver what is left in the outbox; emails a killed
    // worker had claimed wait for their 15-second lease to run out.
    let deadline = Instant::now() + Duration::from_secs(60);
    while sql_count(
        &db_path,
        "SELECT COUNT(*) FROM outbox_emails WHERE status <> 'sent'",
    ) > 0
    {
        if Instant::now() >= deadline {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let stuck: Vec<String> = rt.block_on(async {
                let store = kessai_store::Store::connect(&db).await.unwrap();
                let rows = sqlx::query_scalar("SELECT id || ' attempts=' || attempts || ' lease=' || lease_until_ms || ' next=' || next_attempt_ms || ' err=' || COALESCE(last_error, '') FROM outbox_emails WHERE status <> 'sent'")
                    .fetch_all(store.pool())
                    .await
                    .unwrap();
                store.close().await;
                rows
            });
            panic!("outbox not drained: {stuck:#?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    server.kill().unwrap();
    server.wait().unwrap();

    // Exactly once: 6 registrations, 3 deals, 5 credits, 5 bank instructions with the right
    // amounts (payouts, refunds, and the stray payment returned to its payer).
    let count = |sql: &str| sql_count(&db_path, sql);
    assert_eq!(count("SELECT COUNT(*) FROM registrations"), 6);
    assert_eq!(
        count("SELECT COUNT(*) FROM deals WHERE state = 'completed'"),
        2
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM deals WHERE state = 'refunded'"),
        1
    );
    assert_eq!(count("SELECT COUNT(*) FROM bank_credits"), 5);
    assert_eq!(count("SELECT COUNT(*) FROM payment_instructions"), 5);
    assert_eq!(count("SELECT COUNT(*) FROM payment_instructions WHERE purpose = 'return' AND amount_yen = 4800"), 1);
    assert_eq!(count("SELECT COUNT(*) FROM payment_instructions WHERE purpose = 'payout' AND amount_yen IN (50128, 28920)"), 2);
    assert_eq!(count("SELECT COUNT(*) FROM payment_instructions WHERE purpose = 'refund' AND amount_yen IN (2000, 18000)"), 2);
    // Every payout and refund left through a bank file and was settled exactly once.
    assert_eq!(
        count("SELECT COUNT(*) FROM payment_instructions WHERE status = 'completed'"),
        5
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM journals WHERE kind = 'settle'"),
        5
    );
    assert_eq!(count("SELECT COUNT(*) FROM accounts WHERE kind IN ('payout_due', 'refund_due', 'return_due', 'held', 'unmatched_receipts') AND debits_yen <> credits_yen"), 0);
    // No step's email was written twice: one per (recipient, subject).
    assert_eq!(count("SELECT COUNT(*) FROM (SELECT to_addr, subject FROM outbox_emails GROUP BY to_addr, subject HAVING COUNT(*) > 1) d"), 0);
    // Every email was delivered, each to exactly one file named by its outbox ID.
    let emails = count("SELECT COUNT(*) FROM outbox_emails");
    let mut files: Vec<String> = std::fs::read_dir(dir.path().join("mail"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".eml"))
        .collect();
    files.sort();
    files.dedup();
    assert_eq!(files.len() as i64, emails, "one .eml per outbox email");
    // 32 for the deals' steps, and 4 telling a party that the bank has paid its payout or refund.
    assert_eq!(emails, 36, "the demo's three deals send 36 emails");
}
