//! Property: random sequences of bank credits (new and replayed), the bank taking payments
//! back, shipments, receipts, deadlines, operator refunds, returns of suspense money, and
//! recoveries and write-offs of reversal claims, sent through the real API to the real
//! database, never break
//! an invariant of `kessai check` — checked after every single step — and never pay out more
//! than was collected.

mod support;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use reqwest::Method;
use support::{Db, TestServer};

on_both_databases!(random_command_sequences_keep_the_books_sound);

#[derive(Clone, Debug)]
enum Op {
    Pay(i64),
    ReplayLastCredit,
    UnmatchedCredit(i64),
    Ship,
    Receipt,
    DaysPass(i64),
    OperatorRefund,
    /// The bank takes the last payment back (取消).
    BankReverses,
    /// The operator returns the oldest suspense credit to its payer.
    ReturnSuspense,
    /// The operator writes off the oldest reversal claim.
    WriteOffClaim,
    /// The payer repays up to this much of the oldest reversal claim; the operator settles
    /// that part with the new suspense credit.
    RecoverClaim(i64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (1i64..12_000).prop_map(Op::Pay),
        1 => Just(Op::ReplayLastCredit),
        1 => (1i64..5_000).prop_map(Op::UnmatchedCredit),
        2 => Just(Op::Ship),
        2 => Just(Op::Receipt),
        1 => (1i64..10).prop_map(Op::DaysPass),
        1 => Just(Op::OperatorRefund),
        1 => Just(Op::BankReverses),
        1 => Just(Op::ReturnSuspense),
        1 => Just(Op::WriteOffClaim),
        1 => (1i64..6_000).prop_map(Op::RecoverClaim),
    ]
}

async fn run_case(
    s: &TestServer,
    case: usize,
    price: i64,
    ops: &[Op],
) -> Result<(), TestCaseError> {
    let (buyer, seller) = s.agreed_deal(&format!("prop{case}"), price).await;
    let mut last_ref: Option<(String, i64)> = None;
    for (i, op) in ops.iter().enumerate() {
        let status = match op {
            Op::Pay(amount) => {
                let bank_ref = format!("p{case}-{i}");
                last_ref = Some((bank_ref.clone(), *amount));
                s.credit(&bank_ref, *amount, &buyer).await.status
            }
            Op::ReplayLastCredit => match &last_ref {
                Some((r, amount)) => s.credit(r, *amount, &buyer).await.status,
                None => continue,
            },
            Op::UnmatchedCredit(amount) => {
                s.credit(&format!("u{case}-{i}"), *amount, "ﾅﾏｴﾀﾞｹ")
                    .await
                    .status
            }
            Op::Ship => s.ship(&seller).await.status,
            Op::Receipt => s.receipt(&buyer).await.status,
            Op::DaysPass(days) => {
                s.advance_days(*days).await;
                s.operator(Method::POST, "/v1/operator/scheduler/run", None)
                    .await
                    .status
            }
            Op::BankReverses => match &last_ref {
                Some((r, amount)) => {
                    support::bank::reverse(s, &format!("{r}-back"), *amount, &buyer).await;
                    reqwest::StatusCode::OK
                }
                None => continue,
            },
            Op::ReturnSuspense | Op::WriteOffClaim => {
                let (list, path) = match op {
                    Op::ReturnSuspense => ("credits", "/v1/operator/suspense/{}/return"),
                    _ => ("claims", "/v1/operator/claims/{}/write-off"),
                };
                let lists = s.operator(Method::GET, "/v1/operator/suspense", None).await;
                let Some(id) = lists.body[list][0]["id"].as_str() else {
                    continue;
                };
                // A return names the payer's account; a write-off takes no body.
                let account = matches!(op, Op::ReturnSuspense).then(|| serde_json::json!({ "bank_code": "0005", "branch_code": "123", "account_type": "ordinary", "account_number": "7654321", "holder_name": "ﾀﾅｶ" }));
                s.operator(Method::POST, &path.replace("{}", id), account)
                    .await
                    .status
            }
            Op::RecoverClaim(amount) => {
                let lists = s.operator(Method::GET, "/v1/operator/suspense", None).await;
                let claim = &lists.body["claims"][0];
                let (Some(claim_id), Some(owed)) =
                    (claim["id"].as_str(), claim["remaining_yen"].as_i64())
                else {
                    continue;
                };
                let bank_ref = format!("rc{case}-{i}");
                let repaid = s.credit(&bank_ref, (*amount).min(owed), "ﾍﾝｻｲ").await;
                let credit = s
                    .operator(Method::GET, "/v1/operator/suspense", None)
                    .await
                    .body["credits"]
                    .as_array()
                    .and_then(|c| {
                        c.iter()
                            .find(|c| c["bank_ref"] == bank_ref.as_str())
                            .cloned()
                    });
                let Some(credit) = credit else {
                    prop_assert!(
                        false,
                        "the repayment is on the suspense list: {:?}",
                        repaid.body
                    );
                    continue;
                };
                let body = serde_json::json!({ "credit_id": credit["id"] });
                s.operator(
                    Method::POST,
                    &format!("/v1/operator/claims/{claim_id}/recover"),
                    Some(body),
                )
                .await
                .status
            }
            Op::OperatorRefund => {
                s.operator(
                    Method::POST,
                    &format!("/v1/operator/deals/{buyer}/refund"),
                    None,
                )
                .await
                .status
            }
        };
        prop_assert!(
            status.is_success() || status == 409,
            "{op:?} answered {status}"
        );
        let violations = s.app.store.check().await.unwrap();
        prop_assert!(
            violations.is_empty(),
            "after {op:?} (step {i}): {violations:?}"
        );
    }
    // Money out never exceeds money in, and the seller is paid at most once.
    let instructions = s.instructions(&buyer).await;
    let out: i64 = instructions
        .iter()
        .map(|i| i["amount_yen"].as_i64().unwrap())
        .sum();
    let received = s.view(&buyer, support::BUYER_PW).await.body["received_yen"]
        .as_i64()
        .unwrap();
    prop_assert!(out <= received, "paid out {out} of {received}");
    prop_assert!(
        instructions
            .iter()
            .filter(|i| i["purpose"] == "payout")
            .count()
            <= 1
    );
    Ok(())
}

async fn random_command_sequences_keep_the_books_sound(db: Db) {
    let s = support::spawn(db).await;
    let cases = if db == Db::Sqlite { 48 } else { 24 };
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (1i64..10_000, prop::collection::vec(op(), 1..14));
    let counter = std::sync::atomic::AtomicUsize::new(0);
    let handle = tokio::runtime::Handle::current();
    let result = tokio::task::block_in_place(|| {
        runner.run(&strategy, |(price, ops)| {
            let case = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            handle.block_on(run_case(&s, case, price, &ops))
        })
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
