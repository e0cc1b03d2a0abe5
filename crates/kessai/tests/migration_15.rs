//! Migration 15 on a database written before it: contracts keep their terms, now also as
//! columns the payout run selects by (read from each contract's body); instructions written
//! before keep every field through SQLite's rebuild of the table; and an instruction has
//! exactly one owner (a deal, a suspense credit or a contract) on both databases.

mod support;

use kessai_store::Store;
use support::Db;

on_both_databases!(contracts_and_instructions_written_before_come_through);

async fn exec(store: &Store, sql: &str) -> Result<(), sqlx::Error> {
    sqlx::query(sql).execute(store.pool()).await.map(|_| ())
}

async fn contracts_and_instructions_written_before_come_through(db: Db) {
    let dir = tempfile::tempdir().unwrap();
    let url = support::database_url(db, dir.path()).await;
    let store = Store::connect(&url).await.unwrap();
    store.migrate_to(14).await.unwrap();
    for sql in [
        "INSERT INTO sites (id, name, api_key_sha256, key_created_at_ms, main_bank, collection_banks, fee_rate_bp, fee_fixed_yen, debit_lead_days, delivery_lead_days, payout_lead_days, delivery_after_payout, created_at_ms) \
         VALUES ('mk', 'mk', 'k', 1, '0001', '', 0, 0, 2, 1, 2, 0, 1)",
        r#"INSERT INTO contracts (id, site_id, number, content_sha256, body, amount_yen, buyer_bank_code, debit_state, delivery_state, created_at_ms) VALUES ('c1', 'mk', 'N1', 'h1', '{"number":"N1","payout":"regardless","pooling":"direct"}', 1000, '0001', 'debited', 'waiting', 1)"#,
        r#"INSERT INTO contracts (id, site_id, number, content_sha256, body, amount_yen, buyer_bank_code, debit_state, delivery_state, created_at_ms) VALUES ('c2', 'mk', 'N2', 'h2', '{"number":"N2","payout":"after_shipment","pooling":"pooled"}', 2000, '0001', 'not_requested', 'waiting', 1)"#,
        "INSERT INTO journals (id, deal_id, kind, resolution, currency, cause, at_ms) VALUES ('j1', NULL, 'return_unmatched', NULL, 'JPY', 'test', 1)",
        "INSERT INTO bank_credits (id, bank_ref, amount_yen, reference, outcome, received_at_ms) VALUES ('cr1', 'r1', 500, 'x', 'returned', 1)",
        r#"INSERT INTO payment_instructions (id, credit_id, journal_id, purpose, party, amount_yen, bank_account_json, status, created_at_ms, export_id, status_reason, payee_ref) VALUES ('i1', 'cr1', 'j1', 'return', 'payer', 500, '{}', 'rejected', 7, 'e1', 'AC01', 'RTN1')"#,
    ] {
        exec(&store, sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    store.migrate().await.unwrap();

    let terms: Vec<(String, String, String, String)> =
        sqlx::query_as("SELECT id, payout_when, pooling, payout_state FROM contracts ORDER BY id")
            .fetch_all(store.pool())
            .await
            .unwrap();
    assert_eq!(
        terms,
        [
            (
                "c1".into(),
                "regardless".into(),
                "direct".into(),
                "waiting".into()
            ),
            (
                "c2".into(),
                "after_shipment".into(),
                "pooled".into(),
                "waiting".into()
            ),
        ]
    );
    let kept: (String, String, i64, String, i64, String, String, String) = sqlx::query_as(
        "SELECT credit_id, purpose, amount_yen, status, created_at_ms, export_id, status_reason, payee_ref \
         FROM payment_instructions WHERE id = 'i1'",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
    assert_eq!(
        kept,
        (
            "cr1".into(),
            "return".into(),
            500,
            "rejected".into(),
            7,
            "e1".into(),
            "AC01".into(),
            "RTN1".into()
        )
    );
    // One owner, never none or two; one payout per contract.
    let insert = |owner: &str, id: &str| {
        format!(
            "INSERT INTO payment_instructions (id, {owner} journal_id, purpose, party, amount_yen, bank_account_json, status, created_at_ms) \
             VALUES ('{id}', {} 'j1', 'payout', 'seller', 100, '{{}}', 'pending', 1)",
            if owner.is_empty() { "" } else { "'c1', " }.to_string()
                + if owner.contains("credit_id") { "'cr1', " } else { "" }
        )
    };
    assert!(exec(&store, &insert("", "none")).await.is_err(), "no owner");
    assert!(
        exec(&store, &insert("contract_id, credit_id,", "two"))
            .await
            .is_err(),
        "two owners"
    );
    exec(&store, &insert("contract_id,", "p1")).await.unwrap();
    assert!(
        exec(&store, &insert("contract_id,", "p2")).await.is_err(),
        "a second payout of the contract"
    );
}
