//! A sweep: the operator's balance in a collection account moved to its main account (seed
//! 001, the concentration of the debited money before the sellers are paid). Two banks report
//! it, each on its own: the collection bank's statement shows the money leaving, the main
//! bank's shows it arriving — in either order. Each report moves the ledger once:
//!
//! ```text
//!              withdrawn (SweepOut)            arrived (SweepIn)
//! instructed ──────────────────────▶ withdrawn ──────────────────▶ completed
//!     │  └──── arrived (SweepIn) ───▶ arrived ── withdrawn (SweepOut) ─▲
//!     └─ refused / returned ──▶ failed ◀── returned (SweepReturned) ── withdrawn
//! ```
//!
//! While a sweep is `instructed` or `arrived` its money is still in the collection account's
//! ledger balance, so no second sweep of that bank may start (the store's unique index).

use crate::ledger::{AccountKind, Journal, JournalKind};
use crate::money::Yen;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SweepStatus {
    Instructed,
    /// The collection bank reported the money leaving; the main bank has not reported it yet.
    Withdrawn,
    /// The main bank reported the money arriving before the collection bank reported it leaving.
    Arrived,
    Completed,
    /// Refused, or come back to the collection account: the next sweep run takes it again.
    Failed,
}

impl SweepStatus {
    pub const ALL: [SweepStatus; 5] = [
        SweepStatus::Instructed,
        SweepStatus::Withdrawn,
        SweepStatus::Arrived,
        SweepStatus::Completed,
        SweepStatus::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SweepStatus::Instructed => "instructed",
            SweepStatus::Withdrawn => "withdrawn",
            SweepStatus::Arrived => "arrived",
            SweepStatus::Completed => "completed",
            SweepStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<SweepStatus> {
        SweepStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// What a bank said about a sweep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SweepReport {
    /// The collection account's statement (or the bank's status report) shows it left.
    Withdrawn,
    /// The main account's statement shows it arrived.
    Arrived,
    /// The collection bank refused the transfer before it left.
    Refused,
    /// The transfer came back to the collection account (振込不能).
    Returned,
}

/// The report does not apply to a sweep in this status (e.g. a return after it arrived):
/// listed for the operator, nothing moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the sweep is {}: this report does not apply", .0.as_str())]
pub struct NotApplicable(pub SweepStatus);

/// The sweep's next status and the journals the report posts. A report that repeats what
/// is known changes nothing.
pub fn report(
    status: SweepStatus,
    report: SweepReport,
    amount: Yen,
) -> Result<(SweepStatus, Vec<Journal>), NotApplicable> {
    use SweepReport as R;
    use SweepStatus::*;
    let out = || {
        Journal::transfer(
            JournalKind::SweepOut,
            AccountKind::SweepInTransit,
            AccountKind::CollectionBank,
            amount,
        )
    };
    let arrived = || {
        Journal::transfer(
            JournalKind::SweepIn,
            AccountKind::BankClearing,
            AccountKind::SweepInTransit,
            amount,
        )
    };
    match (status, report) {
        (Instructed, R::Withdrawn) => Ok((Withdrawn, vec![out()])),
        (Instructed, R::Arrived) => Ok((Arrived, vec![arrived()])),
        (Withdrawn, R::Arrived) => Ok((Completed, vec![arrived()])),
        (Arrived, R::Withdrawn) => Ok((Completed, vec![out()])),
        (Instructed, R::Refused | R::Returned) => Ok((Failed, vec![])),
        (Withdrawn, R::Returned) => Ok((
            Failed,
            vec![Journal::transfer(
                JournalKind::SweepReturned,
                AccountKind::CollectionBank,
                AccountKind::SweepInTransit,
                amount,
            )],
        )),
        (Withdrawn | Completed, R::Withdrawn)
        | (Arrived | Completed, R::Arrived)
        | (Failed, R::Refused | R::Returned) => Ok((status, vec![])),
        (other, _) => Err(NotApplicable(other)),
    }
}

/// The most one transfer can move: a Zengin 21 振込金額 has 10 digits. A collection account
/// holding more is swept this much at a time, the rest on the runs after the first has left.
pub const MAX_SWEEP_YEN: i64 = 9_999_999_999;

/// What a sweep of a collection account holding `held` (its ledger balance) moves: nothing
/// when it holds nothing, at most [`MAX_SWEEP_YEN`].
pub fn amount(held: i64) -> Option<Yen> {
    (held > 0).then(|| Yen(held.min(MAX_SWEEP_YEN)))
}

/// The reference a sweep's transfer quotes (Zengin EDI, ISO remittance): `SW` and the first
/// 16 hex digits of its ID, as a payout quotes `PAY…`.
pub fn reference(sweep_id: &str) -> String {
    let hex: String = sweep_id.chars().filter(|c| *c != '-').take(16).collect();
    format!("SW{}", hex.to_ascii_uppercase())
}

/// The sweep reference a bank entry's text quotes, if any: `SW` and 16 hex digits, standing
/// alone (not inside a longer word).
pub fn quoted_reference(text: &str) -> Option<String> {
    let upper = text.to_ascii_uppercase();
    let bytes = upper.as_bytes();
    let mut from = 0;
    while let Some(at) = upper[from..].find("SW").map(|i| i + from) {
        let end = at + 18;
        let alone_before = at == 0 || !bytes[at - 1].is_ascii_alphanumeric();
        if end <= bytes.len()
            && alone_before
            && bytes[at + 2..end].iter().all(u8::is_ascii_hexdigit)
            && bytes.get(end).is_none_or(|b| !b.is_ascii_alphanumeric())
        {
            return Some(upper[at..end].to_string());
        }
        from = at + 2;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use SweepReport as R;
    use SweepStatus::*;

    fn net(journals: &[Journal], kind: AccountKind) -> i64 {
        journals
            .iter()
            .flat_map(|j| &j.lines)
            .filter(|l| l.account == kind)
            .map(|l| l.amount_yen)
            .sum()
    }

    #[test]
    fn either_order_of_the_two_banks_moves_the_money_once() {
        for order in [[R::Withdrawn, R::Arrived], [R::Arrived, R::Withdrawn]] {
            let mut status = Instructed;
            let mut journals = vec![];
            for r in order {
                let (next, j) = report(status, r, Yen(900)).unwrap();
                // The same report again changes nothing.
                assert_eq!(report(next, r, Yen(900)).unwrap(), (next, vec![]));
                status = next;
                journals.extend(j);
            }
            assert_eq!(status, Completed);
            assert_eq!(net(&journals, AccountKind::CollectionBank), -900);
            assert_eq!(net(&journals, AccountKind::BankClearing), 900);
            assert_eq!(net(&journals, AccountKind::SweepInTransit), 0);
        }
    }

    #[test]
    fn a_refused_or_returned_sweep_leaves_the_money_where_it_was() {
        assert_eq!(
            report(Instructed, R::Refused, Yen(5)).unwrap(),
            (Failed, vec![])
        );
        let (s, out) = report(Instructed, R::Withdrawn, Yen(5)).unwrap();
        let (s, back) = report(s, R::Returned, Yen(5)).unwrap();
        assert_eq!(s, Failed);
        let all: Vec<Journal> = out.into_iter().chain(back).collect();
        assert_eq!(net(&all, AccountKind::CollectionBank), 0);
        assert_eq!(net(&all, AccountKind::SweepInTransit), 0);
        assert_eq!(
            report(Completed, R::Returned, Yen(5)),
            Err(NotApplicable(Completed))
        );
        assert_eq!(
            report(Failed, R::Arrived, Yen(5)),
            Err(NotApplicable(Failed))
        );
        assert_eq!(
            report(Withdrawn, R::Refused, Yen(5)),
            Err(NotApplicable(Withdrawn))
        );
    }

    #[test]
    fn a_sweep_moves_what_is_held_up_to_what_one_transfer_carries() {
        assert_eq!(amount(0), None);
        assert_eq!(amount(-5), None);
        assert_eq!(amount(30_000), Some(Yen(30_000)));
        assert_eq!(amount(22_344_515_121), Some(Yen(MAX_SWEEP_YEN)));
        assert_eq!(MAX_SWEEP_YEN.to_string().len(), 10);
    }

    #[test]
    fn references_are_found_standing_alone() {
        let id = "0193a1fc-67dd-729b-b96d-b58ee0ff2e1a";
        let r = reference(id);
        assert_eq!(r, "SW0193A1FC67DD729B");
        assert_eq!(quoted_reference(&format!("ｹﾂｻｲ {r}")), Some(r.clone()));
        assert_eq!(quoted_reference(&r.to_lowercase()), Some(r.clone()));
        assert_eq!(quoted_reference(&format!("X{r}")), None);
        assert_eq!(quoted_reference(&format!("{r}0")), None);
        assert_eq!(quoted_reference("SWAP 12"), None);
        for s in SweepStatus::ALL {
            assert_eq!(SweepStatus::parse(s.as_str()), Some(s));
        }
    }
}
