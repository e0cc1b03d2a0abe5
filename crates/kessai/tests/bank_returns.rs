//! Transfers that come back (振込不能), in hand-built Zengin files, on both databases: the
//! deposit may be listed by a 01 notice and by the 03 statement under one bank identity, in
//! either order, before or after the withdrawal was reported. It is booked once, the books
//! follow the bank, and what the importer cannot settle by itself is told to the operator.

mod support;

use kessai_formats::zengin::notice::{notice_file, IncomingTransfer, NoticeAccount};
use kessai_formats::zengin::statement::{
    statement_file, StatementAccount, StatementEntry, RETURN_DESCRIPTION,
};
use kessai_formats::zengin::write;
use serde_json::Value;
use support::bank::upload;
use support::{Db, TestServer};

on_both_databases!(returns_are_booked_once_in_any_order);

const DAY: &str = "081124";

/// A 01 notice of one deposit into the operator's account.
fn notice(inquiry: &str, amount_yen: u64, name: &str, edi: &str) -> Vec<u8> {
    let account = NoticeAccount {
        bank_code: "0001".into(),
        bank_name: "ﾐｽﾞﾎ".into(),
        branch_code: "001".into(),
        account_type: 1,
        account_number: "1234567".into(),
        account_name: "ｹﾂｻｲ".into(),
        date_yymmdd: DAY.into(),
    };
    let deposit = IncomingTransfer {
        bank_code: String::new(),
        branch_code: String::new(),
        account_number: String::new(),
        inquiry_number: inquiry.into(),
        booking_date: DAY.into(),
        amount_yen,
        transferor_code: "0000000000".into(),
        transferor_name: name.into(),
        edi: edi.into(),
        cancelled: false,
    };
    write(&notice_file(&[(account, vec![deposit])], true).unwrap())
}

/// A statement line: a withdrawal quoting `edi`, or a deposit giving such a transfer back.
fn line(inquiry: &str, returned: bool, amount_yen: u64, edi: &str) -> StatementEntry {
    StatementEntry {
        inquiry_number: format!("00{inquiry}"),
        booking_date: DAY.into(),
        deposit: returned,
        kind: if returned { 11 } else { 14 },
        amount_yen,
        transferor_code: "0000000000".into(),
        transferor_name: String::new(),
        description: if returned {
            RETURN_DESCRIPTION.into()
        } else {
            "ｿｳｺﾞｳﾌﾘｺﾐ".into()
        },
        edi: edi.into(),
    }
}

fn statement(lines: Vec<StatementEntry>) -> Vec<u8> {
    statement_opening(lines, 1_000_000)
}

/// The same lines under another opening balance: another file, the same records.
fn statement_opening(lines: Vec<StatementEntry>, opening_balance_yen: u64) -> Vec<u8> {
    let account = StatementAccount {
        bank_code: "0001".into(),
        bank_name: "ﾐｽﾞﾎ".into(),
        branch_code: "001".into(),
        branch_name: "ﾄｳｷﾖｳ".into(),
        account_type: 1,
        account_number: "1234567".into(),
        account_name: "ｹﾂｻｲ".into(),
        date_yymmdd: DAY.into(),
        opening_balance_yen,
    };
    write(&statement_file(&[(account, lines)], true).unwrap())
}

async fn balance(s: &TestServer, id: &str) -> i64 {
    sqlx::query_scalar("SELECT credits_yen - debits_yen FROM accounts WHERE id = $1")
        .bind(id)
        .fetch_one(s.app.store.pool())
        .await
        .unwrap()
}

/// The deal's instruction for `purpose`.
async fn instruction(s: &TestServer, buyer: &str, purpose: &str) -> Value {
    s.instructions(buyer)
        .await
        .into_iter()
        .find(|i| i["purpose"] == purpose)
        .unwrap()
}

fn count(summary: &Value, field: &str) -> i64 {
    summary[field].as_i64().unwrap()
}

async fn returns_are_booked_once_in_any_order(db: Db) {
    let s = support::spawn(db).await;
    let (a, seller_a) = s.completed_deal("rt-a", 5_000).await;
    let (b, seller_b) = s.completed_deal("rt-b", 6_000).await;
    s.export("zengin", "2026-11-24").await.ok();
    let paid = |v: &Value| v["amount_yen"].as_u64().unwrap();
    let (pa, pb) = (
        paid(&instruction(&s, &a, "payout").await),
        paid(&instruction(&s, &b, "payout").await),
    );

    // a: the notice lists the deposit before the statement says it is a return, and before any
    // withdrawal was reported. Booked to suspense first, then taken off it: the bank's −X +X
    // nets to nothing, and the payout is still owed.
    let first = upload(&s, "n-a.txt", notice("000021", pa, "ﾌﾘｺﾐﾌﾉｳ", &seller_a)).await;
    assert_eq!(count(&first, "unmatched"), 1, "{first}");
    let st = upload(
        &s,
        "s-a.txt",
        statement(vec![line("000021", true, pa, &seller_a)]),
    )
    .await;
    assert_eq!(count(&st, "answers_applied"), 1, "{st}");
    assert_eq!(instruction(&s, &a, "payout").await["status"], "rejected");
    assert_eq!(
        balance(&s, "unmatched_receipts").await,
        0,
        "off the suspense list"
    );
    s.assert_books_sound().await;

    // b: the statement first, the notice after: the notice's copy is recognized.
    let st = upload(
        &s,
        "s-b.txt",
        statement(vec![line("000022", true, pb, &seller_b)]),
    )
    .await;
    assert_eq!(count(&st, "answers_applied"), 1, "{st}");
    let after = upload(&s, "n-b.txt", notice("000022", pb, "ﾌﾘｺﾐﾌﾉｳ", &seller_b)).await;
    assert_eq!(
        (count(&after, "duplicates"), count(&after, "unmatched")),
        (1, 0),
        "{after}"
    );
    assert_eq!(instruction(&s, &b, "payout").await["status"], "rejected");
    let told = s.app.store.emails_for(&seller_b).await.unwrap();
    assert!(
        told.iter()
            .any(|m| m.subject.contains("代金を振り込めませんでした")
                && m.body.contains("運営者が口座を確認")),
        "the seller hears its payout did not arrive: {told:?}"
    );
    assert_eq!(balance(&s, "unmatched_receipts").await, 0);
    s.assert_books_sound().await;

    // c: overpaid by ¥500, so a refund to the buyer, whose EDI is the buyer's deal ID. Both
    // transfers leave (the statement's withdrawals complete them).
    let (c, seller_c) = s.agreed_deal("rt-c", 4_000).await;
    s.credit("rt-c-pay", 4_500, &c).await.ok();
    s.ship(&seller_c).await.ok();
    s.receipt(&c).await.ok();
    s.export("zengin", "2026-11-25").await.ok();
    let pc = paid(&instruction(&s, &c, "payout").await);
    let gone = statement(vec![
        line("000031", false, pc, &seller_c),
        line("000032", false, 500, &c),
    ]);
    assert_eq!(
        count(&upload(&s, "s-c.txt", gone).await, "answers_applied"),
        2
    );
    // The refund comes back ¥110 short (charges): not this transfer's amount, so it is money
    // in for the operator, on the suspense list, not a new payment into the buyer's deal.
    let short = upload(
        &s,
        "s-c2.txt",
        statement(vec![line("000033", true, 390, &c)]),
    )
    .await;
    assert_eq!(
        (count(&short, "unmatched"), count(&short, "matched")),
        (1, 0),
        "{short}"
    );
    assert_eq!(instruction(&s, &c, "refund").await["status"], "completed");
    s.assert_books_sound().await;
    // The whole refund comes back, and a notice lists it before the statement. It quotes the
    // closed deal and is exactly the refund that went to the bank: not taken as a late payment
    // (that would refund it again, to the account that refused it) but kept on the suspense
    // list, from where the statement's return takes it: the refund is owed again.
    let n = upload(&s, "n-c.txt", notice("000034", 500, "ﾌﾘｺﾐﾌﾉｳ", &c)).await;
    assert_eq!(
        (count(&n, "matched"), count(&n, "unmatched")),
        (0, 1),
        "{n}"
    );
    let back = upload(
        &s,
        "s-c3.txt",
        statement(vec![line("000034", true, 500, &c)]),
    )
    .await;
    assert_eq!(count(&back, "answers_applied"), 1, "{back}");
    assert_eq!(instruction(&s, &c, "refund").await["status"], "rejected");
    assert_eq!(
        balance(&s, "unmatched_receipts").await,
        390,
        "only the short one is left"
    );
    s.assert_books_sound().await;
    // Read again: nothing changes.
    let before = s.snapshot().await;
    let again = statement_opening(vec![line("000034", true, 500, &c)], 999_000);
    upload(&s, "s-c3-again.txt", again).await;
    assert_eq!(s.snapshot().await, before);

    // d: the operator already sent a notice's deposit back before the statement said it was
    // d's refund coming back. The money is in the books once; the return is told to the
    // operator on the deal's timeline, and the refund stays as it was.
    let (d, seller_d) = s.agreed_deal("rt-d", 3_000).await;
    s.credit("rt-d-pay", 3_300, &d).await.ok();
    s.ship(&seller_d).await.ok();
    s.receipt(&d).await.ok();
    s.export("zengin", "2026-11-26").await.ok();
    let pd = paid(&instruction(&s, &d, "payout").await);
    let gone = statement(vec![
        line("000041", false, pd, &seller_d),
        line("000042", false, 300, &d),
    ]);
    assert_eq!(
        count(&upload(&s, "s-d.txt", gone).await, "answers_applied"),
        2
    );
    upload(&s, "n-d.txt", notice("000043", 300, "ﾌﾘｺﾐﾌﾉｳ", &d)).await;
    let credit = s
        .operator(reqwest::Method::GET, "/v1/operator/suspense", None)
        .await
        .ok()["credits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["amount_yen"] == 300)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let account = serde_json::json!({ "bank_code": "0005", "branch_code": "123", "account_type": "ordinary", "account_number": "7654321", "holder_name": "ｻﾄｳ" });
    s.operator(
        reqwest::Method::POST,
        &format!("/v1/operator/suspense/{credit}/return"),
        Some(account),
    )
    .await
    .ok();
    let back = upload(
        &s,
        "s-d2.txt",
        statement(vec![line("000043", true, 300, &d)]),
    )
    .await;
    assert_eq!(count(&back, "returns_for_operator"), 1, "{back}");
    assert_eq!(instruction(&s, &d, "refund").await["status"], "completed");
    let timeline = s.view(&d, support::BUYER_PW).await.ok()["timeline"].clone();
    assert!(
        timeline
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["event"] == "refund_came_back_unresolved"),
        "{timeline}"
    );
    s.assert_books_sound().await;
}
