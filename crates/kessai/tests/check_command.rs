//! `kessai check` (the real binary) passes on sound books and names each violation otherwise;
//! the ledger refuses edits and deletions.

mod support;

use std::process::Command;
use support::Db;

on_both_databases!(
    check_names_each_violation_and_the_ledger_is_append_only,
    bank_credit_command_applies_a_transfer_once
);

/// `kessai bank credit`: the same service as the API, from the command line, applied once.
async fn bank_credit_command_applies_a_transfer_once(db: Db) {
    let s = support::spawn(db).await;
    let (buyer, _) = s.agreed_deal("cli", 6_000).await;
    let credit = || {
        let out = support::bank::operator_command()
            .args([
                "bank",
                "credit",
                "--db",
                &s.db_url,
                "--bank-ref",
                "cli-1",
                "--amount",
                "6000",
            ])
            .args(["--reference", &format!("ﾀﾅｶ {buyer}")])
            .output()
            .expect("kessai runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("JSON result")
    };
    let first = credit();
    assert_eq!(
        (
            first["outcome"].as_str(),
            first["deal_state"].as_str(),
            first["duplicate"].as_bool()
        ),
        (Some("matched"), Some("funded"), Some(false))
    );
    let again = credit();
    assert_eq!(again["duplicate"], true);
    assert_eq!(
        s.view(&buyer, support::BUYER_PW).await.ok()["received_yen"],
        6_000
    );
    let bad = support::bank::operator_command()
        .args([
            "bank",
            "credit",
            "--db",
            &s.db_url,
            "--bank-ref",
            "cli-2",
            "--amount",
            "0",
            "--reference",
            "x",
        ])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("amount_yen"));
    let (code, out) = check(&s.db_url);
    assert_eq!(code, 0, "{out}");
}

fn check(db_url: &str) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kessai"))
        .args(["check", "--db", db_url])
        .output()
        .expect("kessai runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

async fn exec(s: &support::TestServer, sql: &str) -> Result<u64, sqlx::Error> {
    sqlx::query(sql)
        .execute(s.app.store.pool())
        .await
        .map(|r| r.rows_affected())
}

async fn check_names_each_violation_and_the_ledger_is_append_only(db: Db) {
    let s = support::spawn(db).await;
    let (buyer, seller) = s.agreed_deal("chk", 10_000).await;
    s.credit("chk-1", 10_500, &buyer).await.ok();
    s.credit("chk-stray", 700, "ﾅﾏｴﾀﾞｹ").await.ok();
    s.ship(&seller).await.ok();
    s.receipt(&buyer).await.ok();
    let (code, out) = check(&s.db_url);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("check: ok (1 deals: completed=1)"), "{out}");

    // The ledger cannot be edited or deleted.
    for sql in [
        "UPDATE journal_lines SET amount_yen = amount_yen + 1",
        "DELETE FROM journal_lines",
        "DELETE FROM journals",
        "UPDATE journals SET kind = 'x'",
    ] {
        let err = exec(&s, sql).await.expect_err(sql);
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    // A second resolution of the same hold is impossible even written by hand.
    let deal_id: String = sqlx::query_scalar("SELECT id FROM deals")
        .fetch_one(s.app.store.pool())
        .await
        .unwrap();
    let second = format!("INSERT INTO journals (id, deal_id, kind, resolution, currency, cause, at_ms) VALUES ('j2', '{deal_id}', 'void', 'hold', 'JPY', 'x', 0)");
    assert!(exec(&s, &second).await.is_err(), "a hold resolved twice");

    // Corruptions that only a check can see: each is named.
    exec(
        &s,
        &format!(
            "UPDATE accounts SET credits_yen = credits_yen + 7 WHERE id = 'payout_due:{deal_id}'"
        ),
    )
    .await
    .unwrap();
    exec(&s, "INSERT INTO journals (id, deal_id, kind, currency, cause, at_ms) VALUES ('j-bad', NULL, 'unmatched', 'USD', 'x', 0)").await.unwrap();
    exec(&s, "INSERT INTO journal_lines (journal_id, line_no, account_id, amount_yen) VALUES ('j-bad', 0, 'bank_clearing', 100)").await.unwrap();
    exec(
        &s,
        &format!("UPDATE deals SET received_yen = 10000 WHERE id = '{deal_id}'"),
    )
    .await
    .unwrap();
    // A suspense credit marked as assigned with no journal: the list no longer shows ¥700
    // that the ledger still holds for the operator.
    exec(
        &s,
        "UPDATE bank_credits SET outcome = 'assigned' WHERE bank_ref = 'chk-stray'",
    )
    .await
    .unwrap();
    // A refund instruction lost: the ledger still owes the buyer ¥500.
    exec(
        &s,
        "DELETE FROM payment_instructions WHERE purpose = 'refund'",
    )
    .await
    .unwrap();
    let (code, out) = check(&s.db_url);
    assert_eq!(code, 1, "{out}");
    for expected in [
        "journal j-bad does not balance: its lines sum to 100",
        "journal j-bad is in USD, not JPY",
        &format!("account payout_due:{deal_id}: cached balance -9647 but its lines sum to -9640"),
        &format!("deal {deal_id}: the deal records 10000 received but the ledger collected 10500"),
        "account bank_clearing: cached balance 11200 but its lines sum to 11300",
        &format!("deal {deal_id}: refund instructions not yet completed total 0 but the ledger owes 500"),
        &format!("deal {deal_id}: payout instructions not yet completed total 9640 but the ledger owes 9647"),
        "unmatched_receipts: the operator's list totals 0 but the ledger holds 700",
        "check: 8 violation(s)",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
}
