//! Bank files not written by Kessai: ISO 20022 documents written by hand from the published
//! schemas (`tests/fixtures/iso`, each validated against its XSD below), imported through the
//! real server. `{{NAME}}` in a fixture stands for what the test creates first (a buyer's deal
//! ID, the ID of the pain.001 Kessai sent).

mod support;

use reqwest::Method;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::bank::{kessai, post_file, upload};
use support::browser::{csrf_of, Browser};
use support::{Db, TestServer, BUYER_PW};

on_both_databases!(
    ntry_ref_reused_across_documents_and_days_funds_every_deal,
    an_entry_in_camt_054_and_again_in_camt_053_applies_once,
    the_banks_reference_again_with_another_amount_is_a_conflict,
    a_statement_repeating_a_notice_imported_before_the_upgrade_applies_nothing_twice,
    a_reversal_after_the_upgrade_is_no_repeat_of_the_payment,
    minimal_notification_and_statement_are_imported,
    a_minimal_status_report_completes_the_payout,
    a_debit_kessai_did_not_send_is_listed_for_the_operator,
    a_debit_quoting_a_payout_with_another_amount_does_not_complete_it,
    a_debit_for_a_payout_the_bank_rejected_is_listed,
    a_remittance_of_4_mb_is_read_and_matched,
    a_notification_for_an_account_kessai_does_not_hold_is_refused
);

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/iso")
}

/// The fixture `name` with each `{{KEY}}` replaced by its value; every placeholder must be given.
fn fixture(name: &str, values: &[(&str, &str)]) -> Vec<u8> {
    let mut text = std::fs::read_to_string(fixtures().join(name)).expect(name);
    for (key, value) in values {
        text = text.replace(&format!("{{{{{key}}}}}"), value);
    }
    assert!(
        !text.contains("{{"),
        "{name}: a placeholder left in\n{text}"
    );
    text.into_bytes()
}

fn xsd_for(name: &str) -> String {
    let schema = if name.ends_with(".camt054.xml") {
        "moov.camt.054.001.08.xsd"
    } else if name.ends_with(".camt053.xml") {
        "moov.camt.053.001.08.xsd"
    } else if name.ends_with(".pain002.xml") {
        "moov.pain.002.001.11.xsd"
    } else {
        panic!("{name}: which schema?")
    };
    format!(
        "{}/../kessai-formats/tests/xsd/{schema}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// xmllint's verdict on `bytes` against the schema for `name`.
fn schema_check(name: &str, bytes: &[u8], dir: &Path) -> std::process::Output {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    Command::new("xmllint")
        .args(["--noout", "--schema", &xsd_for(name)])
        .arg(&path)
        .output()
        .expect("xmllint (bash test.sh installs it)")
}

/// Every fixture is valid against its schema (placeholders filled with valid values), and the
/// check can fail.
#[test]
fn every_fixture_is_valid_against_its_schema() {
    let dir = tempfile::tempdir().unwrap();
    let mut names: Vec<String> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 10, "{names:?}");
    for name in &names {
        let mut text = std::fs::read_to_string(fixtures().join(name)).unwrap();
        while let Some(start) = text.find("{{") {
            let end = text[start..].find("}}").expect("closed placeholder") + start + 2;
            text.replace_range(start..end, "K7M4QX9PT2");
        }
        let out = schema_check(name, text.as_bytes(), dir.path());
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let broken = std::fs::read_to_string(fixtures().join("minimal.camt054.xml"))
        .unwrap()
        .replace("<Sts><Cd>BOOK</Cd></Sts>", "");
    let out = schema_check("broken.camt054.xml", broken.as_bytes(), dir.path());
    assert!(!out.status.success(), "an entry without Sts is invalid");
}

async fn status(s: &TestServer, buyer: &str) -> (String, i64) {
    let v = s.view(buyer, BUYER_PW).await;
    let v = v.ok();
    (
        v["status"].as_str().unwrap().to_string(),
        v["received_yen"].as_i64().unwrap(),
    )
}

/// `GET /v1/operator/check`: every invariant holds.
async fn assert_check_ok(s: &TestServer) {
    let r = s.operator(Method::GET, "/v1/operator/check", None).await;
    assert_eq!(r.ok()["ok"], true, "{}", r.body);
}

/// The amounts on the suspense list, sorted.
async fn suspense(s: &TestServer) -> Vec<i64> {
    let r = s.operator(Method::GET, "/v1/operator/suspense", None).await;
    let mut amounts: Vec<i64> = r.ok()["credits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["amount_yen"].as_i64().unwrap())
        .collect();
    amounts.sort();
    amounts
}

fn counts(summary: &Value) -> [i64; 5] {
    ["records", "matched", "unmatched", "duplicates", "listed"].map(|k| {
        summary[k]
            .as_i64()
            .unwrap_or_else(|| panic!("{k} in {summary}"))
    })
}

/// Finding A1: banks number a notification's entries 1..n, so a new ¥90,000 entry can carry
/// NtryRef 2 again — later the same day (the bank gives AcctSvcrRef) or the next day (it does
/// not). Each funds its deal; a notification sent again applies nothing.
async fn ntry_ref_reused_across_documents_and_days_funds_every_deal(db: Db) {
    let s = support::spawn(db).await;
    let (a, _) = s.agreed_deal("reuse-a", 50_000).await;
    let (b, _) = s.agreed_deal("reuse-b", 90_000).await;
    let (c, _) = s.agreed_deal("reuse-c", 90_000).await;
    let morning = fixture("reuse-1-morning.camt054.xml", &[("BUYER_A", &a)]);
    let afternoon = fixture("reuse-2-afternoon.camt054.xml", &[("BUYER_B", &b)]);
    let next_day = fixture("reuse-3-next-day.camt054.xml", &[("BUYER_C", &c)]);
    assert_eq!(counts(&upload(&s, "m.xml", morning).await), [2, 1, 1, 0, 0]);
    assert_eq!(
        counts(&upload(&s, "a.xml", afternoon.clone()).await),
        [2, 1, 1, 0, 0]
    );
    assert_eq!(
        counts(&upload(&s, "n.xml", next_day.clone()).await),
        [2, 1, 1, 0, 0]
    );
    for (buyer, yen) in [(&a, 50_000), (&b, 90_000), (&c, 90_000)] {
        assert_eq!(status(&s, buyer).await, ("funded".into(), yen), "{buyer}");
    }
    assert_eq!(suspense(&s).await, [2_000, 3_000, 5_000]);
    // The same notifications sent again (other bytes, same entries): nothing applied.
    let before = s.snapshot().await;
    for again in [afternoon, next_day] {
        let mut bytes = again;
        bytes.extend_from_slice(b"<!-- sent again -->\n");
        assert_eq!(
            counts(&upload(&s, "again.xml", bytes).await),
            [2, 0, 0, 2, 0]
        );
    }
    assert_eq!(s.snapshot().await, before);
    assert_check_ok(&s).await;
}

/// The same entries notified intraday (camt.054) and listed again, numbered anew, in the
/// day's statement (camt.053): by the bank's AcctSvcrRef, or without one by what the entry
/// says. Each applies once; the statement's new entry applies.
async fn an_entry_in_camt_054_and_again_in_camt_053_applies_once(db: Db) {
    let s = support::spawn(db).await;
    let (d, _) = s.agreed_deal("twice-d", 40_000).await;
    let (e, _) = s.agreed_deal("twice-e", 7_000).await;
    let (f, _) = s.agreed_deal("twice-f", 30_000).await;
    let values = [("BUYER_D", d.as_str()), ("BUYER_E", &e), ("BUYER_F", &f)];
    let intraday = fixture(
        "twice-1-intraday.camt054.xml",
        &values[..1]
            .iter()
            .chain(&values[2..])
            .copied()
            .collect::<Vec<_>>(),
    );
    // The statement names D's payer, which the notice left out: the bank's own reference
    // (AcctSvcrRef) says it is the same entry, so the added detail makes no conflict.
    let end_of_day = String::from_utf8(fixture("twice-2-end-of-day.camt053.xml", &values))
        .unwrap()
        .replace(
            &format!("<TxDtls><RmtInf><Ustrd>{d}</Ustrd>"),
            &format!("<TxDtls><RltdPties><Dbtr><Pty><Nm>ｻﾄｳ ｼﾞﾛｳ</Nm></Pty></Dbtr></RltdPties><RmtInf><Ustrd>{d}</Ustrd>"),
        )
        .into_bytes();
    assert!(String::from_utf8_lossy(&end_of_day).contains("ｻﾄｳ ｼﾞﾛｳ"));
    assert!(schema_check("e.camt053.xml", &end_of_day, s.dir.path())
        .status
        .success());
    assert_eq!(
        counts(&upload(&s, "i.xml", intraday).await),
        [2, 2, 0, 0, 0]
    );
    assert_eq!(
        counts(&upload(&s, "e.xml", end_of_day).await),
        [3, 1, 0, 2, 0]
    );
    for (buyer, yen) in [(&d, 40_000), (&e, 7_000), (&f, 30_000)] {
        assert_eq!(status(&s, buyer).await, ("funded".into(), yen), "{buyer}");
    }
    assert!(suspense(&s).await.is_empty());
    assert_check_ok(&s).await;
}

/// Finding A1's class: the bank's own reference (`AcctSvcrRef`) reported again with another
/// amount is neither skipped nor applied to the deal: it is a conflict on the suspense list,
/// beside the earlier record; the entry reported again unchanged is a duplicate.
async fn the_banks_reference_again_with_another_amount_is_a_conflict(db: Db) {
    let s = support::spawn(db).await;
    let (d, _) = s.agreed_deal("conflict-d", 40_000).await;
    let (f, _) = s.agreed_deal("conflict-f", 30_000).await;
    let values = [("BUYER_D", d.as_str()), ("BUYER_F", f.as_str())];
    let intraday = fixture("twice-1-intraday.camt054.xml", &values);
    assert_eq!(
        counts(&upload(&s, "i.xml", intraday.clone()).await),
        [2, 2, 0, 0, 0]
    );
    let again = String::from_utf8(intraday)
        .unwrap()
        .replacen("SMBC-054-20261126-01", "SMBC-054-20261126-02", 1)
        .replacen(
            "<Amt Ccy=\"JPY\">40000</Amt>",
            "<Amt Ccy=\"JPY\">45000</Amt>",
            1,
        );
    assert!(again.contains("45000") && again.contains("SMBC-26-4471"));
    let summary = upload(&s, "i2.xml", again.into_bytes()).await;
    assert_eq!(counts(&summary), [2, 0, 0, 1, 0], "{summary}");
    assert_eq!(summary["conflicts"], 1, "{summary}");
    assert_eq!(status(&s, &d).await, ("funded".into(), 40_000));
    let list = s.operator(Method::GET, "/v1/operator/suspense", None).await;
    let conflict = &list.ok()["credits"][0];
    assert_eq!(conflict["amount_yen"], 45_000, "{}", list.body);
    assert_eq!(
        conflict["conflict_with"]["amount_yen"], 40_000,
        "{}",
        list.body
    );
    assert_eq!(
        conflict["conflict_with"]["bank_ref"],
        "camt:1234567:svcr:SMBC-26-4471"
    );
    assert_check_ok(&s).await;
}

/// Imports the intraday notice for the deals of `values` (D and F), then rewrites its records
/// as the version before migration 9 stored them: `camt054:<bank><branch>:<account>:<NtryRef>`,
/// without content (the notice numbers its entries 1 and 2).
async fn imported_before_the_upgrade(s: &TestServer, values: &[(&str, &str)]) {
    let intraday = fixture("twice-1-intraday.camt054.xml", values);
    let summary = upload(s, "i.xml", intraday).await;
    assert_eq!(counts(&summary), [2, 2, 0, 0, 0]);
    let mut db = <sqlx::AnyConnection as sqlx::Connection>::connect(&s.db_url)
        .await
        .expect("connect");
    for (outcome, ntry_ref) in summary["outcomes"].as_array().unwrap().iter().zip(1..) {
        let identity = outcome["identity"].as_str().unwrap();
        let old = format!("camt054:0001001:1234567:{ntry_ref}");
        let updated = sqlx::query(
            "UPDATE bank_credits SET bank_ref = $1, content = NULL WHERE bank_ref = $2",
        )
        .bind(&old)
        .bind(identity)
        .execute(&mut db)
        .await
        .expect("rewrite as the old version stored it");
        assert_eq!(updated.rows_affected(), 1, "{identity}");
    }
}

/// In the days after the upgrade a reversal of a payment the old rule recorded is applied as
/// a reversal: it never takes the payment's old record for its own.
async fn a_reversal_after_the_upgrade_is_no_repeat_of_the_payment(db: Db) {
    let s = support::spawn(db).await;
    let (d, _) = s.agreed_deal("upgrade-rv-d", 40_000).await;
    let (f, _) = s.agreed_deal("upgrade-rv-f", 30_000).await;
    let values = [("BUYER_D", d.as_str()), ("BUYER_F", f.as_str())];
    imported_before_the_upgrade(&s, &values).await;
    let reversal = String::from_utf8(fixture("twice-1-intraday.camt054.xml", &values))
        .unwrap()
        .replacen("SMBC-054-20261126-01", "SMBC-054-20261126-RV", 1)
        .replacen(
            "<CdtDbtInd>CRDT</CdtDbtInd>",
            "<CdtDbtInd>DBIT</CdtDbtInd><RvslInd>true</RvslInd>",
            1,
        )
        .replacen("SMBC-26-4471", "SMBC-26-4471-RV", 1);
    assert!(reversal.contains("<RvslInd>true</RvslInd>"));
    let bytes = reversal.into_bytes();
    assert!(schema_check("rv.camt054.xml", &bytes, s.dir.path())
        .status
        .success());
    let summary = upload(&s, "rv.xml", bytes).await;
    assert_eq!(summary["reversals_applied"], 1, "{summary}");
    assert_eq!(
        summary["duplicates"], 1,
        "F's payment, known by its old record: {summary}"
    );
    assert_eq!(status(&s, &d).await, ("awaiting_payment".into(), 0));
    assert_eq!(status(&s, &f).await, ("funded".into(), 30_000));
    assert_check_ok(&s).await;
}

/// The intraday notice was imported by the version before migration 9, which knew an entry by
/// account and `NtryRef` and kept no content; the day's statement, imported after the upgrade,
/// repeats it. Within the upgrade window the old records are recognized, each for one entry.
async fn a_statement_repeating_a_notice_imported_before_the_upgrade_applies_nothing_twice(db: Db) {
    let s = support::spawn(db).await;
    let (d, _) = s.agreed_deal("upgrade-d", 40_000).await;
    let (e, _) = s.agreed_deal("upgrade-e", 7_000).await;
    let (f, _) = s.agreed_deal("upgrade-f", 30_000).await;
    let values = [("BUYER_D", d.as_str()), ("BUYER_E", &e), ("BUYER_F", &f)];
    imported_before_the_upgrade(&s, &[values[0], values[2]]).await;
    let end_of_day = fixture("twice-2-end-of-day.camt053.xml", &values);
    assert_eq!(
        counts(&upload(&s, "e.xml", end_of_day.clone()).await),
        [3, 1, 0, 2, 0],
        "the two notified entries are recognized by their old identities"
    );
    for (buyer, yen) in [(&d, 40_000), (&e, 7_000), (&f, 30_000)] {
        assert_eq!(status(&s, buyer).await, ("funded".into(), yen), "{buyer}");
    }
    assert_check_ok(&s).await;
    // Each old record now carries its entry's identity: it stands for that entry only. The
    // statement again (other bytes) is known entry by entry, and a second payment with the
    // same amount and text (the bank's own reference differs) is new money.
    let again = String::from_utf8(end_of_day)
        .unwrap()
        .replacen("<Id>", "<Id>X", 1);
    assert_eq!(
        counts(&upload(&s, "e2.xml", again.into_bytes()).await),
        [3, 0, 0, 3, 0]
    );
    let second = fixture("twice-1-intraday.camt054.xml", &[values[0], values[2]]);
    let second = String::from_utf8(second)
        .unwrap()
        .replace("SMBC-26-4471", "SMBC-26-9999");
    assert_eq!(
        counts(&upload(&s, "i2.xml", second.into_bytes()).await),
        [2, 1, 0, 1, 0],
        "the new payment to D is matched, F's entry is known by its identity"
    );
    assert_eq!(status(&s, &d).await.1, 80_000);
    assert_check_ok(&s).await;
}

/// A debit quoting a payout's end-to-end reference settles it only if the bank took what the
/// payout sent: with another amount it is not that transfer (listed for the operator).
async fn a_debit_quoting_a_payout_with_another_amount_does_not_complete_it(db: Db) {
    let s = support::spawn(db).await;
    s.completed_deal("debit-amount", 10_000).await;
    s.export("iso20022", "2026-11-25").await.ok();
    let all = s
        .operator(Method::GET, "/v1/operator/instructions", None)
        .await;
    let payout = all.ok()["instructions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["purpose"] == "payout")
        .cloned()
        .expect("the payout");
    assert_eq!(payout["status"], "sent");
    let id = payout["id"].as_str().unwrap();
    // Kessai's pain.001 quotes the instruction's ID without hyphens (Max35Text).
    let e2e = id.replace('-', "");
    let debit = |yen: i64, reference: &str| {
        let xml = String::from_utf8(fixture("foreign-debit.camt054.xml", &[])).unwrap();
        xml.replace("<Amt Ccy=\"JPY\">1500</Amt>", &format!("<Amt Ccy=\"JPY\">{yen}</Amt>"))
            .replace("FEE-20261129-1", reference)
            .replace(
                "<AddtlNtryInf>",
                &format!("<NtryDtls><TxDtls><Refs><EndToEndId>{e2e}</EndToEndId></Refs></TxDtls></NtryDtls><AddtlNtryInf>"),
            )
            .into_bytes()
    };
    let wrong = debit(9_000, "PAY-1");
    assert!(schema_check("wrong.camt054.xml", &wrong, s.dir.path())
        .status
        .success());
    let summary = upload(&s, "wrong.xml", wrong).await;
    assert_eq!(summary["listed"], 1, "{summary}");
    let still = s
        .operator(Method::GET, "/v1/operator/instructions", None)
        .await;
    let status_of = |r: &support::Reply| {
        r.body["instructions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id)
            .map(|i| i["status"].clone())
    };
    assert_eq!(status_of(&still), Some("sent".into()));
    // The amount the payout sent (less the 3.6% fee) completes it.
    let summary = upload(&s, "right.xml", debit(9_640, "PAY-2")).await;
    assert_eq!(summary["answers_applied"], 1, "{summary}");
    let done = s
        .operator(Method::GET, "/v1/operator/instructions", None)
        .await;
    assert_eq!(status_of(&done), Some("completed".into()));
    assert_check_ok(&s).await;
}

/// Finding A2: no `Svcr` (the account by `Othr/Id` alone), entries with nothing optional, a
/// statement with one balance.
async fn minimal_notification_and_statement_are_imported(db: Db) {
    let s = support::spawn(db).await;
    let (g, _) = s.agreed_deal("min-g", 25_000).await;
    let (h, _) = s.agreed_deal("min-h", 11_000).await;
    let n = fixture("minimal.camt054.xml", &[("BUYER_G", &g)]);
    assert_eq!(counts(&upload(&s, "n.xml", n).await), [2, 1, 1, 0, 0]);
    let st = fixture("minimal.camt053.xml", &[("BUYER_H", &h)]);
    assert_eq!(counts(&upload(&s, "s.xml", st).await), [1, 1, 0, 0, 0]);
    assert_eq!(status(&s, &g).await, ("funded".into(), 25_000));
    assert_eq!(status(&s, &h).await, ("funded".into(), 11_000));
    assert_eq!(suspense(&s).await, [8_000]);
    assert_check_ok(&s).await;
}

/// A pain.002 with only what the schema requires: an acknowledgement listing nothing, then a
/// transaction named by its end-to-end ID alone, settled by its block's status.
async fn a_minimal_status_report_completes_the_payout(db: Db) {
    let s = support::spawn(db).await;
    let (_, seller) = s.completed_deal("pain-min", 10_000).await;
    let export = s.export("iso20022", "2026-11-24").await;
    let name = support::bank::first_file(&export);
    let pain001 = std::fs::read(s.app.config.bank_out_dir.join(name)).unwrap();
    let batch = kessai_formats::iso20022::read_pain_001(&pain001).unwrap();
    let transfer = &batch.transfers[0];
    let values = [
        ("ORIGINAL_MSG_ID", batch.message_id.as_str()),
        ("END_TO_END_ID", transfer.end_to_end_id.as_str()),
    ];
    let ack = fixture("acknowledgement.pain002.xml", &values[..1]);
    let summary = upload(&s, "ack.xml", ack).await;
    assert_eq!(
        (
            summary["records"].as_i64(),
            summary["answers_applied"].as_i64()
        ),
        (Some(0), Some(0))
    );
    let settled = fixture("minimal.pain002.xml", &values);
    let summary = upload(&s, "sts.xml", settled).await;
    assert_eq!(summary["answers_applied"], 1, "{summary}");
    let payout = s.instructions(&seller).await;
    assert!(
        payout.iter().any(|i| i["status"] == "completed"),
        "{payout:?}"
    );
    assert_check_ok(&s).await;
}

/// Money left for a payout the bank had rejected: the books owe the payout still, and the
/// withdrawal is listed for the operator (not dropped as an answer that came too late).
async fn a_debit_for_a_payout_the_bank_rejected_is_listed(db: Db) {
    let s = support::spawn(db).await;
    let (_, seller) = s.completed_deal("pain-rjct", 10_000).await;
    let export = s.export("iso20022", "2026-11-24").await;
    let name = support::bank::first_file(&export);
    let pain001 = std::fs::read(s.app.config.bank_out_dir.join(name)).unwrap();
    let batch = kessai_formats::iso20022::read_pain_001(&pain001).unwrap();
    let e2e = batch.transfers[0].end_to_end_id.clone();
    let values = [
        ("ORIGINAL_MSG_ID", batch.message_id.as_str()),
        ("END_TO_END_ID", e2e.as_str()),
    ];
    let rejected = String::from_utf8(fixture("minimal.pain002.xml", &values))
        .unwrap()
        .replace("<PmtInfSts>ACSC</PmtInfSts>", "")
        .replace(
            "</OrgnlEndToEndId>",
            "</OrgnlEndToEndId><TxSts>RJCT</TxSts>",
        );
    assert!(rejected.contains("<TxSts>RJCT</TxSts>"));
    let valid = schema_check("rjct.pain002.xml", rejected.as_bytes(), s.dir.path());
    assert!(valid.status.success(), "{valid:?}");
    assert_eq!(
        upload(&s, "rjct.xml", rejected.into_bytes()).await["answers_applied"],
        1
    );
    let debit = String::from_utf8(fixture("foreign-debit.camt054.xml", &[]))
        .unwrap()
        .replace("<Amt Ccy=\"JPY\">1500</Amt>", "<Amt Ccy=\"JPY\">9640</Amt>")
        .replace(
            "<AddtlNtryInf>",
            &format!("<NtryDtls><TxDtls><Refs><EndToEndId>{e2e}</EndToEndId></Refs></TxDtls></NtryDtls><AddtlNtryInf>"),
        );
    assert!(debit.contains(&e2e) && debit.contains("9640"));
    let summary = upload(&s, "debit.xml", debit.into_bytes()).await;
    assert_eq!(summary["listed"], 1, "{summary}");
    let payout = s.instructions(&seller).await;
    assert!(
        payout.iter().all(|i| i["status"] == "rejected"),
        "{payout:?}"
    );
    assert_check_ok(&s).await;
}

/// Part D1: a DBIT that answers none of Kessai's instructions (a bank charge) is listed for
/// the operator and counted, never silently dropped; nothing is booked.
async fn a_debit_kessai_did_not_send_is_listed_for_the_operator(db: Db) {
    let s = support::spawn(db).await;
    let before = s.snapshot().await;
    let summary = upload(&s, "fee.xml", fixture("foreign-debit.camt054.xml", &[])).await;
    assert_eq!(counts(&summary), [1, 0, 0, 0, 1], "{summary}");
    assert_eq!(s.snapshot().await, before);
    assert_check_ok(&s).await;
    // Listed for the operator: it stays on the operator's list after the import's answer.
    let list = s
        .send(
            s.request(Method::GET, "/v1/operator/suspense")
                .bearer_auth(&s.token),
        )
        .await;
    let listed = list.ok()["listed"].as_array().expect("listed").clone();
    assert_eq!(listed.len(), 1, "{}", list.body);
    assert_eq!(listed[0]["file_name"], "fee.xml");
    assert_eq!(listed[0]["amount_yen"], 1500);
    assert_eq!(listed[0]["position"], 1);
    assert!(
        listed[0]["content"]
            .as_str()
            .unwrap()
            .starts_with("out|1500|"),
        "{}",
        list.body
    );
    // And on the operator's suspense page.
    let b = Browser::new(&s.base);
    let (_, page) = b.get("/operator/suspense").await;
    let csrf = csrf_of(&page);
    let form = [
        ("csrf", csrf.as_str()),
        ("operator_token", s.token.as_str()),
    ];
    let (status, page) = b.post("/operator/login", &form).await;
    assert_eq!(status, 200);
    let table = &page[page
        .find("data-testid=\"listed\"")
        .expect("the listed entries")..];
    assert!(
        table.contains("fee.xml #1") && table.contains("¥1,500"),
        "{page}"
    );
    // And by `kessai bank suspense`.
    let (code, out, err) = kessai(&["bank", "suspense", "--db", &s.db_url]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("fee.xml entry 1") && out.contains("1 entr(ies) of bank files listed"),
        "{out}"
    );
}

/// Part D2: a remittance of 4 MB (30,000 `Ustrd` lines of 140 characters, each within
/// `Max140Text`) quoting the deal ID at its end is read and matched. (Reading IDs out of text
/// is linear: `DealId::find_in`, tested on 4 MB of IDs in kessai-core.)
async fn a_remittance_of_4_mb_is_read_and_matched(db: Db) {
    let s = support::spawn(db).await;
    let (k, _) = s.agreed_deal("big-k", 12_000).await;
    let filler = format!("<Ustrd>{}</Ustrd>", "ﾌﾘｺﾐﾃｽﾄ ｱｲ".repeat(14));
    let lines = filler.repeat(10_000);
    let xml = fixture("minimal.camt054.xml", &[("BUYER_G", &k)])
        .into_iter()
        .collect::<Vec<u8>>();
    let xml = String::from_utf8(xml)
        .unwrap()
        .replacen("<RmtInf><Ustrd>", &format!("<RmtInf>{lines}<Ustrd>"), 1)
        .replace(
            "<Amt Ccy=\"JPY\">25000</Amt>",
            "<Amt Ccy=\"JPY\">12000</Amt>",
        );
    assert!(xml.len() > 4_000_000, "{}", xml.len());
    let dir = tempfile::tempdir().unwrap();
    let out = schema_check("big.camt054.xml", xml.as_bytes(), dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = upload(&s, "big.xml", xml.into_bytes()).await;
    assert_eq!(counts(&summary), [2, 1, 1, 0, 0], "{summary}");
    assert_eq!(status(&s, &k).await, ("funded".into(), 12_000));
    assert_check_ok(&s).await;
}

/// Part D1: a camt file about another account — another number, or our number at another
/// bank or branch — is refused whole, naming the account; nothing is applied.
async fn a_notification_for_an_account_kessai_does_not_hold_is_refused(db: Db) {
    let s = support::spawn(db).await;
    let (a, _) = s.agreed_deal("other-a", 50_000).await;
    let good =
        String::from_utf8(fixture("reuse-1-morning.camt054.xml", &[("BUYER_A", &a)])).unwrap();
    let before = s.snapshot().await;
    for (from, to, named) in [
        (
            "<Id>1234567</Id>",
            "<Id>7654321</Id>",
            "account 0001-001 7654321",
        ),
        (
            "<MmbId>0001001</MmbId>",
            "<MmbId>0005009</MmbId>",
            "account 0005-009 1234567",
        ),
        (
            "<Othr><Id>1234567</Id></Othr>",
            "<IBAN>GB82WEST12345698765432</IBAN>",
            "GB82WEST12345698765432",
        ),
    ] {
        let xml = good.replacen(from, to, 1);
        assert!(xml.contains(to));
        let valid = schema_check("other.camt054.xml", xml.as_bytes(), s.dir.path());
        assert!(valid.status.success(), "{to}: {valid:?}");
        let r = post_file(&s, "other.xml", xml.into_bytes()).await;
        r.assert_error(422, "invalid_file", Some("file"));
        let message = r.body["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(named) && message.contains("nothing applied"),
            "{}",
            r.body
        );
    }
    assert_eq!(s.snapshot().await, before);
    assert_eq!(status(&s, &a).await, ("awaiting_payment".into(), 0));
}
