//! A site's settlement list (seed 001 figure 9, 清算情報): per contract whose seller was paid or
//! is being paid — site, contract number, the day the buyer was debited, the day the seller was
//! paid, and what the seller got — optionally for one seller (by the account the seller is paid
//! into), as JSON pages or as one CSV that Excel in Japan opens.

use crate::error::{AppError, AppResult};
use crate::App;
use kessai_core::contract::Contract;
use kessai_formats::spreadsheet_csv::{self, Charset};
use kessai_store::{SettlementRecord, SiteRecord};
use serde::Serialize;
use utoipa::ToSchema;

/// Rows read per statement while a page is filled (a seller's rows may be sparse).
const READ_AHEAD: i64 = 500;

/// The most rows one CSV holds.
pub const MAX_CSV_ROWS: usize = 100_000;

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SettlementView {
    pub site_id: String,
    pub contract_id: String,
    pub number: String,
    /// `paid`, or `payout_instructed` while the transfer is with the bank.
    pub status: &'static str,
    /// The day the buyer's account was debited (振替実行日).
    pub debited_on: Option<String>,
    /// The day the seller was paid (清算完了日), once the bank confirmed it.
    pub paid_on: Option<String>,
    pub amount_yen: i64,
    /// What the seller is paid (清算金額): the amount less the site's fee.
    pub paid_yen: Option<i64>,
    pub fee_yen: Option<i64>,
}

/// The seller a list is for: the account they are paid into, `BANK-BRANCH-NUMBER`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seller {
    bank_code: String,
    branch_code: String,
    account_number: String,
}

impl Seller {
    pub fn parse(text: &str) -> AppResult<Seller> {
        let parts: Vec<&str> = text.trim().split('-').collect();
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        match parts.as_slice() {
            [bank, branch, number] if digits(bank, 4) && digits(branch, 3) && digits(number, 7) => {
                Ok(Seller {
                    bank_code: bank.to_string(),
                    branch_code: branch.to_string(),
                    account_number: number.to_string(),
                })
            }
            _ => Err(AppError::invalid(
                "seller_account",
                "seller_account is the seller's account as BANK-BRANCH-NUMBER (4, 3 and 7 digits)",
            )),
        }
    }

    /// As written: `BANK-BRANCH-NUMBER`.
    pub fn as_text(&self) -> String {
        format!(
            "{}-{}-{}",
            self.bank_code, self.branch_code, self.account_number
        )
    }

    fn is_of(&self, c: &Contract) -> bool {
        let a = &c.seller.account;
        a.bank_code == self.bank_code
            && a.branch_code == self.branch_code
            && a.account_number == self.account_number
    }
}

fn view(site: &SiteRecord, r: &SettlementRecord) -> SettlementView {
    SettlementView {
        site_id: site.id.clone(),
        contract_id: r.contract_id.clone(),
        number: r.number.clone(),
        status: if r.payout_state == kessai_core::contract::payout::PAID {
            "paid"
        } else {
            "payout_instructed"
        },
        debited_on: r.debited_on.clone(),
        paid_on: r.paid_on.clone(),
        amount_yen: r.amount_yen,
        paid_yen: r.paid_yen,
        fee_yen: r.paid_yen.map(|p| r.amount_yen - p),
    }
}

/// Up to `limit` rows after the contract `after`, for `seller` if given; and the cursor of the
/// next page when there is one.
pub async fn page(
    app: &App,
    site: &SiteRecord,
    seller: Option<&Seller>,
    after: Option<&str>,
    limit: usize,
) -> AppResult<(Vec<SettlementView>, Option<String>)> {
    let mut rows = vec![];
    let mut cursor = after.map(str::to_string);
    loop {
        let read = app
            .store
            .settlements_of_site(&site.id, cursor.as_deref(), READ_AHEAD)
            .await?;
        let exhausted = (read.len() as i64) < READ_AHEAD;
        for r in &read {
            if rows.len() == limit {
                // One more matching row exists: the page ends at the last one taken.
                if is_for(seller, r)? {
                    let next = rows.last().map(|v: &SettlementView| v.contract_id.clone());
                    return Ok((rows, next));
                }
                continue;
            }
            if is_for(seller, r)? {
                rows.push(view(site, r));
            }
        }
        cursor = read.last().map(|r| r.contract_id.clone());
        if exhausted {
            return Ok((rows, None));
        }
    }
}

fn is_for(seller: Option<&Seller>, r: &SettlementRecord) -> AppResult<bool> {
    let Some(seller) = seller else {
        return Ok(true);
    };
    let contract: Contract = serde_json::from_str(&r.body).map_err(AppError::internal)?;
    Ok(seller.is_of(&contract))
}

/// The whole list as CSV, its header in Japanese as the seed's page has it.
pub async fn csv(
    app: &App,
    site: &SiteRecord,
    seller: Option<&Seller>,
    charset: Charset,
) -> AppResult<Vec<u8>> {
    let (rows, more) = page(app, site, seller, None, MAX_CSV_ROWS).await?;
    if more.is_some() {
        return Err(AppError::invalid(
            "format",
            format!("more than {MAX_CSV_ROWS} rows: page through the JSON list instead"),
        ));
    }
    let header = [
        "サイトID",
        "契約番号",
        "振替実行日",
        "清算完了日",
        "契約金額",
        "手数料",
        "清算金額",
    ];
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let yen = |v: Option<i64>| v.map(|y| y.to_string()).unwrap_or_default();
    let lines = rows.iter().map(|r| {
        vec![
            r.site_id.clone(),
            r.number.clone(),
            text(&r.debited_on),
            text(&r.paid_on),
            r.amount_yen.to_string(),
            yen(r.fee_yen),
            yen(r.paid_yen),
        ]
    });
    spreadsheet_csv::write(&header, lines, charset).map_err(|e| {
        AppError::invalid(
            "format",
            format!(
                "row {}, {}: holds a character Shift_JIS cannot carry; ask for format=csv_utf8",
                e.row, e.column
            ),
        )
    })
}
