//! The ledger invariants, evaluated over figures the store reads from the database.
//!
//! The store aggregates (it knows SQL); this module decides what is a violation (it knows money),
//! so `kessai check` and the property tests judge with the same rules.

use crate::deal::DealState;
use crate::ledger::AccountKind;
use std::fmt;

/// One account as the database holds it: the cached balance and the sum of its lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountFigures {
    pub account: String,
    pub kind: AccountKind,
    /// Debits minus credits, as cached on the account row.
    pub cached_balance_yen: i64,
    /// Debits minus credits, summed from the journal lines.
    pub lines_balance_yen: i64,
}

/// One deal's money, each figure summed from journal lines attributed to the deal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DealFigures {
    pub deal: String,
    pub state: DealState,
    /// What the deal row says was received.
    pub received_yen: i64,
    /// Credited to the deal's hold from the bank.
    pub collected_yen: i64,
    /// The hold's credit balance now.
    pub held_yen: i64,
    pub paid_out_yen: i64,
    pub refunded_yen: i64,
    pub fees_yen: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Violation {
    UnbalancedJournal {
        journal: String,
        sum_yen: i64,
    },
    CachedBalanceDrift {
        account: String,
        cached_yen: i64,
        lines_yen: i64,
    },
    NegativeHolding {
        account: String,
        balance_yen: i64,
    },
    DealUnaccounted {
        deal: String,
        collected_yen: i64,
        accounted_yen: i64,
    },
    DealReceivedMismatch {
        deal: String,
        received_yen: i64,
        collected_yen: i64,
    },
    ClosedDealStillHolds {
        deal: String,
        held_yen: i64,
    },
    ForeignCurrency {
        journal: String,
        currency: String,
    },
    /// What a deal's unfinished instructions still have to pay differs from what the ledger owes.
    InstructionsDisagree {
        deal: String,
        purpose: String,
        outstanding_yen: i64,
        owed_yen: i64,
    },
    /// A marketplace contract's money does not add up: what its buyer's bank debited (the
    /// debits answered `debited`) must be what it still holds plus what its payout released
    /// (to the seller and as the fee).
    ContractUnaccounted {
        contract: String,
        debited_yen: i64,
        held_yen: i64,
        released_yen: i64,
    },
    /// An order's money does not add up: what its methods took (card captures less card
    /// refunds) must be what its hold holds; and an order the machine says is paid must hold
    /// something, a refunded or unpaid one nothing.
    OrderUnaccounted {
        order: String,
        status: String,
        taken_yen: i64,
        held_yen: i64,
    },
    /// A contract debited straight into its seller's account (no pooling) must be settled on
    /// the debit and touch none of Kessai's accounts.
    DirectContractUnsettled {
        contract: String,
        debited_yen: i64,
        payout_state: String,
        in_books_yen: i64,
    },
    /// After a sweep, the ledger's balance of the collection account differs from the
    /// closing balance the bank's statement reported.
    CollectionAccountDisagrees {
        bank_code: String,
        sweep: String,
        bank_yen: i64,
        ledger_yen: i64,
    },
    /// The credits the operator sees on a list (the suspense list, open reversal claims) add up
    /// to something else than the ledger account holding that money.
    ListDisagrees {
        account: String,
        listed_yen: i64,
        ledger_yen: i64,
    },
    /// An imported file's recorded entries differ in number or total from what the file says:
    /// some entry was neither applied, put in suspense, a conflict nor a duplicate.
    FileUnaccounted {
        file: String,
        entries: i64,
        total_yen: i64,
        accounted: i64,
        accounted_yen: i64,
        /// Entry positions (1-based) with no record, the first few.
        missing: Vec<i64>,
    },
    /// One entry of an imported file whose recorded outcome does not hold up (a duplicate of
    /// something else, a credit that is not there).
    EntryUnaccounted {
        file: String,
        entry: i64,
        identity: String,
        reason: String,
    },
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::UnbalancedJournal { journal, sum_yen } => {
                write!(f, "journal {journal} does not balance: its lines sum to {sum_yen}")
            }
            Violation::CachedBalanceDrift { account, cached_yen, lines_yen } => {
                write!(f, "account {account}: cached balance {cached_yen} but its lines sum to {lines_yen}")
            }
            Violation::NegativeHolding { account, balance_yen } => {
                write!(f, "holding account {account} is negative: holds {balance_yen}")
            }
            Violation::DealUnaccounted { deal, collected_yen, accounted_yen } => write!(
                f,
                "deal {deal}: collected {collected_yen} but held + paid out + refunded + fees = {accounted_yen}"
            ),
            Violation::DealReceivedMismatch { deal, received_yen, collected_yen } => {
                write!(f, "deal {deal}: the deal records {received_yen} received but the ledger collected {collected_yen}")
            }
            Violation::ClosedDealStillHolds { deal, held_yen } => {
                write!(f, "deal {deal} is closed but still holds {held_yen}")
            }
            Violation::ForeignCurrency { journal, currency } => {
                write!(f, "journal {journal} is in {currency}, not JPY")
            }
            Violation::ContractUnaccounted { contract, debited_yen, held_yen, released_yen } => write!(
                f,
                "contract {contract}: its buyer's bank debited {debited_yen} but the contract holds {held_yen} and released {released_yen}"
            ),
            Violation::OrderUnaccounted { order, status, taken_yen, held_yen } => write!(
                f,
                "order {order} ({status}): its methods took {taken_yen} but its hold holds {held_yen}"
            ),
            Violation::DirectContractUnsettled { contract, debited_yen, payout_state, in_books_yen } => write!(
                f,
                "contract {contract}: debited {debited_yen} straight into the seller's account but its payout is {payout_state} and {in_books_yen} of it is in Kessai's books"
            ),
            Violation::CollectionAccountDisagrees { bank_code, sweep, bank_yen, ledger_yen } => write!(
                f,
                "collection account at bank {bank_code}: after sweep {sweep} the bank's statement closed at {bank_yen} but the ledger holds {ledger_yen}"
            ),
            Violation::ListDisagrees { account, listed_yen, ledger_yen } => write!(
                f,
                "{account}: the operator's list totals {listed_yen} but the ledger holds {ledger_yen}"
            ),
            Violation::FileUnaccounted { file, entries, total_yen, accounted, accounted_yen, missing } => {
                write!(f, "bank file {file}: the file holds {entries} entries totalling {total_yen} but {accounted} totalling {accounted_yen} are accounted for")?;
                if !missing.is_empty() {
                    let list: Vec<String> = missing.iter().map(i64::to_string).collect();
                    write!(f, " (no record of entry {})", list.join(", "))?;
                }
                Ok(())
            }
            Violation::EntryUnaccounted { file, entry, identity, reason } => {
                write!(f, "bank file {file}, entry {entry} ({identity}): {reason}")
            }
            Violation::InstructionsDisagree { deal, purpose, outstanding_yen, owed_yen } => write!(
                f,
                "deal {deal}: {purpose} instructions not yet completed total {outstanding_yen} but the ledger owes {owed_yen}"
            ),
        }
    }
}

pub fn check_accounts(accounts: &[AccountFigures]) -> Vec<Violation> {
    let mut found = vec![];
    for a in accounts {
        if a.cached_balance_yen != a.lines_balance_yen {
            found.push(Violation::CachedBalanceDrift {
                account: a.account.clone(),
                cached_yen: a.cached_balance_yen,
                lines_yen: a.lines_balance_yen,
            });
        }
        // A holding account is credit-normal: its debit balance must be ≤ 0.
        if a.kind.is_holding() && a.lines_balance_yen > 0 {
            found.push(Violation::NegativeHolding {
                account: a.account.clone(),
                balance_yen: -a.lines_balance_yen,
            });
        }
    }
    found
}

pub fn check_deal(d: &DealFigures) -> Vec<Violation> {
    let mut found = vec![];
    let accounted = d.held_yen + d.paid_out_yen + d.refunded_yen + d.fees_yen;
    if d.collected_yen != accounted {
        found.push(Violation::DealUnaccounted {
            deal: d.deal.clone(),
            collected_yen: d.collected_yen,
            accounted_yen: accounted,
        });
    }
    if d.received_yen != d.collected_yen {
        found.push(Violation::DealReceivedMismatch {
            deal: d.deal.clone(),
            received_yen: d.received_yen,
            collected_yen: d.collected_yen,
        });
    }
    if d.state.is_closed() && d.held_yen != 0 {
        found.push(Violation::ClosedDealStillHolds {
            deal: d.deal.clone(),
            held_yen: d.held_yen,
        });
    }
    found
}

/// What `kessai check` reads of one order.
pub struct OrderFigures {
    pub order: String,
    pub status: String,
    /// Captured by card less refunded.
    pub taken_yen: i64,
    /// The order's hold, from its journal lines.
    pub held_yen: i64,
}

/// An order's violations: the hold is what was taken, and the status agrees with it (a paid
/// order took something; one not paid yet took nothing).
pub fn check_order(o: &OrderFigures) -> Vec<Violation> {
    let agrees = match o.status.as_str() {
        "paid" => o.taken_yen > 0,
        // A late konbini payment the merchant refunds is held on an expired order until it goes
        // back, a second payment of a paid or cancelled one likewise: only `taken == held` then.
        "unpaid" | "awaiting_acceptance" | "authorized" | "declined" => o.taken_yen == 0,
        _ => true,
    };
    if o.taken_yen == o.held_yen && agrees {
        return vec![];
    }
    vec![Violation::OrderUnaccounted {
        order: o.order.clone(),
        status: o.status.clone(),
        taken_yen: o.taken_yen,
        held_yen: o.held_yen,
    }]
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_order_holds_what_its_methods_took_and_its_status_agrees() {
        let o = |status: &str, taken_yen, held_yen| OrderFigures {
            order: "O".into(),
            status: status.into(),
            taken_yen,
            held_yen,
        };
        assert!(check_order(&o("paid", 3300, 3300)).is_empty());
        assert!(check_order(&o("refunded", 0, 0)).is_empty());
        assert!(check_order(&o("authorized", 0, 0)).is_empty());
        assert_eq!(
            check_order(&o("paid", 3300, 3000)).len(),
            1,
            "the hold differs"
        );
        assert_eq!(
            check_order(&o("paid", 0, 0)).len(),
            1,
            "paid, holding nothing"
        );
        assert_eq!(
            check_order(&o("unpaid", 500, 500)).len(),
            1,
            "unpaid, holding"
        );
        assert!(
            check_order(&o("expired", 500, 500)).is_empty(),
            "a late payment owed back"
        );
    }

    use super::*;

    fn figures() -> DealFigures {
        DealFigures {
            deal: "D".into(),
            state: DealState::Completed,
            received_yen: 1100,
            collected_yen: 1100,
            held_yen: 0,
            paid_out_yen: 964,
            refunded_yen: 100,
            fees_yen: 36,
        }
    }

    #[test]
    fn a_complete_deal_passes() {
        assert_eq!(check_deal(&figures()), vec![]);
    }

    #[test]
    fn each_deal_violation_is_named() {
        type Mutation = fn(&mut DealFigures);
        let cases: Vec<(Mutation, &str)> = vec![
            (
                |d| d.paid_out_yen += 1,
                "collected 1100 but held + paid out + refunded + fees = 1101",
            ),
            (
                |d| d.received_yen = 1000,
                "records 1000 received but the ledger collected 1100",
            ),
            (
                |d| {
                    d.held_yen = 100;
                    d.refunded_yen = 0
                },
                "is closed but still holds 100",
            ),
        ];
        for (mutate, message) in cases {
            let mut d = figures();
            mutate(&mut d);
            let found = check_deal(&d);
            assert_eq!(found.len(), 1, "{found:?}");
            assert!(
                found[0].to_string().contains(message),
                "{} does not contain {message}",
                found[0]
            );
        }
    }

    #[test]
    fn account_violations_are_named() {
        let drift = AccountFigures {
            account: "held:D".into(),
            kind: AccountKind::Held,
            cached_balance_yen: -5,
            lines_balance_yen: -6,
        };
        let negative = AccountFigures {
            account: "held:E".into(),
            kind: AccountKind::Held,
            cached_balance_yen: 7,
            lines_balance_yen: 7,
        };
        let bank = AccountFigures {
            account: "bank_clearing".into(),
            kind: AccountKind::BankClearing,
            cached_balance_yen: 7,
            lines_balance_yen: 7,
        };
        let found = check_accounts(&[drift, negative, bank]);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0]
            .to_string()
            .contains("cached balance -5 but its lines sum to -6"));
        assert!(found[1]
            .to_string()
            .contains("holding account held:E is negative"));
    }
}
