//! A site's settlement list (issue 9, seed 001 figure 9): per contract whose seller is paid —
//! site, contract number, debit day, settlement day, amount, fee, what the seller got — for one
//! seller by the account they are paid into, a page at a time or as a CSV Excel in Japan opens.

mod support;

use serde_json::{json, Value};
use support::contracts::{
    accept, account, answer_debits, business_day, contract, get, operator_run, post_file, settle,
    site, zengin_bank,
};
use support::Db;

on_both_databases!(sellers_see_what_they_were_paid_as_json_and_csv);

async fn sellers_see_what_they_were_paid_as_json_and_csv(db: Db) {
    let s = support::spawn(db).await;
    let key = site(&s, "mk").await; // 3 % fee
    let other_site = site(&s, "other").await;
    let day = business_day(&s, 1);
    let paid_now = |number: &str, amount: i64, seller_number: &str| {
        let mut c = contract(number, amount);
        c["payout"] = json!("regardless");
        c["seller"]["account"] = account("0005", "123", seller_number, "ｳﾘﾃｼﾖｳﾃﾝ");
        c
    };
    accept(
        &s,
        &key,
        &[
            paid_now("S-1", 10_000, "7654321"),
            paid_now("S-2", 20_000, "1111111"),
            paid_now("S-3", 30_000, "7654321"),
            contract("S-4", 40_000), // paid after shipment: not yet
        ],
    )
    .await;
    answer_debits(&s, &operator_run(&s, "debit", &day).await, 0).await;
    let files = operator_run(&s, "payout", &day).await;
    let list = get(&s, Some(&key), "/v1/settlements").await;
    let rows = list.ok()["settlements"].as_array().unwrap().clone();
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(rows
        .iter()
        .all(|r| r["status"] == "payout_instructed" && r["paid_on"].is_null()));
    let (name, statement) = settle(&mut zengin_bank(), &s, &[&files[0]], &day);
    post_file(&s, "/v1/operator/bank-files", &name, statement)
        .await
        .ok();

    let seller = "/v1/settlements?seller_account=0005-123-7654321";
    let list = get(&s, Some(&key), seller).await;
    let rows: Vec<Value> = list.ok()["settlements"].as_array().unwrap().clone();
    let mut numbers: Vec<&str> = rows.iter().map(|r| r["number"].as_str().unwrap()).collect();
    numbers.sort_unstable();
    assert_eq!(numbers, ["S-1", "S-3"]);
    let fields = [
        "site_id",
        "number",
        "status",
        "amount_yen",
        "fee_yen",
        "paid_yen",
        "debited_on",
        "paid_on",
    ];
    let mut seen: Vec<String> = rows
        .iter()
        .map(|r| {
            fields
                .iter()
                .map(|f| r[f].to_string())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    seen.sort();
    let d = format!("\"{day}\"");
    assert_eq!(
        seen,
        [
            format!("\"mk\" \"S-1\" \"paid\" 10000 300 9700 {d} {d}"),
            format!("\"mk\" \"S-3\" \"paid\" 30000 900 29100 {d} {d}"),
        ]
    );
    // A page at a time.
    let first = get(&s, Some(&key), &format!("{seller}&limit=1")).await;
    let first = first.ok().clone();
    let after = first["next_after"].as_str().unwrap();
    let second = get(&s, Some(&key), &format!("{seller}&limit=1&after={after}")).await;
    let second = second.ok().clone();
    assert_eq!(second["settlements"].as_array().unwrap().len(), 1);
    assert!(second["next_after"].is_null(), "{second}");
    assert_ne!(
        first["settlements"][0]["number"],
        second["settlements"][0]["number"]
    );

    // CSV in Shift_JIS (what Excel assumes) and in UTF-8 with a BOM.
    let csv = |format: &'static str| {
        let s = &s;
        let key = key.clone();
        async move {
            let r = s
                .http
                .get(format!("{}{seller}&format={format}", s.base))
                .bearer_auth(key)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 200);
            let content_type = r.headers()["content-type"].to_str().unwrap().to_string();
            (content_type, r.bytes().await.unwrap().to_vec())
        }
    };
    let (content_type, bytes) = csv("csv").await;
    assert_eq!(content_type, "text/csv; charset=Shift_JIS");
    let (text, _, malformed) = encoding_rs::SHIFT_JIS.decode(&bytes);
    assert!(!malformed);
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "サイトID,契約番号,振替実行日,清算完了日,契約金額,手数料,清算金額"
    );
    assert_eq!(
        lines.len(),
        4,
        "header, two rows, the last line's end: {text}"
    );
    assert!(
        lines[1..3].contains(&format!("mk,S-1,{day},{day},10000,300,9700").as_str()),
        "{text}"
    );
    let (content_type, bytes) = csv("csv_utf8").await;
    assert_eq!(content_type, "text/csv; charset=utf-8");
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    assert_eq!(String::from_utf8(bytes[3..].to_vec()).unwrap(), text);

    // The seller's own page, by the signed link the list gives the site: the same rows, and
    // the same CSV; a link for another seller or site, or a wrong token, is not found.
    let url = list.ok()["seller_page_url"].as_str().unwrap().to_string();
    let path = &url[url.find("/settlements/").unwrap()..];
    assert!(
        path.starts_with("/settlements/mk/0005-123-7654321?t="),
        "{url}"
    );
    let fetch = |path: String| {
        let s = &s;
        async move {
            let r = s
                .http
                .get(format!("{}{path}", s.base))
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            (status, r.bytes().await.unwrap().to_vec())
        }
    };
    let (status, html) = fetch(path.to_string()).await;
    let html = String::from_utf8(html).unwrap();
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("清算一覧") && html.contains("振替実行日"),
        "{html}"
    );
    assert!(html.contains("data-number=\"S-1\"") && html.contains("data-number=\"S-3\""));
    assert!(!html.contains("S-2"), "another seller's contract: {html}");
    assert!(html.contains("¥9,700") && html.contains(&day), "{html}");
    let (_, english) = fetch(format!("{path}&lang=en")).await;
    assert!(String::from_utf8(english).unwrap().contains("Settled on"));
    let token = path.split("?t=").nth(1).unwrap();
    let (status, page_csv) = fetch(format!("/settlements/mk/0005-123-7654321/csv?t={token}")).await;
    assert_eq!(
        (status, encoding_rs::SHIFT_JIS.decode(&page_csv).0),
        (200, text.clone())
    );
    for bad in [
        format!("/settlements/mk/0005-123-1111111?t={token}"),
        format!("/settlements/other/0005-123-7654321?t={token}"),
        "/settlements/mk/0005-123-7654321?t=00000000000000000000000000000000".to_string(),
        format!("/settlements/mk/0005-123-1111111/csv?t={token}"),
    ] {
        let (status, body) = fetch(bad.clone()).await;
        assert_eq!(status, 404, "{bad}");
        assert!(!String::from_utf8_lossy(&body).contains("S-1"), "{bad}");
    }

    // Refused: a malformed account, an unknown format; another site sees none of these.
    get(
        &s,
        Some(&key),
        "/v1/settlements?seller_account=0005-7654321",
    )
    .await
    .assert_error(422, "invalid_field", Some("seller_account"));
    get(&s, Some(&key), "/v1/settlements?format=xlsx")
        .await
        .assert_error(400, "invalid_request", None);
    let theirs = get(&s, Some(&other_site), "/v1/settlements").await;
    assert_eq!(theirs.ok()["settlements"], json!([]));
    assert_eq!(get(&s, None, "/v1/settlements").await.status.as_u16(), 401);
}
