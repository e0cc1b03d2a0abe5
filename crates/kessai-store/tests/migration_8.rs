//! Migration 8 on a database written before it: a reversal the old code only listed (outcome
//! `reversal_unapplied`, no journal) becomes an open claim with its journal, so the books follow
//! the bank and `kessai check` holds.

use kessai_core::{suspense, Yen};
use kessai_store::Store;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_unapplied_reversals_become_claims_with_their_journal() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!("sqlite://{}", dir.path().join("m8.db").display()))
        .await
        .unwrap();
    store.migrate_to(7).await.unwrap();
    // As the code before migration 8 left it: ¥5,000 in suspense, and a ¥3,000 reversal of an
    // unknown payment, recorded without a journal.
    let mut tx = store.begin().await.unwrap();
    tx.post_journal(
        None,
        &suspense::receive_unmatched(Yen(5_000)),
        "bank_credit",
        1,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    for (id, bank_ref, amount, outcome) in [
        ("c1", "ref-in", 5_000, "unmatched"),
        ("c2", "ref-back", 3_000, "reversal_unapplied"),
    ] {
        sqlx::query("INSERT INTO bank_credits (id, bank_ref, amount_yen, reference, outcome, received_at_ms) VALUES ($1, $2, $3, 'ﾄﾘｹｼ', $4, 2)")
            .bind(id)
            .bind(bank_ref)
            .bind(amount)
            .bind(outcome)
            .execute(store.pool())
            .await
            .unwrap();
    }

    store.migrate().await.unwrap();
    assert_eq!(store.check().await.unwrap(), vec![]);
    let claims = store.reversal_claims(10).await.unwrap();
    assert_eq!(claims.len(), 1);
    assert_eq!(
        (claims[0].credit.id.as_str(), claims[0].remaining_yen),
        ("c2", 3_000)
    );
    let balance = |id: &'static str| {
        let store = &store;
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT debits_yen - credits_yen FROM accounts WHERE id = $1",
            )
            .bind(id)
            .fetch_one(store.pool())
            .await
            .unwrap()
        }
    };
    assert_eq!(
        balance("bank_clearing").await,
        2_000,
        "the bank took ¥3,000 back"
    );
    assert_eq!(balance("reversal_claims").await, 3_000);
    // Applying the migrations again changes nothing.
    store.migrate().await.unwrap();
    assert_eq!(balance("reversal_claims").await, 3_000);
}
