//! Two requests at once with the same Idempotency-Key (issue 7, B3): the second waits for the
//! first and returns its stored answer — never another step's error (`409 wrong_state` from
//! running the step again after the first had done it). On both databases.

mod support;

use reqwest::Method;
use support::{Db, Reply, TestServer};

on_both_databases!(concurrent_requests_with_one_key_get_one_answer);

const PAIRS: usize = 200;

async fn refund(s: &TestServer, buyer: &str, key: &str) -> Reply {
    s.send(
        s.request(Method::POST, &format!("/v1/operator/deals/{buyer}/refund"))
            .bearer_auth(&s.token)
            .header("Idempotency-Key", key),
    )
    .await
}

async fn concurrent_requests_with_one_key_get_one_answer(db: Db) {
    let s = support::spawn(db).await;
    let mut buyers = vec![];
    for i in 0..PAIRS {
        let tag = format!("race{i}");
        let (buyer, _) = s.agreed_deal(&tag, 1_000).await;
        s.credit(&format!("{tag}-pay"), 1_000, &buyer).await.ok();
        buyers.push(buyer);
    }
    let mut differing = vec![];
    for (i, buyer) in buyers.iter().enumerate() {
        let key = format!("refund-{buyer}");
        // The second starts a little later each time, to meet the first at each of its stages.
        let later = async {
            tokio::time::sleep(std::time::Duration::from_micros((i as u64 % 40) * 250)).await;
            refund(&s, buyer, &key).await
        };
        let (a, b) = tokio::join!(refund(&s, buyer, &key), later);
        assert_eq!(a.ok()["status"], "refunded", "{buyer}");
        if (a.status, &a.body) != (b.status, &b.body) {
            differing.push(format!(
                "{buyer}: {} {} / {} {}",
                a.status, a.body, b.status, b.body
            ));
        }
    }
    for buyer in &buyers {
        assert_eq!(
            s.instructions(buyer).await.len(),
            1,
            "one refund for {buyer}"
        );
    }
    assert!(
        differing.is_empty(),
        "{} of {PAIRS} pairs answered differently:\n{}",
        differing.len(),
        differing.join("\n")
    );
    s.assert_books_sound().await;
}
