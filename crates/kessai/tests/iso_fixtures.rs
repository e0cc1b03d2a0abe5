//! Bank files not written by Kessai: ISO 20022 documents written by hand from the published
//! schemas (`tests/fixtures/iso`, each validated against its XSD below), imported through the
//! real server. `{{NAME}}` in a fixture stands for what the test creates first (a buyer's deal
//! ID, the ID of the pain.001 Kessai sent).

mod support;

use reqwest::Method;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::bank::upload;
use support::{Db, TestServer, BUYER_PW};

on_both_databases!(
    ntry_ref_reused_across_documents_and_days_funds_every_deal,
    an_entry_in_camt_054_and_again_in_camt_053_applies_once,
    minimal_notification_and_statement_are_imported,
    a_minimal_status_report_completes_the_payout,
    a_debit_kessai_did_not_send_is_listed_for_the_operator,
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
    let end_of_day = fixture("twice-2-end-of-day.camt053.xml", &values);
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

/// Part D1: a DBIT that answers none of Kessai's instructions (a bank charge) is listed for
/// the operator and counted, never silently dropped; nothing is booked.
async fn a_debit_kessai_did_not_send_is_listed_for_the_operator(db: Db) {
    let s = support::spawn(db).await;
    let before = s.snapshot().await;
    let summary = upload(&s, "fee.xml", fixture("foreign-debit.camt054.xml", &[])).await;
    assert_eq!(counts(&summary), [1, 0, 0, 0, 1], "{summary}");
    assert_eq!(s.snapshot().await, before);
    assert_check_ok(&s).await;
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
            "<Id>1234567</Id>",
            "<Id>GB82WEST12345698765432</Id>",
            "GB82WEST12345698765432",
        ),
    ] {
        let xml = good.replacen(from, to, 1);
        let r = s
            .send(
                s.request(Method::POST, "/v1/operator/bank-files?name=other.xml")
                    .bearer_auth(&s.token)
                    .header(reqwest::header::CONTENT_TYPE, "application/xml")
                    .body(xml),
            )
            .await;
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
