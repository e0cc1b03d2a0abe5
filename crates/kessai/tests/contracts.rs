//! The marketplace settlement desk's intake (issue 9, seed 001): sites onboarded by the
//! operator with an API key each, and contracts handed over one by one or in bulk — each
//! stored once, a replay answered with the same ID, a conflict refused, a bad line answered
//! alone, a malformed request refused whole, and one site never reaching another's contracts.

mod support;

use reqwest::Method;
use serde_json::{json, Value};
use support::contracts::{bulk, contract, get, post, site};
use support::Db;

on_both_databases!(
    a_site_is_onboarded_and_its_key_rotated,
    a_bad_site_is_refused_and_changes_nothing,
    a_contract_is_stored_once_and_a_replay_answers_its_id,
    a_contract_with_bad_fields_is_refused_naming_each,
    one_sites_key_never_reaches_another_sites_contracts,
    a_bulk_upload_answers_every_line_and_keeps_the_good_ones,
    a_csv_upload_in_shift_jis_is_read_as_excel_writes_it,
    a_malformed_upload_stores_nothing,
    contracts_are_listed_a_page_at_a_time
);

async fn a_site_is_onboarded_and_its_key_rotated(db: Db) {
    let s = support::spawn(db).await;
    let r = s
        .operator(
            Method::POST,
            "/v1/operator/sites",
            Some(
                json!({"id": "mk-1", "name": "マーケット", "main_bank": "0001",
                        "webhook_url": "https://example.invalid/hook", "fee_rate_bp": 250,
                        "fee_fixed_yen": 100}),
            ),
        )
        .await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    let key = r.str("api_key");
    assert!(key.starts_with("kssk_") && key.len() > 40);
    assert!(r.body["webhook_secret"]
        .as_str()
        .is_some_and(|w| w.len() >= 32));
    assert_eq!(r.body["site"]["collection_banks"], json!(["0001"]));
    let stored: String = sqlx::query_scalar("SELECT api_key_sha256 FROM sites WHERE id = 'mk-1'")
        .fetch_one(s.app.store.pool())
        .await
        .unwrap();
    assert!(!stored.contains(&key[5..]), "the key itself is not stored");

    let shown = s
        .operator(Method::GET, "/v1/operator/sites/mk-1", None)
        .await;
    assert_eq!(shown.ok()["fee_fixed_yen"], 100);
    assert!(
        shown.body.get("api_key").is_none(),
        "the key is shown once only"
    );
    assert!(get(&s, Some(&key), "/v1/contracts")
        .await
        .status
        .is_success());

    let rotated = s
        .operator(Method::POST, "/v1/operator/sites/mk-1/api-key", None)
        .await;
    let new_key = rotated.ok()["api_key"].as_str().unwrap().to_string();
    assert_ne!(new_key, key);
    get(&s, Some(&key), "/v1/contracts")
        .await
        .assert_error(401, "invalid_api_key", None);
    assert!(get(&s, Some(&new_key), "/v1/contracts")
        .await
        .status
        .is_success());
    s.operator(Method::POST, "/v1/operator/sites/nope/api-key", None)
        .await
        .assert_error(404, "site_not_found", Some("site_id"));
}

async fn a_bad_site_is_refused_and_changes_nothing(db: Db) {
    let s = support::spawn(db).await;
    site(&s, "taken").await;
    let cases = [
        (
            json!({"id": "Bad_Id", "name": "x", "main_bank": "0001"}),
            422,
            "invalid_field",
            "id",
        ),
        (
            json!({"id": "ok-id", "name": " ", "main_bank": "0001"}),
            422,
            "invalid_field",
            "name",
        ),
        (
            json!({"id": "ok-id", "name": "x", "main_bank": "0009"}),
            422,
            "invalid_field",
            "main_bank",
        ),
        (
            json!({"id": "ok-id", "name": "x", "main_bank": "0001", "collection_banks": ["0005"]}),
            422,
            "invalid_field",
            "collection_banks",
        ),
        (
            json!({"id": "ok-id", "name": "x", "main_bank": "0001", "webhook_url": "ftp://x"}),
            422,
            "invalid_field",
            "webhook_url",
        ),
        (
            json!({"id": "ok-id", "name": "x", "main_bank": "0001", "fee_rate_bp": 10001}),
            422,
            "invalid_field",
            "fee_rate_bp",
        ),
        (
            json!({"id": "ok-id", "name": "x", "main_bank": "0001", "payout_lead_days": 31}),
            422,
            "invalid_field",
            "payout_lead_days",
        ),
        (
            json!({"id": "taken", "name": "x", "main_bank": "0001"}),
            409,
            "site_exists",
            "id",
        ),
    ];
    for (body, status, code, field) in cases {
        let request = s
            .request(Method::POST, "/v1/operator/sites")
            .bearer_auth(&s.token)
            .json(&body);
        s.refuse(request, status, code, Some(field)).await;
    }
    let no_operator = s
        .request(Method::POST, "/v1/operator/sites")
        .json(&json!({"id": "ok-id", "name": "x", "main_bank": "0001"}));
    s.refuse(no_operator, 401, "unauthorized", None).await;
}

async fn a_contract_is_stored_once_and_a_replay_answers_its_id(db: Db) {
    let s = support::spawn(db).await;
    let key = site(&s, "mk").await;
    let first = post(&s, &key, &contract("C-1", 50_000)).await;
    assert_eq!(first.status.as_u16(), 201, "{}", first.body);
    assert_eq!(first.body["outcome"], "accepted");
    let id = first.str("contract_id");

    let replay = post(&s, &key, &contract("C-1", 50_000)).await;
    assert_eq!(replay.status.as_u16(), 200);
    assert_eq!(
        (replay.body["outcome"].as_str(), replay.str("contract_id")),
        (Some("replayed"), id.clone())
    );
    // The same number with other content: a conflict, and nothing changes.
    let other = s
        .request(Method::POST, "/v1/contracts")
        .bearer_auth(&key)
        .json(&contract("C-1", 50_001));
    let r = s
        .refuse(other, 409, "contract_conflict", Some("number"))
        .await;
    assert!(r.body["error"]["message"].as_str().unwrap().contains(&id));

    let shown = get(&s, Some(&key), &format!("/v1/contracts/{id}")).await;
    let c = shown.ok();
    assert_eq!(
        (c["status"].as_str(), c["amount_yen"].as_i64()),
        (Some("accepted"), Some(50_000))
    );
    assert_eq!(c["contract"]["seller"]["account"]["bank_code"], "0005");
    assert_eq!(c["contract"]["payout"], "after_shipment");
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM contracts")
        .fetch_one(s.app.store.pool())
        .await
        .unwrap();
    assert_eq!(count, 1);
}

async fn a_contract_with_bad_fields_is_refused_naming_each(db: Db) {
    let s = support::spawn(db).await;
    let key = site(&s, "mk").await;
    let with = |path: &str, value: Value| {
        let mut c = contract("C-9", 1_000);
        let mut at = &mut c;
        let parts: Vec<&str> = path.split('.').collect();
        for p in &parts[..parts.len() - 1] {
            at = &mut at[*p];
        }
        at[parts[parts.len() - 1]] = value;
        c
    };
    let cases = [
        ("amount_yen", json!(0), "amount_yen"),
        (
            "buyer.account.bank_code",
            json!("9999"),
            "buyer.account.bank_code",
        ),
        (
            "seller.account.branch_code",
            json!("999"),
            "seller.account.branch_code",
        ),
        (
            "seller.account.holder_name",
            json!("山田"),
            "seller.account.holder_name",
        ),
        ("goods.quantity", json!(0), "goods.quantity"),
        ("due_date", json!("2026-13-01"), "due_date"),
        ("pooling", json!("sideways"), "pooling"),
        ("buyer.name", json!(""), "buyer.name"),
    ];
    for (path, value, field) in cases {
        let request = s
            .request(Method::POST, "/v1/contracts")
            .bearer_auth(&key)
            .json(&with(path, value));
        s.refuse(request, 422, "invalid_field", Some(field)).await;
    }
    let unknown = s
        .request(Method::POST, "/v1/contracts")
        .bearer_auth(&key)
        .json(&with("colour", json!("red")));
    s.refuse(unknown, 422, "unknown_field", None).await;
    // Every text empty: refused naming the first field, all the problems in the message.
    let empty_account = json!({"account_number": "", "account_type": "", "bank_code": "",
        "branch_code": "", "holder_name": ""});
    let empty_party = json!({"account": empty_account, "address": "", "name": ""});
    let all_empty = json!({"amount_yen": 1, "buyer": empty_party, "due_date": "",
        "goods": {"model": "", "name": "", "quantity": 1}, "number": "",
        "payout": "00000000000000000000", "pooling": "", "seller": empty_party});
    let request = s
        .request(Method::POST, "/v1/contracts")
        .bearer_auth(&key)
        .json(&all_empty);
    s.refuse(request, 422, "invalid_field", Some("number"))
        .await;
}

async fn one_sites_key_never_reaches_another_sites_contracts(db: Db) {
    let s = support::spawn(db).await;
    let (a, b) = (site(&s, "site-a").await, site(&s, "site-b").await);
    let id = post(&s, &a, &contract("SAME-NUMBER", 10_000))
        .await
        .str("contract_id");
    let path = format!("/v1/contracts/{id}");
    get(&s, Some(&b), &path)
        .await
        .assert_error(404, "contract_not_found", Some("contract_id"));
    for key in [None, Some("kssk_not-a-key"), Some("test-operator-token")] {
        get(&s, key, &path)
            .await
            .assert_error(401, "invalid_api_key", None);
        get(&s, key, "/v1/contracts")
            .await
            .assert_error(401, "invalid_api_key", None);
    }
    let request = s
        .request(Method::POST, "/v1/contracts")
        .json(&contract("X", 1));
    s.refuse(request, 401, "invalid_api_key", None).await;
    let request = s
        .request(Method::POST, "/v1/contracts/bulk")
        .header("content-type", "text/csv")
        .body("number\n");
    s.refuse(request, 401, "invalid_api_key", None).await;
    // Numbers are per site: B may use A's number for a contract of its own.
    let theirs = post(&s, &b, &contract("SAME-NUMBER", 20_000)).await;
    assert_eq!(theirs.status.as_u16(), 201, "{}", theirs.body);
    assert!(get(&s, Some(&a), "/v1/contracts").await.ok()["contracts"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["site_id"] == "site-a"));
}

fn lines(contracts: &[Value]) -> Vec<u8> {
    contracts
        .iter()
        .map(|c| format!("{c}\n"))
        .collect::<String>()
        .into_bytes()
}

async fn a_bulk_upload_answers_every_line_and_keeps_the_good_ones(db: Db) {
    let s = support::spawn(db).await;
    let key = site(&s, "mk").await;
    let earlier = post(&s, &key, &contract("B-2", 2_000))
        .await
        .str("contract_id");
    let mut bad_bank = contract("B-4", 4_000);
    bad_bank["buyer"]["account"]["bank_code"] = json!("9999");
    let mut body = lines(&[
        contract("B-1", 1_000),
        contract("B-2", 2_000), // replay of the contract sent before
        contract("B-3", 3_000),
        bad_bank,
        contract("B-2", 2_500), // conflict with the one stored
        contract("B-1", 1_000), // the same line twice: a replay of line 1
    ]);
    body.extend_from_slice(b"{ not json\n");
    let r = bulk(&s, &key, "application/x-ndjson", body).await;
    let a = r.ok();
    assert_eq!(
        (
            a["accepted"].as_i64(),
            a["replayed"].as_i64(),
            a["rejected"].as_i64()
        ),
        (Some(2), Some(2), Some(3)),
        "{a}"
    );
    let outcomes: Vec<(i64, &str)> = a["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["line"].as_i64().unwrap(), l["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(
        outcomes,
        [
            (1, "accepted"),
            (2, "replayed"),
            (3, "accepted"),
            (4, "rejected"),
            (5, "rejected"),
            (6, "replayed"),
            (7, "rejected")
        ]
    );
    let l = &a["lines"];
    assert_eq!(l[1]["contract_id"], earlier.as_str());
    assert_eq!(l[5]["contract_id"], l[0]["contract_id"]);
    assert_eq!(
        (
            l[3]["code"].as_str(),
            l[3]["field"].as_str(),
            l[3]["number"].as_str()
        ),
        (
            Some("invalid_field"),
            Some("buyer.account.bank_code"),
            Some("B-4")
        )
    );
    assert_eq!(l[4]["code"], "contract_conflict");
    assert_eq!(l[6]["code"], "invalid_line");
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM contracts")
        .fetch_one(s.app.store.pool())
        .await
        .unwrap();
    assert_eq!(count, 3, "B-1, B-2 (from before) and B-3");

    // The same upload again changes nothing.
    let before = s.snapshot().await;
    let again = bulk(
        &s,
        &key,
        "application/x-ndjson",
        lines(&[contract("B-1", 1_000), contract("B-3", 3_000)]),
    )
    .await;
    assert_eq!(again.ok()["replayed"], 2);
    assert_eq!(s.snapshot().await, before);
}

const CSV_HEADER: &str = "number,amount_yen,buyer_name,buyer_address,buyer_bank_code,buyer_branch_code,buyer_account_type,buyer_account_number,buyer_holder_name,seller_name,seller_address,seller_bank_code,seller_branch_code,seller_account_type,seller_account_number,seller_holder_name,goods_name,goods_model,goods_quantity,due_date,payout";

fn csv_row(number: &str, amount: &str, due: &str) -> String {
    format!("{number},{amount},山田 太郎,東京都港区1-2-3,0001,001,ordinary,１２３４５,ヤマダ タロウ,佐藤工業,大阪府堺市4-5,0005,123,current,7654321,ｻﾄｳｺｳｷﾞﾖｳ,手形取引品,\"M-1, 特\",3,{due},regardless")
}

async fn a_csv_upload_in_shift_jis_is_read_as_excel_writes_it(db: Db) {
    let s = support::spawn(db).await;
    let key = site(&s, "mk").await;
    let text = format!(
        "{CSV_HEADER}\r\n{}\r\n{}\r\n",
        csv_row("S-1", "120000", "2026-12-25"),
        csv_row("S-2", "１２０００円", "")
    );
    let (sjis, _, lossy) = encoding_rs::SHIFT_JIS.encode(&text);
    assert!(!lossy);
    let r = bulk(&s, &key, "text/csv; charset=Shift_JIS", sjis.into_owned()).await;
    let a = r.ok();
    assert_eq!(
        (a["accepted"].as_i64(), a["rejected"].as_i64()),
        (Some(1), Some(1)),
        "{a}"
    );
    assert_eq!(a["lines"][1]["field"], "amount_yen");
    let id = a["lines"][0]["contract_id"].as_str().unwrap();
    let c = get(&s, Some(&key), &format!("/v1/contracts/{id}")).await;
    let c = &c.ok()["contract"];
    assert_eq!(c["buyer"]["name"], "山田 太郎");
    assert_eq!(
        c["buyer"]["account"]["holder_name"], "ﾔﾏﾀﾞ ﾀﾛｳ",
        "written half-width"
    );
    assert_eq!(c["buyer"]["account"]["account_number"], "0012345");
    assert_eq!(c["goods"]["model"], "M-1, 特");
    assert_eq!(
        (c["due_date"].as_str(), c["payout"].as_str()),
        (Some("2026-12-25"), Some("regardless"))
    );

    // The same rows in UTF-8 with a BOM, as Excel saves "CSV UTF-8": a replay.
    let utf8 = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
    let again = bulk(&s, &key, "text/csv", utf8).await;
    assert_eq!(again.ok()["replayed"], 1);
}

async fn a_malformed_upload_stores_nothing(db: Db) {
    let s = support::spawn(db).await;
    let key = site(&s, "mk").await;
    let good = format!("{CSV_HEADER}\n{}\n", csv_row("M-1", "1000", ""));
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(&good);
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        // Shift_JIS bytes declared as UTF-8.
        ("text/csv", sjis.into_owned(), 422, "invalid_upload"),
        (
            "text/csv",
            format!("{CSV_HEADER},colour\n").into_bytes(),
            422,
            "invalid_upload",
        ),
        (
            "text/csv",
            b"number,amount_yen\nM-1,1\n".to_vec(),
            422,
            "invalid_upload",
        ),
        (
            "application/x-ndjson",
            b"\n \n".to_vec(),
            422,
            "invalid_upload",
        ),
        (
            "text/csv; charset=euc-jp",
            good.clone().into_bytes(),
            415,
            "unsupported_media_type",
        ),
        (
            "application/json",
            good.into_bytes(),
            415,
            "unsupported_media_type",
        ),
    ];
    for (content_type, body, status, code) in cases {
        let request = s
            .request(Method::POST, "/v1/contracts/bulk")
            .bearer_auth(&key)
            .header("content-type", content_type)
            .body(body);
        s.refuse(request, status, code, None).await;
    }
}

async fn contracts_are_listed_a_page_at_a_time(db: Db) {
    let s = support::spawn(db).await;
    let key = site(&s, "mk").await;
    let all: Vec<Value> = (0..25)
        .map(|i| contract(&format!("P-{i:02}"), 1_000 + i))
        .collect();
    assert_eq!(
        bulk(&s, &key, "application/x-ndjson", lines(&all))
            .await
            .ok()["accepted"],
        25
    );
    let mut seen = vec![];
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            Some(a) => format!("/v1/contracts?limit=10&after={a}"),
            None => "/v1/contracts?limit=10".into(),
        };
        let page = get(&s, Some(&key), &path).await;
        let page = page.ok();
        for c in page["contracts"].as_array().unwrap() {
            seen.push(c["number"].as_str().unwrap().to_string());
        }
        match page["next_after"].as_str() {
            Some(a) => after = Some(a.to_string()),
            None => break,
        }
    }
    let expected: Vec<String> = (0..25).map(|i| format!("P-{i:02}")).collect();
    assert_eq!(seen, expected, "every contract once, in the order accepted");
    get(&s, Some(&key), "/v1/contracts?limit=0")
        .await
        .assert_error(400, "invalid_request", None);
}
