//! Money that no deal holds: credits on the suspense list, and payments the bank took back
//! after the money had moved on. Each operator decision here is one journal.
//!
//! ```text
//! unmatched credit ──assign──▶ a deal's hold            (DealCommand::AssignFromSuspense)
//!                  ──return──▶ return_due ──settled──▶ out of the bank
//!                  ──the bank reverses it──▶ back out of the bank
//! reversal the deal could not take ──▶ reversal_claims ──write off──▶ written_off
//! ```

use crate::ledger::{AccountKind, Journal, JournalKind};
use crate::money::Yen;

/// Money arrived at the bank that matches no single deal: it waits on the suspense list.
pub fn receive_unmatched(amount: Yen) -> Journal {
    Journal::transfer(
        JournalKind::Unmatched,
        AccountKind::BankClearing,
        AccountKind::UnmatchedReceipts,
        amount,
    )
}

/// The operator sends a suspense credit back to whoever sent it: owed until the bank
/// confirms the transfer left (then `instruction::answer` settles `return_due`).
pub fn return_to_payer(amount: Yen) -> Journal {
    Journal::transfer(
        JournalKind::ReturnUnmatched,
        AccountKind::UnmatchedReceipts,
        AccountKind::ReturnDue,
        amount,
    )
}

/// The bank took back a credit that was still on the suspense list: it leaves the books
/// the way it came in.
pub fn reverse_unmatched(amount: Yen) -> Journal {
    Journal::transfer(
        JournalKind::Reverse,
        AccountKind::UnmatchedReceipts,
        AccountKind::BankClearing,
        amount,
    )
}

/// The bank took back a payment Kessai had already passed on: the bank balance falls, and
/// the payer owes the amount (a claim the operator pursues or writes off).
pub fn reversal_claim(amount: Yen) -> Journal {
    Journal::transfer(
        JournalKind::ReversalClaim,
        AccountKind::ReversalClaims,
        AccountKind::BankClearing,
        amount,
    )
}

/// The operator gives up a reversal claim.
pub fn write_off(amount: Yen) -> Journal {
    Journal::transfer(
        JournalKind::WriteOff,
        AccountKind::WrittenOff,
        AccountKind::ReversalClaims,
        amount,
    )
}

/// The payer paid a reversal claim back: the new credit from the suspense list settles it.
pub fn recover_claim(amount: Yen) -> Journal {
    Journal::transfer(
        JournalKind::RecoverClaim,
        AccountKind::UnmatchedReceipts,
        AccountKind::ReversalClaims,
        amount,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instruction::{answer, BankAnswer, InstructionStatus};
    use crate::InstructionPurpose;
    use std::collections::HashMap;

    fn apply(balances: &mut HashMap<AccountKind, i64>, j: &Journal) {
        assert_eq!(j.validate(), Ok(()));
        for l in &j.lines {
            *balances.entry(l.account).or_default() += l.amount_yen;
        }
    }

    #[test]
    fn a_returned_credit_leaves_nothing_behind_once_settled() {
        let mut b = HashMap::new();
        // In from the bank, unmatched; returned; the bank confirms.
        apply(&mut b, &receive_unmatched(Yen(5_000)));
        apply(&mut b, &return_to_payer(Yen(5_000)));
        assert_eq!(b[&AccountKind::UnmatchedReceipts], 0);
        assert_eq!(b[&AccountKind::ReturnDue], -5_000, "owed until it leaves");
        let (status, journals) = answer(
            InstructionStatus::Sent,
            InstructionPurpose::Return,
            Yen(5_000),
            &BankAnswer::Settled,
        )
        .unwrap();
        assert_eq!(status, InstructionStatus::Completed);
        for j in &journals {
            apply(&mut b, j);
        }
        assert!(b.values().all(|v| *v == 0), "{b:?}");
    }

    #[test]
    fn a_reversal_claim_is_written_off_or_recovered() {
        let mut b = HashMap::new();
        apply(&mut b, &reversal_claim(Yen(3_000)));
        assert_eq!(b[&AccountKind::BankClearing], -3_000);
        assert_eq!(b[&AccountKind::ReversalClaims], 3_000);
        let mut off = b.clone();
        apply(&mut off, &write_off(Yen(3_000)));
        assert_eq!(off[&AccountKind::ReversalClaims], 0);
        assert_eq!(off[&AccountKind::WrittenOff], 3_000);
        // Recovered: the payer's new transfer arrives unmatched, then settles the claim.
        apply(&mut b, &receive_unmatched(Yen(3_000)));
        apply(&mut b, &recover_claim(Yen(3_000)));
        assert!(b.values().all(|v| *v == 0), "{b:?}");
    }

    #[test]
    fn a_reversed_suspense_credit_leaves_the_books() {
        let mut b = HashMap::new();
        apply(&mut b, &receive_unmatched(Yen(800)));
        apply(&mut b, &reverse_unmatched(Yen(800)));
        assert!(b.values().all(|v| *v == 0), "{b:?}");
    }
}
