//! Migration 9 on a database written before it: credits recorded without their content are
//! compared by amount, so a later file repeating one is still a duplicate, and one repeating
//! its identity with another amount is a conflict; files imported before keep no entry count
//! and `kessai check` holds.

mod support;

use kessai_core::{suspense, Yen};
use kessai_store::Store;
use support::bank::kessai;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credits_recorded_before_contents_compare_by_amount() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("m9.db").display());
    let store = Store::connect(&url).await.unwrap();
    store.migrate_to(8).await.unwrap();
    // As the code before migration 9 left it: the day-1 notice's first entry on the suspense
    // list, from a file recorded without entries.
    let mut tx = store.begin().await.unwrap();
    tx.post_journal(
        None,
        &suspense::receive_unmatched(Yen(52_000)),
        "bank_credit",
        1,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    sqlx::query("INSERT INTO bank_files (id, sha256, format, name, records, applied, duplicates, imported_at_ms) VALUES ('f0', 'old', 'zengin-01', 'old.dat', 1, 1, 0, 1)")
        .execute(store.pool())
        .await
        .unwrap();
    sqlx::query("INSERT INTO bank_credits (id, bank_ref, amount_yen, reference, outcome, received_at_ms, file_id) VALUES ('c0', 'zengin:0001:001:1234567:081124:101', 52000, 'ﾔﾏﾀﾞ ﾀﾛｳ', 'unmatched', 1, 'f0')")
        .execute(store.pool())
        .await
        .unwrap();
    drop(store);

    let fixture = |name: &str| {
        let path = format!(
            "{}/tests/fixtures/zengin/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let bytes = std::fs::read(path).unwrap();
        let target = dir.path().join(name);
        std::fs::write(&target, bytes).unwrap();
        target.display().to_string()
    };
    let (code, out, err) = kessai(&[
        "bank",
        "import",
        "--db",
        &url,
        &fixture("notice_01_day1.dat"),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("duplicates of earlier entries (skipped): 1"),
        "{out}"
    );
    assert!(
        out.contains("duplicate of an identical earlier entry (credit c0)"),
        "{out}"
    );
    let (code, out, err) = kessai(&[
        "bank",
        "import",
        "--db",
        &url,
        &fixture("notice_01_conflict.dat"),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(
            "conflict: the bank reported this identity before with other content (credit c0)"
        ),
        "{out}"
    );
    let (code, out, _) = kessai(&["check", "--db", &url]);
    assert_eq!(code, 0, "{out}");
}
