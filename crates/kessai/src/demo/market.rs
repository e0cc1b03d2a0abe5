//! The demo's marketplace day (PRODUCT.md §2): a site is onboarded, hands over its contracts
//! in one bulk upload (two lines refused, one a bill with a due date), and every run of the
//! settlement desk goes once through the simulated bank and carrier: debit (one buyer's bank
//! refuses), the sweep of the collection account at 0005, delivery, shipping notices, payout
//! and the bank's statement; then the bill is debited on its due date and paid.

use super::Demo;
use kessai_core::calendar::{add_business_days, business_day_on_or_after};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// The site's contracts as JSON lines: four good ones (the last a bill), a bank code that is
/// not four digits, and an amount that is not a whole number of yen.
fn upload(due_date: &str) -> String {
    let account = |bank: &str, branch: &str, number: &str, holder: &str| {
        json!({"bank_code": bank, "branch_code": branch, "account_type": "ordinary",
               "account_number": number, "holder_name": holder})
    };
    let line = |number: &str, amount: Value, buyer_bank: &str, goods: &str| {
        // The demo's buyers bank at 0001's branch 001 or 0005's branch 123.
        let branch = if buyer_bank == "0005" { "123" } else { "001" };
        json!({
            "number": number,
            "amount_yen": amount,
            "buyer": {"name": "株式会社 丸の内工業", "address": "東京都千代田区丸の内1-1-1",
                      "account": account(buyer_bank, branch, "2345678", "ｶ)ﾏﾙﾉｳﾁｺｳｷﾞﾖｳ")},
            "seller": {"name": "梅田機械商店", "address": "大阪府大阪市北区梅田2-2-2",
                       "account": account("0005", "123", "7654321", "ｳﾒﾀﾞｷｶｲｼﾖｳﾃﾝ")},
            "goods": {"name": goods, "model": "KX-200", "quantity": 1}
        })
    };
    let mut bill = line("MK-004", json!(480_000), "0001", "旋盤");
    bill["due_date"] = json!(due_date);
    let mut regardless = line("MK-002", json!(36_000), "0001", "工具セット");
    regardless["payout"] = json!("regardless");
    let lines = [
        line("MK-001", json!(120_000), "0001", "ボール盤"),
        regardless,
        line("MK-003", json!(58_000), "0005", "集じん機"),
        bill,
        line("MK-005", json!(20_000), "12A", "万力"),
        line("MK-006", json!(1_500.5), "0001", "やすり"),
    ];
    lines.iter().map(|l| format!("{l}\n")).collect()
}

impl Demo {
    pub(super) async fn market_day(&mut self) -> anyhow::Result<()> {
        println!("\n=== A marketplace day: contracts debited, shipped and paid ===");
        let site = self
            .api
            .operator_expecting(
                Method::POST,
                "/v1/operator/sites",
                Some(
                    json!({"id": "demo-market", "name": "デモ機械市場", "main_bank": "0001",
                            "collection_banks": ["0001", "0005"],
                            "fee_rate_bp": 300, "fee_fixed_yen": 100}),
                ),
                StatusCode::CREATED,
            )
            .await?;
        let key = crate::client::str_field(&site, "api_key")?.to_string();
        println!(
            "operator onboards site demo-market (3% + ¥100 a contract): its API key is shown once"
        );
        let today = self.today()?;
        let day = business_day_on_or_after(today)?.to_string();
        let due = add_business_days(today, 10)?.to_string();
        let answer = self
            .api
            .as_site(
                &key,
                Method::POST,
                "/v1/contracts/bulk",
                Some(("application/x-ndjson", upload(&due).into_bytes())),
            )
            .await?;
        println!(
            "site uploads 6 contracts in one request: {} accepted, {} refused",
            answer["accepted"], answer["rejected"]
        );
        for l in answer["lines"].as_array().cloned().unwrap_or_default() {
            if l["outcome"] == "rejected" {
                println!(
                    "  line {} ({}): {} — {}",
                    l["line"],
                    l["number"].as_str().unwrap_or("?"),
                    l["field"].as_str().unwrap_or("?"),
                    l["reason"].as_str().unwrap_or("?")
                );
            }
        }
        self.run("debit", &day).await?;
        // The bank takes Zengin files and reports in them (its 03 statement confirms the
        // payouts); one debit in three is refused today (the simulator's seeded draw).
        self.bank.zengin_files = true;
        self.bank.reject_per_mille = 340;
        self.bank_day().await?;
        self.bank.reject_per_mille = 0;
        // MK-003's buyer was debited into the collection account at 0005: swept to the main
        // account, and both accounts' statements confirm it.
        self.run("sweep", &day).await?;
        self.bank_day().await?;
        self.run("delivery", &day).await?;
        self.carrier().await?;
        self.run("payout", &day).await?;
        self.bank_day().await?;
        self.contracts(&key).await?;

        println!("\nthe bill's due date {due} comes: it is debited, and its seller paid");
        let ahead = (add_business_days(today, 10)? - today).whole_days();
        self.advance_days(ahead).await?;
        self.run("debit", &due).await?;
        self.bank_day().await?;
        self.run("payout", &due).await?;
        self.bank_day().await?;
        self.bank.zengin_files = false;
        self.contracts(&key).await
    }

    pub(super) async fn advance_days(&mut self, days: i64) -> anyhow::Result<()> {
        self.api
            .operator(
                Method::POST,
                "/v1/operator/clock",
                Some(json!({ "advance_ms": days * 86_400_000 })),
            )
            .await?;
        Ok(())
    }

    /// Today in Japan on the demo server's clock.
    pub(super) fn today(&self) -> anyhow::Result<time::Date> {
        let app = self
            .app
            .as_ref()
            .ok_or_else(|| anyhow::anyhow!("the marketplace day needs the demo's own server"))?;
        Ok(kessai_server::i18n::date_jst(app.clock.now()))
    }

    /// One run of the settlement desk on `date`, and the files it wrote.
    async fn run(&mut self, what: &str, date: &str) -> anyhow::Result<()> {
        let r = self
            .api
            .operator(
                Method::POST,
                &format!("/v1/operator/runs/{what}"),
                Some(json!({ "date": date })),
            )
            .await?;
        let files: Vec<String> = r["files"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|f| {
                format!(
                    "{} ({} record(s))",
                    f["file_name"].as_str().unwrap_or("?"),
                    f["records"]
                )
            })
            .collect();
        println!(
            "operator runs the {what} run for {date}: {}",
            if files.is_empty() {
                "nothing due".to_string()
            } else {
                files.join(", ")
            }
        );
        Ok(())
    }

    /// The carrier ships what the delivery run instructed and sends its notices.
    async fn carrier(&mut self) -> anyhow::Result<()> {
        let mut names: Vec<_> = std::fs::read_dir(&self.bank_out)?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "csv"))
            .collect();
        names.sort();
        for path in names {
            if !self.uploaded.insert(path.clone()) {
                continue;
            }
            let notice = kessai_sim::carrier::ship(&std::fs::read(&path)?, 7)?;
            let r = self
                .api
                .upload_to("/v1/operator/carrier-files", "notice.csv", notice)
                .await?;
            println!(
                "  carrier ships and sends its notice: {} shipped",
                r["shipped"]
            );
        }
        Ok(())
    }

    /// Where each of the site's contracts stands.
    async fn contracts(&mut self, key: &str) -> anyhow::Result<()> {
        let list = self
            .api
            .as_site(key, Method::GET, "/v1/contracts", None)
            .await?;
        for c in list["contracts"].as_array().cloned().unwrap_or_default() {
            println!(
                "  contract {} ¥{}: {}{}",
                c["number"].as_str().unwrap_or("?"),
                c["amount_yen"],
                c["status"].as_str().unwrap_or("?"),
                c["paid_on"]
                    .as_str()
                    .map(|d| format!(", seller paid on {d}"))
                    .unwrap_or_default()
            );
        }
        Ok(())
    }
}
