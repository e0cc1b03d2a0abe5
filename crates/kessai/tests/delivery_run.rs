//! The delivery run and the carrier's notices (issue 9, seed 001 steps 5–6): contracts whose
//! goods may go — debited, or a bill, which ships before its debit — are instructed to the
//! carrier once, in its CSV; the carrier's shipping notice ships each, once; a notice for no
//! delivery of Kessai's, or contradicting one, changes nothing.

mod support;

use encoding_rs::SHIFT_JIS;
use reqwest::Method;
use serde_json::json;
use support::bank::kessai;
use support::contracts::{
    accept, answer_debits, business_day, contract, operator_run, out, post_file, shown, site,
    site_with,
};
use support::Db;

on_both_databases!(
    debited_contracts_and_bills_go_to_the_carrier_once_and_ship_once,
    a_site_that_waits_for_the_payout_has_nothing_instructed,
    a_notice_that_is_not_the_layout_is_refused_whole,
    the_operator_runs_a_delivery_and_imports_its_notice_from_the_command_line
);

async fn debited_contracts_and_bills_go_to_the_carrier_once_and_ship_once(db: Db) {
    let s = support::spawn(db).await;
    let key = site(&s, "mk").await;
    let day = business_day(&s, 1);
    let later = business_day(&s, 30);
    let mut bill = contract("BILL", 3_000);
    bill["due_date"] = json!(later);
    let ids = accept(
        &s,
        &key,
        &[contract("PAID-1", 1_000), contract("PAID-2", 2_000), bill],
    )
    .await;
    // Before any debit only the bill may go.
    let first = operator_run(&s, "delivery", &day).await;
    assert_eq!(first[0]["records"], 1, "{first}");
    let bill_view = shown(&s, &key, &ids[2]).await;
    assert_eq!(
        (
            bill_view["status"].as_str(),
            bill_view["debit_state"].as_str()
        ),
        (Some("delivery_instructed"), Some("not_requested"))
    );
    answer_debits(&s, &operator_run(&s, "debit", &day).await, 0).await;
    assert_eq!(shown(&s, &key, &ids[0]).await["status"], "debited");
    let second = operator_run(&s, "delivery", &day).await;
    assert_eq!(second[0]["records"], 2);
    assert_eq!(
        operator_run(&s, "delivery", &day).await,
        json!([]),
        "each once"
    );

    // The carrier's instruction file, in its own shape: Shift_JIS, a Japanese header.
    let bytes = std::fs::read(out(&s, &second[0]["file_name"])).unwrap();
    let (text, _, bad) = SHIFT_JIS.decode(&bytes);
    assert!(!bad);
    assert!(
        text.starts_with("お客様管理番号,出荷予定日,お届け先名,お届け先住所,ご依頼主名"),
        "{text}"
    );
    assert!(
        text.contains("株式会社 買手,東京都千代田区丸の内1-1-1,売手商店"),
        "{text}"
    );
    assert!(text.contains(&day.replace('-', "/")), "{text}");

    // The carrier ships them and says so.
    let mut notices = vec![];
    for f in [&first[0], &second[0]] {
        let instructions = std::fs::read(out(&s, &f["file_name"])).unwrap();
        notices.push(kessai_sim::carrier::ship(&instructions, 9).unwrap());
    }
    let r = post_file(
        &s,
        "/v1/operator/carrier-files",
        "n1.csv",
        notices[1].clone(),
    )
    .await;
    assert_eq!(
        (r.ok()["shipped"].as_i64(), r.body["records"].as_i64()),
        (Some(2), Some(2)),
        "{}",
        r.body
    );
    let r = post_file(
        &s,
        "/v1/operator/carrier-files",
        "n0.csv",
        notices[0].clone(),
    )
    .await;
    assert_eq!(r.ok()["shipped"], 1);
    for id in &ids {
        let c = shown(&s, &key, id).await;
        assert_eq!(c["status"], "shipped", "{c}");
        let d = &c["delivery"];
        assert_eq!(d["shipped_on"].as_str(), Some(day.as_str()));
        assert_eq!(d["tracking_number"].as_str().map(str::len), Some(12));
    }
    // The same file again, the same rows in another file, and a contradicting row.
    let before = s.snapshot().await;
    let again = post_file(
        &s,
        "/v1/operator/carrier-files",
        "n1.csv",
        notices[1].clone(),
    )
    .await;
    assert!(again.ok()["already_imported_at_ms"].is_i64());
    let (text, _, _) = SHIFT_JIS.decode(&notices[1]);
    let first_row = text.lines().nth(1).unwrap().to_string();
    let reference = first_row.split(',').next().unwrap();
    let hand = format!(
        "お客様管理番号,送り状番号,出荷日\r\n{first_row}\r\n{reference},999999999999,{}\r\nKS9999999999,123,{}\r\n",
        day.replace('-', "/"),
        day.replace('-', "/")
    );
    let r = post_file(
        &s,
        "/v1/operator/carrier-files",
        "hand.csv",
        SHIFT_JIS.encode(&hand).0.into_owned(),
    )
    .await;
    let a = r.ok();
    assert_eq!(
        (
            a["duplicates"].as_i64(),
            a["conflicts"].as_i64(),
            a["unknown"].as_i64(),
            a["shipped"].as_i64()
        ),
        (Some(1), Some(1), Some(1), Some(0)),
        "{a}"
    );
    assert_eq!(s.snapshot().await, before, "nothing moved");
    s.assert_books_sound().await;
}

async fn a_site_that_waits_for_the_payout_has_nothing_instructed(db: Db) {
    let s = support::spawn(db).await;
    let key = site_with(
        &s,
        json!({"id": "slow", "name": "後払い出荷", "main_bank": "0001",
                        "delivery_after_payout": true}),
    )
    .await;
    let mut bill = contract("W-1", 1_000);
    bill["due_date"] = json!(business_day(&s, 10));
    accept(&s, &key, &[bill]).await;
    assert_eq!(
        operator_run(&s, "delivery", &business_day(&s, 1)).await,
        json!([])
    );
}

async fn a_notice_that_is_not_the_layout_is_refused_whole(db: Db) {
    let s = support::spawn(db).await;
    for (text, says) in [
        ("管理番号,送り状番号,出荷日\r\n", "row 1"),
        (
            "お客様管理番号,送り状番号,出荷日\r\nKS0000000001,12,2026/02/30\r\n",
            "row 2, column 出荷日",
        ),
    ] {
        let bytes = SHIFT_JIS.encode(text).0.into_owned();
        let request = s
            .request(Method::POST, "/v1/operator/carrier-files?name=bad.csv")
            .bearer_auth(&s.token)
            .header("content-type", "text/csv")
            .body(bytes);
        let r = s.refuse(request, 422, "invalid_file", Some("file")).await;
        assert!(
            r.body["error"]["message"].as_str().unwrap().contains(says),
            "{}",
            r.body
        );
    }
    let request = s
        .request(Method::POST, "/v1/operator/carrier-files")
        .header("content-type", "text/csv")
        .body("x");
    s.refuse(request, 401, "unauthorized", None).await;
}

async fn the_operator_runs_a_delivery_and_imports_its_notice_from_the_command_line(db: Db) {
    let s = support::spawn(db).await;
    let key = site(&s, "mk").await;
    let day = business_day(&s, 1);
    let mut bill = contract("CLI-BILL", 3_000);
    bill["due_date"] = json!(business_day(&s, 5));
    let ids = accept(&s, &key, &[bill]).await;
    let work = tempfile::tempdir().unwrap();
    let dir = |name: &str| work.path().join(name).to_string_lossy().into_owned();
    let out = dir("out");
    let run = || {
        kessai(&[
            "run", "delivery", "--db", &s.db_url, "--date", &day, "--out", &out,
        ])
    };
    let import = |file: &str| kessai(&["carrier", "import", "--db", &s.db_url, file]);
    let (code, stdout, err) = run();
    assert_eq!(code, 0, "{err}");
    let file = std::fs::read_dir(work.path().join("out"))
        .unwrap()
        .next()
        .expect("an instruction file")
        .unwrap()
        .path();
    assert!(
        stdout.contains(&*file.file_name().unwrap().to_string_lossy()),
        "{stdout}"
    );
    let (code, printed, err) = kessai(&[
        "sim",
        "carrier",
        "--in",
        &dir("out"),
        "--out",
        &dir("notices"),
    ]);
    assert_eq!(code, 0, "{err}");
    let notice = printed.trim().to_string();
    assert!(notice.ends_with(".notice.csv"), "{printed}");
    // One file naming the delivery three times: shipped by the first row, the same again a
    // duplicate, another tracking number a conflict.
    let bytes = std::fs::read(&notice).unwrap();
    let (text, _, _) = SHIFT_JIS.decode(&bytes);
    let row = text.lines().nth(1).unwrap().to_string();
    let reference = row.split(',').next().unwrap();
    let shipped = row.rsplit(',').next().unwrap();
    let thrice = format!(
        "お客様管理番号,送り状番号,出荷日\r\n{row}\r\n{row}\r\n{reference},999999999999,{shipped}\r\n"
    );
    let hand = dir("thrice.csv");
    std::fs::write(&hand, SHIFT_JIS.encode(&thrice).0).unwrap();
    let (code, stdout, err) = import(&hand);
    assert_eq!(code, 0, "{err}");
    assert!(
        stdout.contains("3 rows: 1 shipped, 1 already shipped (skipped), 1 conflicts, 0 unknown"),
        "{stdout}"
    );
    assert_eq!(shown(&s, &key, &ids[0]).await["status"], "shipped");
    let (code, stdout, err) = import(&notice);
    assert_eq!(code, 0, "{err}");
    assert!(
        stdout.contains("1 rows: 0 shipped, 1 already shipped"),
        "{stdout}"
    );
    let (code, stdout, _) = import(&notice);
    assert_eq!(code, 0);
    assert!(stdout.contains("already imported"), "{stdout}");
    let (code, stdout, _) = run();
    assert_eq!(code, 0);
    assert!(stdout.contains("nothing to instruct"), "{stdout}");
    s.assert_books_sound().await;
}
