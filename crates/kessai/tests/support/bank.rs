//! Running the real `kessai` binary (its CLI and the bank simulator) and moving the files the
//! simulated bank writes into the server.

use super::TestServer;
use reqwest::Method;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs `kessai ARGS` as the tests' operator, configured through the environment as an
/// operator would (`KESSAI_BANK_CONFIG`, `KESSAI_BANK_MASTER`): (exit code, stdout, stderr).
pub fn kessai(args: &[&str]) -> (i32, String, String) {
    output(operator_command().args(args))
}

/// The `kessai` binary with the tests' bank configuration and bank master in its environment.
pub fn operator_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kessai"));
    command
        .env("KESSAI_BANK_CONFIG", super::bank_config_file())
        .env("KESSAI_BANK_MASTER", super::bank_master_dir());
    command
}

/// Runs a command to its end: (exit code, stdout, stderr).
pub fn output(command: &mut Command) -> (i32, String, String) {
    let out = command.output().expect("kessai runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `kessai sim bank ARGS`, which must succeed; its stdout.
pub fn sim(args: &[&str]) -> String {
    let mut all = vec!["sim", "bank"];
    all.extend_from_slice(args);
    let (code, out, err) = kessai(&all);
    assert_eq!(code, 0, "sim {args:?}: {err}");
    out
}

/// A new simulated bank (`kessai sim bank init`) with this seed and reject rate.
pub fn sim_init(state: &Path, seed: u64, reject_rate: &str) {
    let seed = seed.to_string();
    let state = state.to_string_lossy();
    sim(&[
        "init",
        "--state",
        &state,
        "--seed",
        &seed,
        "--reject-rate",
        reject_rate,
    ]);
}

/// A simulated bank's day: it answers every new file in `inbox` and writes its files to
/// `outbox` (`kessai sim bank run`).
pub fn sim_run(state: &str, inbox: impl AsRef<Path>, outbox: impl AsRef<Path>) {
    let (inbox, outbox) = (inbox.as_ref(), outbox.as_ref());
    sim(&[
        "run",
        "--state",
        state,
        "--inbox",
        &inbox.to_string_lossy(),
        "--outbox",
        &outbox.to_string_lossy(),
    ]);
}

/// A party transfers `amount` into the operator's account at the simulated bank, quoting
/// `reference` (`kessai sim bank transfer`).
pub fn sim_transfer(state: &str, from: &str, amount: u64, reference: &str) {
    let amount = amount.to_string();
    sim(&[
        "transfer",
        "--state",
        state,
        "--from",
        from,
        "--amount",
        &amount,
        "--reference",
        reference,
    ]);
}

/// The files in `dir`, sorted (none if it does not exist).
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// `POST /v1/operator/bank-files`, whatever the answer.
pub async fn post_file(s: &TestServer, name: &str, bytes: Vec<u8>) -> super::Reply {
    s.send(
        s.request(
            Method::POST,
            &format!("/v1/operator/bank-files?name={name}"),
        )
        .bearer_auth(&s.token)
        .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
        .body(bytes),
    )
    .await
}

/// Uploads one bank file through the operator API; the import summary.
pub async fn upload(s: &TestServer, name: &str, bytes: Vec<u8>) -> Value {
    post_file(s, name, bytes).await.ok().clone()
}

/// Uploads every bank file not yet uploaded (the import itself would skip repeats anyway).
pub async fn import_all(s: &TestServer, dir: &Path, seen: &mut Vec<PathBuf>) -> Vec<Value> {
    let mut summaries = vec![];
    for f in files(dir) {
        if seen.contains(&f) {
            continue;
        }
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        summaries.push(upload(s, &name, std::fs::read(&f).unwrap()).await);
        seen.push(f);
    }
    summaries
}

/// The bank takes back a payment it had reported (as a 取消 record or a camt reversal would),
/// applied through the same service the importer uses.
pub async fn reverse(
    s: &TestServer,
    bank_ref: &str,
    amount_yen: i64,
    reference: &str,
) -> kessai_server::service::suspense::ReversalOutcome {
    reverse_into(s, bank_ref, amount_yen, reference, None).await
}

/// [`reverse`] of a payment into the operator's account `account_number` (a virtual account).
pub async fn reverse_into(
    s: &TestServer,
    bank_ref: &str,
    amount_yen: i64,
    reference: &str,
    account_number: Option<&str>,
) -> kessai_server::service::suspense::ReversalOutcome {
    let input = credit_input(bank_ref, amount_yen, reference, account_number);
    kessai_server::transact!(s.app, |tx| {
        kessai_server::service::suspense::apply_reversal_entry(&s.app, tx, &input)
            .await
            .map(|e| e.outcome)
    })
    .unwrap()
}

/// A bank record as the credit service takes it.
pub fn credit_input(
    bank_ref: &str,
    amount_yen: i64,
    reference: &str,
    account_number: Option<&str>,
) -> kessai_server::service::credit::CreditInput {
    kessai_server::service::credit::CreditInput {
        bank_ref: bank_ref.into(),
        amount_yen,
        reference: reference.into(),
        account_number: account_number.map(str::to_string),
        transferor_code: None,
        content: None,
        before_upgrade: None,
    }
}

/// Copies the exported file `name` from the server's bank directory into `inbox` (a simulated
/// bank's), so that bank reads this file only.
pub fn hand_to_bank(s: &TestServer, name: &str, inbox: &Path) {
    std::fs::create_dir_all(inbox).unwrap();
    std::fs::copy(s.app.config.bank_out_dir.join(name), inbox.join(name)).unwrap();
}

/// The name of the first file an export reply lists.
pub fn first_file(export: &super::Reply) -> String {
    export.ok()["files"][0]["file_name"]
        .as_str()
        .unwrap()
        .to_string()
}
