//! A settlement run killed with SIGKILL part-way, then run again, ends as if it had run once
//! (issue 9, "a crash in the middle of each run"): every due contract is requested (or paid)
//! once, each request is in exactly one file, and every file the database holds is on disk.

mod support;

use kessai_formats::zengin::{self, debit};
use serde_json::Value;
use std::process::Stdio;
use std::time::Duration;
use support::bank::{operator_command, output};
use support::contracts::{
    accept, account, answer_debits, business_day, contract, operator_run, site,
};
use support::Db;

on_both_databases!(
    a_debit_run_killed_part_way_and_run_again_requests_each_contract_once,
    a_delivery_run_killed_part_way_and_run_again_instructs_each_contract_once,
    a_payout_run_killed_part_way_and_run_again_pays_each_contract_once,
    a_sweep_run_killed_part_way_and_run_again_sweeps_each_bank_once
);

/// Enough contracts that a debug build's run takes a while, at two buyer banks (two files,
/// two transactions).
const CONTRACTS: usize = 4_000;

/// Requests in one file: a Zengin 91 file's data records, a pain.008's transactions, a
/// carrier CSV's rows below its header, or a Zengin 21 file's transfers.
fn requests_in(name: &str, bytes: &[u8]) -> usize {
    if name.contains("-zengin-21-") {
        zengin::transfer::transfers(&zengin::parse(bytes).expect("a Zengin file")).len()
    } else if name.starts_with("kessai-delivery-") {
        kessai_formats::carrier::read_instructions(bytes)
            .expect("a carrier instruction file")
            .len()
    } else if bytes.starts_with(b"<?xml") {
        String::from_utf8_lossy(bytes)
            .matches("<DrctDbtTxInf>")
            .count()
    } else {
        debit::debits(&zengin::parse(bytes).expect("a Zengin file")).len()
    }
}

async fn a_debit_run_killed_part_way_and_run_again_requests_each_contract_once(db: Db) {
    let s = support::spawn(db).await;
    let key = site(&s, "mk").await;
    let contracts: Vec<Value> = (0..CONTRACTS)
        .map(|i| {
            let mut c = contract(&format!("K-{i:05}"), 1_000 + i as i64);
            if i % 2 == 1 {
                c["buyer"]["account"] = account("0005", "123", "2345678", "ｶ)ｶｲﾃ");
            }
            c
        })
        .collect();
    accept(&s, &key, &contracts).await;
    kill_and_run_again(&s, "debit").await;
    let count = |sql: &'static str| count(&s, sql);
    let n = CONTRACTS as i64;
    assert_eq!(
        count("SELECT COUNT(*) FROM contracts WHERE debit_state = 'requested'").await,
        n
    );
    assert_eq!(count("SELECT COUNT(*) FROM debit_items").await, n);
    assert_eq!(
        count("SELECT COUNT(DISTINCT contract_id) FROM debit_items").await,
        n
    );
    s.assert_books_sound().await;
}

async fn a_delivery_run_killed_part_way_and_run_again_instructs_each_contract_once(db: Db) {
    let s = support::spawn(db).await;
    let key = site(&s, "mk").await;
    // Bills: their goods go before any debit.
    let due = business_day(&s, 5);
    let contracts: Vec<Value> = (0..CONTRACTS)
        .map(|i| {
            let mut c = contract(&format!("B-{i:05}"), 1_000 + i as i64);
            c["due_date"] = Value::from(due.clone());
            c
        })
        .collect();
    accept(&s, &key, &contracts).await;
    kill_and_run_again(&s, "delivery").await;
    let pool = s.app.store.pool();
    let instructed: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM contracts WHERE delivery_state = 'instructed'")
            .fetch_one(pool)
            .await
            .unwrap();
    let deliveries: i64 = sqlx::query_scalar("SELECT COUNT(DISTINCT contract_id) FROM deliveries")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(
        (instructed, deliveries),
        (CONTRACTS as i64, CONTRACTS as i64)
    );
    s.assert_books_sound().await;
}

async fn a_payout_run_killed_part_way_and_run_again_pays_each_contract_once(db: Db) {
    let s = support::spawn(db).await;
    let key = site(&s, "mk").await;
    let contracts: Vec<Value> = (0..CONTRACTS)
        .map(|i| {
            let mut c = contract(&format!("P-{i:05}"), 1_000 + i as i64);
            c["payout"] = Value::from("regardless");
            c
        })
        .collect();
    accept(&s, &key, &contracts).await;
    let day = business_day(&s, 1);
    answer_debits(&s, &operator_run(&s, "debit", &day).await, 0).await;
    kill_and_run_again(&s, "payout").await;
    let count = |sql: &'static str| count(&s, sql);
    let n = CONTRACTS as i64;
    assert_eq!(
        count("SELECT COUNT(*) FROM contracts WHERE payout_state = 'instructed'").await,
        n
    );
    assert_eq!(
        count("SELECT COUNT(DISTINCT contract_id) FROM payment_instructions WHERE status = 'sent'")
            .await,
        n
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM journals WHERE kind = 'release'").await,
        n,
        "each hold released once"
    );
    s.assert_books_sound().await;
}

/// The one number `sql` selects.
async fn count(s: &support::TestServer, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(s.app.store.pool())
        .await
        .expect(sql)
}

/// Starts `kessai run WHAT` for tomorrow's business day and kills it with SIGKILL after each
/// of several delays, then runs it to its end; then every file the database holds must be on
/// disk, once, and hold each contract once.
async fn kill_and_run_again(s: &support::TestServer, what: &str) {
    let kills = [100, 250, 320, 400, 480, 600];
    kill_and_run_again_with(s, what, None, CONTRACTS, &kills).await
}

/// As [`kill_and_run_again`], with the operator's banks from `bank_config` (else the tests'
/// one bank), killing after each of `kills` ms, expecting `requests` requests in the files.
async fn kill_and_run_again_with(
    s: &support::TestServer,
    what: &str,
    bank_config: Option<&std::path::Path>,
    requests: usize,
    kills: &[u64],
) {
    let command = || {
        let mut c = operator_command();
        if let Some(config) = bank_config {
            c.env("KESSAI_BANK_CONFIG", config);
        }
        c
    };
    let day = business_day(s, 1);
    let out = s.dir.path().join("runs");
    let out = out.to_str().unwrap();
    let args = ["run", what, "--db", &s.db_url, "--date", &day, "--out", out];
    let pool = s.app.store.pool();
    let files = "SELECT file_name FROM bank_exports ORDER BY file_name";
    // Files of earlier runs (the debits before a payout run) went elsewhere.
    let before: Vec<String> = sqlx::query_scalar(files).fetch_all(pool).await.unwrap();
    for &after_ms in kills {
        let mut child = command()
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("kessai runs");
        tokio::time::sleep(Duration::from_millis(after_ms)).await;
        child.kill().expect("SIGKILL");
        child.wait().unwrap();
    }
    let (code, _, err) = output(command().args(args));
    assert_eq!(code, 0, "{err}");

    let held: Vec<String> = sqlx::query_scalar::<_, String>(files)
        .fetch_all(pool)
        .await
        .unwrap()
        .into_iter()
        .filter(|f| !before.contains(f))
        .collect();
    let mut on_disk: Vec<String> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    assert_eq!(
        on_disk, held,
        "every file the database holds is on disk, once"
    );
    let found: usize = on_disk
        .iter()
        .map(|name| {
            requests_in(
                name,
                &std::fs::read(std::path::Path::new(out).join(name)).unwrap(),
            )
        })
        .sum();
    assert_eq!(found, requests, "each request in exactly one file");
}

/// Four collection banks beside the main one (bank, branch of the bank master).
const SWEPT_BANKS: [(&str, &str); 4] = [
    ("0005", "100"),
    ("0009", "101"),
    ("0010", "100"),
    ("0017", "104"),
];

fn operator_bank(code: &str, branch: &str) -> kessai_server::config::OperatorBank {
    use kessai_core::{AccountType, BankAccount};
    kessai_server::config::OperatorBank {
        account: BankAccount::parse(code, branch, AccountType::Ordinary, "7000001", "ｹﾂｻｲ")
            .unwrap(),
        requester_code: format!("000000{code}"),
        designation: kessai_server::config::Designation::Telegraphic,
        debit_format: kessai_server::config::DebitFormat::Zengin,
    }
}

async fn a_sweep_run_killed_part_way_and_run_again_sweeps_each_bank_once(db: Db) {
    let mut banks = vec![kessai_server::config::demo_bank()];
    banks.extend(SWEPT_BANKS.iter().map(|(c, b)| operator_bank(c, b)));
    let s = support::spawn_with_banks(db, banks).await;
    // The same banks for the command line.
    let mut toml = String::from(
        "[[bank]]\nbank_code = \"0001\"\nbranch_code = \"001\"\naccount_number = \"1234567\"\n\
         requester_code = \"0000000001\"\nrequester_name = \"ｹﾂｻｲ ｴｽｸﾛ-\"\n",
    );
    for (code, branch) in SWEPT_BANKS {
        toml.push_str(&format!(
            "[[bank]]\nbank_code = \"{code}\"\nbranch_code = \"{branch}\"\naccount_number = \"7000001\"\n\
             requester_code = \"000000{code}\"\nrequester_name = \"ｹﾂｻｲ\"\n"
        ));
    }
    let config = s.dir.path().join("banks.toml");
    std::fs::write(&config, toml).unwrap();
    let mut collection: Vec<&str> = vec!["0001"];
    collection.extend(SWEPT_BANKS.iter().map(|(c, _)| *c));
    let key = support::contracts::site_with(
        &s,
        serde_json::json!({"id": "mk", "name": "市場", "main_bank": "0001",
                           "collection_banks": collection}),
    )
    .await;
    let contracts: Vec<Value> = (0..400)
        .map(|i| {
            let (code, branch) = SWEPT_BANKS[i % SWEPT_BANKS.len()];
            let mut c = contract(&format!("W-{i:04}"), 1_000 + i as i64);
            c["buyer"]["account"] = account(code, branch, "2345678", "ｶ)ｶｲﾃ");
            c
        })
        .collect();
    accept(&s, &key, &contracts).await;
    answer_debits(
        &s,
        &operator_run(&s, "debit", &business_day(&s, 1)).await,
        0,
    )
    .await;

    // A debug build's `kessai run sweep` starts in about 100 ms (most of it reading the bank
    // master) and sweeps four banks in a few more: killed across that window, and after (a
    // probe of this test saw 2 of the 4 sweeps stored when killed at 110 ms).
    let kills = [60, 95, 105, 110, 115, 120, 130, 150, 200];
    kill_and_run_again_with(&s, "sweep", Some(&config), SWEPT_BANKS.len(), &kills).await;
    let count = |sql: &'static str| count(&s, sql);
    assert_eq!(
        count("SELECT COUNT(*) FROM sweeps").await,
        4,
        "one sweep per collection bank"
    );
    assert_eq!(
        count("SELECT COUNT(DISTINCT bank_code) FROM sweeps WHERE status = 'instructed'").await,
        4
    );
    // Each swept what its buyers paid in: the amounts of its contracts.
    let swept: i64 = count("SELECT CAST(SUM(amount_yen) AS BIGINT) FROM sweeps").await;
    let debited: i64 = (0..400).map(|i| 1_000 + i as i64).sum();
    assert_eq!(swept, debited);
    s.assert_books_sound().await;
}
