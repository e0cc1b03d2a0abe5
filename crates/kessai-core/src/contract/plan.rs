//! A contract's planned dates (seed 001 figure 8, 【0034】): each step's day as the site's
//! standard lead times predict it from the day Kessai accepted the contract, shown beside the
//! day it happened. Planned dates inform; they do not drive the runs (a run takes every
//! contract that is ready on its day).
//!
//! Each step is planned from the one before it — from the day it happened once it has, so a
//! late debit moves what follows it: acceptance → debit (a bill's due date instead) → delivery
//! instruction (a bill's goods go without waiting for the debit) → shipment → settlement (for a
//! seller paid regardless of shipment, from the debit). A site that ships only once the seller
//! is paid plans the settlement from the debit and the delivery from the settlement; a
//! contract debited straight into the seller's account is settled by its debit.

use crate::calendar::{add_business_days, business_day_on_or_after, YearOutOfRange};
use time::Date;

/// Business days from one step to the next (a site's settings).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LeadTimes {
    /// Acceptance to the debit.
    pub debit: u32,
    /// The debit (a bill: acceptance) to the delivery instruction.
    pub delivery: u32,
    /// The delivery instruction to the shipment.
    pub shipping: u32,
    /// The shipment (regardless of shipment: the debit) to the seller's settlement.
    pub payout: u32,
}

/// How the contract's steps follow each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Terms {
    /// A bill's settlement due date: the debit's day, and the goods go before it.
    pub due: Option<Date>,
    /// The seller is paid once debited, shipped or not.
    pub pay_regardless: bool,
    /// The site ships only once the seller is paid.
    pub ship_after_payout: bool,
    /// Debited straight into the seller's account (no pooling): the debit is the settlement.
    pub direct: bool,
}

/// The days the steps happened, as far as they have.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Actual {
    pub debit: Option<Date>,
    pub delivery_instruction: Option<Date>,
    pub shipment: Option<Date>,
    pub settlement: Option<Date>,
}

/// The planned day of each step after acceptance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Planned {
    pub debit: Date,
    pub delivery_instruction: Date,
    pub shipment: Date,
    pub settlement: Date,
}

/// The plan of a contract accepted on `accepted` (a day in Japan).
pub fn plan(
    accepted: Date,
    terms: Terms,
    lead: LeadTimes,
    actual: Actual,
) -> Result<Planned, YearOutOfRange> {
    let start = business_day_on_or_after(accepted)?;
    let debit = match terms.due {
        Some(due) => business_day_on_or_after(due)?,
        None => add_business_days(start, lead.debit)?,
    };
    let debited = actual.debit.unwrap_or(debit);
    let settle_from = |day: Date| add_business_days(day, lead.payout);
    let ship_from = |instructed: Date| {
        add_business_days(
            actual.delivery_instruction.unwrap_or(instructed),
            lead.shipping,
        )
    };
    let (delivery_instruction, shipment, settlement);
    if terms.ship_after_payout {
        settlement = settle_from(debited)?;
        delivery_instruction =
            add_business_days(actual.settlement.unwrap_or(settlement), lead.delivery)?;
        shipment = ship_from(delivery_instruction)?;
    } else {
        let after = if terms.due.is_some() { start } else { debited };
        delivery_instruction = add_business_days(after, lead.delivery)?;
        shipment = ship_from(delivery_instruction)?;
        settlement = if terms.pay_regardless {
            settle_from(debited)?
        } else {
            // Paid once debited and shipped: a bill's goods may go first.
            settle_from(actual.shipment.unwrap_or(shipment).max(debited))?
        };
    }
    let settlement = if terms.direct { debit } else { settlement };
    Ok(Planned {
        debit,
        delivery_instruction,
        shipment,
        settlement,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const LEAD: LeadTimes = LeadTimes {
        debit: 2,
        delivery: 0,
        shipping: 3,
        payout: 2,
    };
    const PLAIN: Terms = Terms {
        due: None,
        pay_regardless: false,
        ship_after_payout: false,
        direct: false,
    };

    /// Accepted on Wednesday 2026-09-16, the week before the Silver Week: 09-21 (敬老の日),
    /// 09-22 (国民の休日) and 09-23 (秋分の日) are holidays.
    #[test]
    fn each_step_is_planned_in_business_days_from_the_one_before() {
        let p = plan(date!(2026 - 09 - 16), PLAIN, LEAD, Actual::default()).unwrap();
        assert_eq!(
            p,
            Planned {
                debit: date!(2026 - 09 - 18),
                delivery_instruction: date!(2026 - 09 - 18),
                // Friday + 3 business days over the Silver Week: Thursday 09-24, 25, 28.
                shipment: date!(2026 - 09 - 28),
                settlement: date!(2026 - 09 - 30),
            }
        );
    }

    #[test]
    fn a_step_that_happened_late_moves_the_ones_after_it() {
        let actual = Actual {
            debit: Some(date!(2026 - 09 - 24)),
            ..Actual::default()
        };
        let p = plan(date!(2026 - 09 - 16), PLAIN, LEAD, actual).unwrap();
        assert_eq!(
            p.debit,
            date!(2026 - 09 - 18),
            "the plan of the step itself stays"
        );
        assert_eq!(p.delivery_instruction, date!(2026 - 09 - 24));
        assert_eq!(p.shipment, date!(2026 - 09 - 29));
        assert_eq!(p.settlement, date!(2026 - 10 - 01));
        let shipped = Actual {
            shipment: Some(date!(2026 - 10 - 05)),
            ..actual
        };
        let p = plan(date!(2026 - 09 - 16), PLAIN, LEAD, shipped).unwrap();
        assert_eq!(p.settlement, date!(2026 - 10 - 07));
    }

    #[test]
    fn a_bill_is_debited_on_its_due_date_and_ships_before_it() {
        let bill = Terms {
            due: Some(date!(2026 - 11 - 03)), // 文化の日: the next business day
            ..PLAIN
        };
        let p = plan(date!(2026 - 10 - 01), bill, LEAD, Actual::default()).unwrap();
        assert_eq!(p.debit, date!(2026 - 11 - 04));
        assert_eq!(p.delivery_instruction, date!(2026 - 10 - 01));
        assert_eq!(p.shipment, date!(2026 - 10 - 06));
        // Paid once debited, too: two business days after the due date's debit.
        assert_eq!(p.settlement, date!(2026 - 11 - 06));
    }

    #[test]
    fn paid_regardless_settles_from_the_debit_and_after_payout_ships_from_the_settlement() {
        let regardless = Terms {
            pay_regardless: true,
            ..PLAIN
        };
        // Debit Friday 09-18, then Thursday 09-24 and Friday 09-25.
        let p = plan(date!(2026 - 09 - 16), regardless, LEAD, Actual::default()).unwrap();
        assert_eq!(p.settlement, date!(2026 - 09 - 25));
        let after_payout = Terms {
            ship_after_payout: true,
            ..PLAIN
        };
        let p = plan(date!(2026 - 09 - 16), after_payout, LEAD, Actual::default()).unwrap();
        assert_eq!(p.settlement, date!(2026 - 09 - 25));
        assert_eq!(p.delivery_instruction, date!(2026 - 09 - 25));
        assert_eq!(p.shipment, date!(2026 - 09 - 30));
    }

    #[test]
    fn a_weekend_acceptance_starts_on_the_next_business_day() {
        let p = plan(date!(2026 - 09 - 19), PLAIN, LEAD, Actual::default()).unwrap();
        // Saturday → Thursday 09-24 (Silver Week), + 2 = Monday 09-28.
        assert_eq!(p.debit, date!(2026 - 09 - 28));
    }

    #[test]
    fn debited_straight_to_the_seller_is_settled_by_the_debit() {
        let direct = Terms {
            direct: true,
            ..PLAIN
        };
        let p = plan(date!(2026 - 09 - 16), direct, LEAD, Actual::default()).unwrap();
        assert_eq!(p.settlement, p.debit);
        assert_eq!(p.settlement, date!(2026 - 09 - 18));
    }
}
