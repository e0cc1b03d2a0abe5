//! SQLite group commit: 200 concurrent writers all commit (whether or not they shared a COMMIT,
//! which this test does not observe), a writer that drops its transaction
//! loses only its own changes, and a returned `commit()` is durable (visible to a new
//! connection, which reads only what SQLite has committed).

use kessai_store::Store;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writers_all_commit_and_rollbacks_stay_private() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("g.db").display());
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let mut tasks = vec![];
    for i in 0..200 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = store.begin().await.unwrap();
            tx.add_event(None, Some("writer"), i, "write", &json!({ "i": i }))
                .await
                .unwrap();
            tokio::task::yield_now().await;
            if i % 3 == 0 {
                drop(tx); // rolled back: must not take anyone else's write with it
                false
            } else {
                tx.commit().await.unwrap();
                true
            }
        }));
    }
    let mut committed = 0;
    for t in tasks {
        committed += usize::from(t.await.unwrap());
    }
    // A second store opens its own connections: it sees only what was really committed.
    let other = Store::connect(&url).await.unwrap();
    let events = other.timeline("writer", None).await.unwrap();
    assert_eq!(events.len(), committed);
    assert!(
        events.iter().all(|e| e.at_ms % 3 != 0),
        "a dropped transaction's write survived"
    );
    assert_eq!(committed, 133);
}
