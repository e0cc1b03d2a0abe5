//! `kessai bench fill` (the real binary) writes deals in every state that `kessai check`
//! accepts as sound books, and check still names what a broken row breaks.

mod support;

use support::bank::kessai;
use support::Db;

on_both_databases!(filled_books_pass_check_until_a_row_is_broken);

async fn filled_books_pass_check_until_a_row_is_broken(db: Db) {
    let dir = tempfile::tempdir().unwrap();
    let url = support::database_url(db, dir.path()).await;
    let (code, out, err) = kessai(&["bench", "fill", "--db", &url, "--deals", "40"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.lines().any(|l| l == "deals: 40"), "{out}");
    let (code, out, err) = kessai(&["check", "--db", &url]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        out.trim(),
        "check: ok (40 deals: awaiting_payment=8 cancelled=4 completed=16 funded=4 refunded=4 shipped=4)"
    );
    // A second fill adds to the same books, which stay sound.
    let (code, out, err) = kessai(&["bench", "fill", "--db", &url, "--deals", "10"]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, _) = kessai(&["bench", "check", "--db", &url]);
    assert_eq!(code, 0, "{out}");
    assert!(out.lines().any(|l| l == "violations: 0"), "{out}");
    assert!(
        out.lines().last().unwrap().starts_with("check_seconds: "),
        "{out}"
    );

    // One payout instruction changed by hand: what the ledger owes the seller no longer
    // matches what is instructed, and check says so.
    let store = kessai_store::Store::connect(&url).await.unwrap();
    let changed = sqlx::query(
        "UPDATE payment_instructions SET amount_yen = amount_yen + 1 WHERE id = \
         (SELECT MIN(id) FROM payment_instructions WHERE purpose = 'payout' AND status = 'pending')",
    )
    .execute(store.pool())
    .await
    .unwrap();
    assert_eq!(changed.rows_affected(), 1);
    store.close().await;
    let (code, out, _) = kessai(&["check", "--db", &url]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("violation: ") && out.ends_with("check: 1 violation(s)\n"),
        "{out}"
    );
}
