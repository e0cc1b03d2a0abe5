//! Sites and contracts for the marketplace tests: a site onboarded through the operator API,
//! contracts as a site writes them, requests with its key.

use super::{Reply, TestServer};
use reqwest::Method;
use serde_json::{json, Value};

/// A site onboarded through the operator API from `body`; its API key.
pub async fn site_with(s: &TestServer, body: Value) -> String {
    let r = s
        .operator(Method::POST, "/v1/operator/sites", Some(body))
        .await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    r.str("api_key")
}

/// A site onboarded through the operator API; its API key.
pub async fn site(s: &TestServer, id: &str) -> String {
    let r = s
        .operator(
            Method::POST,
            "/v1/operator/sites",
            Some(
                json!({"id": id, "name": format!("{id} マーケット"), "main_bank": "0001",
                        "webhook_url": "http://127.0.0.1:9/hooks", "fee_rate_bp": 300}),
            ),
        )
        .await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    r.str("api_key")
}

pub fn account(bank: &str, branch: &str, number: &str, holder: &str) -> Value {
    json!({"bank_code": bank, "branch_code": branch, "account_type": "ordinary",
           "account_number": number, "holder_name": holder})
}

/// A contract as a site sends it; real banks and branches of the bank master.
pub fn contract(number: &str, amount_yen: i64) -> Value {
    json!({
        "number": number,
        "amount_yen": amount_yen,
        "buyer": {"name": "株式会社 買手", "address": "東京都千代田区丸の内1-1-1",
                  "account": account("0001", "001", "2345678", "ｶ)ｶｲﾃ")},
        "seller": {"name": "売手商店", "address": "大阪府大阪市北区梅田2-2-2",
                   "account": account("0005", "123", "7654321", "ｳﾘﾃｼﾖｳﾃﾝ")},
        "goods": {"name": "工作機械", "model": "KX-200", "quantity": 1}
    })
}

pub async fn post(s: &TestServer, key: &str, body: &Value) -> Reply {
    s.send(
        s.request(Method::POST, "/v1/contracts")
            .bearer_auth(key)
            .json(body),
    )
    .await
}

pub async fn bulk(s: &TestServer, key: &str, content_type: &str, body: Vec<u8>) -> Reply {
    s.send(
        s.request(Method::POST, "/v1/contracts/bulk")
            .bearer_auth(key)
            .header("content-type", content_type)
            .body(body),
    )
    .await
}

/// Hands these contracts over in one bulk upload, all accepted; their IDs in order.
pub async fn accept(s: &TestServer, key: &str, contracts: &[Value]) -> Vec<String> {
    let body: String = contracts.iter().map(|c| format!("{c}\n")).collect();
    let r = bulk(s, key, "application/x-ndjson", body.into_bytes()).await;
    let a = r.ok();
    assert_eq!(a["rejected"], 0, "{a}");
    a["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["contract_id"].as_str().unwrap().to_string())
        .collect()
}

pub async fn get(s: &TestServer, key: Option<&str>, path: &str) -> Reply {
    let r = s.request(Method::GET, path);
    s.send(match key {
        Some(k) => r.bearer_auth(k),
        None => r,
    })
    .await
}

/// Today in Japan, as the server's clock says.
pub fn today(s: &TestServer) -> time::Date {
    kessai_server::i18n::date_jst(s.app.clock.now())
}

/// The `n`th bank business day after today (0: today if it is one), `YYYY-MM-DD`.
pub fn business_day(s: &TestServer, n: u32) -> String {
    use kessai_core::calendar::{add_business_days, business_day_on_or_after};
    let first = business_day_on_or_after(today(s)).unwrap();
    add_business_days(first, n).unwrap().to_string()
}

/// A day after today that is not a bank business day (a Saturday), `YYYY-MM-DD`.
pub fn saturday(s: &TestServer) -> String {
    let mut d = today(s).next_day().unwrap();
    while d.weekday() != time::Weekday::Saturday {
        d = d.next_day().unwrap();
    }
    d.to_string()
}

/// Runs the settlement desk's run `what` (`debit`, `delivery`, `payout`) on `date` through
/// the operator API; the files it wrote.
pub async fn operator_run(s: &TestServer, what: &str, date: &str) -> Value {
    let r = s
        .operator(
            Method::POST,
            &format!("/v1/operator/runs/{what}"),
            Some(json!({ "date": date })),
        )
        .await;
    r.ok()["files"].clone()
}

/// Posts a file as the operator to `path` (`/v1/operator/bank-files`, `…/carrier-files`).
pub async fn post_file(s: &TestServer, path: &str, name: &str, bytes: Vec<u8>) -> Reply {
    s.send(
        s.request(Method::POST, &format!("{path}?name={name}"))
            .bearer_auth(&s.token)
            .header("content-type", "application/octet-stream")
            .body(bytes),
    )
    .await
}

/// Where the server wrote the file named `name`.
pub fn out(s: &TestServer, name: &Value) -> std::path::PathBuf {
    s.dir.path().join("bank-out").join(name.as_str().unwrap())
}

/// The contract `id` as its site reads it.
pub async fn shown(s: &TestServer, key: &str, id: &str) -> Value {
    get(s, Some(key), &format!("/v1/contracts/{id}"))
        .await
        .ok()
        .clone()
}

/// Debits every requested contract through the simulated bank, failing none or all: a
/// Zengin 91 request is answered with its 91 result file, a pain.008 with a pain.002.
pub async fn answer_debits(s: &TestServer, files: &Value, reject_per_mille: u32) {
    let mut bank = kessai_sim::bank::BankState::new(
        3,
        reject_per_mille,
        kessai_sim::bank::AccountRef {
            bank_code: "0001".into(),
            branch_code: "001".into(),
            account_number: "1234567".into(),
            name: "ｹﾂｻｲ".into(),
        },
    );
    for f in files.as_array().unwrap() {
        let name = f["file_name"].as_str().unwrap();
        let request = std::fs::read(out(s, &f["file_name"])).unwrap();
        let results = if name.ends_with(".xml") {
            bank.process_debit_batch(name, &request, "2026-01-01T09:00:00+09:00")
        } else {
            bank.process_debit_request(name, &request)
        };
        for (result_name, result) in results.unwrap() {
            post_file(s, "/v1/operator/bank-files", &result_name, result)
                .await
                .ok();
        }
    }
}

/// Ships every contract of the delivery files through the carrier simulator.
pub async fn ship_all(s: &TestServer, files: &Value) {
    for f in files.as_array().unwrap() {
        let instructions = std::fs::read(out(s, &f["file_name"])).unwrap();
        let notice = kessai_sim::carrier::ship(&instructions, 5).unwrap();
        let r = post_file(s, "/v1/operator/carrier-files", "notice.csv", notice).await;
        r.ok();
    }
}

/// A simulated main bank (the tests' demo bank) that reports in Zengin files.
pub fn zengin_bank() -> kessai_sim::bank::BankState {
    let mut bank = kessai_sim::bank::BankState::new(
        11,
        0,
        kessai_sim::bank::AccountRef {
            bank_code: "0001".into(),
            branch_code: "001".into(),
            account_number: "1234567".into(),
            name: "ｹﾂｻｲ ｴｽｸﾛ-".into(),
        },
    );
    bank.zengin_files = true;
    bank
}

/// The bank settles the transfer files and answers with the day's statement (Zengin 03).
pub fn settle(
    bank: &mut kessai_sim::bank::BankState,
    s: &TestServer,
    files: &[&Value],
    day: &str,
) -> (String, Vec<u8>) {
    for f in files {
        let name = f["file_name"].as_str().unwrap();
        let bytes = std::fs::read(out(s, &f["file_name"])).unwrap();
        assert!(bank
            .process_zengin_transfers(name, &bytes, day)
            .unwrap()
            .is_empty());
    }
    bank.end_of_day_statements("2026-01-01T18:00:00+09:00", day)
        .pop()
        .expect("a statement of the day's withdrawals")
}
