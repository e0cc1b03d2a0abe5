//! The ledger's last line of defence: a transaction whose journals would leave a holding
//! account below zero fails at commit, and nothing of it is kept.

use kessai_core::{AccountKind, Journal, JournalKind, Yen};
use kessai_store::{Store, StoreError};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_negative_holding_account_fails_the_commit_and_keeps_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!("sqlite://{}", dir.path().join("g.db").display()))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let journals: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM journals")
        .fetch_one(store.pool())
        .await
        .unwrap();

    // ¥100 into suspense, then ¥150 taken out of it in the same transaction: refused.
    let mut tx = store.begin().await.unwrap();
    let put = Journal::transfer(
        JournalKind::Unmatched,
        AccountKind::BankClearing,
        AccountKind::FeesEarned,
        Yen(100),
    );
    let take = Journal::transfer(
        JournalKind::Unmatched,
        AccountKind::FeesEarned,
        AccountKind::BankClearing,
        Yen(150),
    );
    tx.post_journal(None, &put, "test", 0).await.unwrap();
    tx.post_journal(None, &take, "test", 0).await.unwrap();
    match tx.commit().await {
        Err(StoreError::LedgerGuard(message)) => {
            assert!(message.contains("fees_earned would hold -50"), "{message}")
        }
        other => panic!("expected the ledger guard, got {other:?}"),
    }
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM journals")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(
        after, journals,
        "the refused transaction left nothing behind"
    );
    assert!(store.check().await.unwrap().is_empty());

    // The same amounts the other way round are fine, and the cached balances match the lines.
    let mut tx = store.begin().await.unwrap();
    tx.post_journal(
        None,
        &Journal::transfer(
            JournalKind::Unmatched,
            AccountKind::BankClearing,
            AccountKind::FeesEarned,
            Yen(150),
        ),
        "test",
        0,
    )
    .await
    .unwrap();
    tx.post_journal(
        None,
        &Journal::transfer(
            JournalKind::Unmatched,
            AccountKind::FeesEarned,
            AccountKind::BankClearing,
            Yen(100),
        ),
        "test",
        0,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert!(store.check().await.unwrap().is_empty());
}
