//! Double-entry ledger rules.
//!
//! A [`Journal`] is one balanced posting: lines whose signed amounts sum to zero (positive =
//! debit, negative = credit). Journals are append-only; a mistake is undone by a reversing
//! journal, never by editing.
//!
//! Escrow is modelled as a two-phase ("pending") transfer in the TigerBeetle sense: the buyer's
//! money is first *held* in the deal's `Held` account, then exactly once either *posted* (to the
//! seller's `PayoutDue` and the operator's `FeesEarned`) or *voided* (to the buyer's `RefundDue`).
//! The deal state machine decides which, and the store records the resolution under a unique key
//! so it cannot happen twice.

use crate::money::Yen;
use serde::{Deserialize, Serialize};

/// The accounts of the ledger. Deal-scoped kinds exist once per deal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    /// Asset: the operator's money at its main bank (collections in, payouts out).
    BankClearing,
    /// Asset, per operator bank: the operator's money in its collection account at that bank
    /// (marketplace direct debits in, sweeps to the main bank out). One account per bank code,
    /// named by the journal's bank (`collection_bank:<code>`).
    CollectionBank,
    /// Asset: swept money that left a collection account and has not yet been reported
    /// arriving at the main bank (or arrived first: the two banks report on their own).
    SweepInTransit,
    /// Liability: money that arrived and could not be tied to a deal.
    UnmatchedReceipts,
    /// Liability: the operator's earned fees (revenue, kept as a credit balance).
    FeesEarned,
    /// Liability, per deal: the buyer's money held in escrow.
    Held,
    /// Liability, per deal: owed to the seller, instructed but not yet left the bank.
    PayoutDue,
    /// Liability, per deal: owed back to the buyer, instructed but not yet left the bank.
    RefundDue,
    /// Liability: money from the suspense list instructed back to whoever sent it, not yet
    /// left the bank.
    ReturnDue,
    /// Asset: payments the bank took back after Kessai had passed the money on (the deal had
    /// shipped or paid out), now owed by the payer until recovered or written off.
    ReversalClaims,
    /// Expense: reversal claims the operator gave up on.
    WrittenOff,
    /// Asset: card payments captured at the processor and not yet remitted by it (the
    /// processor owes them to the operator).
    CardReceivable,
    /// Asset: konbini payments the collection agent confirmed and has not yet remitted.
    KonbiniReceivable,
}

impl AccountKind {
    pub const ALL: [AccountKind; 13] = [
        AccountKind::BankClearing,
        AccountKind::CollectionBank,
        AccountKind::SweepInTransit,
        AccountKind::UnmatchedReceipts,
        AccountKind::FeesEarned,
        AccountKind::Held,
        AccountKind::PayoutDue,
        AccountKind::RefundDue,
        AccountKind::ReturnDue,
        AccountKind::ReversalClaims,
        AccountKind::WrittenOff,
        AccountKind::CardReceivable,
        AccountKind::KonbiniReceivable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::BankClearing => "bank_clearing",
            AccountKind::CollectionBank => "collection_bank",
            AccountKind::SweepInTransit => "sweep_in_transit",
            AccountKind::UnmatchedReceipts => "unmatched_receipts",
            AccountKind::FeesEarned => "fees_earned",
            AccountKind::Held => "held",
            AccountKind::PayoutDue => "payout_due",
            AccountKind::RefundDue => "refund_due",
            AccountKind::ReturnDue => "return_due",
            AccountKind::ReversalClaims => "reversal_claims",
            AccountKind::WrittenOff => "written_off",
            AccountKind::CardReceivable => "card_receivable",
            AccountKind::KonbiniReceivable => "konbini_receivable",
        }
    }

    pub fn parse(s: &str) -> Option<AccountKind> {
        AccountKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether one account of this kind exists per deal.
    pub fn is_per_deal(self) -> bool {
        matches!(
            self,
            AccountKind::Held | AccountKind::PayoutDue | AccountKind::RefundDue
        )
    }

    /// Whether one account of this kind exists per operator bank.
    pub fn is_per_bank(self) -> bool {
        self == AccountKind::CollectionBank
    }

    /// Credit-normal accounts hold money *for someone*; their balance must never go below zero.
    /// The others are debit-normal: the bank balance, claims, and what was written off.
    pub fn is_holding(self) -> bool {
        !matches!(
            self,
            AccountKind::BankClearing
                | AccountKind::CollectionBank
                | AccountKind::SweepInTransit
                | AccountKind::ReversalClaims
                | AccountKind::WrittenOff
                | AccountKind::CardReceivable
                | AccountKind::KonbiniReceivable
        )
    }
}

/// One line of a journal. `amount_yen > 0` debits the account, `< 0` credits it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub account: AccountKind,
    pub amount_yen: i64,
}

/// Why a journal was written. Also the unique key of a deal's escrow resolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JournalKind {
    /// Money from the bank into a deal's hold.
    Collect,
    /// Money from the bank that matched no deal.
    Unmatched,
    /// The hold posted: payout, fee, and the overpayment back to the buyer.
    Release,
    /// The hold voided: everything back to the buyer.
    Void,
    /// Money that arrived after the deal ended, straight back to the buyer.
    ReturnLate,
    /// A payout or refund left the operator's bank account.
    Settle,
    /// The bank took back a payment it had reported: out of the hold again, or off the
    /// suspense list when it had matched no deal.
    Reverse,
    /// Money on the suspense list instructed back to whoever sent it.
    ReturnUnmatched,
    /// The bank took back a payment after Kessai had passed the money on: a claim on the payer.
    ReversalClaim,
    /// The operator gave up a reversal claim.
    WriteOff,
    /// A transfer Kessai made came back (振込不能 / 組戻し): owed again.
    Returned,
    /// A suspense credit settled a reversal claim.
    RecoverClaim,
    /// Swept money left a collection account.
    SweepOut,
    /// Swept money arrived at the main bank.
    SweepIn,
    /// A sweep the collection bank had paid out came back to it.
    SweepReturned,
    /// A card authorization captured: the processor owes it, held for the order's merchant.
    CardCapture,
    /// Captured card money given back to the buyer through the processor.
    CardRefund,
    /// A konbini payment the agent confirmed: the agent owes it, held for the order.
    KonbiniPaid,
}

impl JournalKind {
    pub fn as_str(self) -> &'static str {
        match self {
            JournalKind::Collect => "collect",
            JournalKind::Unmatched => "unmatched",
            JournalKind::Release => "release",
            JournalKind::Void => "void",
            JournalKind::ReturnLate => "return_late",
            JournalKind::Settle => "settle",
            JournalKind::Reverse => "reverse",
            JournalKind::ReturnUnmatched => "return_unmatched",
            JournalKind::ReversalClaim => "reversal_claim",
            JournalKind::WriteOff => "write_off",
            JournalKind::Returned => "returned",
            JournalKind::RecoverClaim => "recover_claim",
            JournalKind::SweepOut => "sweep_out",
            JournalKind::SweepIn => "sweep_in",
            JournalKind::SweepReturned => "sweep_returned",
            JournalKind::CardCapture => "card_capture",
            JournalKind::CardRefund => "card_refund",
            JournalKind::KonbiniPaid => "konbini_paid",
        }
    }

    /// A hold is resolved by exactly one of these per deal.
    pub fn resolves_hold(self) -> bool {
        matches!(self, JournalKind::Release | JournalKind::Void)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Journal {
    pub kind: JournalKind,
    pub lines: Vec<Line>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JournalError {
    #[error("journal does not balance: lines sum to {0}")]
    Unbalanced(i64),
    #[error("journal line of zero yen")]
    ZeroLine,
    #[error("journal has fewer than two lines")]
    TooFewLines,
}

impl Journal {
    /// Builds a journal from (account, signed amount) pairs, dropping zero lines, and asserts balance.
    pub fn new(kind: JournalKind, lines: &[(AccountKind, i64)]) -> Journal {
        let lines: Vec<Line> = lines
            .iter()
            .filter(|(_, a)| *a != 0)
            .map(|&(account, amount_yen)| Line {
                account,
                amount_yen,
            })
            .collect();
        let journal = Journal { kind, lines };
        assert_eq!(
            journal.validate(),
            Ok(()),
            "core produced an invalid journal: {journal:?}"
        );
        journal
    }

    /// A transfer of `amount` from `credit` to `debit`: the common two-line journal.
    pub fn transfer(
        kind: JournalKind,
        debit: AccountKind,
        credit: AccountKind,
        amount: Yen,
    ) -> Journal {
        Journal::new(kind, &[(debit, amount.0), (credit, -amount.0)])
    }

    pub fn validate(&self) -> Result<(), JournalError> {
        if self.lines.len() < 2 {
            return Err(JournalError::TooFewLines);
        }
        if self.lines.iter().any(|l| l.amount_yen == 0) {
            return Err(JournalError::ZeroLine);
        }
        let sum: i64 = self.lines.iter().map(|l| l.amount_yen).sum();
        if sum != 0 {
            return Err(JournalError::Unbalanced(sum));
        }
        Ok(())
    }

    /// The total credited to accounts of `kind` by this journal (a positive number).
    pub fn credited(&self, kind: AccountKind) -> i64 {
        self.lines
            .iter()
            .filter(|l| l.account == kind && l.amount_yen < 0)
            .map(|l| -l.amount_yen)
            .sum()
    }

    pub fn debited(&self, kind: AccountKind) -> i64 {
        self.lines
            .iter()
            .filter(|l| l.account == kind && l.amount_yen > 0)
            .map(|l| l.amount_yen)
            .sum()
    }
}
