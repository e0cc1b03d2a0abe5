//! Money through the bank simulator's files, end to end, on both databases: buyers pay into the
//! operator's account at the simulated bank, Kessai reads its camt.054 and funds the deals; the
//! payouts leave as pain.001, the bank answers with pain.002 and camt.054 debits, and the
//! instructions complete with their settlement entries. A rejection is corrected and resent.
//! The simulator repeats itself exactly under a seed.

mod support;

use reqwest::Method;
use serde_json::{json, Value};
use std::path::Path;
use support::bank::{files, import_all, sim};
use support::Db;

on_both_databases!(
    money_moves_through_the_simulated_bank,
    money_moves_through_zengin_files_only
);

async fn money_moves_through_the_simulated_bank(db: Db) {
    let s = support::spawn(db).await;
    let state = s.dir.path().join("bank.json");
    let (state_s, bank_out, inbox) = (
        state.to_str().unwrap(),
        s.dir.path().join("bank-out"),
        s.dir.path().join("from-bank"),
    );
    let (inbox_s, bank_out_s) = (inbox.to_str().unwrap(), bank_out.to_str().unwrap());
    sim(&[
        "init",
        "--state",
        state_s,
        "--seed",
        "7",
        "--reject-rate",
        "0",
    ]);
    let (a, seller_a) = s.agreed_deal("sim-a", 30_000).await;
    let (b, seller_b) = s.agreed_deal("sim-b", 8_000).await;

    sim(&[
        "transfer",
        "--state",
        state_s,
        "--from",
        "ﾔﾏﾀﾞ ﾀﾛｳ",
        "--amount",
        "30000",
        "--reference",
        &a,
    ]);
    sim(&[
        "transfer",
        "--state",
        state_s,
        "--from",
        &format!("{b} ｽｽﾞｷ"),
        "--amount",
        "8000",
    ]);
    sim(&[
        "transfer",
        "--state",
        state_s,
        "--from",
        "ﾀﾅｶ",
        "--amount",
        "1234",
    ]);
    sim(&[
        "run", "--state", state_s, "--inbox", bank_out_s, "--outbox", inbox_s,
    ]);
    let mut seen = vec![];
    let summaries = import_all(&s, &inbox, &mut seen).await;
    assert_eq!(
        (
            summaries[0]["format"].as_str(),
            summaries[0]["matched"].as_i64(),
            summaries[0]["unmatched"].as_i64()
        ),
        (Some("camt.054.001.08"), Some(2), Some(1))
    );
    // The end-of-day statement repeats the three credits: recognized, applied once.
    assert_eq!(
        (
            summaries[1]["format"].as_str(),
            summaries[1]["duplicates"].as_i64(),
            summaries[1]["matched"].as_i64()
        ),
        (Some("camt.053.001.08"), Some(3), Some(0))
    );
    assert_eq!(s.view(&a, support::BUYER_PW).await.ok()["status"], "funded");
    assert_eq!(s.view(&b, support::BUYER_PW).await.ok()["status"], "funded");

    for (buyer, seller) in [(&a, &seller_a), (&b, &seller_b)] {
        s.ship(seller).await.ok();
        s.receipt(buyer).await.ok();
    }
    let export = s
        .operator(
            Method::POST,
            "/v1/operator/bank-exports",
            Some(json!({ "format": "iso20022", "date": "2026-11-24" })),
        )
        .await;
    assert_eq!(export.ok()["files"].as_array().unwrap().len(), 1);
    sim(&[
        "run", "--state", state_s, "--inbox", bank_out_s, "--outbox", inbox_s,
    ]);
    let summaries = import_all(&s, &inbox, &mut seen).await;
    let applied: i64 = summaries
        .iter()
        .map(|x| x["answers_applied"].as_i64().unwrap())
        .sum();
    let duplicate: i64 = summaries
        .iter()
        .map(|x| x["answers_duplicate"].as_i64().unwrap())
        .sum();
    assert_eq!(
        (applied, duplicate),
        (2, 4),
        "pain.002 settles both; the camt.054 debits and the camt.053 statement repeat it: {summaries:?}"
    );
    for buyer in [&a, &b] {
        let ins = s.instructions(buyer).await;
        assert!(ins.iter().all(|i| i["status"] == "completed"), "{ins:?}");
    }
    // Each party sees its own money leave, not the other's.
    let events = |v: &Value| {
        v["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["event"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert!(!events(s.view(&a, support::BUYER_PW).await.ok())
        .iter()
        .any(|e| e.starts_with("payout_")));
    assert!(events(s.view(&seller_a, support::SELLER_PW).await.ok())
        .contains(&"payout_completed".to_string()));
    // The money left: nothing is owed any more.
    let owed: Vec<i64> = sqlx::query_scalar(
        "SELECT debits_yen - credits_yen FROM accounts WHERE kind IN ('payout_due', 'refund_due')",
    )
    .fetch_all(s.app.store.pool())
    .await
    .unwrap();
    assert!(owed.iter().all(|b| *b == 0), "{owed:?}");
    s.assert_books_sound().await;

    // b's payout comes back days later: a camt.054 credit reversing Kessai's debit, quoting
    // its end-to-end reference. The payout is owed again, and the same entry read twice
    // changes nothing.
    let payout = s.instructions(&b).await[0].clone();
    assert_eq!(payout["purpose"], "payout");
    let back = camt_054_returning(&payout);
    let summary = upload(&s, "return.xml", back.clone()).await;
    assert_eq!(
        (
            summary["answers_applied"].as_i64(),
            summary["unmatched"].as_i64()
        ),
        (Some(1), Some(0)),
        "{summary}"
    );
    let ins = s.instructions(&b).await;
    assert_eq!(ins[0]["status"], "rejected", "{ins:?}");
    s.assert_books_sound().await;
    let before = s.snapshot().await;
    let mut again = back.clone();
    again.extend_from_slice(b"\n"); // another file, the same entry
    let summary = upload(&s, "return-again.xml", again).await;
    assert_eq!(summary["answers_duplicate"].as_i64(), Some(1), "{summary}");
    assert_eq!(s.snapshot().await, before);
    // An unknown reference of the same shape is still money in: it goes to suspense.
    let mut stranger = payout.clone();
    stranger["id"] = json!("00000000-0000-7000-8000-000000000001");
    let summary = upload(&s, "stranger.xml", camt_054_returning(&stranger)).await;
    assert_eq!(summary["unmatched"].as_i64(), Some(1), "{summary}");
    s.assert_books_sound().await;
    let id = ins[0]["id"].as_str().unwrap();
    let account = json!({ "bank_code": "0005", "branch_code": "123", "account_type": "ordinary", "account_number": "3333333", "holder_name": "ｽｽﾞｷ" });
    s.operator(
        Method::POST,
        &format!("/v1/operator/instructions/{id}/correct"),
        Some(account),
    )
    .await
    .ok();

    // A bank that rejects everything: the payout comes back rejected with the reason; the
    // operator corrects the account and it goes out again.
    let strict = s.dir.path().join("strict.json");
    let strict_s = strict.to_str().unwrap();
    sim(&[
        "init",
        "--state",
        strict_s,
        "--seed",
        "7",
        "--reject-rate",
        "1",
    ]);
    let (c, seller_c) = s.agreed_deal("sim-c", 5_000).await;
    s.credit("direct-c", 5_000, &c).await.ok();
    s.ship(&seller_c).await.ok();
    s.receipt(&c).await.ok();
    s.operator(
        Method::POST,
        "/v1/operator/bank-exports",
        Some(json!({ "format": "iso20022", "date": "2026-11-25" })),
    )
    .await
    .ok();
    let strict_in = s.dir.path().join("strict-in");
    sim(&[
        "run",
        "--state",
        strict_s,
        "--inbox",
        bank_out_s,
        "--outbox",
        strict_in.to_str().unwrap(),
    ]);
    import_all(&s, &strict_in, &mut seen).await;
    let ins = s.instructions(&c).await;
    assert_eq!(ins[0]["status"], "rejected");
    assert!(
        ins[0]["status_reason"].as_str().unwrap().contains("AC01"),
        "{ins:?}"
    );
    let id = ins[0]["id"].as_str().unwrap();
    let account = json!({ "bank_code": "0005", "branch_code": "123", "account_type": "ordinary", "account_number": "1111111", "holder_name": "ｻﾄｳ ﾊﾅｺ" });
    assert_eq!(
        s.operator(
            Method::POST,
            &format!("/v1/operator/instructions/{id}/correct"),
            Some(account.clone())
        )
        .await
        .ok()["status"],
        "pending"
    );
    s.operator(
        Method::POST,
        &format!("/v1/operator/instructions/{id}/correct"),
        Some(account),
    )
    .await
    .assert_error(409, "wrong_state", None);
    let again = s
        .operator(
            Method::POST,
            "/v1/operator/bank-exports",
            Some(json!({ "format": "iso20022", "date": "2026-11-26" })),
        )
        .await;
    assert_eq!(again.ok()["files"][0]["records"], 1);
    sim(&[
        "run", "--state", state_s, "--inbox", bank_out_s, "--outbox", inbox_s,
    ]);
    import_all(&s, &inbox, &mut seen).await;
    assert_eq!(s.instructions(&c).await[0]["status"], "completed");
    s.assert_books_sound().await;
}

/// A camt.054 crediting back the transfer `instruction` (as the operator API lists it): the
/// reversal of Kessai's debit, quoting the instruction's end-to-end reference.
fn camt_054_returning(instruction: &Value) -> Vec<u8> {
    use kessai_formats::iso_notification::{write_camt_054, Notification, NotificationEntry};
    let id = instruction["id"].as_str().unwrap();
    write_camt_054(&Notification {
        message_id: format!("RET-{}", &id[..8]),
        created_at: "2026-11-27T10:00:00+09:00".into(),
        notification_id: format!("RET-{}", &id[..8]),
        account_number: "1234567".into(),
        bank_code: "0001".into(),
        branch_code: "001".into(),
        entries: vec![NotificationEntry {
            entry_reference: format!("RET{}", &id[id.len() - 12..]),
            amount_yen: instruction["amount_yen"].as_u64().unwrap(),
            credit: true,
            booking_date: "2026-11-27".into(),
            reversal: true,
            end_to_end_id: Some(id.replace('-', "")),
            debtor_name: None,
            remittance: None,
            additional_info: Some("AC04 closed account".into()),
        }],
    })
}

async fn upload(s: &support::TestServer, name: &str, bytes: Vec<u8>) -> Value {
    s.send(
        s.request(
            Method::POST,
            &format!("/v1/operator/bank-files?name={name}"),
        )
        .bearer_auth(&s.token)
        .body(bytes),
    )
    .await
    .ok()
    .clone()
}

/// The same seed and the same steps give the same files, byte for byte; another seed decides
/// differently.
#[test]
fn the_simulator_repeats_exactly_under_a_seed() {
    use kessai_formats::iso20022::{write_pain_001, Account, CreditTransfer, CreditTransferBatch};
    let account = |n: &str| Account {
        bank_code: "0005".into(),
        branch_code: "123".into(),
        account_type: 1,
        account_number: n.into(),
        holder_name: "ｻﾄｳ".into(),
    };
    let batch = CreditTransferBatch {
        message_id: "KESSAI-SEED".into(),
        created_at: "2026-11-24T09:00:00+09:00".into(),
        execution_date: "2026-11-24".into(),
        debtor: account("1234567"),
        transfers: (0..20)
            .map(|i| CreditTransfer {
                end_to_end_id: format!("E2E{i:04}"),
                amount_yen: 1000 + i,
                creditor: account(&format!("{i:07}")),
                remittance: String::new(),
            })
            .collect(),
    };
    let run = |dir: &Path, seed: &str| -> Vec<Vec<u8>> {
        let state = dir.join("bank.json");
        let (st, inbox, outbox) = (state.to_str().unwrap(), dir.join("in"), dir.join("out"));
        std::fs::create_dir_all(&inbox).unwrap();
        std::fs::write(inbox.join("kessai-1.xml"), write_pain_001(&batch)).unwrap();
        sim(&[
            "init",
            "--state",
            st,
            "--seed",
            seed,
            "--reject-rate",
            "0.5",
        ]);
        for i in 0..5 {
            sim(&[
                "transfer",
                "--state",
                st,
                "--from",
                "ﾔﾏﾀﾞ",
                "--amount",
                &(1000 + i).to_string(),
                "--reference",
                "REF",
            ]);
        }
        sim(&[
            "run",
            "--state",
            st,
            "--inbox",
            inbox.to_str().unwrap(),
            "--outbox",
            outbox.to_str().unwrap(),
        ]);
        // Running again answers nothing twice.
        assert!(sim(&[
            "run",
            "--state",
            st,
            "--inbox",
            inbox.to_str().unwrap(),
            "--outbox",
            outbox.to_str().unwrap()
        ])
        .contains("nothing new"));
        files(&outbox)
            .iter()
            .map(|f| std::fs::read(f).unwrap())
            .collect()
    };
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let (a, b, other) = (
        run(dirs[0].path(), "99"),
        run(dirs[1].path(), "99"),
        run(dirs[2].path(), "100"),
    );
    assert_eq!(a, b, "same seed, same files");
    assert_ne!(a, other, "another seed, other decisions");
    let report = String::from_utf8(a[0].clone()).unwrap();
    let (settled, rejected) = (
        report.matches("<TxSts>ACSC</TxSts>").count(),
        report.matches("<TxSts>RJCT</TxSts>").count(),
    );
    assert_eq!(settled + rejected, 20);
    assert!(
        (5..=15).contains(&rejected),
        "about half rejected at rate 0.5, got {rejected}"
    );
}

/// Direct debits: the simulated bank answers a Zengin 91 request with a 91 result whose codes
/// are the standard ones, a valid trailer split, and the same answer under the same seed.
#[test]
fn the_simulator_answers_direct_debit_requests_with_result_codes() {
    use kessai_formats::zengin::debit::{debit_file, debits, Debit, DebitHeader, DebitResult};
    use kessai_formats::zengin::{parse, write};
    let header = DebitHeader {
        collector_code: "0000000007".into(),
        collector_name: "ｹﾂｻｲ".into(),
        debit_date_mmdd: "1127".into(),
        bank_code: "0001".into(),
        bank_name: "ﾐｽﾞﾎ".into(),
        branch_code: "001".into(),
        branch_name: "ﾄｳｷﾖｳ".into(),
        account_type: 1,
        account_number: "1234567".into(),
    };
    let requests: Vec<Debit> = (0..40)
        .map(|i| Debit {
            bank_code: "0005".into(),
            bank_name: String::new(),
            branch_code: "123".into(),
            branch_name: String::new(),
            account_type: 1,
            account_number: format!("{:07}", 1000 + i),
            payer_name: "ﾔﾏﾀﾞ".into(),
            amount_yen: 1_000 + i as u64,
            customer_number: format!("{}", 5000 + i),
            result: DebitResult::Debited,
        })
        .collect();
    let request = write(&debit_file(&header, &requests, false, true).unwrap());
    let answer = |dir: &Path| -> Vec<u8> {
        let (state, inbox, outbox) = (dir.join("bank.json"), dir.join("in"), dir.join("out"));
        std::fs::create_dir_all(&inbox).unwrap();
        std::fs::write(inbox.join("debits-1127.txt"), &request).unwrap();
        sim(&[
            "init",
            "--state",
            state.to_str().unwrap(),
            "--seed",
            "3",
            "--reject-rate",
            "0.5",
        ]);
        sim(&[
            "run",
            "--state",
            state.to_str().unwrap(),
            "--inbox",
            inbox.to_str().unwrap(),
            "--outbox",
            outbox.to_str().unwrap(),
        ]);
        assert!(sim(&[
            "run",
            "--state",
            state.to_str().unwrap(),
            "--inbox",
            inbox.to_str().unwrap(),
            "--outbox",
            outbox.to_str().unwrap()
        ])
        .contains("nothing new"));
        let files = files(&outbox);
        assert_eq!(files.len(), 1, "{files:?}");
        std::fs::read(&files[0]).unwrap()
    };
    let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let result = answer(one.path());
    assert_eq!(result, answer(two.path()), "same seed, same answer");
    let parsed = parse(&result).expect("a valid result file: trailer split checked by the parser");
    let answered = debits(&parsed);
    assert_eq!(answered.len(), 40);
    let failed: Vec<u8> = answered
        .iter()
        .map(|d| d.result.code())
        .filter(|c| *c != 0)
        .collect();
    assert!(
        (10..=30).contains(&failed.len()),
        "about half fail at rate 0.5: {failed:?}"
    );
    assert!(
        failed.iter().all(|c| [1, 2, 3, 4, 8, 9].contains(c)),
        "{failed:?}"
    );
    assert!(
        parsed.groups[0].trailer.number("振替済件数")
            + parsed.groups[0].trailer.number("振替不能件数")
            == 40
    );
}

/// The same round trip in Zengin files only: credits arrive as 01 notices, the day's statement
/// (03) repeats them without applying them twice, and a payout exported as 総合振込 (21) is
/// completed by the statement's withdrawal quoting the payee's deal ID.
async fn money_moves_through_zengin_files_only(db: Db) {
    let s = support::spawn(db).await;
    let state = s.dir.path().join("zengin-bank.json");
    let (state_s, bank_out, inbox) = (
        state.to_str().unwrap(),
        s.dir.path().join("bank-out"),
        s.dir.path().join("from-bank"),
    );
    let (inbox_s, bank_out_s) = (inbox.to_str().unwrap(), bank_out.to_str().unwrap());
    sim(&[
        "init", "--state", state_s, "--seed", "1", "--files", "zengin",
    ]);
    let (a, seller) = s.agreed_deal("zg-a", 7_000).await;
    sim(&[
        "transfer",
        "--state",
        state_s,
        "--from",
        "ﾔﾏﾀﾞ ﾀﾛｳ",
        "--amount",
        "7000",
        "--reference",
        &a,
    ]);
    sim(&[
        "run", "--state", state_s, "--inbox", bank_out_s, "--outbox", inbox_s,
    ]);
    let mut seen = vec![];
    let day1 = import_all(&s, &inbox, &mut seen).await;
    let formats: Vec<&str> = day1.iter().map(|x| x["format"].as_str().unwrap()).collect();
    assert_eq!(formats, ["zengin-01", "zengin-03"]);
    assert_eq!(
        (
            day1[0]["matched"].as_i64(),
            day1[1]["duplicates"].as_i64(),
            day1[1]["matched"].as_i64()
        ),
        (Some(1), Some(1), Some(0)),
        "{day1:?}"
    );
    assert_eq!(
        s.view(&a, support::BUYER_PW).await.ok()["received_yen"],
        7_000
    );

    s.ship(&seller).await.ok();
    s.receipt(&a).await.ok();
    let export = s
        .operator(
            Method::POST,
            "/v1/operator/bank-exports",
            Some(json!({ "format": "zengin", "date": "2026-11-24" })),
        )
        .await;
    assert_eq!(export.ok()["files"][0]["format"], "zengin-21");
    sim(&[
        "run", "--state", state_s, "--inbox", bank_out_s, "--outbox", inbox_s,
    ]);
    let day2 = import_all(&s, &inbox, &mut seen).await;
    assert_eq!(day2.len(), 1, "the answer is the day's statement: {day2:?}");
    assert_eq!(
        (
            day2[0]["format"].as_str(),
            day2[0]["answers_applied"].as_i64()
        ),
        (Some("zengin-03"), Some(1)),
        "{day2:?}"
    );
    let ins = s.instructions(&a).await;
    assert_eq!(
        (ins.len(), ins[0]["status"].as_str()),
        (1, Some("completed")),
        "{ins:?}"
    );
    s.assert_books_sound().await;

    // A bank that can credit nothing: the payout leaves, then comes back (振込不能), shown on
    // the statement as a deposit quoting the same EDI. The payout is owed again until the
    // operator corrects the account; then it goes out through the normal bank.
    let (b, seller_b) = s.agreed_deal("zg-b", 4_000).await;
    s.credit("zg-direct-b", 4_000, &b).await.ok();
    s.ship(&seller_b).await.ok();
    s.receipt(&b).await.ok();
    let export = s
        .operator(
            Method::POST,
            "/v1/operator/bank-exports",
            Some(json!({ "format": "zengin", "date": "2026-11-25" })),
        )
        .await;
    let file = export.ok()["files"][0]["file_name"]
        .as_str()
        .unwrap()
        .to_string();
    let strict = s.dir.path().join("strict-zengin.json");
    let strict_s = strict.to_str().unwrap();
    sim(&[
        "init",
        "--state",
        strict_s,
        "--seed",
        "1",
        "--files",
        "zengin",
        "--reject-rate",
        "1",
    ]);
    let (strict_in, strict_out) = (
        s.dir.path().join("strict-in"),
        s.dir.path().join("strict-out"),
    );
    std::fs::create_dir_all(&strict_in).unwrap();
    std::fs::copy(bank_out.join(&file), strict_in.join(&file)).unwrap();
    sim(&[
        "run",
        "--state",
        strict_s,
        "--inbox",
        strict_in.to_str().unwrap(),
        "--outbox",
        strict_out.to_str().unwrap(),
    ]);
    let back = import_all(&s, &strict_out, &mut seen).await;
    assert_eq!(
        (
            back.len(),
            back[0]["answers_applied"].as_i64(),
            back[0]["unmatched"].as_i64()
        ),
        (1, Some(2), Some(0)),
        "left, then came back; not taken for a payment: {back:?}"
    );
    let ins = s.instructions(&b).await;
    assert_eq!(ins[0]["status"], "rejected", "{ins:?}");
    assert!(
        ins[0]["status_reason"]
            .as_str()
            .unwrap()
            .contains("振込不能"),
        "{ins:?}"
    );
    assert_eq!(
        s.instructions(&a).await[0]["status"],
        "completed",
        "the other payout stands"
    );
    // Owed again: the books and the instructions agree.
    s.assert_books_sound().await;
    // The same statement again changes nothing.
    let before = s.snapshot().await;
    let again = s
        .send(
            s.request(Method::POST, "/v1/operator/bank-files?name=again")
                .bearer_auth(&s.token)
                .body(std::fs::read(&support::bank::files(&strict_out)[0]).unwrap()),
        )
        .await;
    assert!(
        again.ok()["already_imported_at_ms"].is_i64(),
        "{:?}",
        again.body
    );
    assert_eq!(s.snapshot().await, before);

    let id = ins[0]["id"].as_str().unwrap();
    let account = json!({ "bank_code": "0005", "branch_code": "123", "account_type": "ordinary", "account_number": "2222222", "holder_name": "ｽｽﾞｷ ｼﾞﾛｳ" });
    s.operator(
        Method::POST,
        &format!("/v1/operator/instructions/{id}/correct"),
        Some(account),
    )
    .await
    .ok();
    s.operator(
        Method::POST,
        "/v1/operator/bank-exports",
        Some(json!({ "format": "zengin", "date": "2026-11-26" })),
    )
    .await
    .ok();
    sim(&[
        "run", "--state", state_s, "--inbox", bank_out_s, "--outbox", inbox_s,
    ]);
    import_all(&s, &inbox, &mut seen).await;
    assert_eq!(s.instructions(&b).await[0]["status"], "completed");
    s.assert_books_sound().await;
}
