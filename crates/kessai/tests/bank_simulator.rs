//! Money through the bank simulator's files, end to end, on both databases: buyers pay into the
//! operator's account at the simulated bank, Kessai reads its camt.054 and funds the deals; the
//! payouts leave as pain.001, the bank answers with pain.002 and camt.054 debits, and the
//! instructions complete with their settlement entries. A rejection is corrected and resent; a
//! transfer that comes back is owed again. The Zengin-only round trip is in
//! `bank_simulator_zengin.rs`, the simulator's determinism in `bank_simulator_seeded.rs`.

mod support;

use serde_json::{json, Value};
use support::bank::{import_all, sim, sim_run, sim_transfer, upload};
use support::Db;

on_both_databases!(
    money_moves_through_the_simulated_bank,
    transfers_come_back_from_the_simulated_bank
);

async fn money_moves_through_the_simulated_bank(db: Db) {
    let s = support::spawn(db).await;
    let state = s.dir.path().join("bank.json");
    let (state_s, bank_out, inbox) = (
        state.to_str().unwrap(),
        s.dir.path().join("bank-out"),
        s.dir.path().join("from-bank"),
    );
    let (inbox_s, bank_out_s) = (inbox.to_str().unwrap(), bank_out.to_str().unwrap());
    sim(&[
        "init",
        "--state",
        state_s,
        "--seed",
        "7",
        "--reject-rate",
        "0",
    ]);
    let (a, seller_a) = s.agreed_deal("sim-a", 30_000).await;
    let (b, seller_b) = s.agreed_deal("sim-b", 8_000).await;

    sim_transfer(state_s, "ﾔﾏﾀﾞ ﾀﾛｳ", 30000, &a);
    sim_transfer(state_s, &format!("{b} ｽｽﾞｷ"), 8000, "");
    sim_transfer(state_s, "ﾀﾅｶ", 1234, "");
    sim_run(state_s, bank_out_s, inbox_s);
    let mut seen = vec![];
    let summaries = import_all(&s, &inbox, &mut seen).await;
    assert_eq!(
        (
            summaries[0]["format"].as_str(),
            summaries[0]["matched"].as_i64(),
            summaries[0]["unmatched"].as_i64()
        ),
        (Some("camt.054.001.08"), Some(2), Some(1))
    );
    // The end-of-day statement repeats the three credits: recognized, applied once.
    assert_eq!(
        (
            summaries[1]["format"].as_str(),
            summaries[1]["duplicates"].as_i64(),
            summaries[1]["matched"].as_i64()
        ),
        (Some("camt.053.001.08"), Some(3), Some(0))
    );
    assert_eq!(s.view(&a, support::BUYER_PW).await.ok()["status"], "funded");
    assert_eq!(s.view(&b, support::BUYER_PW).await.ok()["status"], "funded");

    for (buyer, seller) in [(&a, &seller_a), (&b, &seller_b)] {
        s.ship(seller).await.ok();
        s.receipt(buyer).await.ok();
    }
    let export = s.export("iso20022", "2026-11-24").await;
    assert_eq!(export.ok()["files"].as_array().unwrap().len(), 1);
    sim_run(state_s, bank_out_s, inbox_s);
    let summaries = import_all(&s, &inbox, &mut seen).await;
    let applied: i64 = summaries
        .iter()
        .map(|x| x["answers_applied"].as_i64().unwrap())
        .sum();
    let duplicate: i64 = summaries
        .iter()
        .map(|x| x["answers_duplicate"].as_i64().unwrap())
        .sum();
    assert_eq!(
        (applied, duplicate),
        (2, 4),
        "pain.002 settles both; the camt.054 debits and the camt.053 statement repeat it: {summaries:?}"
    );
    for buyer in [&a, &b] {
        let ins = s.instructions(buyer).await;
        assert!(ins.iter().all(|i| i["status"] == "completed"), "{ins:?}");
    }
    // Each party sees its own money leave, not the other's.
    let events = |v: &Value| {
        v["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["event"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert!(!events(s.view(&a, support::BUYER_PW).await.ok())
        .iter()
        .any(|e| e.starts_with("payout_")));
    assert!(events(s.view(&seller_a, support::SELLER_PW).await.ok())
        .contains(&"payout_completed".to_string()));
    // The money left: nothing is owed any more.
    let owed: Vec<i64> = sqlx::query_scalar(
        "SELECT debits_yen - credits_yen FROM accounts WHERE kind IN ('payout_due', 'refund_due')",
    )
    .fetch_all(s.app.store.pool())
    .await
    .unwrap();
    assert!(owed.iter().all(|b| *b == 0), "{owed:?}");
    s.assert_books_sound().await;

    // b's payout comes back days later: a camt.054 credit reversing Kessai's debit, quoting
    // its end-to-end reference. The payout is owed again, and the same entry read twice
    // changes nothing.
    let payout = s.instructions(&b).await[0].clone();
    assert_eq!(payout["purpose"], "payout");
    let back = camt_054_returning(&payout);
    let summary = upload(&s, "return.xml", back.clone()).await;
    assert_eq!(
        (
            summary["answers_applied"].as_i64(),
            summary["unmatched"].as_i64()
        ),
        (Some(1), Some(0)),
        "{summary}"
    );
    let ins = s.instructions(&b).await;
    assert_eq!(ins[0]["status"], "rejected", "{ins:?}");
    s.assert_books_sound().await;
    let before = s.snapshot().await;
    let mut again = back.clone();
    again.extend_from_slice(b"\n"); // another file, the same entry
    let summary = upload(&s, "return-again.xml", again).await;
    assert_eq!(summary["answers_duplicate"].as_i64(), Some(1), "{summary}");
    assert_eq!(s.snapshot().await, before);
    // Less than left (the payee's bank kept a charge): not taken for the return; the money that
    // arrived is booked as money in, for the operator, and a's payout stands.
    let mut short = s.instructions(&a).await[0].clone();
    short["amount_yen"] = json!(short["amount_yen"].as_i64().unwrap() - 440);
    let summary = upload(&s, "short.xml", camt_054_returning(&short)).await;
    assert_eq!(
        (
            summary["answers_applied"].as_i64(),
            summary["unmatched"].as_i64()
        ),
        (Some(0), Some(1)),
        "{summary}"
    );
    assert_eq!(s.instructions(&a).await[0]["status"], "completed");
    s.assert_books_sound().await;
    // An unknown reference of the same shape is still money in: it goes to suspense.
    let mut stranger = payout.clone();
    stranger["id"] = json!("00000000-0000-7000-8000-000000000001");
    let summary = upload(&s, "stranger.xml", camt_054_returning(&stranger)).await;
    assert_eq!(summary["unmatched"].as_i64(), Some(1), "{summary}");
    s.assert_books_sound().await;
    let id = ins[0]["id"].as_str().unwrap();
    s.correct_instruction(id, "3333333", "ｽｽﾞｷ").await.ok();

    // A bank that rejects everything: the payout comes back rejected with the reason; the
    // operator corrects the account and it goes out again.
    let strict = s.dir.path().join("strict.json");
    let strict_s = strict.to_str().unwrap();
    sim(&[
        "init",
        "--state",
        strict_s,
        "--seed",
        "7",
        "--reject-rate",
        "1",
    ]);
    let (c, seller_c) = s.agreed_deal("sim-c", 5_000).await;
    s.credit("direct-c", 5_000, &c).await.ok();
    s.ship(&seller_c).await.ok();
    s.receipt(&c).await.ok();
    s.export("iso20022", "2026-11-25").await.ok();
    let strict_in = s.dir.path().join("strict-in");
    sim_run(strict_s, bank_out_s, &strict_in);
    import_all(&s, &strict_in, &mut seen).await;
    let ins = s.instructions(&c).await;
    assert_eq!(ins[0]["status"], "rejected");
    assert!(
        ins[0]["status_reason"].as_str().unwrap().contains("AC01"),
        "{ins:?}"
    );
    let id = ins[0]["id"].as_str().unwrap();
    assert_eq!(
        s.correct_instruction(id, "1111111", "ｻﾄｳ ﾊﾅｺ").await.ok()["status"],
        "pending"
    );
    s.correct_instruction(id, "1111111", "ｻﾄｳ ﾊﾅｺ")
        .await
        .assert_error(409, "wrong_state", None);
    let again = s.export("iso20022", "2026-11-26").await;
    assert_eq!(again.ok()["files"][0]["records"], 1);
    sim_run(state_s, bank_out_s, inbox_s);
    import_all(&s, &inbox, &mut seen).await;
    assert_eq!(s.instructions(&c).await[0]["status"], "completed");
    s.assert_books_sound().await;
}

/// A camt.054 crediting back the transfer `instruction` (as the operator API lists it): the
/// reversal of Kessai's debit, quoting the instruction's end-to-end reference.
fn camt_054_returning(instruction: &Value) -> Vec<u8> {
    use kessai_formats::iso_notification::{write_camt_054, Notification, NotificationEntry};
    let id = instruction["id"].as_str().unwrap();
    write_camt_054(&Notification {
        message_id: format!("RET-{}", &id[..8]),
        created_at: "2026-11-27T10:00:00+09:00".into(),
        notification_id: format!("RET-{}", &id[..8]),
        account_number: "1234567".into(),
        bank_code: Some("0001".into()),
        branch_code: Some("001".into()),
        entries: vec![NotificationEntry {
            entry_reference: Some("1".into()),
            account_servicer_reference: Some(format!("RET{}", &id[id.len() - 12..])),
            amount_yen: instruction["amount_yen"].as_u64().unwrap(),
            credit: true,
            booking_date: Some("2026-11-27".into()),
            reversal: true,
            end_to_end_id: Some(id.replace('-', "")),
            additional_info: Some("AC04 closed account".into()),
            ..NotificationEntry::default()
        }],
    })
}

/// A bank whose payees' banks send every transfer back (`--return-rate 1`): the payout settles
/// (pain.002 ACSC, camt.054 debit), then returns as a camt credit reversing the debit. It is
/// owed again; the end-of-day statement repeats both entries without applying them twice; the
/// corrected payout goes out through another bank and completes.
async fn transfers_come_back_from_the_simulated_bank(db: Db) {
    let s = support::spawn(db).await;
    let dir = s.dir.path();
    let state = dir.join("returning.json");
    let state = state.to_str().unwrap();
    sim(&[
        "init",
        "--state",
        state,
        "--seed",
        "5",
        "--return-rate",
        "1",
    ]);
    let (buyer, seller) = s.agreed_deal("ret-a", 6_000).await;
    s.credit("ret-pay", 6_000, &buyer).await.ok();
    s.ship(&seller).await.ok();
    s.receipt(&buyer).await.ok();
    let export = s.export("iso20022", "2026-11-24").await;
    let file = support::bank::first_file(&export);
    let (bank_in, bank_out) = (dir.join("returning-in"), dir.join("returning-out"));
    support::bank::hand_to_bank(&s, &file, &bank_in);
    sim_run(state, &bank_in, &bank_out);
    let mut seen = vec![];
    let summaries = import_all(&s, &bank_out, &mut seen).await;
    let formats: Vec<&str> = summaries
        .iter()
        .map(|x| x["format"].as_str().unwrap())
        .collect();
    assert_eq!(
        formats,
        ["pain.002.001.11", "camt.054.001.08", "camt.053.001.08"]
    );
    let applied: Vec<i64> = summaries
        .iter()
        .map(|x| x["answers_applied"].as_i64().unwrap())
        .collect();
    assert_eq!(
        applied,
        [1, 1, 0],
        "settled, then returned; the statement repeats: {summaries:?}"
    );
    assert!(summaries
        .iter()
        .all(|x| x["unmatched"] == 0 && x["matched"] == 0));
    let ins = s.instructions(&buyer).await;
    assert_eq!(ins[0]["status"], "rejected", "{ins:?}");
    assert!(
        ins[0]["status_reason"].as_str().unwrap().contains("AC04"),
        "{ins:?}"
    );
    let owed: i64 = sqlx::query_scalar(
        "SELECT credits_yen - debits_yen FROM accounts WHERE kind = 'payout_due'",
    )
    .fetch_one(s.app.store.pool())
    .await
    .unwrap();
    assert!(owed > 0, "the seller's payout is owed again");
    s.assert_books_sound().await;

    let id = ins[0]["id"].as_str().unwrap();
    s.correct_instruction(id, "4444444", "ｻﾄｳ ﾊﾅｺ").await.ok();
    let again = s.export("iso20022", "2026-11-25").await;
    let file = support::bank::first_file(&again);
    let normal = dir.join("normal.json");
    let normal = normal.to_str().unwrap();
    sim(&["init", "--state", normal, "--seed", "5"]);
    let (normal_in, normal_out) = (dir.join("normal-in"), dir.join("normal-out"));
    support::bank::hand_to_bank(&s, &file, &normal_in);
    sim_run(normal, &normal_in, &normal_out);
    import_all(&s, &normal_out, &mut seen).await;
    assert_eq!(s.instructions(&buyer).await[0]["status"], "completed");
    let owed: i64 = sqlx::query_scalar(
        "SELECT credits_yen - debits_yen FROM accounts WHERE kind = 'payout_due'",
    )
    .fetch_one(s.app.store.pool())
    .await
    .unwrap();
    assert_eq!(owed, 0);
    s.assert_books_sound().await;
}
