//! The debit run (issue 9, seed 001 step 3): accepted contracts due on the run's date, one
//! direct-debit request per buyer bank in the bank's format, each contract requested once;
//! bills wait for their due date (a holiday's bill for the next business day's run).

mod support;

use kessai_core::{AccountType, BankAccount};
use kessai_formats::zengin::{self, debit};
use kessai_server::config::{demo_bank, DebitFormat, Designation, OperatorBank};
use reqwest::Method;
use serde_json::{json, Value};
use std::path::PathBuf;
use support::contracts::{accept, account, business_day, contract, get, saturday};
use support::{Db, Reply, TestServer};

on_both_databases!(
    due_contracts_are_requested_once_per_buyer_bank_in_its_format,
    a_bill_waits_for_its_due_date_and_a_holidays_for_the_next_business_day,
    a_run_on_a_bank_holiday_is_refused,
    the_scheduler_runs_the_debit_on_business_days_only,
    the_banks_results_debit_or_fail_each_contract_once,
    one_file_naming_a_debit_again_applies_it_once,
    a_status_report_answers_a_pain_008_request
);

/// The demo bank (Zengin 91) and a second collection account at bank 0005 taking pain.008.
fn two_banks() -> Vec<OperatorBank> {
    let second = OperatorBank {
        account: BankAccount::parse("0005", "123", AccountType::Ordinary, "7000001", "ｹﾂｻｲ")
            .unwrap(),
        requester_code: "0000000005".into(),
        designation: Designation::Telegraphic,
        debit_format: DebitFormat::Iso20022,
    };
    vec![demo_bank(), second]
}

async fn spawn(db: Db) -> TestServer {
    support::spawn_with_banks(db, two_banks()).await
}

/// A site collecting through both banks; its key.
async fn site(s: &TestServer) -> String {
    let both = json!({"id": "mk", "name": "市場", "main_bank": "0001",
                      "collection_banks": ["0001", "0005"]});
    support::contracts::site_with(s, both).await
}

fn at_bank(number: &str, amount: i64, bank: &str, due: Option<&str>) -> Value {
    let mut c = contract(number, amount);
    if bank != "0001" {
        c["buyer"]["account"] = account(bank, "123", "2223334", "ｶｲﾃ ﾆ");
    }
    if let Some(d) = due {
        c["due_date"] = json!(d);
    }
    c
}

async fn run(s: &TestServer, date: &str) -> Reply {
    s.operator(
        Method::POST,
        "/v1/operator/runs/debit",
        Some(json!({"date": date})),
    )
    .await
}

fn out(s: &TestServer, name: &str) -> PathBuf {
    s.dir.path().join("bank-out").join(name)
}

async fn status(s: &TestServer, key: &str, id: &str) -> String {
    get(s, Some(key), &format!("/v1/contracts/{id}")).await.ok()["status"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn due_contracts_are_requested_once_per_buyer_bank_in_its_format(db: Db) {
    let s = spawn(db).await;
    let key = site(&s).await;
    let ids = accept(
        &s,
        &key,
        &[
            at_bank("D-1", 10_000, "0001", None),
            at_bank("D-2", 20_000, "0005", None),
            at_bank("D-3", 30_000, "0001", None),
        ],
    )
    .await;
    let day = business_day(&s, 1);
    let r = run(&s, &day).await;
    let files = r.ok()["files"].as_array().unwrap().clone();
    assert_eq!(files.len(), 2, "one request per buyer bank: {files:?}");
    let zengin_file = files.iter().find(|f| f["format"] == "zengin-91").unwrap();
    let iso_file = files
        .iter()
        .find(|f| f["format"] == "pain.008.001.08")
        .unwrap();
    assert_eq!(
        (
            zengin_file["records"].as_i64(),
            zengin_file["total_yen"].as_i64()
        ),
        (Some(2), Some(40_000))
    );

    // The Zengin 91 request, read back by the format's own reader.
    let bytes = std::fs::read(out(&s, zengin_file["file_name"].as_str().unwrap())).unwrap();
    let parsed = zengin::parse(&bytes).unwrap();
    let header = &parsed.groups[0].header;
    let mmdd = format!("{}{}", &day[5..7], &day[8..10]);
    assert_eq!(
        (
            header.get("委託者コード"),
            header.get("引落日"),
            header.get("取引銀行番号"),
            header.get("口座番号")
        ),
        ("0000000001", mmdd.as_str(), "0001", "1234567")
    );
    let debits = debit::debits(&parsed);
    let amounts: Vec<u64> = debits.iter().map(|d| d.amount_yen).collect();
    assert_eq!(amounts, [10_000, 30_000], "in acceptance order");
    assert_eq!(debits[0].payer_name, "ｶ)ｶｲﾃ");
    assert_ne!(debits[0].customer_number, debits[1].customer_number);
    assert!(debits
        .iter()
        .all(|d| d.result == debit::DebitResult::Debited));

    // The pain.008 request to the second bank, valid against the official schema.
    let xml_path = out(&s, iso_file["file_name"].as_str().unwrap());
    if let Some(e) = support::schema_errors("sepaxml.pain.008.001.08.xsd", &xml_path) {
        panic!("{e}");
    }
    let xml = std::fs::read_to_string(&xml_path).unwrap();
    assert!(
        xml.contains("<InstdAmt Ccy=\"JPY\">20000</InstdAmt>"),
        "{xml}"
    );
    assert!(
        xml.contains(&format!("<ReqdColltnDt>{day}</ReqdColltnDt>")),
        "{xml}"
    );
    assert!(xml.contains("<Ustrd>D-2</Ustrd>"), "{xml}");

    for id in &ids {
        assert_eq!(status(&s, &key, id).await, "debit_requested");
    }
    // Run again, that day or the next: every contract was requested already.
    let before = s.snapshot().await;
    assert_eq!(run(&s, &day).await.ok()["files"], json!([]));
    assert_eq!(run(&s, &business_day(&s, 2)).await.ok()["files"], json!([]));
    assert_eq!(s.snapshot().await, before);
    let requested: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM debit_items")
        .fetch_one(s.app.store.pool())
        .await
        .unwrap();
    assert_eq!(requested, 3);
}

async fn a_bill_waits_for_its_due_date_and_a_holidays_for_the_next_business_day(db: Db) {
    let s = spawn(db).await;
    let key = site(&s).await;
    // New Year's Day (a bank holiday, as are 2 and 3 January) at least a month away, and a
    // business day in the December before it.
    let today = support::contracts::today(&s);
    let year = if u8::from(today.month()) < 12 {
        today.year() + 1
    } else {
        today.year() + 2
    };
    let new_year = format!("{year}-01-01");
    let december = kessai_core::calendar::business_day_on_or_after(
        time::Date::from_calendar_date(year - 1, time::Month::December, 10).unwrap(),
    )
    .unwrap();
    let after_new_year = kessai_core::calendar::business_day_on_or_after(
        time::Date::from_calendar_date(year, time::Month::January, 1).unwrap(),
    )
    .unwrap()
    .to_string();
    let ids = accept(
        &s,
        &key,
        &[
            at_bank("B-1", 5_000, "0001", Some(&december.to_string())),
            at_bank("B-2", 6_000, "0001", Some(&new_year)),
        ],
    )
    .await;
    assert_eq!(run(&s, &business_day(&s, 0)).await.ok()["files"], json!([]));
    let first = run(&s, &december.to_string()).await;
    assert_eq!(first.ok()["files"][0]["records"], 1);
    assert_eq!(status(&s, &key, &ids[0]).await, "debit_requested");
    assert_eq!(status(&s, &key, &ids[1]).await, "accepted");
    let last_of_year = kessai_core::calendar::add_business_days(december, 5).unwrap();
    assert!(last_of_year.to_string() < new_year);
    assert_eq!(
        run(&s, &last_of_year.to_string()).await.ok()["files"],
        json!([])
    );
    let second = run(&s, &after_new_year).await;
    assert_eq!(second.ok()["files"][0]["total_yen"], 6_000);
    assert_eq!(status(&s, &key, &ids[1]).await, "debit_requested");
}

async fn a_run_on_a_bank_holiday_is_refused(db: Db) {
    let s = spawn(db).await;
    let key = site(&s).await;
    accept(&s, &key, &[at_bank("H-1", 1_000, "0001", None)]).await;
    let yesterday = support::contracts::today(&s)
        .previous_day()
        .unwrap()
        .to_string();
    for (date, says) in [
        (saturday(&s), "is not a bank business day"),
        (yesterday, "is past"),
        ("2026-02-30".to_string(), "YYYY-MM-DD"),
    ] {
        let request = s
            .request(Method::POST, "/v1/operator/runs/debit")
            .bearer_auth(&s.token)
            .json(&json!({"date": date}));
        let r = s.refuse(request, 422, "invalid_field", Some("date")).await;
        assert!(
            r.body["error"]["message"].as_str().unwrap().contains(says),
            "{}",
            r.body
        );
    }
}

async fn the_scheduler_runs_the_debit_on_business_days_only(db: Db) {
    let s = spawn(db).await;
    let key = site(&s).await;
    let ids = accept(&s, &key, &[at_bank("S-1", 1_000, "0005", None)]).await;
    let date = |d: &str| kessai_core::contract::parse_date(d).unwrap();
    let not_business = kessai_server::scheduler::debit_due(&s.app, date(&saturday(&s))).await;
    assert!(not_business.unwrap().is_empty());
    assert_eq!(status(&s, &key, &ids[0]).await, "accepted");
    let monday = kessai_server::scheduler::debit_due(&s.app, date(&business_day(&s, 1))).await;
    assert_eq!(monday.unwrap()[0].format, "pain.008.001.08");
    assert_eq!(status(&s, &key, &ids[0]).await, "debit_requested");
}

/// The operator's bank in the simulator: the demo collection account.
fn simulated_bank(reject_per_mille: u32) -> kessai_sim::bank::BankState {
    simulated(reject_per_mille, "0001", "001", "1234567")
}

fn simulated(
    reject_per_mille: u32,
    bank: &str,
    branch: &str,
    number: &str,
) -> kessai_sim::bank::BankState {
    kessai_sim::bank::BankState::new(
        7,
        reject_per_mille,
        kessai_sim::bank::AccountRef {
            bank_code: bank.into(),
            branch_code: branch.into(),
            account_number: number.into(),
            name: "ｹﾂｻｲ".into(),
        },
    )
}

async fn import(s: &TestServer, name: &str, bytes: Vec<u8>) -> Reply {
    s.send(
        s.request(
            Method::POST,
            &format!("/v1/operator/bank-files?name={name}"),
        )
        .bearer_auth(&s.token)
        .header("content-type", "application/octet-stream")
        .body(bytes),
    )
    .await
}

async fn spawn_with_site(db: Db) -> (TestServer, String) {
    let s = spawn(db).await;
    let key = site(&s).await;
    (s, key)
}

/// `n` contracts (`PREFIX-i`, `yen` × i) of buyers at bank 0001, accepted and requested by the
/// next business day's run: their IDs, that day, the request's file name and its bytes.
async fn requested_at_0001(
    s: &TestServer,
    key: &str,
    prefix: &str,
    n: i64,
    yen: i64,
) -> (Vec<String>, String, String, Vec<u8>) {
    let contracts: Vec<Value> = (1..=n)
        .map(|i| at_bank(&format!("{prefix}-{i:02}"), yen * i, "0001", None))
        .collect();
    let ids = accept(s, key, &contracts).await;
    let day = business_day(s, 1);
    let files = run(s, &day).await.ok()["files"].clone();
    let name = files[0]["file_name"].as_str().unwrap().to_string();
    let request = std::fs::read(out(s, &name)).unwrap();
    (ids, day, name, request)
}

async fn the_banks_results_debit_or_fail_each_contract_once(db: Db) {
    let (s, key) = spawn_with_site(db).await;
    let (ids, day, name, request) = requested_at_0001(&s, &key, "R", 20, 1_000).await;

    // The simulated bank fails about a third of the debits, with the result codes banks use.
    let mut bank = simulated_bank(333);
    let answered = bank.process_debit_request(&name, &request).unwrap();
    let (result_name, result) = answered[0].clone();
    let summary = import(&s, &result_name, result.clone()).await;
    let a = summary.ok();
    assert_eq!(a["format"], "zengin-91");
    assert_eq!(a["debits_applied"], 20, "{a}");
    let outcomes = a["outcomes"].as_array().unwrap();
    let failed: Vec<&Value> = outcomes
        .iter()
        .filter(|o| o["debit_result"] != "debited")
        .collect();
    assert!(!failed.is_empty() && failed.len() < 20, "{outcomes:?}");

    let mut debited_yen = 0;
    for (id, o) in ids.iter().zip(outcomes) {
        assert_eq!(o["contract_id"], id.as_str());
        let expected = if o["debit_result"] == "debited" {
            debited_yen += o["amount_yen"].as_i64().unwrap();
            "debited"
        } else {
            "debit_failed"
        };
        assert_eq!(status(&s, &key, id).await, expected);
        let shown = get(&s, Some(&key), &format!("/v1/contracts/{id}")).await;
        let debits = &shown.ok()["debits"];
        assert_eq!(
            (debits[0]["date"].as_str(), &debits[0]["result"]),
            (Some(day.as_str()), &o["debit_result"]),
            "the site sees the date and the bank's reason"
        );
    }
    let collected = bank.balance("0001", "001", "1234567");
    assert_eq!(
        collected, debited_yen,
        "the books hold what the bank collected"
    );
    let bank_clearing: i64 = sqlx::query_scalar(
        "SELECT debits_yen - credits_yen FROM accounts WHERE id = 'bank_clearing'",
    )
    .fetch_one(s.app.store.pool())
    .await
    .unwrap();
    assert_eq!(bank_clearing, debited_yen);
    s.assert_books_sound().await;

    // The same file again, and the same results under another name: nothing moves.
    let before = s.snapshot().await;
    assert!(import(&s, &result_name, result.clone()).await.ok()["already_imported_at_ms"].is_i64());
    // The same records without line breaks: another file, the same entries.
    let mut unbroken = zengin::parse(&result).unwrap();
    unbroken.crlf = false;
    let again = import(&s, "again.txt", zengin::write(&unbroken)).await;
    assert_eq!(again.ok()["debits_duplicate"], 20, "{}", again.body);
    assert_eq!(again.body["debits_applied"], 0);
    assert_eq!(
        s.snapshot().await,
        before,
        "no contract, account or journal moved"
    );
    // A result contradicting the one applied is listed, not applied.
    let mut contradicting = kessai_formats::zengin::parse(&result).unwrap();
    let first = debit::debits(&contradicting)[0].clone();
    let flipped = if first.result == debit::DebitResult::Debited {
        debit::DebitResult::InsufficientFunds
    } else {
        debit::DebitResult::Debited
    };
    contradicting = debit::debit_file(
        &header_of(&contradicting),
        &[debit::Debit {
            result: flipped,
            ..first
        }],
        true,
        true,
    )
    .unwrap();
    let r = import(&s, "contradicting.txt", zengin::write(&contradicting)).await;
    assert_eq!(r.ok()["debits_ignored"], 1, "{}", r.body);
    assert_eq!(
        status(&s, &key, &ids[0]).await,
        if flipped == debit::DebitResult::Debited {
            "debit_failed"
        } else {
            "debited"
        }
    );
    s.assert_books_sound().await;
}

/// The header of a debit file, to write another file for the same collector and day.
fn header_of(file: &zengin::ZenginFile) -> debit::DebitHeader {
    let header = &file.groups[0].header;
    debit::DebitHeader {
        collector_code: header.get("委託者コード").into(),
        collector_name: header.text("委託者名").into(),
        debit_date_mmdd: header.get("引落日").into(),
        bank_code: header.get("取引銀行番号").into(),
        bank_name: String::new(),
        branch_code: header.get("取引支店番号").into(),
        branch_name: String::new(),
        account_type: 1,
        account_number: header.get("口座番号").into(),
    }
}

/// A bank's result file written by hand that names one debit three times (the same result
/// twice, then another), another twice, and a debit Kessai never requested: each debit is
/// applied once, in the file's order, and the rest is told apart.
async fn one_file_naming_a_debit_again_applies_it_once(db: Db) {
    let (s, key) = spawn_with_site(db).await;
    let (ids, _, _, request) = requested_at_0001(&s, &key, "T", 3, 10_000).await;
    let request = zengin::parse(&request).unwrap();
    let asked = debit::debits(&request);
    assert_eq!(asked.len(), 3);
    let with = |d: &debit::Debit, result| debit::Debit {
        result,
        ..d.clone()
    };
    let (ok, short) = (
        debit::DebitResult::Debited,
        debit::DebitResult::InsufficientFunds,
    );
    let never_requested = debit::Debit {
        customer_number: "99999999".into(),
        ..asked[2].clone()
    };
    let mut records = vec![
        with(&asked[0], ok),
        with(&asked[0], ok),
        with(&asked[0], short),
        with(&asked[1], short),
        with(&asked[1], short),
        with(&never_requested, ok),
        with(&asked[2], ok),
    ];
    // The file is applied 1,000 records at a time: repeats past the first chunk must find
    // the first chunk's answers in the database.
    const REPEATS: usize = 1_000;
    records.extend(std::iter::repeat_n(with(&asked[2], ok), REPEATS));
    let file = debit::debit_file(&header_of(&request), &records, true, true).unwrap();
    let r = import(&s, "by-hand.txt", zengin::write(&file)).await;
    let a = r.ok();
    assert_eq!(
        (
            &a["debits_applied"],
            &a["debits_duplicate"],
            &a["debits_ignored"]
        ),
        (&json!(3), &json!(2 + REPEATS), &json!(2)),
        "debits applied, duplicate, ignored"
    );
    let outcomes: Vec<&str> = a["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        outcomes[..7],
        [
            "debit_applied",
            "debit_duplicate",
            "debit_ignored",
            "debit_applied",
            "debit_duplicate",
            "debit_ignored",
            "debit_applied"
        ]
    );
    assert!(outcomes[7..].iter().all(|o| *o == "debit_duplicate"));
    for (id, expected) in ids.iter().zip(["debited", "debit_failed", "debited"]) {
        assert_eq!(status(&s, &key, id).await, expected, "{id}");
    }
    let bank_clearing: i64 = sqlx::query_scalar(
        "SELECT debits_yen - credits_yen FROM accounts WHERE id = 'bank_clearing'",
    )
    .fetch_one(s.app.store.pool())
    .await
    .unwrap();
    assert_eq!(bank_clearing, 10_000 + 30_000, "held once each");
    s.assert_books_sound().await;
}

async fn a_status_report_answers_a_pain_008_request(db: Db) {
    let s = spawn(db).await;
    let key = site(&s).await;
    let contracts: Vec<Value> = (1..=12)
        .map(|i| at_bank(&format!("I-{i:02}"), 500 * i, "0005", None))
        .collect();
    let ids = accept(&s, &key, &contracts).await;
    let day = business_day(&s, 1);
    let files = run(&s, &day).await.ok()["files"].clone();
    assert_eq!(files[0]["format"], "pain.008.001.08");
    let name = files[0]["file_name"].as_str().unwrap().to_string();
    let request = std::fs::read(out(&s, &name)).unwrap();
    let mut bank = simulated(400, "0005", "123", "7000001");
    let answered = bank
        .process_debit_batch(&name, &request, &format!("{day}T15:00:00+09:00"))
        .unwrap();
    let (report_name, report) = answered[0].clone();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(&report_name);
    std::fs::write(&path, &report).unwrap();
    if let Some(e) = support::schema_errors("moov.pain.002.001.11.xsd", &path) {
        panic!("{e}");
    }
    let summary = import(&s, &report_name, report.clone()).await;
    let a = summary.ok();
    assert_eq!(
        (a["format"].as_str(), a["debits_applied"].as_i64()),
        (Some("pain.002.001.11"), Some(12)),
        "{a}"
    );
    let mut debited_yen = 0;
    let mut failures = 0;
    for (i, id) in ids.iter().enumerate() {
        let shown = get(&s, Some(&key), &format!("/v1/contracts/{id}")).await;
        let c = shown.ok();
        match c["status"].as_str().unwrap() {
            "debited" => debited_yen += 500 * (i as i64 + 1),
            "debit_failed" => {
                failures += 1;
                let reason = c["debits"][0]["result"].as_str().unwrap();
                assert!(
                    [
                        "insufficient_funds",
                        "no_account",
                        "no_agreement",
                        "stopped_by_payer"
                    ]
                    .contains(&reason),
                    "{reason}"
                );
            }
            other => panic!("{other}"),
        }
    }
    assert!(failures > 0 && failures < 12, "{failures}");
    assert_eq!(bank.balance("0005", "123", "7000001"), debited_yen);
    s.assert_books_sound().await;
    let before = s.snapshot().await;
    assert!(import(&s, &report_name, report).await.ok()["already_imported_at_ms"].is_i64());
    assert_eq!(s.snapshot().await, before);
}
