//! The operator's banks are configuration (`--bank-config` / the `--collection-account`
//! flags), checked against the bank master at start; without one Kessai refuses to start. The
//! CLI reads `--bank-master` / `KESSAI_BANK_MASTER` as `serve` does, and its Zengin 21 files
//! leave from the main bank with that bank's requester code and 振込指定区分.

mod support;

use kessai_formats::zengin::{self, transfer::transfers};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::bank::{files, output};
use support::Db;

on_both_databases!(the_cli_export_leaves_from_the_main_bank_with_its_names);

/// The binary with none of the operator's settings in its environment.
fn bare_kessai() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kessai"));
    for var in [
        "KESSAI_BANK_CONFIG",
        "KESSAI_COLLECTION_ACCOUNT",
        "KESSAI_REQUESTER_CODE",
        "KESSAI_REQUESTER_NAME",
        "KESSAI_BANK_MASTER",
    ] {
        command.env_remove(var);
    }
    command
}

/// Starts `kessai serve ARGS`, which must refuse to start: its stderr. A server that keeps
/// running is killed after 20 s and fails the test.
fn serve_refused(dir: &Path, args: &[&str]) -> String {
    let mut child = bare_kessai()
        .args(["serve", "--listen", "127.0.0.1:0", "--db"])
        .arg(format!("sqlite://{}", dir.join("kessai.db").display()))
        .arg("--mail-dir")
        .arg(dir.join("mail"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kessai runs");
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("kessai serve {args:?} started instead of refusing");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn bank_table(bank: &str, branch: &str, code: &str, name: &str, extra: &str) -> String {
    format!(
        "[[bank]]\nbank_code = \"{bank}\"\nbranch_code = \"{branch}\"\naccount_number = \"7000001\"\n\
         requester_code = \"{code}\"\nrequester_name = \"{name}\"\n{extra}\n"
    )
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn the_public_bank_master_answers_by_code() {
    let master = support::bank_master();
    assert!(master.len() > 1000, "{} banks", master.len());
    let (bank, branch) = master.check("0001", "001").unwrap();
    assert_eq!((bank.kana.as_str(), branch.kana.as_str()), ("ﾐｽﾞﾎ", "ﾄｳｷﾖｳ"));
    assert_eq!(
        master.zengin_names("0005", "123"),
        ("ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ".into(), "ﾖｺﾊﾏﾅｶﾔﾏ".into())
    );
}

#[test]
fn serve_without_a_collection_account_refuses_to_start_naming_the_options() {
    let dir = tempfile::tempdir().unwrap();
    let err = serve_refused(dir.path(), &[]);
    assert!(
        err.contains("no collection account is configured")
            && err.contains("--bank-config FILE (KESSAI_BANK_CONFIG)")
            && err.contains("--collection-account"),
        "{err}"
    );
    let (code, _, err) = output(bare_kessai().args([
        "bank",
        "export",
        "--db",
        "sqlite://x.db",
        "--date",
        "2026-11-24",
    ]));
    assert_eq!(code, 1);
    assert!(err.contains("no collection account is configured"), "{err}");
}

#[test]
fn a_bank_configuration_the_bank_master_or_the_layout_refuses_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let master = support::bank_master_dir();
    let kana = "ｹﾂｻｲ";
    let cases = [
        (
            bank_table("9998", "001", "0000000001", kana, ""),
            "no bank has code 9998 in the bank master",
        ),
        (
            bank_table("0001", "998", "0000000001", kana, ""),
            "bank 0001 has no branch 998 in the bank master",
        ),
        (
            bank_table("0001", "001", "12345", kana, ""),
            "the requester code (振込依頼人コード) must be 10 digits",
        ),
        (
            bank_table("0001", "001", "0000000001", "山田商事", ""),
            "bank 1: requester_name:",
        ),
        (
            bank_table(
                "0001",
                "001",
                "0000000001",
                kana,
                "transfer_designation = 0",
            ),
            "is 7 (telegraphic) or 8 (document), not 0",
        ),
        (
            bank_table("0001", "001", "0000000001", kana, "requester_cod = \"1\""),
            "unknown field `requester_cod`",
        ),
        (
            bank_table("0001", "001", "0000000001", kana, "main = true")
                + &bank_table("0005", "123", "0000000002", kana, "main = true"),
            "more than one bank says main = true",
        ),
        (
            bank_table("0001", "001", "0000000001", kana, "")
                + &bank_table("0001", "002", "0000000002", kana, ""),
            "a second collection account at bank 0001",
        ),
    ];
    for (i, (toml, message)) in cases.iter().enumerate() {
        let file = write(dir.path(), &format!("banks-{i}.toml"), toml);
        let err = serve_refused(
            dir.path(),
            &[
                "--bank-config",
                &file.to_string_lossy(),
                "--bank-master",
                &master.to_string_lossy(),
            ],
        );
        assert!(
            err.contains(message),
            "case {i}: expected {message:?} in {err}"
        );
    }
    let flags = [
        "--collection-account",
        "0001-001-1234567",
        "--requester-name",
        kana,
    ];
    let err = serve_refused(dir.path(), &flags);
    assert!(err.contains("needs --requester-code"), "{err}");
    let both = write(
        dir.path(),
        "ok.toml",
        &bank_table("0001", "001", "0000000001", kana, ""),
    );
    let mut args = flags.to_vec();
    let both = both.to_string_lossy();
    args.extend(["--requester-code", "0000000001", "--bank-config", &both]);
    let err = serve_refused(dir.path(), &args);
    assert!(
        err.contains("either as --bank-config or as --collection-account"),
        "{err}"
    );
}

/// `kessai bank export --format zengin` with `extra` arguments (and `env`): the one file's
/// parsed records.
fn export(
    s: &support::TestServer,
    out: &str,
    extra: &[&str],
    env: &[(&str, &Path)],
) -> zengin::ZenginFile {
    let out = s.dir.path().join(out);
    let mut command = bare_kessai();
    command
        .args([
            "bank",
            "export",
            "--db",
            &s.db_url,
            "--date",
            "2026-11-24",
            "--out",
        ])
        .arg(&out)
        .args(extra);
    for (var, value) in env {
        command.env(var, value);
    }
    let (code, stdout, err) = output(&mut command);
    assert_eq!(code, 0, "{stdout}{err}");
    let made = files(&out);
    assert_eq!(made.len(), 1, "{stdout}");
    zengin::parse(&std::fs::read(&made[0]).unwrap()).unwrap()
}

async fn the_cli_export_leaves_from_the_main_bank_with_its_names(db: Db) {
    let s = support::spawn(db).await;
    let master = support::bank_master_dir();
    let master_arg = master.to_string_lossy().into_owned();
    // Two banks; the second is the main one and sends by document (8).
    let banks = bank_table("0001", "001", "0000000001", "ｹﾂｻｲ", "")
        + &bank_table(
            "0005",
            "123",
            "9876543210",
            "ｹﾂｻｲ ｼﾖｳｼﾞ",
            "main = true\ntransfer_designation = 8",
        );
    let config = write(s.dir.path(), "banks.toml", &banks);
    let config_arg = config.to_string_lossy().into_owned();

    let (_, seller) = s.completed_deal("cfg-a", 10_000).await;
    let file = export(
        &s,
        "a",
        &["--bank-config", &config_arg, "--bank-master", &master_arg],
        &[],
    );
    let header = &file.groups[0].header;
    let got = |f: &str| header.text(f).to_string();
    assert_eq!(
        [
            got("振込依頼人コード"),
            got("振込依頼人名"),
            got("仕向銀行番号"),
            got("仕向銀行名")
        ],
        ["9876543210", "ｹﾂｻｲ ｼﾖｳｼﾞ", "0005", "ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ"]
    );
    assert_eq!(
        [got("仕向支店番号"), got("仕向支店名"), got("口座番号")],
        ["123", "ﾖｺﾊﾏﾅｶﾔﾏ", "7000001"]
    );
    let payout = &transfers(&file)[0];
    assert_eq!(payout.edi.as_deref(), Some(seller.as_str()));
    assert_eq!(
        (payout.bank_name.as_str(), payout.branch_name.as_str()),
        ("ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ", "ﾖｺﾊﾏﾅｶﾔﾏ"),
        "the payee's bank and branch in kana, from the bank master"
    );
    assert!(file.data_records().all(|r| r.get("振込指定区分") == "8"));

    // The same by flags and KESSAI_BANK_MASTER, as `serve` takes them; telegraphic by default.
    s.completed_deal("cfg-b", 10_000).await;
    let flags = [
        "--collection-account",
        "0001-001-1234567",
        "--requester-code",
        "0000000001",
        "--requester-name",
        "ｹﾂｻｲ ｴｽｸﾛ-",
    ];
    let file = export(&s, "b", &flags, &[("KESSAI_BANK_MASTER", &master)]);
    let header = &file.groups[0].header;
    assert_eq!(
        [
            header.text("仕向銀行名"),
            header.text("仕向支店名"),
            header.text("振込依頼人名")
        ],
        ["ﾐｽﾞﾎ", "ﾄｳｷﾖｳ", "ｹﾂｻｲ ｴｽｸﾛ-"]
    );
    assert_eq!(transfers(&file)[0].branch_name, "ﾖｺﾊﾏﾅｶﾔﾏ");
    assert!(file.data_records().all(|r| r.get("振込指定区分") == "7"));
    s.assert_books_sound().await;
}
