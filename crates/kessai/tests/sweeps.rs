//! The sweep run and the no-pooling variant (issue 9, seed 001 steps 5–6): buyers at a bank
//! where the operator has a collection account are debited into it; the sweep moves that
//! account's ledger balance to the main account once, written from the collection account;
//! the two banks' statements (from the simulator, which holds both accounts) confirm it, and
//! `kessai check` holds each collection account's ledger balance to the bank's closing
//! balance. A contract without pooling is debited straight into the seller's account and is
//! settled by that debit, with nothing in Kessai's books.

mod support;

use kessai_core::{AccountType, BankAccount};
use kessai_server::config::{demo_bank, DebitFormat, Designation, OperatorBank};
use kessai_sim::bank::{AccountRef, BankState};
use reqwest::Method;
use serde_json::{json, Value};
use support::contracts::{
    accept, account, business_day, contract, operator_run, out, post_file, shown,
};
use support::{Db, TestServer};

on_both_databases!(
    collected_money_is_swept_once_and_both_statements_confirm_it,
    a_sweep_in_iso_20022_is_confirmed_by_both_camt_statements,
    check_names_a_collection_account_the_bank_disagrees_with,
    more_than_one_transfer_carries_is_swept_in_parts,
    a_contract_without_pooling_is_settled_by_its_debit_into_the_sellers_account
);

/// The demo bank (main, Zengin) and a collection account at bank 0005 in `format`.
fn two_banks(format: DebitFormat) -> Vec<OperatorBank> {
    let second = OperatorBank {
        account: BankAccount::parse("0005", "123", AccountType::Ordinary, "7000001", "ｹﾂｻｲ")
            .unwrap(),
        requester_code: "0000000005".into(),
        designation: Designation::Telegraphic,
        debit_format: format,
    };
    vec![demo_bank(), second]
}

async fn spawn(db: Db, format: DebitFormat) -> TestServer {
    support::spawn_with_banks(db, two_banks(format)).await
}

/// The simulated banks: the main account at 0001 and the collection account at 0005.
fn banks(zengin: bool) -> BankState {
    let mut bank = BankState::new(
        7,
        0,
        AccountRef {
            bank_code: "0001".into(),
            branch_code: "001".into(),
            account_number: "1234567".into(),
            name: "ｹﾂｻｲ ｴｽｸﾛ-".into(),
        },
    );
    bank.open_account(AccountRef {
        bank_code: "0005".into(),
        branch_code: "123".into(),
        account_number: "7000001".into(),
        name: "ｹﾂｻｲ".into(),
    });
    bank.zengin_files = zengin;
    bank
}

async fn site(s: &TestServer) -> String {
    let both = json!({"id": "mk", "name": "市場", "main_bank": "0001",
                      "collection_banks": ["0001", "0005"]});
    support::contracts::site_with(s, both).await
}

fn buyer_at(number: &str, amount: i64, bank: &str) -> Value {
    let mut c = contract(number, amount);
    c["buyer"]["account"] = account(bank, "123", "2223334", "ｶｲﾃ ﾆ");
    c
}

/// Every file the bank answers a run's files with, imported; the import summaries.
async fn through_bank(
    s: &TestServer,
    bank: &mut BankState,
    files: &Value,
    day: &str,
) -> Vec<Value> {
    let mut answers = vec![];
    for f in files.as_array().unwrap() {
        let name = f["file_name"].as_str().unwrap();
        let bytes = std::fs::read(out(s, &f["file_name"])).unwrap();
        let created = "2026-01-01T09:00:00+09:00";
        let head = bytes.get(1..3);
        let result =
            if name.ends_with(".xml") && String::from_utf8_lossy(&bytes).contains("pain.008") {
                bank.process_debit_batch(name, &bytes, created)
            } else if name.ends_with(".xml") {
                bank.process_outbound(name, &bytes, created, day)
            } else if head == Some(b"91") {
                bank.process_debit_request(name, &bytes)
            } else {
                bank.process_zengin_transfers(name, &bytes, day)
            };
        answers.extend(result.unwrap());
    }
    answers.extend(bank.end_of_day_statements("2026-01-01T18:00:00+09:00", day));
    let mut summaries = vec![];
    for (name, bytes) in answers {
        let r = post_file(s, "/v1/operator/bank-files", &name, bytes).await;
        summaries.push(r.ok().clone());
    }
    summaries
}

async fn sweep_run(s: &TestServer, day: &str) -> Value {
    operator_run(s, "sweep", day).await
}

async fn collected_money_is_swept_once_and_both_statements_confirm_it(db: Db) {
    let s = spawn(db, DebitFormat::Zengin).await;
    let key = site(&s).await;
    let day = business_day(&s, 1);
    let mut bank = banks(true);
    accept(
        &s,
        &key,
        &[
            buyer_at("S-1", 10_000, "0005"),
            buyer_at("S-2", 20_000, "0005"),
            contract("S-3", 5_000),
        ],
    )
    .await;
    let debits = operator_run(&s, "debit", &day).await;
    let summaries = through_bank(&s, &mut bank, &debits, &day).await;
    // Two result files, then the day's statement: each account shows its request's takings
    // as one deposit (摘要 ｺｳｻﾞﾌﾘｶｴ), the money the results booked already — recognized, not
    // money in on the suspense list.
    let statement = summaries.last().unwrap();
    assert_eq!(statement["format"], "zengin-03", "{statement}");
    assert_eq!(
        (&statement["answers_applied"], &statement["unmatched"]),
        (&json!(2), &json!(0)),
        "{statement}"
    );
    s.assert_books_sound().await;

    // The collection account at 0005 holds the 30,000 its buyers paid: one transfer of it,
    // from that account, to the main account, quoting the sweep's reference.
    let files = sweep_run(&s, &day).await;
    let files = files.as_array().unwrap().clone();
    assert_eq!(files.len(), 1, "{files:?}");
    let f = &files[0];
    assert_eq!(
        (&f["format"], &f["records"], &f["total_yen"]),
        (&json!("zengin-21"), &json!(1), &json!(30_000))
    );
    let bytes = std::fs::read(out(&s, &f["file_name"])).unwrap();
    let parsed = kessai_formats::zengin::parse(&bytes).unwrap();
    let h = &parsed.groups[0].header;
    assert_eq!(
        (
            h.get("仕向銀行番号"),
            h.get("口座番号"),
            h.get("振込依頼人コード")
        ),
        ("0005", "7000001", "0000000005"),
        "the sweep leaves from the collection account, under its bank's requester code"
    );
    let t = &kessai_formats::zengin::transfer::transfers(&parsed)[0];
    assert_eq!(
        (
            t.bank_code.as_str(),
            t.account_number.as_str(),
            t.amount_yen
        ),
        ("0001", "1234567", 30_000)
    );
    let reference = t.edi.clone().unwrap();
    assert!(reference.starts_with("SW"), "{reference}");

    // Until the bank reports it, the money is on its way: a second run sweeps nothing.
    assert_eq!(sweep_run(&s, &day).await, json!([]));

    // One statement of both accounts: the withdrawal at 0005 and the deposit at 0001.
    let summaries = through_bank(&s, &mut bank, &json!(files), &day).await;
    assert_eq!(summaries.len(), 1, "{summaries:?}");
    assert_eq!(summaries[0]["answers_applied"], 2, "{}", summaries[0]);
    let sweeps = s.app.store.sweeps(10).await.unwrap();
    assert_eq!(sweeps.len(), 1);
    let sweep = &sweeps[0];
    assert_eq!(
        (
            sweep.status.as_str(),
            sweep.withdrawn_on.as_deref(),
            sweep.arrived_on.as_deref()
        ),
        ("completed", Some(day.as_str()), Some(day.as_str()))
    );
    assert_eq!(
        (sweep.bank_balance_yen, sweep.ledger_balance_yen),
        (Some(0), Some(0)),
        "the bank closed the account at 0 and so does the ledger"
    );
    assert_eq!(sweep.reference, reference);
    // The operator's list says the same.
    let listed = s.operator(Method::GET, "/v1/operator/sweeps", None).await;
    let row = listed.ok()["sweeps"][0].clone();
    assert_eq!(
        (
            &row["reference"],
            &row["status"],
            &row["amount_yen"],
            &row["bank_balance_yen"]
        ),
        (
            &json!(reference),
            &json!("completed"),
            &json!(30_000),
            &json!(0)
        ),
        "{row}"
    );
    s.assert_books_sound().await;

    // Nothing is left to sweep; the next day's collections are swept again, once.
    assert_eq!(sweep_run(&s, &day).await, json!([]));
    accept(&s, &key, &[buyer_at("S-4", 7_000, "0005")]).await;
    through_bank(&s, &mut bank, &operator_run(&s, "debit", &day).await, &day).await;
    let again = sweep_run(&s, &day).await;
    assert_eq!(again[0]["total_yen"], 7_000, "{again}");
    through_bank(&s, &mut bank, &again, &day).await;
    assert!(s
        .app
        .store
        .sweeps(10)
        .await
        .unwrap()
        .iter()
        .all(|w| w.status == "completed"));
    assert_eq!(bank.balance("0005", "123", "7000001"), 0);
    assert_eq!(bank.balance("0001", "001", "1234567"), 42_000);
    s.assert_books_sound().await;
}

async fn a_sweep_in_iso_20022_is_confirmed_by_both_camt_statements(db: Db) {
    let s = spawn(db, DebitFormat::Iso20022).await;
    let key = site(&s).await;
    let day = business_day(&s, 1);
    let mut bank = banks(false);
    accept(&s, &key, &[buyer_at("I-1", 12_000, "0005")]).await;
    through_bank(&s, &mut bank, &operator_run(&s, "debit", &day).await, &day).await;
    let files = sweep_run(&s, &day).await;
    assert_eq!(
        (&files[0]["format"], &files[0]["total_yen"]),
        (&json!("pain.001.001.09"), &json!(12_000)),
        "{files}"
    );
    let path = out(&s, &files[0]["file_name"]);
    assert_eq!(
        support::schema_errors("sepaxml.pain.001.001.09.xsd", &path),
        None
    );
    let xml = std::fs::read_to_string(&path).unwrap();
    assert!(
        xml.contains("<Id>7000001</Id>"),
        "from the collection account: {xml}"
    );
    // pain.002, the camt.054 of each account, and both accounts' camt.053.
    let summaries = through_bank(&s, &mut bank, &files, &day).await;
    let applied: i64 = summaries
        .iter()
        .map(|x| x["answers_applied"].as_i64().unwrap())
        .sum();
    assert_eq!(
        applied, 2,
        "left once and arrived once, however often reported: {summaries:?}"
    );
    let sweep = &s.app.store.sweeps(1).await.unwrap()[0];
    assert_eq!(sweep.status, "completed");
    assert_eq!(
        (sweep.bank_balance_yen, sweep.ledger_balance_yen),
        (Some(0), Some(0))
    );
    s.assert_books_sound().await;
}

async fn check_names_a_collection_account_the_bank_disagrees_with(db: Db) {
    let s = spawn(db, DebitFormat::Zengin).await;
    let key = site(&s).await;
    let day = business_day(&s, 1);
    let mut bank = banks(true);
    accept(&s, &key, &[buyer_at("X-1", 9_000, "0005")]).await;
    through_bank(&s, &mut bank, &operator_run(&s, "debit", &day).await, &day).await;
    let files = sweep_run(&s, &day).await;
    // Money the books know nothing of sits in the collection account at the bank.
    *bank.balances.entry("0005-123-7000001".into()).or_default() += 500;
    through_bank(&s, &mut bank, &files, &day).await;
    let violations = s.app.store.check().await.unwrap();
    let named: Vec<String> = violations.iter().map(|v| v.to_string()).collect();
    assert_eq!(named.len(), 1, "{named:?}");
    assert!(
        named[0].contains("bank 0005") && named[0].contains("closed at 500"),
        "{named:?}"
    );
}

async fn a_contract_without_pooling_is_settled_by_its_debit_into_the_sellers_account(db: Db) {
    let s = spawn(db, DebitFormat::Zengin).await;
    let key = site(&s).await;
    let day = business_day(&s, 1);
    let mut bank = banks(true);
    let mut direct = buyer_at("N-1", 8_000, "0005");
    direct["pooling"] = json!("direct");
    let mut other_seller = contract("N-2", 3_000);
    other_seller["pooling"] = json!("direct");
    other_seller["seller"]["account"] = account("0001", "001", "3334445", "ｳﾘﾃ ｻﾝ");
    let ids = accept(
        &s,
        &key,
        &[direct, other_seller, buyer_at("N-3", 1_000, "0005")],
    )
    .await;
    let files = operator_run(&s, "debit", &day).await;
    // The pooled contract into the operator's account; each direct one into its seller's.
    let mut into = vec![];
    for f in files.as_array().unwrap() {
        let bytes = std::fs::read(out(&s, &f["file_name"])).unwrap();
        let parsed = kessai_formats::zengin::parse(&bytes).unwrap();
        let h = &parsed.groups[0].header;
        into.push((
            h.get("取引銀行番号").to_string(),
            h.get("口座番号").to_string(),
            f["total_yen"].as_i64().unwrap(),
        ));
    }
    into.sort();
    let seller = contract("x", 1)["seller"]["account"]["account_number"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        into,
        vec![
            ("0001".into(), "3334445".into(), 3_000),
            ("0005".into(), "7000001".into(), 1_000),
            ("0005".into(), seller.clone(), 8_000),
        ],
        "requested through the operator's bank at the buyer's bank, into the seller's account"
    );
    let summaries = through_bank(&s, &mut bank, &files, &day).await;
    let results: Vec<&Value> = summaries
        .iter()
        .filter(|x| x["format"] == "zengin-91")
        .collect();
    assert_eq!(results.len(), 3, "{summaries:?}");
    assert!(
        results.iter().all(|x| x["records"] == x["debits_applied"]),
        "{summaries:?}"
    );
    // Only the pooled request's takings are on the operator's statement (¥1,000 at 0005),
    // recognized as what the results booked; the sellers' accounts are not the operator's.
    let statement = summaries.last().unwrap();
    assert_eq!(
        (
            &statement["format"],
            &statement["records"],
            &statement["answers_applied"]
        ),
        (&json!("zengin-03"), &json!(1), &json!(1)),
        "{statement}"
    );
    let c = shown(&s, &key, &ids[0]).await;
    assert_eq!(
        (
            c["status"].as_str(),
            c["payout_state"].as_str(),
            c["paid_on"].as_str()
        ),
        (Some("paid"), Some("paid"), Some(day.as_str())),
        "{c}"
    );
    assert_eq!(bank.balance("0005", "123", &seller), 8_000);
    // Nothing to pay out of the pool, nothing in the books; only the pooled one is swept.
    let payout = s
        .operator(
            Method::POST,
            "/v1/operator/runs/payout",
            Some(json!({ "date": day })),
        )
        .await;
    assert_eq!(payout.ok()["contracts"], 0);
    let swept = sweep_run(&s, &day).await;
    assert_eq!(swept[0]["total_yen"], 1_000, "{swept}");
    let list = support::contracts::get(&s, Some(&key), "/v1/settlements").await;
    let list = list.ok()["settlements"].clone();
    let direct_row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["number"] == "N-1")
        .unwrap_or_else(|| panic!("{list}"));
    assert_eq!(
        (
            &direct_row["paid_yen"],
            &direct_row["fee_yen"],
            &direct_row["paid_on"]
        ),
        (&json!(8_000), &json!(0), &json!(day)),
        "{direct_row}"
    );
    s.assert_books_sound().await;
}

async fn more_than_one_transfer_carries_is_swept_in_parts(db: Db) {
    let s = spawn(db, DebitFormat::Zengin).await;
    let key = site(&s).await;
    let day = business_day(&s, 1);
    let mut bank = banks(true);
    let big = [
        buyer_at("B-1", 6_000_000_000, "0005"),
        buyer_at("B-2", 6_000_000_000, "0005"),
    ];
    accept(&s, &key, &big).await;
    through_bank(&s, &mut bank, &operator_run(&s, "debit", &day).await, &day).await;
    // A Zengin 21 amount has 10 digits: the first sweep takes ¥9,999,999,999.
    let first = sweep_run(&s, &day).await;
    assert_eq!(first[0]["total_yen"], 9_999_999_999_i64, "{first}");
    assert_eq!(
        sweep_run(&s, &day).await,
        json!([]),
        "the first is on its way"
    );
    through_bank(&s, &mut bank, &first, &day).await;
    let second = sweep_run(&s, &day).await;
    assert_eq!(second[0]["total_yen"], 2_000_000_001_i64, "{second}");
    through_bank(&s, &mut bank, &second, &day).await;
    assert_eq!(bank.balance("0005", "123", "7000001"), 0);
    s.assert_books_sound().await;
}
