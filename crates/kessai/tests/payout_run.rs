//! The payout run (issue 9, seed 001 steps 6–7): a debited contract is paid once — after its
//! shipment, or regardless where its terms say so, or first for a site that ships only after
//! the payout — its hold to the seller less the site's fee, one transfer from the main
//! account; the bank's statement settles the transfer and records the day on the contract.

mod support;

use reqwest::Method;
use serde_json::{json, Value};
use support::bank::kessai;
use support::contracts::{
    accept, answer_debits, business_day, contract, operator_run, out, post_file, settle, ship_all,
    shown, site, site_with, zengin_bank,
};
use support::{Db, Options, TestServer};

on_both_databases!(
    sellers_are_paid_once_less_the_fee_and_the_statement_records_the_day,
    a_site_that_ships_after_the_payout_pays_first_then_ships,
    the_operator_runs_a_payout_from_the_command_line,
    a_contract_whose_debit_failed_is_never_paid,
    a_main_bank_on_iso_20022_gets_a_pain_001_and_its_answers_settle_it
);

async fn payout_run(s: &TestServer, date: &str) -> Value {
    let r = s
        .operator(
            Method::POST,
            "/v1/operator/runs/payout",
            Some(json!({ "date": date })),
        )
        .await;
    r.ok().clone()
}

async fn sellers_are_paid_once_less_the_fee_and_the_statement_records_the_day(db: Db) {
    let s = support::spawn(db).await;
    let key = site(&s, "mk").await;
    let day = business_day(&s, 1);
    let mut anyway = contract("ANYWAY", 5_000);
    anyway["payout"] = json!("regardless");
    // Debited straight into the seller's account (no pooling): settled by its debit, never
    // paid out of the pool.
    let mut direct = contract("DIRECT", 3_000);
    direct["payout"] = json!("regardless");
    direct["pooling"] = json!("direct");
    let ids = accept(&s, &key, &[contract("AFTER", 10_000), anyway, direct]).await;
    assert_eq!(
        payout_run(&s, &day).await["contracts"],
        0,
        "nothing debited yet"
    );
    answer_debits(&s, &operator_run(&s, "debit", &day).await, 0).await;

    // Debited: only the contract paid regardless of shipment is paid now, less 3% (the site's fee).
    let first = payout_run(&s, &day).await;
    assert_eq!(
        (
            &first["contracts"],
            &first["transfers"],
            &first["paid_yen"],
            &first["fees_yen"]
        ),
        (&json!(1), &json!(1), &json!(4_850), &json!(150)),
        "{first}"
    );
    let file = &first["files"][0];
    assert_eq!(
        (&file["format"], &file["records"], &file["total_yen"]),
        (&json!("zengin-21"), &json!(1), &json!(4_850))
    );
    // The transfer as a bank reads it: to the seller's account, quoting the payout's reference.
    let bytes = std::fs::read(out(&s, &file["file_name"])).unwrap();
    let parsed = kessai_formats::zengin::parse(&bytes).unwrap();
    let transfers = kessai_formats::zengin::transfer::transfers(&parsed);
    assert_eq!(transfers.len(), 1);
    let t = &transfers[0];
    assert_eq!(
        (
            t.bank_code.as_str(),
            t.branch_code.as_str(),
            t.account_number.as_str(),
            t.amount_yen
        ),
        ("0005", "123", "7654321", 4_850)
    );
    assert!(
        t.edi.as_deref().is_some_and(|e| e.starts_with("PAY")),
        "{:?}",
        t.edi
    );
    let c = shown(&s, &key, &ids[1]).await;
    assert_eq!(
        (c["status"].as_str(), c["payout_state"].as_str()),
        (Some("payout_instructed"), Some("instructed")),
        "{c}"
    );
    assert_eq!(shown(&s, &key, &ids[0]).await["status"], "debited");
    let direct = shown(&s, &key, &ids[2]).await;
    assert_eq!(
        (direct["payout_state"].as_str(), direct["paid_on"].as_str()),
        (Some("paid"), Some(day.as_str())),
        "{direct}"
    );
    s.assert_books_sound().await;

    // Shipped: the other is paid; each once.
    ship_all(&s, &operator_run(&s, "delivery", &day).await).await;
    let second = payout_run(&s, &day).await;
    assert_eq!(
        (
            &second["contracts"],
            &second["paid_yen"],
            &second["fees_yen"]
        ),
        (&json!(1), &json!(9_700), &json!(300)),
        "{second}"
    );
    let again = payout_run(&s, &day).await;
    assert_eq!(
        (&again["contracts"], &again["files"]),
        (&json!(0), &json!([])),
        "{again}"
    );

    // The bank pays both and its statement says so: each contract is paid on that day.
    let mut bank = zengin_bank();
    let (name, statement) = settle(&mut bank, &s, &[file, &second["files"][0]], &day);
    post_file(&s, "/v1/operator/bank-files", &name, statement.clone())
        .await
        .ok();
    // Paid on the day the statement booked the transfers, not the day it was imported.
    assert_ne!(support::contracts::today(&s).to_string(), day);
    for id in &ids[..2] {
        let c = shown(&s, &key, id).await;
        assert_eq!(
            (c["status"].as_str(), c["paid_on"].as_str()),
            (Some("paid"), Some(day.as_str())),
            "{c}"
        );
    }
    assert_eq!(
        bank.balance("0005", "123", "7654321"),
        14_550,
        "the seller has the money"
    );
    // The statement again changes nothing.
    let before = s.snapshot().await;
    post_file(&s, "/v1/operator/bank-files", "again.txt", statement)
        .await
        .ok();
    assert_eq!(s.snapshot().await, before);
    s.assert_books_sound().await;
}

async fn a_site_that_ships_after_the_payout_pays_first_then_ships(db: Db) {
    let s = support::spawn(db).await;
    let key = site_with(
        &s,
        json!({"id": "slow", "name": "後払い出荷", "main_bank": "0001",
                        "delivery_after_payout": true, "fee_fixed_yen": 100}),
    )
    .await;
    let day = business_day(&s, 1);
    let ids = accept(&s, &key, &[contract("FIRST", 2_000)]).await;
    answer_debits(&s, &operator_run(&s, "debit", &day).await, 0).await;
    assert_eq!(
        operator_run(&s, "delivery", &day).await,
        json!([]),
        "not paid yet"
    );
    let paid = payout_run(&s, &day).await;
    assert_eq!(
        (&paid["contracts"], &paid["paid_yen"], &paid["fees_yen"]),
        (&json!(1), &json!(1_900), &json!(100)),
        "{paid}"
    );
    assert_eq!(
        operator_run(&s, "delivery", &day).await,
        json!([]),
        "instructed is not paid"
    );
    let mut bank = zengin_bank();
    let (name, statement) = settle(&mut bank, &s, &[&paid["files"][0]], &day);
    post_file(&s, "/v1/operator/bank-files", &name, statement)
        .await
        .ok();
    assert_eq!(shown(&s, &key, &ids[0]).await["payout_state"], "paid");
    let shipping = operator_run(&s, "delivery", &day).await;
    assert_eq!(shipping[0]["records"], 1, "{shipping}");
    s.assert_books_sound().await;
}

async fn the_operator_runs_a_payout_from_the_command_line(db: Db) {
    let s = support::spawn(db).await;
    let key = site_with(
        &s,
        json!({"id": "all-fee", "name": "手数料", "main_bank": "0001",
                        "fee_fixed_yen": 1_000}),
    )
    .await;
    let day = business_day(&s, 1);
    let mut small = contract("SMALL", 800);
    small["payout"] = json!("regardless");
    let mut big = contract("BIG", 50_000);
    big["payout"] = json!("regardless");
    let ids = accept(&s, &key, &[small, big]).await;
    answer_debits(&s, &operator_run(&s, "debit", &day).await, 0).await;
    let work = tempfile::tempdir().unwrap();
    let out_dir = work.path().join("out").to_string_lossy().into_owned();
    let run = || {
        kessai(&[
            "run", "payout", "--db", &s.db_url, "--date", &day, "--out", &out_dir,
        ])
    };
    let (code, stdout, err) = run();
    assert_eq!(code, 0, "{err}");
    assert!(
        stdout.contains("paid 2 contracts: 1 transfers, 49000 yen to sellers, 1800 yen in fees"),
        "{stdout}"
    );
    assert!(stdout.contains("zengin-21"), "{stdout}");
    // The fee took all of the small one: nothing to send, and it is paid at once.
    let small = shown(&s, &key, &ids[0]).await;
    assert_eq!(
        (small["status"].as_str(), small["paid_on"].as_str()),
        (Some("paid"), Some(day.as_str())),
        "{small}"
    );
    let (code, stdout, _) = run();
    assert_eq!(code, 0);
    assert!(stdout.contains("paid 0 contracts"), "{stdout}");
    s.assert_books_sound().await;
}

async fn a_contract_whose_debit_failed_is_never_paid(db: Db) {
    let s = support::spawn(db).await;
    let key = site(&s, "mk").await;
    let day = business_day(&s, 1);
    let mut c = contract("FAILS", 4_000);
    c["payout"] = json!("regardless");
    let ids = accept(&s, &key, &[c]).await;
    answer_debits(&s, &operator_run(&s, "debit", &day).await, 1000).await;
    assert_eq!(shown(&s, &key, &ids[0]).await["status"], "debit_failed");
    let run = payout_run(&s, &day).await;
    assert_eq!(
        (&run["contracts"], &run["files"]),
        (&json!(0), &json!([])),
        "{run}"
    );
    s.assert_books_sound().await;
}

async fn a_main_bank_on_iso_20022_gets_a_pain_001_and_its_answers_settle_it(db: Db) {
    let mut main = kessai_server::config::demo_bank();
    main.debit_format = kessai_server::config::DebitFormat::Iso20022;
    let s = support::spawn_with(
        db,
        Options {
            banks: Some(vec![main]),
            ..Options::default()
        },
    )
    .await;
    let key = site(&s, "mk").await;
    let day = business_day(&s, 1);
    let mut c = contract("ISO-1", 7_000);
    c["payout"] = json!("regardless");
    let ids = accept(&s, &key, &[c]).await;
    let debits = operator_run(&s, "debit", &day).await;
    answer_debits(&s, &debits, 0).await;
    let paid = payout_run(&s, &day).await;
    let file = &paid["files"][0];
    assert_eq!(
        (&file["format"], &file["total_yen"]),
        (&json!("pain.001.001.09"), &json!(6_790))
    );
    let path = out(&s, &file["file_name"]);
    if let Some(e) = support::schema_errors("sepaxml.pain.001.001.09.xsd", &path) {
        panic!("the payout file is not a valid pain.001: {e}");
    }
    let mut bank = zengin_bank();
    bank.zengin_files = false;
    let bytes = std::fs::read(&path).unwrap();
    let answers = bank
        .process_outbound(
            file["file_name"].as_str().unwrap(),
            &bytes,
            "2026-01-01T18:00:00+09:00",
            &day,
        )
        .unwrap();
    assert_eq!(answers.len(), 2, "a status report and a debit notification");
    // The notification first: it settles the transfer on its BookgDt. The status report after
    // it (which carries no booking date) changes nothing.
    for (name, bytes) in answers.into_iter().rev() {
        post_file(&s, "/v1/operator/bank-files", &name, bytes)
            .await
            .ok();
    }
    let c = shown(&s, &key, &ids[0]).await;
    assert_eq!(c["status"], "paid", "{c}");
    assert_ne!(support::contracts::today(&s).to_string(), day);
    assert_eq!(c["paid_on"].as_str(), Some(day.as_str()), "{c}");
    s.assert_books_sound().await;
}
