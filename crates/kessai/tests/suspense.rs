//! Money no deal holds, on both databases: a credit on the suspense list is returned to its
//! payer through the simulated bank (ISO 20022 and Zengin files) and leaves the books once the
//! bank confirms; a payment the bank takes back after it was passed on becomes a claim that is
//! recovered or written off, with the ledger following the bank at every step.

mod support;

use reqwest::Method;
use serde_json::{json, Value};
use support::bank::{import_all, kessai, sim, sim_run, sim_transfer};
use support::{Db, TestServer};

on_both_databases!(
    suspense_money_goes_back_to_its_payer,
    reversals_follow_the_bank,
    a_reversal_takes_back_the_payment_into_its_own_account
);

/// The books' balance of one global account (debits − credits).
async fn balance(s: &TestServer, account: &str) -> i64 {
    sqlx::query_scalar("SELECT debits_yen - credits_yen FROM accounts WHERE id = $1")
        .bind(account)
        .fetch_one(s.app.store.pool())
        .await
        .unwrap()
}

async fn suspense_list(s: &TestServer) -> Value {
    s.operator(Method::GET, "/v1/operator/suspense", None)
        .await
        .ok()
        .clone()
}

fn payer_account() -> Value {
    json!({ "bank_code": "0005", "branch_code": "123", "account_type": "ordinary", "account_number": "7654321", "holder_name": "ﾀﾅｶ ｲﾁﾛｳ" })
}

async fn suspense_money_goes_back_to_its_payer(db: Db) {
    let s = support::spawn(db).await;
    for (files, date) in [("iso", "2026-11-24"), ("zengin", "2026-11-25")] {
        return_case(&s, files, date).await;
    }
}

/// One unmatched transfer through the simulated bank speaking `files`, returned to its payer.
async fn return_case(s: &TestServer, files: &str, date: &str) {
    let state = s.dir.path().join(format!("bank-{files}.json"));
    let bank_out = s.dir.path().join(format!("to-bank-{files}"));
    let inbox = s.dir.path().join(format!("from-bank-{files}"));
    let (state, bank_out, inbox_s) = (
        state.to_str().unwrap(),
        bank_out.to_str().unwrap(),
        inbox.to_str().unwrap(),
    );
    sim(&[
        "init",
        "--state",
        state,
        "--seed",
        "3",
        "--reject-rate",
        "0",
        "--files",
        files,
    ]);
    sim_transfer(state, "ﾀﾅｶ ｲﾁﾛｳ", 1234, "");
    sim_run(state, bank_out, inbox_s);
    let mut seen = vec![];
    import_all(s, &inbox, &mut seen).await;
    let list = suspense_list(s).await;
    let credits = list["credits"].as_array().unwrap();
    assert_eq!(
        (credits.len(), list["total_yen"].as_i64()),
        (1, Some(1_234)),
        "{list}"
    );
    let credit = credits[0]["id"].as_str().unwrap().to_string();
    let path = format!("/v1/operator/suspense/{credit}/return");

    // A mistyped account is refused by field; nothing moves.
    let before = s.snapshot().await;
    let mut bad = payer_account();
    bad["bank_code"] = json!("12");
    s.operator(Method::POST, &path, Some(bad))
        .await
        .assert_error(422, "invalid_field", Some("bank_account.bank_code"));
    assert_eq!(s.snapshot().await, before);

    // With an Idempotency-Key, a retry (say after a lost response) replays the same answer.
    let keyed = |body: Value| {
        s.request(Method::POST, &path)
            .bearer_auth(&s.token)
            .header("Idempotency-Key", format!("return-{files}"))
            .json(&body)
    };
    let r = s.send(keyed(payer_account())).await;
    let replay = s.send(keyed(payer_account())).await;
    assert_eq!(
        (replay.status.as_u16(), &replay.body),
        (200, &r.body),
        "the same answer again"
    );
    let mut other = payer_account();
    other["account_number"] = json!("1111111");
    s.send(keyed(other))
        .await
        .assert_error(422, "idempotency_key_reused", None);
    let payee_ref = r.str("payee_ref");
    assert_eq!(
        (r.ok()["status"].as_str(), r.ok()["amount_yen"].as_i64()),
        (Some("pending"), Some(1_234))
    );
    assert!(payee_ref.starts_with("RTN"), "{payee_ref}");
    // Off the suspense list, owed until the bank confirms, and only once.
    assert!(suspense_list(s).await["credits"]
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(balance(s, "return_due").await, -1_234);
    s.assert_books_sound().await;
    s.operator(Method::POST, &path, Some(payer_account()))
        .await
        .assert_error(409, "wrong_state", Some("credit_id"));

    let format = if files == "iso" { "iso20022" } else { "zengin" };
    let export = s.export(format, date).await;
    assert_eq!(export.ok()["files"][0]["records"], 1, "{:?}", export.body);
    let file = support::bank::first_file(&export);
    let bytes = std::fs::read(s.app.config.bank_out_dir.join(&file)).unwrap();
    assert!(
        bytes
            .windows(payee_ref.len())
            .any(|w| w == payee_ref.as_bytes()),
        "the transfer quotes the return reference"
    );
    // The simulated bank reads this file.
    support::bank::hand_to_bank(s, &file, std::path::Path::new(bank_out));
    sim_run(state, bank_out, inbox_s);
    let summaries = import_all(s, &inbox, &mut seen).await;
    let applied: i64 = summaries
        .iter()
        .map(|x| x["answers_applied"].as_i64().unwrap())
        .sum();
    assert!(applied >= 1, "{summaries:?}");
    let all = s
        .operator(Method::GET, "/v1/operator/instructions", None)
        .await;
    let returns: Vec<&Value> = all.ok()["instructions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["credit_id"] == credit.as_str())
        .collect();
    assert_eq!(returns.len(), 1);
    assert_eq!(
        (
            returns[0]["purpose"].as_str(),
            returns[0]["status"].as_str()
        ),
        (Some("return"), Some("completed"))
    );
    assert_eq!(balance(s, "return_due").await, 0, "the money has left");
    assert_eq!(balance(s, "unmatched_receipts").await, 0);
    s.assert_books_sound().await;
}

async fn reversals_follow_the_bank(db: Db) {
    let s = support::spawn(db).await;
    // A deal paid, shipped and received: the seller's payout is instructed.
    let (buyer, seller) = s.agreed_deal("rev-a", 9_000).await;
    s.credit("rev-pay", 9_000, &buyer).await.ok();
    s.ship(&seller).await.ok();
    s.receipt(&buyer).await.ok();
    let clearing = balance(&s, "bank_clearing").await;
    // The bank takes the buyer's payment back (a camt reversal, through the API's twin: the
    // Zengin 取消 path is in bank_import.rs). The deal no longer holds it: a claim.
    let outcome = support::bank::reverse(&s, "rev-back", 9_000, &buyer).await;
    assert_eq!(
        outcome,
        kessai_server::service::suspense::ReversalOutcome::Claimed
    );
    assert_eq!(
        balance(&s, "bank_clearing").await,
        clearing - 9_000,
        "the books follow the bank"
    );
    assert_eq!(balance(&s, "reversal_claims").await, 9_000);
    s.assert_books_sound().await;
    let again = support::bank::reverse(&s, "rev-back", 9_000, &buyer).await;
    assert_eq!(
        again,
        kessai_server::service::suspense::ReversalOutcome::Duplicate
    );
    let list = suspense_list(&s).await;
    assert_eq!(list["claims_total_yen"], 9_000, "{list}");
    let claim = list["claims"][0]["id"].as_str().unwrap().to_string();

    // A credit on the suspense list that the bank takes back simply leaves the books.
    s.credit("stray", 3_000, "ﾀﾅｶ").await.ok();
    let outcome = support::bank::reverse(&s, "stray-back", 3_000, "ﾀﾅｶ").await;
    assert_eq!(
        outcome,
        kessai_server::service::suspense::ReversalOutcome::Applied
    );
    assert!(suspense_list(&s).await["credits"]
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(balance(&s, "unmatched_receipts").await, 0);
    s.assert_books_sound().await;

    // Money that arrived before its deal was agreed waited on the suspense list; by the time
    // the bank takes it back the reference would match the deal. The reversal follows the
    // original credit: off the suspense list, the deal untouched.
    let early = s
        .register("buyer", &support::registration("buyer", "rev-early", 2_000))
        .await
        .str("deal_id");
    let reference = format!("ﾀﾅｶ {early}");
    s.credit("early-pay", 2_000, &reference).await.ok();
    assert_eq!(suspense_list(&s).await["total_yen"], 2_000);
    s.register(
        "seller",
        &support::registration("seller", "rev-early", 2_000),
    )
    .await
    .ok();
    let outcome = support::bank::reverse(&s, "early-back", 2_000, &reference).await;
    assert_eq!(
        outcome,
        kessai_server::service::suspense::ReversalOutcome::Applied
    );
    assert_eq!(suspense_list(&s).await["total_yen"], 0);
    let view = s.view(&early, support::BUYER_PW).await;
    assert_eq!(
        (
            view.ok()["status"].as_str(),
            view.body["received_yen"].as_i64()
        ),
        (Some("awaiting_payment"), Some(0))
    );
    assert_eq!(balance(&s, "reversal_claims").await, 9_000, "no new claim");
    s.assert_books_sound().await;

    // The payer repays in parts. A credit larger than what is owed is refused (a credit is not
    // split); ¥4,000 then ¥5,000 settle the ¥9,000 claim.
    s.credit("too-much", 9_001, "ﾔﾏﾀﾞ").await.ok();
    s.credit("part-1", 4_000, "ﾔﾏﾀﾞ ﾀﾛｳ").await.ok();
    s.credit("part-2", 5_000, "ﾔﾏﾀﾞ ﾀﾛｳ").await.ok();
    let credits = suspense_list(&s).await["credits"]
        .as_array()
        .unwrap()
        .clone();
    let id_of = |amount: i64| {
        credits.iter().find(|c| c["amount_yen"] == amount).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let recover = |credit: String| {
        let (db_url, claim) = (s.db_url.clone(), claim.clone());
        move || {
            kessai(&[
                "bank", "recover", "--db", &db_url, "--claim", &claim, "--credit", &credit,
            ])
        }
    };
    let (code, _, err) = recover(id_of(9_001))();
    assert_eq!(code, 1);
    assert!(err.contains("amount_exceeds_claim"), "{err}");
    let (code, out, err) = recover(id_of(4_000))();
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("\"remaining_yen\": 5000"), "{out}");
    let (code, out, err) = kessai(&["bank", "suspense", "--db", &s.db_url]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(&claim) && out.contains("1 reversal claim(s), ¥5,000 still owed by payers"),
        "{out}"
    );
    assert_eq!(balance(&s, "reversal_claims").await, 5_000);
    s.assert_books_sound().await;
    let (code, out, err) = recover(id_of(5_000))();
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("claim_recovered"), "{out}");
    assert_eq!(balance(&s, "reversal_claims").await, 0);
    s.assert_books_sound().await;

    // Another claim, ¥1,000 of it repaid, the rest given up: written off, once.
    let (b2, s2) = s.agreed_deal("rev-b", 4_000).await;
    s.credit("rev-pay-2", 4_000, &b2).await.ok();
    s.ship(&s2).await.ok();
    support::bank::reverse(&s, "rev-back-2", 4_000, &b2).await;
    let claim = suspense_list(&s).await["claims"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    s.credit("part-3", 1_000, "ｻﾄｳ").await.ok();
    let part = suspense_list(&s).await["credits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["amount_yen"] == 1_000)
        .unwrap()["id"]
        .clone();
    let recovered = s
        .operator(
            Method::POST,
            &format!("/v1/operator/claims/{claim}/recover"),
            Some(json!({ "credit_id": part })),
        )
        .await;
    assert_eq!(
        (
            recovered.ok()["outcome"].as_str(),
            recovered.ok()["remaining_yen"].as_i64()
        ),
        (Some("reversal_claim"), Some(3_000))
    );
    let path = format!("/v1/operator/claims/{claim}/write-off");
    let written = s.operator(Method::POST, &path, None).await;
    assert_eq!(
        (
            written.ok()["outcome"].as_str(),
            written.ok()["amount_yen"].as_i64()
        ),
        (Some("claim_written_off"), Some(3_000))
    );
    s.operator(Method::POST, &path, None)
        .await
        .assert_error(409, "wrong_state", Some("claim_id"));
    assert_eq!(balance(&s, "written_off").await, 3_000);
    assert_eq!(balance(&s, "reversal_claims").await, 0);
    s.assert_books_sound().await;
}

/// Two payments of the same amount with the same name, each into its deal's own virtual
/// account: the bank's reversal of the first takes back that one, not the latest look-alike.
async fn a_reversal_takes_back_the_payment_into_its_own_account(db: Db) {
    use support::bank::{credit_input, reverse_into};
    let s = support::spawn_with(
        db,
        support::Options {
            virtual_accounts: Some((9_000_000, 9_000_001)),
            ..Default::default()
        },
    )
    .await;
    let (a, _) = s.agreed_deal("va-rev-a", 3_000).await;
    let (b, _) = s.agreed_deal("va-rev-b", 3_000).await;
    for (bank_ref, account) in [("va-pay-a", "9000000"), ("va-pay-b", "9000001")] {
        let input = credit_input(bank_ref, 3_000, "ﾔﾏﾀﾞ ﾀﾛｳ", Some(account));
        let r = kessai_server::transact!(s.app, |tx| {
            kessai_server::service::credit::apply_credit(&s.app, tx, &input).await
        })
        .unwrap();
        assert_eq!(r.outcome, "matched");
    }
    let outcome = reverse_into(&s, "va-back-a", 3_000, "ﾔﾏﾀﾞ ﾀﾛｳ", Some("9000000")).await;
    assert_eq!(
        outcome,
        kessai_server::service::suspense::ReversalOutcome::Applied
    );
    let status = |v: &Value| v["status"].as_str().unwrap().to_string();
    assert_eq!(
        status(s.view(&a, support::BUYER_PW).await.ok()),
        "awaiting_payment"
    );
    assert_eq!(status(s.view(&b, support::BUYER_PW).await.ok()), "funded");
    s.assert_books_sound().await;
}
