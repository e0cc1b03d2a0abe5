//! `kessai bank import` (the real binary): a Zengin incoming-transfer notice is reconciled to
//! deals by the deal ID in the transferor name or EDI field, unmatched and ambiguous credits go
//! to suspense, and every file and every record is applied exactly once.

mod support;

use kessai_formats::zengin::notice::{notice_file, IncomingTransfer, NoticeAccount};
use kessai_formats::zengin::write;
use support::bank::kessai;
use support::{Db, TestServer};

on_both_databases!(
    notices_are_reconciled_once,
    virtual_accounts_match_without_a_reference,
    statements_and_ebcdic_notices_are_reconciled,
    payer_codes_match_without_a_reference,
    credits_recorded_together_are_applied_as_one_by_one
);

/// The buyer is given a 振込依頼人コード; a transfer carrying it matches with nothing in the name.
async fn payer_codes_match_without_a_reference(db: Db) {
    let s = support::spawn(db).await;
    let (a, _) = s.agreed_deal("pc-a", 3_300).await;
    let view = s.view(&a, support::BUYER_PW).await;
    let code = view.ok()["payment"]["payer_code"]
        .as_str()
        .expect("a payer code")
        .to_string();
    assert_eq!(code.len(), 10);
    assert!(
        s.app
            .store
            .emails_for(&a)
            .await
            .unwrap()
            .iter()
            .any(|m| m.body.contains(&code)),
        "the payment email gives the code"
    );
    let mut t = transfer("000021", 3_300, "ﾀﾅｶ ｲﾁﾛｳ", "", false);
    t.transferor_code = code;
    let path = save(&s, "coded.txt", vec![t]);
    let (code, out, err) = kessai(&["bank", "import", "--db", &s.db_url, &path]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("records — credits matched to deals: 1\n"),
        "{out}"
    );
    assert_eq!(s.view(&a, support::BUYER_PW).await.ok()["status"], "funded");
    s.assert_books_sound().await;
}

async fn virtual_accounts_match_without_a_reference(db: Db) {
    let s = support::spawn_with(
        db,
        support::Options {
            virtual_accounts: Some((9_000_000, 9_000_001)),
            ..Default::default()
        },
    )
    .await;
    let (a, _) = s.agreed_deal("va-a", 4_000).await;
    let (b, _) = s.agreed_deal("va-b", 6_000).await;
    let (c, _) = s.agreed_deal("va-c", 7_000).await; // the range holds two: c pays by reference
    let pay_to = |v: &serde_json::Value| v["payment"]["pay_to"].as_str().unwrap().to_string();
    assert!(pay_to(s.view(&a, support::BUYER_PW).await.ok()).contains("9000000"));
    assert!(pay_to(s.view(&b, support::BUYER_PW).await.ok()).contains("9000001"));
    assert!(
        pay_to(s.view(&c, support::BUYER_PW).await.ok()).contains("1234567"),
        "past the range: the collection account"
    );
    let mail = s.app.store.emails_for(&a).await.unwrap();
    assert!(
        mail.iter().any(|m| m.body.contains("9000000")),
        "the payment email names the deal's own account"
    );

    // Money into a's and b's own accounts, quoting nothing; c's quoting its ID.
    let group = |number: &str, transfers: Vec<IncomingTransfer>| {
        (
            NoticeAccount {
                account_number: number.into(),
                ..account()
            },
            transfers,
        )
    };
    let groups = vec![
        group(
            "9000000",
            vec![transfer("000001", 4_000, "ﾀﾅｶ ｲﾁﾛｳ", "", false)],
        ),
        group("9000001", vec![transfer("000001", 6_000, "ｽｽﾞｷ", "", false)]),
        group(
            "1234567",
            vec![transfer("000001", 7_000, &format!("ｻﾄｳ {c}"), "", false)],
        ),
    ];
    // Through the API: the server knows the virtual-account range, so these accounts are held.
    let bytes = write(&notice_file(&groups, true).unwrap());
    let summary = support::bank::upload(&s, "va.txt", bytes).await;
    assert_eq!(
        (&summary["matched"], &summary["unmatched"]),
        (&3.into(), &0.into()),
        "{summary}"
    );
    for id in [&a, &b, &c] {
        assert_eq!(s.view(id, support::BUYER_PW).await.ok()["status"], "funded");
    }
    s.assert_books_sound().await;
}

fn account() -> NoticeAccount {
    NoticeAccount {
        bank_code: "0001".into(),
        bank_name: "ﾐｽﾞﾎ".into(),
        branch_code: "001".into(),
        account_type: 1,
        account_number: "1234567".into(),
        account_name: "ｹﾂｻｲ ｴｽｸﾛ-".into(),
        date_yymmdd: "081124".into(),
    }
}

fn transfer(no: &str, amount_yen: u64, name: &str, edi: &str, cancelled: bool) -> IncomingTransfer {
    IncomingTransfer {
        bank_code: String::new(),
        branch_code: String::new(),
        account_number: String::new(),
        inquiry_number: no.into(),
        booking_date: "081124".into(),
        amount_yen,
        transferor_code: "0000000000".into(),
        transferor_name: name.into(),
        edi: edi.into(),
        cancelled,
    }
}

fn save(s: &TestServer, name: &str, transfers: Vec<IncomingTransfer>) -> String {
    let bytes = write(&notice_file(&[(account(), transfers)], true).unwrap());
    let path = s.dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

async fn notices_are_reconciled_once(db: Db) {
    let s = support::spawn(db).await;
    let (a, _) = s.agreed_deal("imp-a", 52_000).await;
    let (b, _) = s.agreed_deal("imp-b", 20_000).await;
    // A spaced-out ID after the name, an ID in the EDI field, no ID, two IDs, a cancellation.
    let spaced = format!("ﾔﾏﾀﾞ ﾀﾛｳ {} {}", &a[..5], &a[5..]);
    let first = save(
        &s,
        "notice-1.txt",
        vec![
            transfer("000001", 52_000, &spaced, "", false),
            transfer("000002", 20_000, "ｽｽﾞｷ ｼﾞﾛｳ", &b, false),
            transfer("000003", 3_000, "ﾀﾅｶ ｲﾁﾛｳ", "", false),
            transfer("000004", 1_000, &format!("{a}{b}"), "", false),
            transfer("000005", 9_999, "ﾄﾘｹｼ", "", true),
        ],
    );
    let (code, out, err) = kessai(&["bank", "import", "--db", &s.db_url, &first]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("zengin-01, 5 records — credits matched to deals: 2, to suspense: 2, reversal claims for the operator: 1\n"),
        "{out}"
    );
    assert_eq!(s.view(&a, support::BUYER_PW).await.ok()["status"], "funded");
    assert_eq!(s.view(&b, support::BUYER_PW).await.ok()["status"], "funded");

    // The bank takes b's payment back (取消): b still held it, so b waits for payment again.
    let reversal = save(
        &s,
        "notice-rev.txt",
        vec![transfer("000012", 20_000, "ｽｽﾞｷ ｼﾞﾛｳ", &b, true)],
    );
    let (_, out, _) = kessai(&["bank", "import", "--db", &s.db_url, &reversal]);
    assert!(out.contains("reversals undone: 1"), "{out}");
    let view = s.view(&b, support::BUYER_PW).await;
    assert_eq!(
        (
            view.ok()["status"].as_str(),
            view.body["received_yen"].as_i64()
        ),
        (Some("awaiting_payment"), Some(0))
    );
    s.assert_books_sound().await;
    let paid_again = save(
        &s,
        "notice-again.txt",
        vec![transfer("000013", 20_000, "ｽｽﾞｷ ｼﾞﾛｳ", &b, false)],
    );
    kessai(&["bank", "import", "--db", &s.db_url, &paid_again]);
    assert_eq!(s.view(&b, support::BUYER_PW).await.ok()["status"], "funded");

    // The same file again: recognized, nothing applied.
    let before = s.snapshot().await;
    let (code, out, _) = kessai(&["bank", "import", "--db", &s.db_url, &first]);
    assert_eq!(code, 0);
    assert!(out.contains("already imported"), "{out}");
    assert_eq!(s.snapshot().await, before);

    // A later file repeating one record of the first: that record is skipped, the new one applied.
    let second = save(
        &s,
        "notice-2.txt",
        vec![
            transfer("000002", 20_000, "ｽｽﾞｷ ｼﾞﾛｳ", &b, false),
            transfer("000006", 500, &a, "", false),
        ],
    );
    let (_, out, _) = kessai(&["bank", "import", "--db", &s.db_url, &second]);
    assert!(
        out.contains(
            "2 records — credits matched to deals: 1, duplicates of earlier entries (skipped): 1"
        ),
        "{out}"
    );
    assert_eq!(
        s.view(&a, support::BUYER_PW).await.ok()["received_yen"],
        52_500
    );
    assert_eq!(
        s.view(&b, support::BUYER_PW).await.ok()["received_yen"],
        20_000
    );

    // A malformed file is rejected whole, naming record and field; nothing is applied.
    let mut bytes = write(
        &notice_file(
            &[(account(), vec![transfer("000007", 7_000, &a, "", false)])],
            true,
        )
        .unwrap(),
    );
    let trailer = 2 * 202; // record 3: the trailer
    bytes[trailer + 18] = b'9'; // 合計金額 positions 8-19
    let bad = s.dir.path().join("bad.txt");
    std::fs::write(&bad, bytes).unwrap();
    let before = s.snapshot().await;
    let (code, _, err) = kessai(&["bank", "import", "--db", &s.db_url, bad.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("record 3, field 合計金額"), "{err}");
    assert_eq!(s.snapshot().await, before);

    // The operator sees the suspense list.
    let (code, out, _) = kessai(&["bank", "suspense", "--db", &s.db_url]);
    assert_eq!(code, 0);
    assert!(
        out.contains("ﾀﾅｶ ｲﾁﾛｳ") && out.contains("2 unmatched credit(s), ¥4,000 in suspense"),
        "{out}"
    );
    s.assert_books_sound().await;
}

async fn statements_and_ebcdic_notices_are_reconciled(db: Db) {
    use kessai_formats::zengin::statement::{statement_file, StatementAccount, StatementEntry};
    use kessai_formats::zengin::CodeSet;
    let s = support::spawn(db).await;
    let (a, _) = s.agreed_deal("st-a", 2_500).await;
    let (b, _) = s.agreed_deal("st-b", 3_500).await;
    let statement_account = StatementAccount {
        bank_code: "0001".into(),
        bank_name: "ﾐｽﾞﾎ".into(),
        branch_code: "001".into(),
        branch_name: "ﾄｳｷﾖｳ".into(),
        account_type: 1,
        account_number: "1234567".into(),
        account_name: "ｹﾂｻｲ".into(),
        date_yymmdd: "081124".into(),
        opening_balance_yen: 100_000,
    };
    let entry = |no: &str, deposit: bool, amount: u64, name: &str| StatementEntry {
        inquiry_number: no.into(),
        booking_date: "081124".into(),
        deposit,
        kind: if deposit { 11 } else { 14 },
        amount_yen: amount,
        transferor_code: "0000000000".into(),
        transferor_name: name.into(),
        description: String::new(),
        edi: String::new(),
    };
    let entries = vec![
        entry("00000001", true, 2_500, &format!("ﾔﾏﾀﾞ {a}")),
        entry("00000002", false, 900, ""),
    ];
    let statement = statement_file(&[(statement_account, entries)], true).unwrap();
    let path = s.dir.path().join("statement.txt");
    std::fs::write(&path, write(&statement)).unwrap();
    let (code, out, err) = kessai(&["bank", "import", "--db", &s.db_url, path.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("zengin-03, 2 records — credits matched to deals: 1, withdrawals or corrections listed (not applied): 1\n"), "{out}");
    assert!(out.contains("entry 2 zengin:0001:001:1234567:081124:2 ¥900: withdrawal or correction listed for the operator (not applied)"), "{out}");
    assert_eq!(s.view(&a, support::BUYER_PW).await.ok()["status"], "funded");

    // A notice in EBCDIC kana.
    let notice = notice_file(
        &[(
            account(),
            vec![transfer("000009", 3_500, &format!("{b} ｽｽﾞｷ"), "", false)],
        )],
        false,
    )
    .unwrap()
    .with_code_set(CodeSet::Ebcdic);
    let bytes = write(&notice);
    assert_eq!(bytes[0], 0xF1, "an EBCDIC file");
    let path = s.dir.path().join("ebcdic.dat");
    std::fs::write(&path, bytes).unwrap();
    let (code, out, err) = kessai(&["bank", "import", "--db", &s.db_url, path.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("credits matched to deals: 1"), "{out}");
    assert_eq!(s.view(&b, support::BUYER_PW).await.ok()["status"], "funded");
    s.assert_books_sound().await;
}

/// Money no deal can claim is recorded many records per statement; every way a record can
/// leave such a run (a repeat of an earlier file, the same identity with other content, a
/// repeat within the file, a deal ID, a cancellation) still gives each record what it would
/// get alone, in file order, and a run longer than one batch (1,000) is cut without a loss.
async fn credits_recorded_together_are_applied_as_one_by_one(db: Db) {
    let s = support::spawn(db).await;
    let (a, _) = s.agreed_deal("batch-a", 10_000).await;
    let earlier = save(
        &s,
        "earlier.txt",
        vec![
            transfer("000001", 1_000, "ｻﾄｳ", "", false),
            transfer("000002", 2_000, "ｻﾄｳ", "", false),
        ],
    );
    let (code, out, err) = kessai(&["bank", "import", "--db", &s.db_url, &earlier]);
    assert_eq!(code, 0, "{out}{err}");
    let mut records = vec![
        transfer("000101", 101, "ﾀﾅｶ", "", false),
        // The same as in the earlier file: a duplicate, amid new ones.
        transfer("000001", 1_000, "ｻﾄｳ", "", false),
        transfer("000102", 102, "ﾀﾅｶ", "", false),
        // The earlier file's identity with another amount: a conflict, to suspense.
        transfer("000002", 2_500, "ｻﾄｳ", "", false),
        transfer("000103", 103, "ﾀﾅｶ", "", false),
        // This file's own record again: the second is a duplicate of the first.
        transfer("000101", 101, "ﾀﾅｶ", "", false),
        // ... and again with other content: a conflict.
        transfer("000102", 999, "ﾀﾅｶ", "", false),
        // A deal ID ends the run; the deal is paid.
        transfer("000104", 10_000, &a, "", false),
        transfer("000105", 105, "ﾀﾅｶ", "", false),
        // A cancellation of no known payment: a claim for the operator.
        transfer("000106", 777, "ﾄﾘｹｼ", "", true),
    ];
    // A long run after them: 2,500 new records, cut into batches.
    for i in 0..2_500u64 {
        records.push(transfer(
            &format!("{:06}", 200_000 + i),
            1 + i,
            "ｽｽﾞｷ",
            "",
            false,
        ));
    }
    let file = save(&s, "mixed.txt", records);
    let (code, out, err) = kessai(&["bank", "import", "--db", &s.db_url, &file]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(
            "zengin-01, 2510 records — credits matched to deals: 1, to suspense: 2504, \
             conflicts (to suspense, beside the earlier record): 2, \
             duplicates of earlier entries (skipped): 2, reversal claims for the operator: 1\n"
        ),
        "{out}"
    );
    assert_eq!(s.view(&a, support::BUYER_PW).await.ok()["status"], "funded");
    // Suspense: the earlier 3,000, then 101 + 102 + 103 + 105 + 2,500 + 999 and the 2,500
    // new ones (1 + 2 + ... + 2,500).
    let new_run: i64 = (1..=2_500).sum();
    let suspense = 3_000 + 101 + 102 + 103 + 105 + 2_500 + 999 + new_run;
    let (code, out, _) = kessai(&["bank", "suspense", "--db", &s.db_url]);
    assert_eq!(code, 0);
    let total = kessai_core::Yen(suspense).to_string();
    assert!(
        out.contains(&format!("2508 unmatched credit(s), {total} in suspense")),
        "{out}"
    );
    // Every record is in the file's entries, and every credit is linked to the file that
    // brought it: the earlier file's two, and this file's 2,508 (a duplicate makes none).
    let links: Vec<String> = sqlx::query_scalar(
        "SELECT f.name || ':' || CAST(COUNT(*) AS TEXT) FROM bank_credits c \
         JOIN bank_files f ON f.id = c.file_id GROUP BY f.name ORDER BY f.name",
    )
    .fetch_all(s.app.store.pool())
    .await
    .unwrap();
    assert_eq!(links, ["earlier.txt:2", "mixed.txt:2508"]);
    let entries: Vec<String> = sqlx::query_scalar(
        "SELECT e.outcome || ':' || CAST(COUNT(*) AS TEXT) FROM bank_entries e \
         JOIN bank_files f ON f.id = e.file_id WHERE f.name = 'mixed.txt' \
         GROUP BY e.outcome ORDER BY e.outcome",
    )
    .fetch_all(s.app.store.pool())
    .await
    .unwrap();
    assert_eq!(
        entries,
        [
            "conflict:2",
            "duplicate:2",
            "matched:1",
            "reversal_claim:1",
            "suspense:2504"
        ]
    );
    let before = s.snapshot().await;
    let (_, out, _) = kessai(&["bank", "import", "--db", &s.db_url, &file]);
    assert!(out.contains("already imported"), "{out}");
    assert_eq!(s.snapshot().await, before);
    s.assert_books_sound().await;
}
