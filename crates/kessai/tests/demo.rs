//! `kessai demo` (the real binary on its own server): the escrow deals, then the marketplace
//! day — a bulk upload with two lines refused and a bill, one debit refused by the bank, every
//! run through the simulators, the bill debited on its due date — and the ledger check.

use std::process::Command;

#[test]
fn the_demo_plays_the_escrow_deals_and_a_marketplace_day() {
    let output = Command::new(env!("CARGO_BIN_EXE_kessai"))
        .arg("demo")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let day = stdout
        .split("=== A marketplace day")
        .nth(1)
        .unwrap_or_else(|| panic!("no marketplace day: {stdout}"));
    for line in [
        "site uploads 6 contracts in one request: 4 accepted, 2 refused",
        "line 5 (MK-005): buyer.account.bank_code",
        "direct-debit results applied to contracts: 2",
        "direct-debit results applied to contracts: 1",
        "operator runs the sweep run for ",
        "answer(s) applied",
        "carrier ships and sends its notice: 3 shipped",
        "contract MK-001 ¥120000: debit_failed",
        "contract MK-004 ¥480000: shipped",
        "the bill's due date",
        "ledger check: ok",
    ] {
        assert!(day.contains(line), "missing {line:?} in:\n{day}");
    }
    // Every contract the bank debited is paid in the end; the refused one is not.
    let last = day.rsplit("the bill's due date").next().unwrap();
    for number in ["MK-002", "MK-003", "MK-004"] {
        assert!(
            last.lines()
                .any(|l| l.contains(&format!("contract {number} "))
                    && l.contains(": paid, seller paid on ")),
            "{number} not paid:\n{last}"
        );
    }
}
