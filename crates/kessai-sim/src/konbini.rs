//! The convenience stores and their collection agent (収納代行会社): a store takes a payment
//! by scanning a slip's GS1-128 barcode (its check digit verified, as a till does) or by the
//! payment number typed at its terminal; the agent reports the day's payments in a
//! preliminary file (速報) and later confirms them (確報), in the file layout of
//! `kessai_formats::konbini`. Stores take a slip after its due date too (they do not all
//! check it): such late payments are reported like any other.
//!
//! The state is plain data (JSON for the command line's `--state` file).

use kessai_formats::konbini::{self as format, PaymentFile, ReportKind, StorePayment};
use serde::{Deserialize, Serialize};
use time::PrimitiveDateTime;

/// One payment a store took, as the agent keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Taken {
    pub record_no: u32,
    pub barcode: Option<String>,
    pub payment_number: String,
    pub amount_yen: i64,
    /// `YYYYMMDDHHMMSS`, JST.
    pub paid_at: String,
    pub chain: String,
    pub store: String,
    pub reported: bool,
    pub confirmed: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agent {
    pub code: String,
    pub payments: Vec<Taken>,
    pub files_written: u32,
}

const STAMP: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year][month][day][hour][minute][second]");

fn stamp(at: PrimitiveDateTime) -> String {
    at.format(STAMP).expect("a time formats")
}

impl Agent {
    pub fn new(code: &str) -> Agent {
        Agent {
            code: code.into(),
            ..Agent::default()
        }
    }

    fn take(
        &mut self,
        barcode: Option<String>,
        number: String,
        amount_yen: i64,
        at: PrimitiveDateTime,
        chain: &str,
        store: &str,
    ) {
        let record_no = self.payments.len() as u32 + 1;
        self.payments.push(Taken {
            record_no,
            barcode,
            payment_number: number,
            amount_yen,
            paid_at: stamp(at),
            chain: chain.into(),
            store: store.into(),
            reported: false,
            confirmed: false,
        });
    }

    /// A till scans a slip: refused when the digits do not check (the till beeps, the clerk
    /// rescans), else taken for the barcode's amount. The payment number reported is the
    /// barcode's reference without its leading zeros.
    pub fn pay_by_barcode(
        &mut self,
        data: &str,
        at: PrimitiveDateTime,
        chain: &str,
        store: &str,
    ) -> Result<(), String> {
        let slip = format::read_barcode(data.trim()).ok_or_else(|| {
            format!(
                "the till cannot read {data}: not a GS1-128 AI 91 slip with a valid check digit"
            )
        })?;
        let number = slip.reference.trim_start_matches('0').to_string();
        self.take(
            Some(data.trim().to_string()),
            number,
            slip.amount_yen,
            at,
            chain,
            store,
        );
        Ok(())
    }

    /// A payment by the number typed at the store's terminal, for the amount the terminal showed.
    pub fn pay_by_number(
        &mut self,
        number: &str,
        amount_yen: i64,
        at: PrimitiveDateTime,
        chain: &str,
        store: &str,
    ) -> Result<(), String> {
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("the terminal takes digits only, not {number}"));
        }
        if !(1..=format::MAX_SLIP_YEN).contains(&amount_yen) {
            return Err("the amount must be from 1 to 999999 yen".into());
        }
        self.take(
            None,
            number.trim_start_matches('0').to_string(),
            amount_yen,
            at,
            chain,
            store,
        );
        Ok(())
    }

    /// The next report: a preliminary one lists the payments not yet reported, a confirmed
    /// one every payment not yet confirmed. `None` when there is nothing to report.
    pub fn report(&mut self, kind: ReportKind, at: PrimitiveDateTime) -> Option<(String, Vec<u8>)> {
        let picked: Vec<&mut Taken> = self
            .payments
            .iter_mut()
            .filter(|p| match kind {
                ReportKind::Preliminary => !p.reported,
                ReportKind::Confirmed => !p.confirmed,
            })
            .collect();
        if picked.is_empty() {
            return None;
        }
        let mut payments = vec![];
        for (i, p) in picked.into_iter().enumerate() {
            match kind {
                ReportKind::Preliminary => p.reported = true,
                ReportKind::Confirmed => {
                    p.reported = true;
                    p.confirmed = true;
                }
            }
            payments.push(StorePayment {
                record_no: i as u32 + 1,
                barcode: p.barcode.clone(),
                payment_number: p.payment_number.clone(),
                amount_yen: p.amount_yen,
                paid_at: PrimitiveDateTime::parse(&p.paid_at, STAMP).expect("stored by this agent"),
                chain: p.chain.clone(),
                store: p.store.clone(),
            });
        }
        self.files_written += 1;
        let file = PaymentFile {
            agent: self.code.clone(),
            kind,
            created_at: at,
            file_no: self.files_written,
            payments,
        };
        let name = format!(
            "konbini-{}-{}-{:04}.csv",
            self.code,
            kind.as_str(),
            self.files_written
        );
        Some((name, format::write(&file)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn stores_take_slips_and_the_agent_reports_then_confirms_each_once() {
        let day = date!(2026 - 12 - 04);
        let slip = format::barcode_data("912345", "01234567890", 0, day, false, 3300).unwrap();
        let mut agent = Agent::new("KSN01");
        agent
            .pay_by_barcode(&slip, format::on(day, 10, 0, 0), "SEJ", "001")
            .unwrap();
        let mut misread = slip.clone().into_bytes();
        misread[43] = if misread[43] == b'9' {
            b'0'
        } else {
            misread[43] + 1
        };
        assert!(agent
            .pay_by_barcode(
                std::str::from_utf8(&misread).unwrap(),
                format::on(day, 10, 1, 0),
                "SEJ",
                "001"
            )
            .is_err());
        agent
            .pay_by_number("00000000777", 500, format::on(day, 11, 0, 0), "LAW", "002")
            .unwrap();
        let (_, preliminary) = agent
            .report(ReportKind::Preliminary, format::on(day, 23, 0, 0))
            .unwrap();
        let read = format::read(&preliminary).unwrap();
        assert_eq!(read.payments.len(), 2);
        assert_eq!(read.payments[0].payment_number, "1234567890");
        assert_eq!(read.payments[1].payment_number, "777");
        assert!(agent
            .report(ReportKind::Preliminary, format::on(day, 23, 30, 0))
            .is_none());
        let (name, confirmed) = agent
            .report(
                ReportKind::Confirmed,
                format::on(day + time::Duration::days(2), 9, 0, 0),
            )
            .unwrap();
        assert!(name.contains("confirmed"));
        assert_eq!(
            format::read(&confirmed).unwrap().kind,
            ReportKind::Confirmed
        );
        assert!(agent
            .report(ReportKind::Confirmed, format::on(day, 23, 0, 0))
            .is_none());
    }
}
