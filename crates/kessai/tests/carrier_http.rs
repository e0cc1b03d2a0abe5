//! The carrier simulator over HTTP (issue 9, seed 001 step 4): `kessai sim carrier --listen`
//! is started as its own process on loopback; the delivery run's instruction file is posted
//! to it, and the shipping notice it answers with is imported — every contract shipped once,
//! the same request answered with the same notice, and a file that is not an instruction
//! file refused.

mod support;

use serde_json::json;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use support::contracts::{
    accept, answer_debits, business_day, contract, operator_run, out, post_file, shown, site,
};
use support::Db;

on_both_databases!(the_carrier_over_http_ships_what_the_delivery_run_instructed);

/// The simulator's process (killed when dropped) and its address.
struct Carrier(Child, String);

impl Drop for Carrier {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_carrier() -> Carrier {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kessai"))
        .args(["sim", "carrier", "--listen", "127.0.0.1:0", "--seed", "9"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("kessai sim carrier runs");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("carrier listening on ")
        .unwrap_or_else(|| panic!("{line}"))
        .to_string();
    Carrier(child, base)
}

async fn the_carrier_over_http_ships_what_the_delivery_run_instructed(db: Db) {
    let s = support::spawn(db).await;
    let key = site(&s, "mk").await;
    let day = business_day(&s, 1);
    let ids = accept(&s, &key, &[contract("H-1", 2_000), contract("H-2", 3_000)]).await;
    answer_debits(&s, &operator_run(&s, "debit", &day).await, 0).await;
    let files = operator_run(&s, "delivery", &day).await;
    let carrier = start_carrier();
    let http = reqwest::Client::new();
    let url = format!("{}/v1/shipments", carrier.1);
    let instructions = std::fs::read(out(&s, &files[0]["file_name"])).unwrap();
    let mut notices = vec![];
    for _ in 0..2 {
        let r = http
            .post(&url)
            .body(instructions.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "text/csv; charset=Shift_JIS");
        notices.push(r.bytes().await.unwrap().to_vec());
    }
    assert_eq!(notices[0], notices[1], "the same request, the same notice");

    // Imported: each contract shipped once; the same notice again changes nothing.
    let first = post_file(
        &s,
        "/v1/operator/carrier-files",
        "http-notice.csv",
        notices[0].clone(),
    )
    .await;
    assert_eq!(first.ok()["shipped"], 2, "{}", first.body);
    let again = post_file(
        &s,
        "/v1/operator/carrier-files",
        "http-notice-2.csv",
        notices[1].clone(),
    )
    .await;
    assert_eq!(again.ok()["shipped"], 0, "{}", again.body);
    for id in &ids {
        let c = shown(&s, &key, id).await;
        assert_eq!(c["delivery_state"], "shipped", "{c}");
        assert_eq!(
            c["delivery"]["tracking_number"].as_str().map(str::len),
            Some(12)
        );
    }

    let refused = http
        .post(&url)
        .body(json!({"not": "csv"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("not a delivery instruction file"));
    s.assert_books_sound().await;
}
