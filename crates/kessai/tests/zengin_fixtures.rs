//! Zengin files built by hand from the published layouts (`tests/fixtures/zengin`, not written
//! by Kessai): a notice and a statement of one transfer apply once, a 照会番号 reused on another
//! day is a new entry, the same identity with other content is a conflict shown beside the
//! earlier record, malformed and foreign files are refused whole naming what is wrong, and the
//! import summary says what each record did — on both databases, through the API and the CLI.

mod support;

use reqwest::Method;
use serde_json::Value;
use support::bank::{kessai, post_file, upload};
use support::{Db, TestServer};

on_both_databases!(
    a_notice_and_a_statement_of_one_transfer_apply_once,
    an_identity_with_other_content_is_a_conflict_beside_the_earlier_record,
    malformed_and_foreign_files_are_refused_whole,
    a_statement_completing_two_payouts_says_so,
    withdrawals_answering_no_transfer_of_kessais_are_listed,
    check_finds_an_entry_skipped_behind_the_importers_back,
    a_debit_result_written_by_hand_debits_the_contract_it_names
);

/// The hand-built 91 result (one record 振替済: ¥5,000 from 0005-123 7654321, 顧客番号 1)
/// answers the first debit Kessai requests; before that debit exists it names none of
/// Kessai's, and is listed for the operator, not applied.
async fn a_debit_result_written_by_hand_debits_the_contract_it_names(db: Db) {
    let s = support::spawn(db).await;
    let bytes = fixture("debit_91_result.dat", &[]);
    let early = upload(&s, "early.dat", bytes.clone()).await;
    assert_eq!(
        (
            early["debits_ignored"].as_i64(),
            early["debits_applied"].as_i64()
        ),
        (Some(1), Some(0)),
        "{early}"
    );

    let key = support::contracts::site(&s, "mk").await;
    let mut c = support::contracts::contract("F-1", 5_000);
    c["buyer"]["account"] = support::contracts::account("0005", "123", "7654321", "ﾔﾏﾀﾞ ﾀﾛｳ");
    let id = support::contracts::post(&s, &key, &c)
        .await
        .str("contract_id");
    let run = s
        .operator(
            Method::POST,
            "/v1/operator/runs/debit",
            Some(serde_json::json!({"date": support::contracts::business_day(&s, 1)})),
        )
        .await;
    assert_eq!(run.ok()["files"][0]["format"], "zengin-91");
    // The same records in a file of another name and line ending: a new file, so its entry is
    // weighed again, and now it answers the debit.
    let mut unbroken = kessai_formats::zengin::parse(&bytes).unwrap();
    unbroken.crlf = false;
    let summary = upload(&s, "result.dat", kessai_formats::zengin::write(&unbroken)).await;
    assert_eq!(summary["debits_applied"], 1, "{summary}");
    assert_eq!(summary["outcomes"][0]["contract_id"], id.as_str());
    let shown = support::contracts::get(&s, Some(&key), &format!("/v1/contracts/{id}")).await;
    assert_eq!(shown.ok()["status"], "debited");
    s.assert_books_sound().await;

    // The main account's statement of that day shows what the request collected as one
    // deposit (取引区分 14, 摘要 ｺｳｻﾞﾌﾘｶｴ, no payer code): the money the result booked, not
    // money in — and the same entry in another file is a duplicate.
    let day = support::contracts::business_day(&s, 1);
    let era = format!(
        "{:02}{}{}",
        day[..4].parse::<i32>().unwrap() - 2018,
        &day[5..7],
        &day[8..10]
    );
    let days: Vec<(&str, &str)> = ["@CRDT@", "@FROM@", "@TO@@@", "@BOOK@", "@DONE@"]
        .into_iter()
        .map(|p| (p, era.as_str()))
        .collect();
    let statement = fixture("statement_03_debit_collection.dat", &days);
    let summary = upload(&s, "collection.dat", statement.clone()).await;
    assert_eq!(
        (
            &summary["answers_applied"],
            &summary["unmatched"],
            &summary["matched"]
        ),
        (
            &serde_json::json!(1),
            &serde_json::json!(0),
            &serde_json::json!(0)
        ),
        "{summary}"
    );
    assert_eq!(
        summary["outcomes"][0]["instruction_answer"],
        "debit_collection"
    );
    let mut again = kessai_formats::zengin::parse(&statement).unwrap();
    again.crlf = false;
    let again = upload(
        &s,
        "collection-again.dat",
        kessai_formats::zengin::write(&again),
    )
    .await;
    assert_eq!(again["answers_duplicate"], 1, "{again}");
    let suspense = s.operator(Method::GET, "/v1/operator/suspense", None).await;
    assert_eq!(
        suspense.ok()["credits"],
        serde_json::json!([]),
        "nothing on the suspense list"
    );
    s.assert_books_sound().await;
}

/// A fixture's bytes with each placeholder replaced by a value of the same width.
fn fixture(name: &str, values: &[(&str, &str)]) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/zengin/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    for (placeholder, value) in values {
        assert_eq!(
            placeholder.len(),
            value.len(),
            "{value} must fill {placeholder}"
        );
        let at = bytes
            .windows(placeholder.len())
            .position(|w| w == placeholder.as_bytes())
            .unwrap_or_else(|| panic!("{placeholder} not in {name}"));
        bytes[at..at + value.len()].copy_from_slice(value.as_bytes());
    }
    bytes
}

/// `kessai bank import` of these bytes: (exit code, stdout, stderr).
fn cli_import(s: &TestServer, name: &str, bytes: Vec<u8>) -> (i32, String, String) {
    let path = s.dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    kessai(&["bank", "import", "--db", &s.db_url, path.to_str().unwrap()])
}

fn outcomes(summary: &Value) -> Vec<(i64, String)> {
    summary["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["entry"].as_i64().unwrap(),
                o["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn received(s: &TestServer, buyer: &str) -> i64 {
    s.view(buyer, support::BUYER_PW).await.ok()["received_yen"]
        .as_i64()
        .unwrap()
}

const DAY1_FIRST: &str = "zengin:0001:001:1234567:081124:101";

/// Imports the day-1 notice with deal `a` quoted; the credit of its first entry.
async fn day1(s: &TestServer, a: &str) -> String {
    let summary = upload(
        s,
        "n1.dat",
        fixture("notice_01_day1.dat", &[("@DEAL-A@@@", a)]),
    )
    .await;
    summary["outcomes"][0]["credit_id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The first instruction the operator API lists that `pick` accepts.
async fn instruction(s: &TestServer, pick: impl Fn(&Value) -> bool) -> Value {
    let all = s
        .operator(Method::GET, "/v1/operator/instructions", None)
        .await;
    let found = all.ok()["instructions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| pick(i))
        .cloned();
    found.unwrap_or_else(|| panic!("no such instruction in {}", all.body))
}

async fn a_notice_and_a_statement_of_one_transfer_apply_once(db: Db) {
    let s = support::spawn(db).await;
    let (a, _) = s.agreed_deal("fx-a", 52_000).await;
    let (b, _) = s.agreed_deal("fx-b", 30_000).await;
    let day1 = upload(
        &s,
        "n1.dat",
        fixture("notice_01_day1.dat", &[("@DEAL-A@@@", &a)]),
    )
    .await;
    assert_eq!(
        outcomes(&day1),
        [(1, "matched".into()), (2, "suspense".into())],
        "{day1}"
    );
    assert_eq!(day1["outcomes"][0]["identity"], DAY1_FIRST);
    assert_eq!(day1["outcomes"][0]["deal_id"], a.as_str());

    // The statement reports the same two deposits (照会番号 padded to 8 digits, the account to
    // 10): duplicates of identical entries; its withdrawal is listed, not a cancellation.
    let statement = fixture("statement_03_day1.dat", &[("@DEAL-A@@@", &a)]);
    let (code, out, err) = cli_import(&s, "s1.dat", statement);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("zengin-03, 3 records — duplicates of earlier entries (skipped): 2, withdrawals or corrections listed (not applied): 1\n"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "entry 1 {DAY1_FIRST} ¥52,000: duplicate of an identical earlier entry"
        )),
        "{out}"
    );
    assert!(!out.contains("cancellation"), "{out}");
    assert_eq!(received(&s, &a).await, 52_000, "applied once");

    // The bank numbers entries per day: 照会番号 000101 on the next 勘定日 is another entry.
    let day2 = fixture("notice_01_day2_same_number.dat", &[("@DEAL-B@@@", &b)]);
    let (code, out, err) = cli_import(&s, "n2.dat", day2);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("credits matched to deals: 1\n"), "{out}");
    assert!(
        out.contains(&format!(
            "entry 1 zengin:0001:001:1234567:081125:101 ¥30,000: credit matched to deal {b}"
        )),
        "{out}"
    );
    assert_eq!(s.view(&b, support::BUYER_PW).await.ok()["status"], "funded");
    s.assert_books_sound().await;
}

async fn an_identity_with_other_content_is_a_conflict_beside_the_earlier_record(db: Db) {
    let s = support::spawn(db).await;
    let (a, _) = s.agreed_deal("cf-a", 52_000).await;
    let earlier = day1(&s, &a).await;

    // The same account, 勘定日 and 照会番号 with ¥90,000: not skipped.
    let conflict = fixture("notice_01_conflict.dat", &[("@DEAL-A@@@", &a)]);
    let summary = upload(&s, "conflict.dat", conflict.clone()).await;
    assert_eq!(outcomes(&summary), [(1, "conflict".into())], "{summary}");
    assert_eq!(summary["conflicts"], 1);
    assert_eq!(summary["outcomes"][0]["conflict_of"], earlier.as_str());
    assert_eq!(
        received(&s, &a).await,
        52_000,
        "not matched: for the operator to decide"
    );

    // The suspense list shows the new record with the earlier one.
    let list = s.operator(Method::GET, "/v1/operator/suspense", None).await;
    let credits = list.ok()["credits"].as_array().unwrap().clone();
    let shown = credits
        .iter()
        .find(|c| c["amount_yen"] == 90_000)
        .unwrap_or_else(|| panic!("the conflict is on the suspense list: {}", list.body));
    assert_eq!(shown["conflict_of"], earlier.as_str());
    assert_eq!(shown["conflict_with"]["id"], earlier.as_str());
    assert_eq!(shown["conflict_with"]["amount_yen"], 52_000);
    assert_eq!(shown["conflict_with"]["bank_ref"], DAY1_FIRST);
    let (code, out, _) = kessai(&["bank", "suspense", "--db", &s.db_url]);
    assert_eq!(code, 0);
    assert!(
        out.contains(&format!(
            "conflict: the bank reported {DAY1_FIRST} before as ¥52,000"
        )),
        "{out}"
    );

    // The same conflicting entry in another file (the records without separators) is a
    // duplicate of the conflict, not a second one.
    let unseparated: Vec<u8> = conflict
        .chunks(202)
        .flat_map(|r| r[..200].to_vec())
        .collect();
    let again = upload(&s, "conflict-again.dat", unseparated).await;
    assert_eq!(outcomes(&again), [(1, "duplicate".into())], "{again}");
    assert_eq!(
        again["outcomes"][0]["credit_id"],
        summary["outcomes"][0]["credit_id"]
    );

    // The same rule for a credit the operator posts: a bank_ref repeated with another amount.
    s.credit("api-1", 1_000, "ﾀﾅｶ").await.ok();
    let repeated = s.credit("api-1", 2_000, "ﾀﾅｶ").await;
    assert_eq!(repeated.ok()["duplicate"], false, "{}", repeated.body);
    assert!(
        repeated.body["conflict_of"].is_string(),
        "{}",
        repeated.body
    );
    let same = s.credit("api-1", 1_000, "ﾀﾅｶ").await;
    assert_eq!(same.ok()["duplicate"], true, "{}", same.body);
    let list = s.operator(Method::GET, "/v1/operator/suspense", None).await;
    let credits = list.ok()["credits"].as_array().unwrap();
    assert!(
        credits
            .iter()
            .any(|c| c["amount_yen"] == 2_000 && c["conflict_with"]["bank_ref"] == "api-1"),
        "{}",
        list.body
    );
    s.assert_books_sound().await;
}

async fn malformed_and_foreign_files_are_refused_whole(db: Db) {
    let s = support::spawn(db).await;
    let (a, _) = s.agreed_deal("bad-a", 52_000).await;
    let before = s.snapshot().await;
    let deal = [("@DEAL-A@@@", a.as_str())];
    for (file, values, says) in [
        (
            "notice_01_data_first.dat",
            &[][..],
            "record 1, field データ区分: a data record (type 2) before the header",
        ),
        (
            "notice_01_other_account.dat",
            &deal[..],
            "account 0005-009 7654321, which is not an account Kessai holds",
        ),
        (
            "notice_01_month13.dat",
            &deal[..],
            "record 2, field 勘定日: '991399' is not a 和暦 date YYMMDD: there is no month 13",
        ),
    ] {
        let bytes = fixture(file, values);
        let reply = post_file(&s, file, bytes.clone()).await;
        reply.assert_error(422, "invalid_file", Some("file"));
        let message = reply.body["error"]["message"].as_str().unwrap();
        assert!(message.contains(says), "{file}: {message}");
        let (code, _, err) = cli_import(&s, file, bytes);
        assert_eq!(code, 1, "{file}");
        assert!(err.contains(says), "{file}: {err}");
    }
    assert_eq!(s.snapshot().await, before, "nothing applied");
}

async fn a_statement_completing_two_payouts_says_so(db: Db) {
    let s = support::spawn(db).await;
    let (_, seller_1) = s.completed_deal("po-1", 10_000).await;
    let (_, seller_2) = s.completed_deal("po-2", 20_000).await;
    s.export("zengin", "2026-11-25").await.ok();
    // The fixture's amounts are the payouts less the fee (3.6%): ¥9,640 and ¥19,280.
    let mut ids = vec![];
    for amount in [9_640, 19_280] {
        let payout = instruction(&s, |i| {
            i["purpose"] == "payout" && i["amount_yen"] == amount
        })
        .await;
        assert_eq!(payout["status"], "sent");
        ids.push(payout["id"].as_str().unwrap().to_string());
    }
    let statement = fixture(
        "statement_03_payouts.dat",
        &[("@SELLER-1@", &seller_1), ("@SELLER-2@", &seller_2)],
    );
    let (code, out, err) = cli_import(&s, "payouts.dat", statement);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("zengin-03, 2 records — answers applied to Kessai's instructions: 2\n"),
        "{out}"
    );
    for ((entry, id), yen) in ids.iter().enumerate().zip(["¥9,640", "¥19,280"]) {
        let n = entry + 1;
        let line = format!("entry {n} zengin:0001:001:1234567:081126:{n} {yen}: answer applied to instruction {id} (settled): completed");
        assert!(out.contains(&line), "{line} in {out}");
    }
    assert!(
        !out.contains("matched") && !out.contains("suspense"),
        "{out}"
    );
    for id in &ids {
        let i = instruction(&s, |i| i["id"] == id.as_str()).await;
        assert_eq!(i["status"], "completed", "{i}");
    }
    s.assert_books_sound().await;
}

/// What the A1 bug left behind, made by hand: a file whose entry was recorded as a duplicate of
/// an earlier entry that said something else, and a file with an entry that has no record at
/// all. `kessai check` names the file and the entry.
async fn check_finds_an_entry_skipped_behind_the_importers_back(db: Db) {
    let s = support::spawn(db).await;
    let (a, _) = s.agreed_deal("ck-a", 52_000).await;
    let earlier = day1(&s, &a).await;
    let check = || kessai(&["check", "--db", &s.db_url]);
    let (code, out, _) = check();
    assert_eq!(code, 0, "{out}");

    // A second notice whose ¥90,000 entry reuses the identity, "skipped as already applied".
    let pool = s.app.store.pool();
    sqlx::query(
        "INSERT INTO bank_files (id, sha256, format, name, records, applied, duplicates, imported_at_ms, entries, total_yen) \
         VALUES ('f-skipped', 'x', 'zengin-01', 'notice-2.dat', 1, 0, 1, 0, 1, 90000)",
    )
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO bank_entries (file_id, position, identity, content, amount_yen, outcome, credit_id) \
         VALUES ('f-skipped', 1, $1, 'in|90000|081124|', 90000, 'duplicate', $2)",
    )
    .bind(DAY1_FIRST)
    .bind(&earlier)
    .execute(pool)
    .await
    .unwrap();
    let (code, out, _) = check();
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!("bank file notice-2.dat (f-skipped), entry 1 ({DAY1_FIRST}): recorded as duplicate of credit {earlier}, which says 'in|52000|081124|'")),
        "{out}"
    );

    // An entry of the first file loses its record.
    for sql in [
        "DELETE FROM bank_entries WHERE file_id = 'f-skipped'",
        "DELETE FROM bank_entries WHERE position = 2",
    ] {
        sqlx::query(sql).execute(pool).await.unwrap();
    }
    let (code, out, _) = check();
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("bank file notice-2.dat (f-skipped): the file holds 1 entries totalling 90000 but 0 totalling 0 are accounted for (no record of entry 1)"),
        "{out}"
    );
    assert!(
        out.contains("bank file n1.dat (") && out.contains("the file holds 2 entries totalling 62000 but 1 totalling 52000 are accounted for (no record of entry 2)"),
        "{out}"
    );
}

/// The payouts' statement, quoting payees that no instruction pays: the withdrawals are not
/// Kessai's transfers, and are listed for the operator (not dropped as answers to nothing).
async fn withdrawals_answering_no_transfer_of_kessais_are_listed(db: Db) {
    let s = support::spawn(db).await;
    let (_, seller_1) = s.agreed_deal("nopay-1", 10_000).await;
    let (_, seller_2) = s.agreed_deal("nopay-2", 20_000).await;
    let statement = fixture(
        "statement_03_payouts.dat",
        &[("@SELLER-1@", &seller_1), ("@SELLER-2@", &seller_2)],
    );
    let before = s.snapshot().await;
    let r = post_file(&s, "nopay.dat", statement).await;
    assert_eq!(r.ok()["listed"], 2, "{}", r.body);
    assert_eq!(r.body["answers_ignored"], 0, "{}", r.body);
    assert_eq!(s.snapshot().await, before, "nothing booked");
    let list = s.operator(Method::GET, "/v1/operator/suspense", None).await;
    let listed = list.ok()["listed"].as_array().unwrap().clone();
    assert_eq!(listed.len(), 2, "{}", list.body);
    assert!(listed.iter().all(|e| e["file_name"] == "nopay.dat"));
    s.assert_books_sound().await;
}
