//! Money through the bank simulator in Zengin files only, on both databases: 01 notices and 03
//! statements in, 総合振込 (21) out, and a transfer the payee's bank cannot credit coming back.

mod support;

use support::bank::{import_all, sim, sim_run, sim_transfer, upload};
use support::Db;

on_both_databases!(
    money_moves_through_zengin_files_only,
    a_returned_transfer_listed_in_a_notice_is_booked_once
);

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
    sim_transfer(state_s, "ﾔﾏﾀﾞ ﾀﾛｳ", 7000, &a);
    sim_run(state_s, bank_out_s, inbox_s);
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
    let export = s.export("zengin", "2026-11-24").await;
    assert_eq!(export.ok()["files"][0]["format"], "zengin-21");
    sim_run(state_s, bank_out_s, inbox_s);
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
    let export = s.export("zengin", "2026-11-25").await;
    let file = support::bank::first_file(&export);
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
    support::bank::hand_to_bank(&s, &file, &strict_in);
    sim_run(strict_s, &strict_in, &strict_out);
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
    let again = upload(
        &s,
        "again",
        std::fs::read(&support::bank::files(&strict_out)[0]).unwrap(),
    )
    .await;
    assert!(again["already_imported_at_ms"].is_i64(), "{again}");
    assert_eq!(s.snapshot().await, before);

    let id = ins[0]["id"].as_str().unwrap();
    s.correct_instruction(id, "2222222", "ｽｽﾞｷ ｼﾞﾛｳ").await.ok();
    s.export("zengin", "2026-11-26").await.ok();
    sim_run(state_s, bank_out_s, inbox_s);
    import_all(&s, &inbox, &mut seen).await;
    assert_eq!(s.instructions(&b).await[0]["status"], "completed");
    s.assert_books_sound().await;
}

/// A returned transfer's deposit may also be listed in a 01 notice, under the same bank
/// identity as the 03 statement line. Whichever file comes first, the money is booked once:
/// notice first, it waits on the suspense list and the statement moves it to what is owed
/// again; statement first, the notice's copy is recognized.
async fn a_returned_transfer_listed_in_a_notice_is_booked_once(db: Db) {
    use kessai_formats::zengin::notice::{notice_file, IncomingTransfer, NoticeAccount};
    use kessai_formats::zengin::statement::statement_entries;
    let s = support::spawn(db).await;
    let mut buyers = vec![];
    for tag in ["twice-a", "twice-b"] {
        let (buyer, seller) = s.agreed_deal(tag, 5_000).await;
        s.credit(&format!("{tag}-pay"), 5_000, &buyer).await.ok();
        s.ship(&seller).await.ok();
        s.receipt(&buyer).await.ok();
        buyers.push(buyer);
    }
    let export = s.export("zengin", "2026-11-24").await;
    assert_eq!(export.ok()["files"][0]["records"], 2);
    let dir = s.dir.path();
    let state = dir.join("failing.json");
    let state = state.to_str().unwrap();
    sim(&[
        "init",
        "--state",
        state,
        "--seed",
        "2",
        "--files",
        "zengin",
        "--reject-rate",
        "1",
    ]);
    let (to_bank, from_bank) = (dir.join("failing-in"), dir.join("failing-out"));
    std::fs::create_dir_all(&to_bank).unwrap();
    for f in support::bank::files(&s.app.config.bank_out_dir) {
        std::fs::copy(&f, to_bank.join(f.file_name().unwrap())).unwrap();
    }
    sim_run(state, &to_bank, &from_bank);
    let statement = support::bank::files(&from_bank).remove(0);
    let parsed = kessai_formats::zengin::parse(&std::fs::read(&statement).unwrap()).unwrap();
    // A 01 notice for each returned deposit, with the statement line's identity.
    let notices: Vec<Vec<u8>> = statement_entries(&parsed)
        .into_iter()
        .filter(|(_, e)| e.is_return())
        .map(|(a, e)| {
            let account = NoticeAccount {
                bank_code: a.bank_code.clone(),
                bank_name: String::new(),
                branch_code: a.branch_code.clone(),
                account_type: 1,
                account_number: a.account_number.clone(),
                account_name: String::new(),
                date_yymmdd: e.booking_date.clone(),
            };
            let deposit = IncomingTransfer {
                bank_code: String::new(),
                branch_code: String::new(),
                account_number: String::new(),
                // 6 digits in a notice, 8 in a statement: the identity ignores leading zeros.
                inquiry_number: e.inquiry_number[e.inquiry_number.len() - 6..].to_string(),
                booking_date: e.booking_date.clone(),
                amount_yen: e.amount_yen,
                transferor_code: "0000000000".into(),
                transferor_name: e.description.clone(),
                edi: e.edi.clone(),
                cancelled: false,
            };
            kessai_formats::zengin::write(&notice_file(&[(account, vec![deposit])], true).unwrap())
        })
        .collect();
    assert_eq!(notices.len(), 2);
    // The first deposit's notice comes before the statement: money in, unmatched.
    let first = upload(&s, "notice-first.txt", notices[0].clone()).await;
    assert_eq!(first["unmatched"], 1, "{first}");
    let st = upload(&s, "statement.txt", std::fs::read(&statement).unwrap()).await;
    assert_eq!(
        st["answers_applied"], 4,
        "two withdrawals, two returns: {st}"
    );
    // The second deposit's notice comes after: recognized.
    let last = upload(&s, "notice-after.txt", notices[1].clone()).await;
    assert_eq!(
        (last["duplicates"].as_i64(), last["unmatched"].as_i64()),
        (Some(1), Some(0)),
        "{last}"
    );
    for buyer in &buyers {
        assert_eq!(s.instructions(buyer).await[0]["status"], "rejected");
    }
    let balance = |id: &'static str| {
        let s = &s;
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT credits_yen - debits_yen FROM accounts WHERE id = $1",
            )
            .bind(id)
            .fetch_one(s.app.store.pool())
            .await
            .unwrap()
        }
    };
    assert_eq!(
        balance("unmatched_receipts").await,
        0,
        "nothing left on the suspense list"
    );
    let owed: i64 = sqlx::query_scalar("SELECT CAST(SUM(credits_yen - debits_yen) AS BIGINT) FROM accounts WHERE kind = 'payout_due'")
        .fetch_one(s.app.store.pool())
        .await
        .unwrap();
    assert!(owed > 0, "both payouts owed again");
    s.assert_books_sound().await;
}
