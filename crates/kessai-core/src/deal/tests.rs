use super::*;
use crate::check::{check_accounts, check_deal, AccountFigures, DealFigures};
use crate::ledger::AccountKind;
use crate::notice::NoticeKind;
use proptest::prelude::*;
use std::collections::BTreeMap;

const DAY: i64 = crate::time::MILLIS_PER_DAY;

fn agreed() -> Deal {
    Deal::agreed(Yen(10_000), Yen(360), Millis(0), 7, 5)
}

fn in_state(state: DealState) -> Deal {
    let d = agreed();
    let pay = DealCommand::Pay {
        amount: Yen(10_000),
    };
    let ship = DealCommand::Ship { tracking: None };
    match state {
        DealState::AwaitingPayment => d,
        DealState::Funded => d.apply(&pay, Millis(1)).unwrap().deal,
        DealState::Shipped => {
            in_state(DealState::Funded)
                .apply(&ship, Millis(2))
                .unwrap()
                .deal
        }
        DealState::Completed => {
            in_state(DealState::Shipped)
                .apply(&DealCommand::ConfirmReceipt, Millis(3))
                .unwrap()
                .deal
        }
        DealState::Refunded => {
            in_state(DealState::Funded)
                .apply(&DealCommand::OperatorRefund, Millis(3))
                .unwrap()
                .deal
        }
        DealState::Cancelled => {
            d.apply(&DealCommand::OperatorRefund, Millis(3))
                .unwrap()
                .deal
        }
    }
}

/// The whole state × command table. `None` = rejected with an error that changes nothing.
#[test]
fn transition_table() {
    use DealState::*;
    let late = Millis(100 * DAY);
    let commands: [(DealCommand, Millis); 6] = [
        (
            DealCommand::Pay {
                amount: Yen(10_000),
            },
            Millis(5),
        ),
        (
            DealCommand::Ship {
                tracking: Some("1234-5678".into()),
            },
            Millis(5),
        ),
        (DealCommand::ConfirmReceipt, Millis(5)),
        (DealCommand::Expire, Millis(5)),
        (DealCommand::Expire, late),
        (DealCommand::OperatorRefund, Millis(5)),
    ];
    #[rustfmt::skip]
    let table: [(DealState, [Option<DealState>; 6]); 6] = [
        //                 pay               ship           confirm          expire  expire(late)     operator
        (AwaitingPayment, [Some(Funded),    None,          None,            None, Some(Cancelled), Some(Cancelled)]),
        (Funded,          [Some(Funded),    Some(Shipped), None,            None, Some(Refunded),  Some(Refunded)]),
        (Shipped,         [Some(Shipped),   None,          Some(Completed), None, None,            None]),
        (Completed,       [Some(Completed), None,          None,            None, None,            None]),
        (Refunded,        [Some(Refunded),  None,          None,            None, None,            None]),
        (Cancelled,       [Some(Cancelled), None,          None,            None, None,            None]),
    ];
    for (from, row) in table {
        for ((command, now), expected) in commands.iter().zip(row) {
            let deal = in_state(from);
            let got = deal.apply(command, *now).map(|t| t.deal.state).ok();
            assert_eq!(got, expected, "{from:?} × {command:?} at {now:?}");
        }
    }
}

#[test]
fn short_payment_waits_then_tops_up() {
    let d = agreed();
    let t = d
        .apply(&DealCommand::Pay { amount: Yen(6_000) }, Millis(1))
        .unwrap();
    assert_eq!(t.deal.state, DealState::AwaitingPayment);
    assert_eq!(t.event, "paid_short");
    assert_eq!(
        t.notices,
        vec![Notice {
            to: Party::Buyer,
            kind: NoticeKind::RemainderRequested {
                received: Yen(6_000),
                remaining: Yen(4_000)
            }
        }]
    );
    let t = t
        .deal
        .apply(&DealCommand::Pay { amount: Yen(4_500) }, Millis(2))
        .unwrap();
    assert_eq!(t.deal.state, DealState::Funded);
    assert_eq!(t.deal.excess(), Yen(500));
    assert_eq!(t.deal.ship_by, Some(Millis(2).plus_days(5)));
}

#[test]
fn receipt_pays_seller_less_fee_and_returns_overpayment() {
    let d = agreed()
        .apply(
            &DealCommand::Pay {
                amount: Yen(10_700),
            },
            Millis(1),
        )
        .unwrap()
        .deal;
    let d = d
        .apply(&DealCommand::Ship { tracking: None }, Millis(2))
        .unwrap()
        .deal;
    let t = d.apply(&DealCommand::ConfirmReceipt, Millis(3)).unwrap();
    let amounts: Vec<(Party, i64, InstructionPurpose)> = t
        .instructions
        .iter()
        .map(|i| (i.to, i.amount.0, i.purpose))
        .collect();
    assert_eq!(
        amounts,
        vec![
            (Party::Seller, 9_640, InstructionPurpose::Payout),
            (Party::Buyer, 700, InstructionPurpose::Refund)
        ]
    );
    assert_eq!(t.journals.len(), 1);
    assert_eq!(t.journals[0].credited(AccountKind::FeesEarned), 360);
}

#[test]
fn unshipped_deal_is_refunded_only_after_the_deadline() {
    let d = agreed()
        .apply(
            &DealCommand::Pay {
                amount: Yen(10_000),
            },
            Millis(0),
        )
        .unwrap()
        .deal;
    let deadline = Millis(5 * DAY);
    assert_eq!(
        d.apply(&DealCommand::Expire, Millis(deadline.0 - 1)),
        Err(DealError::NothingDue)
    );
    let t = d.apply(&DealCommand::Expire, deadline).unwrap();
    assert_eq!(t.deal.state, DealState::Refunded);
    assert_eq!(
        t.instructions,
        vec![Instruction {
            to: Party::Buyer,
            amount: Yen(10_000),
            purpose: InstructionPurpose::Refund
        }]
    );
}

#[test]
fn a_reversed_payment_leaves_the_hold_and_the_deal_waits_again() {
    let funded = agreed()
        .apply(
            &DealCommand::Pay {
                amount: Yen(10_000),
            },
            Millis(1),
        )
        .unwrap()
        .deal;
    let t = funded
        .apply(
            &DealCommand::ReversePayment {
                amount: Yen(10_000),
            },
            Millis(2),
        )
        .unwrap();
    assert_eq!(
        (t.deal.state, t.deal.received, t.deal.ship_by),
        (DealState::AwaitingPayment, Yen(0), None)
    );
    assert_eq!(t.journals[0].debited(AccountKind::Held), 10_000);
    assert!(t.notices.contains(&Notice {
        to: Party::Seller,
        kind: NoticeKind::PaymentReversed
    }));
    assert_eq!(
        funded.apply(
            &DealCommand::ReversePayment {
                amount: Yen(10_001)
            },
            Millis(2)
        ),
        Err(DealError::ReversalExceedsHeld {
            held: Yen(10_000),
            amount: Yen(10_001)
        })
    );
    let shipped = funded
        .apply(&DealCommand::Ship { tracking: None }, Millis(2))
        .unwrap()
        .deal;
    assert!(
        shipped
            .apply(&DealCommand::ReversePayment { amount: Yen(1) }, Millis(3))
            .is_err(),
        "the goods moved: for the operator"
    );
}

#[test]
fn overlong_tracking_number_is_rejected() {
    let d = in_state(DealState::Funded);
    let long = "9".repeat(MAX_TRACKING_CHARS + 1);
    assert_eq!(
        d.apply(
            &DealCommand::Ship {
                tracking: Some(long)
            },
            Millis(2)
        ),
        Err(DealError::TrackingTooLong)
    );
}

/// An in-memory ledger: what the store does, without SQL, to judge sequences of commands.
#[derive(Default)]
struct Books {
    /// What reversals took back out of the hold.
    reversed: i64,
    balances: BTreeMap<AccountKind, i64>,
    credited: BTreeMap<AccountKind, i64>,
    debited: BTreeMap<AccountKind, i64>,
}

impl Books {
    /// Money waiting in the suspense list, so that the operator has something to assign.
    fn with_suspense(amount: Yen) -> Books {
        let mut books = Books::default();
        books.post_journals(&[crate::ledger::Journal::transfer(
            crate::ledger::JournalKind::Unmatched,
            AccountKind::BankClearing,
            AccountKind::UnmatchedReceipts,
            amount,
        )]);
        books
    }

    fn post(&mut self, t: &Transition) {
        self.post_journals(&t.journals);
    }

    fn post_journals(&mut self, journals: &[crate::ledger::Journal]) {
        for j in journals {
            j.validate().expect("balanced journal");
            if j.kind == crate::ledger::JournalKind::Reverse {
                self.reversed += j.debited(AccountKind::Held);
            }
            for l in &j.lines {
                *self.balances.entry(l.account).or_default() += l.amount_yen;
                if l.amount_yen < 0 {
                    *self.credited.entry(l.account).or_default() -= l.amount_yen;
                } else {
                    *self.debited.entry(l.account).or_default() += l.amount_yen;
                }
            }
        }
    }

    fn figures(&self, deal: &Deal) -> (Vec<AccountFigures>, DealFigures) {
        let get = |m: &BTreeMap<AccountKind, i64>, k| m.get(&k).copied().unwrap_or(0);
        let accounts = AccountKind::ALL
            .iter()
            .map(|&kind| AccountFigures {
                account: kind.as_str().into(),
                kind,
                cached_balance_yen: get(&self.balances, kind),
                lines_balance_yen: get(&self.balances, kind),
            })
            .collect();
        let figures = DealFigures {
            deal: "D".into(),
            state: deal.state,
            received_yen: deal.received.0,
            collected_yen: get(&self.credited, AccountKind::Held) - self.reversed,
            held_yen: -get(&self.balances, AccountKind::Held),
            paid_out_yen: get(&self.credited, AccountKind::PayoutDue),
            refunded_yen: get(&self.credited, AccountKind::RefundDue),
            fees_yen: get(&self.credited, AccountKind::FeesEarned),
        };
        (accounts, figures)
    }
}

fn command() -> impl Strategy<Value = (DealCommand, i64)> {
    let cmd = prop_oneof![
        4 => (1i64..15_000).prop_map(|a| DealCommand::Pay { amount: Yen(a) }),
        1 => (1i64..15_000).prop_map(|a| DealCommand::AssignFromSuspense { amount: Yen(a) }),
        1 => (1i64..15_000).prop_map(|a| DealCommand::ReversePayment { amount: Yen(a) }),
        2 => Just(DealCommand::Ship { tracking: None }),
        2 => Just(DealCommand::ConfirmReceipt),
        2 => Just(DealCommand::Expire),
        1 => Just(DealCommand::OperatorRefund),
    ];
    (cmd, 0i64..(3 * DAY))
}

proptest! {
    /// After every step of any command sequence every invariant of `kessai check` holds, the
    /// hold is resolved at most once, and a rejected command changes nothing.
    #[test]
    fn invariants_hold_after_every_step(
        price in 1i64..20_000,
        rate in 0u32..2_000,
        steps in prop::collection::vec(command(), 1..40),
    ) {
        let fee = crate::fees::FeeRule { rate_basis_points: rate, fixed_yen: 0 }.fee_for(Yen(price));
        let mut deal = Deal::agreed(Yen(price), fee, Millis(0), 7, 5);
        let mut books = Books::with_suspense(Yen(100_000_000));
        let mut now = Millis(0);
        let mut resolutions = 0;
        for (command, advance_ms) in steps {
            now = now.plus_millis(advance_ms);
            // A rejected command changes nothing: the deal and the books stay as they were.
            if let Ok(t) = deal.apply(&command, now) {
                resolutions += t.journals.iter().filter(|j| j.kind.resolves_hold()).count();
                let out: i64 = t.instructions.iter().map(|i| i.amount.0).sum();
                let due: i64 = t.journals.iter().map(|j| j.credited(AccountKind::PayoutDue) + j.credited(AccountKind::RefundDue)).sum();
                prop_assert_eq!(out, due, "instructions must equal what the ledger owes");
                books.post(&t);
                deal = t.deal;
            }
            let (accounts, figures) = books.figures(&deal);
            prop_assert_eq!(check_accounts(&accounts), vec![]);
            prop_assert_eq!(check_deal(&figures), vec![]);
            prop_assert_eq!(figures.held_yen, deal.held().0);
            prop_assert!(resolutions <= 1, "hold resolved twice");
        }
    }
}
