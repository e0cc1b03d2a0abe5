//! The operator's instruction list comes a page at a time: following `next_after` lists every
//! instruction once, in order, and a bad page size or cursor is refused.

mod support;

use reqwest::Method;
use support::Db;

on_both_databases!(following_next_after_lists_every_instruction_once);

async fn following_next_after_lists_every_instruction_once(db: Db) {
    let s = support::spawn(db).await;
    for (i, price) in [4_000, 5_000, 6_000, 7_000, 8_000].iter().enumerate() {
        s.completed_deal(&format!("page{i}"), *price).await;
    }
    let all = s
        .operator(Method::GET, "/v1/operator/instructions", None)
        .await;
    let all: Vec<String> = all.ok()["instructions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(all.len(), 5, "one payout per completed deal");

    let mut paged = vec![];
    let mut path = "/v1/operator/instructions?limit=2".to_string();
    loop {
        let page = s.operator(Method::GET, &path, None).await;
        let body = page.ok();
        let ids = body["instructions"].as_array().unwrap();
        assert!(ids.len() <= 2, "{body}");
        paged.extend(ids.iter().map(|i| i["id"].as_str().unwrap().to_string()));
        match body["next_after"].as_str() {
            Some(cursor) => path = format!("/v1/operator/instructions?limit=2&after={cursor}"),
            None => break,
        }
    }
    assert_eq!(paged, all);

    for bad in ["limit=0", "limit=10001", "after=nonsense"] {
        s.operator(
            Method::GET,
            &format!("/v1/operator/instructions?{bad}"),
            None,
        )
        .await
        .assert_error(400, "invalid_request", None);
    }
}
