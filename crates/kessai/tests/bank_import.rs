//! `kessai bank import` (the real binary): a Zengin incoming-transfer notice is reconciled to
//! deals by the deal ID in the transferor name or EDI field, unmatched and ambiguous credits go
//! to suspense, and every file and every record is applied exactly once.

mod support;

use kessai_formats::zengin::notice::{notice_file, IncomingTransfer, NoticeAccount};
use kessai_formats::zengin::write;
use std::process::Command;
use support::{Db, TestServer};

on_both_databases!(notices_are_reconciled_once);

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

fn kessai(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kessai"))
        .args(args)
        .output()
        .expect("kessai runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
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
    assert!(out.contains("zengin-01 5 records: 2 matched, 2 to suspense, 0 already applied earlier (skipped), 1 cancellations"), "{out}");
    assert_eq!(s.view(&a, support::BUYER_PW).await.ok()["status"], "funded");
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
        out.contains("2 records: 1 matched, 0 to suspense, 1 already applied earlier (skipped)"),
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
