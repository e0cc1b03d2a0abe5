//! Property (issue 9, the settlement desk): random sequences of uploads (random amounts and
//! terms, buyers at the main bank or at the collection bank, some without pooling), debit
//! runs, the bank's results (all debited, all failed, or mixed — and imported again), delivery
//! runs, the carrier's notices (and again), sweeps with both accounts' statement (and again),
//! payout runs, the bank's statements (and again) and days passing, sent through the real API
//! to the real database, never break an invariant of `kessai check` — checked after every
//! step, the collection account's balance against the bank's among them — never pay a
//! contract twice, never pay more than was debited, never pay a contract without pooling out
//! of the pool, and never pay before the terms allow.

mod support;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};
use support::contracts::{
    accept, account, answer_debits, business_day, contract, operator_run, out, post_file, settle,
    site_with, zengin_bank,
};
use support::{Db, TestServer};

on_both_databases!(random_settlement_days_keep_the_books_sound);

#[derive(Clone, Debug)]
enum Op {
    /// Contracts of these amounts; paid regardless of shipment when the flag is set; the
    /// buyer at the main bank (0), at the collection bank (1), or debited straight into the
    /// seller's account (2).
    Upload(Vec<(i64, bool, u8)>),
    DebitRun,
    /// The bank answers the last debit run: this many per mille fail.
    AnswerDebits(u32),
    DeliveryRun,
    /// The carrier ships what the last delivery run instructed (again, if it did before).
    Ship,
    PayoutRun,
    /// The bank settles the last payout run's files and sends its statement (again, if it did).
    Settle,
    /// The sweep run; the banks move the money and send both accounts' statement.
    Sweep,
    DaysPass(i64),
}

/// One round of a day: each phase in the order a day runs them, each left out, done once or
/// done twice (a repeated run, a file imported again), so that sequences reach payouts often
/// and still meet every step out of turn across rounds.
fn round() -> impl Strategy<Value = Vec<Op>> {
    let twice = |op: BoxedStrategy<Op>| prop::collection::vec(op, 0..=2);
    let upload = prop::collection::vec((1i64..60_000, any::<bool>(), 0u8..3), 1..4)
        .prop_map(Op::Upload)
        .boxed();
    let answer = prop_oneof![Just(0u32), Just(500), Just(1000)]
        .prop_map(Op::AnswerDebits)
        .boxed();
    (
        twice(upload),
        twice(Just(Op::DebitRun).boxed()),
        twice(answer),
        twice(Just(Op::DeliveryRun).boxed()),
        twice(Just(Op::Ship).boxed()),
        twice(Just(Op::Sweep).boxed()),
        twice(Just(Op::PayoutRun).boxed()),
        twice(Just(Op::Settle).boxed()),
        twice((1i64..4).prop_map(Op::DaysPass).boxed()),
    )
        .prop_map(|(a, b, c, d, e, s, f, g, h)| {
            [a, b, c, d, e, s, f, g, h].into_iter().flatten().collect()
        })
}

/// What the last runs wrote, for the steps that answer them.
#[derive(Default)]
struct Last {
    debit: Option<Value>,
    delivery: Option<Value>,
    payout: Option<Value>,
}

/// The files a run wrote, or the last run's when this one wrote none (nothing was due).
fn written(before: Option<Value>, files: Value) -> Option<Value> {
    if files.as_array().is_some_and(|f| !f.is_empty()) {
        Some(files)
    } else {
        before
    }
}

async fn step(s: &TestServer, key: &str, case: usize, n: &mut usize, last: &mut Last, op: &Op) {
    let day = business_day(s, 1);
    match op {
        Op::Upload(amounts) => {
            let contracts: Vec<Value> = amounts
                .iter()
                .map(|(amount, regardless, how)| {
                    *n += 1;
                    let mut c = contract(&format!("C{case}-{n}"), *amount);
                    if *regardless || *how == 2 {
                        c["payout"] = json!("regardless");
                    }
                    if *how == 1 {
                        c["buyer"]["account"] = account("0005", "123", "2345678", "ｶ)ｶｲﾃ");
                    }
                    if *how == 2 {
                        c["pooling"] = json!("direct");
                    }
                    c
                })
                .collect();
            accept(s, key, &contracts).await;
        }
        Op::DebitRun => {
            last.debit = written(last.debit.take(), operator_run(s, "debit", &day).await)
        }
        Op::AnswerDebits(per_mille) => {
            if let Some(files) = &last.debit {
                answer_debits(s, files, *per_mille).await;
            }
        }
        Op::DeliveryRun => {
            let files = operator_run(s, "delivery", &day).await;
            last.delivery = written(last.delivery.take(), files);
        }
        Op::Ship => {
            for f in last.delivery.iter().flat_map(|f| f.as_array().unwrap()) {
                let instructions = std::fs::read(out(s, &f["file_name"])).unwrap();
                let notice = kessai_sim::carrier::ship(&instructions, 5).unwrap();
                post_file(s, "/v1/operator/carrier-files", "notice.csv", notice)
                    .await
                    .ok();
            }
        }
        Op::PayoutRun => {
            let files = operator_run(s, "payout", &day).await;
            last.payout = written(last.payout.take(), files);
        }
        Op::Settle => {
            let files: Vec<&Value> = last
                .payout
                .iter()
                .flat_map(|f| f.as_array().unwrap())
                .collect();
            if !files.is_empty() {
                let (name, statement) = settle(&mut zengin_bank(), s, &files, &day);
                post_file(s, "/v1/operator/bank-files", &name, statement)
                    .await
                    .ok();
            }
        }
        Op::Sweep => {
            let files = operator_run(s, "sweep", &day).await;
            // The collection bank holds what was swept (the debits landed there), moves it,
            // and reports both accounts.
            let mut bank = zengin_bank();
            let collection = kessai_server::config::demo_collection_bank().account;
            bank.open_account(kessai_sim::bank::AccountRef {
                bank_code: collection.bank_code.clone(),
                branch_code: collection.branch_code.clone(),
                account_number: collection.account_number.clone(),
                name: collection.holder_name.clone(),
            });
            for f in files.as_array().unwrap() {
                let key = format!(
                    "{}-{}-{}",
                    collection.bank_code, collection.branch_code, collection.account_number
                );
                *bank.balances.entry(key).or_default() += f["total_yen"].as_i64().unwrap();
                let name = f["file_name"].as_str().unwrap();
                let bytes = std::fs::read(out(s, &f["file_name"])).unwrap();
                bank.process_zengin_transfers(name, &bytes, &day).unwrap();
            }
            for (name, statement) in bank.end_of_day_statements("", &day) {
                for _ in 0..2 {
                    post_file(s, "/v1/operator/bank-files", &name, statement.clone())
                        .await
                        .ok();
                }
            }
        }
        Op::DaysPass(days) => s.advance_days(*days).await,
    }
}

async fn run_case(s: &TestServer, case: usize, ops: &[Op]) -> Result<(), TestCaseError> {
    let site_id = format!("prop-{case}");
    let key = site_with(
        s,
        json!({"id": site_id, "name": "性質", "main_bank": "0001", "fee_rate_bp": 250,
               "fee_fixed_yen": 100, "collection_banks": ["0001", "0005"]}),
    )
    .await;
    let (mut n, mut last) = (0, Last::default());
    for (i, op) in ops.iter().enumerate() {
        step(s, &key, case, &mut n, &mut last, op).await;
        let violations = s.app.store.check().await.unwrap();
        prop_assert!(
            violations.is_empty(),
            "after {op:?} (step {i}): {violations:?}"
        );
    }
    let pool = s.app.store.pool();
    // At most one payout per contract, never more than the contract's amount.
    let twice: Vec<String> = sqlx::query_scalar(
        "SELECT contract_id FROM payment_instructions WHERE contract_id IS NOT NULL \
         GROUP BY contract_id HAVING COUNT(*) > 1",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    prop_assert!(twice.is_empty(), "paid twice: {twice:?}");
    let over: Vec<String> = sqlx::query_scalar(
        "SELECT c.id FROM contracts c JOIN payment_instructions p ON p.contract_id = c.id \
         WHERE p.amount_yen > c.amount_yen",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    prop_assert!(over.is_empty(), "paid more than the contract: {over:?}");
    let pooled_out: Vec<String> = sqlx::query_scalar(
        "SELECT c.id FROM contracts c JOIN payment_instructions p ON p.contract_id = c.id \
         WHERE c.pooling = 'direct'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    prop_assert!(
        pooled_out.is_empty(),
        "paid out of the pool without pooling: {pooled_out:?}"
    );
    // Paid only once debited, and shipped unless the terms say regardless.
    let early: Vec<String> = sqlx::query_scalar(
        "SELECT c.id FROM contracts c WHERE c.site_id = $1 AND c.payout_state <> 'waiting' \
         AND (c.debit_state <> 'debited' \
              OR (c.payout_when <> 'regardless' AND c.delivery_state <> 'shipped'))",
    )
    .bind(&site_id)
    .fetch_all(pool)
    .await
    .unwrap();
    prop_assert!(early.is_empty(), "paid before its terms allow: {early:?}");
    Ok(())
}

async fn random_settlement_days_keep_the_books_sound(db: Db) {
    let banks = vec![
        kessai_server::config::demo_bank(),
        kessai_server::config::demo_collection_bank(),
    ];
    let s = support::spawn_with_banks(db, banks).await;
    let cases = if db == Db::Sqlite { 24 } else { 12 };
    // A fixed seed: the same sequences every run, so that the check below of how far they
    // went is stable.
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let rng = proptest::test_runner::TestRng::deterministic_rng(config.rng_algorithm);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let strategy = prop::collection::vec(round(), 1..4)
        .prop_map(|rounds| rounds.into_iter().flatten().collect::<Vec<Op>>());
    let counter = std::sync::atomic::AtomicUsize::new(0);
    let handle = tokio::runtime::Handle::current();
    let result = tokio::task::block_in_place(|| {
        runner.run(&strategy, |ops| {
            let case = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            handle.block_on(run_case(&s, case, &ops))
        })
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    // The cases went the whole way: contracts were paid, failed and shipped.
    let reached: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT debit_state || '/' || delivery_state || '/' || payout_state FROM contracts",
    )
    .fetch_all(s.app.store.pool())
    .await
    .unwrap();
    let swept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sweeps WHERE status = 'completed'")
        .fetch_one(s.app.store.pool())
        .await
        .unwrap();
    assert!(swept > 0, "no case swept a collection account");
    let direct: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM contracts WHERE pooling = 'direct' AND payout_state = 'paid'",
    )
    .fetch_one(s.app.store.pool())
    .await
    .unwrap();
    assert!(direct > 0, "no case settled a contract without pooling");
    for state in ["debited/shipped/paid", "failed/waiting/waiting"] {
        assert!(
            reached.iter().any(|r| r == state),
            "no case reached {state}: {reached:?}"
        );
    }
}
