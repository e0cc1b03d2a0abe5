//! The demo's shop (PRODUCT.md §4): a merchant is onboarded and takes three orders through
//! Kessai's checkout page, the card processor simulator and the konbini stores and collection
//! agent: one paid by card and captured when it ships; one whose card is declined and which
//! is then paid at a convenience store; one paid at a store after its slip expired (the
//! merchant takes late payments). Every request of the merchant is signed.

use super::Demo;
use crate::merchant_client::{checkout, MerchantClient};
use kessai_formats::konbini::ReportKind;
use kessai_sim::konbini::Agent;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn now_jst() -> time::PrimitiveDateTime {
    let now = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+9));
    time::PrimitiveDateTime::new(now.date(), now.time())
}

impl Demo {
    fn server_now_s(&self) -> i64 {
        self.app
            .as_ref()
            .map_or(0, |app| app.clock.now().0.div_euclid(1000))
    }

    /// A signed request of the merchant on the demo server's clock.
    async fn as_merchant(
        &self,
        m: &MerchantClient,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        m.send(method, path, body.as_ref(), self.server_now_s())
            .await
    }

    async fn checkout(
        &self,
        order: &Value,
        form: &str,
        fields: &[(&str, &str)],
    ) -> anyhow::Result<String> {
        checkout(self.api.base(), order, form, fields).await
    }

    async fn order_status(&self, m: &MerchantClient, id: &str) -> anyhow::Result<String> {
        let o = self
            .as_merchant(m, Method::GET, &format!("/v1/orders/{id}"), None)
            .await?;
        Ok(o["status"].as_str().unwrap_or("?").to_string())
    }

    async fn import_konbini(&self, agent: &mut Agent, kind: ReportKind) -> anyhow::Result<Value> {
        let (name, bytes) = agent
            .report(kind, now_jst())
            .ok_or_else(|| anyhow::anyhow!("the agent had nothing to report"))?;
        self.api
            .upload_to("/v1/operator/konbini-files", &name, bytes)
            .await
    }

    pub(super) async fn shop_day(&mut self) -> anyhow::Result<()> {
        println!("\n=== A shop takes orders by card and at convenience stores ===");
        let created = self
            .api
            .operator_expecting(
                Method::POST,
                "/v1/operator/merchants",
                Some(json!({
                    "id": "demo-shop", "name": "デモ雑貨店",
                    "payout_account": {"bank_code": "0005", "branch_code": "123", "account_type": "ordinary",
                                       "account_number": "7000222", "holder_name": "ﾃﾞﾓｻﾞﾂｶﾃﾝ"},
                    "methods": ["card", "konbini"],
                    "fees": {"card": {"rate_bp": 360}, "konbini": {"fixed_yen": 150}},
                    "valid_until": "2099-12-31",
                })),
                StatusCode::CREATED,
            )
            .await?;
        let m = MerchantClient::from_created(self.api.base(), &created)?;
        println!("operator onboards merchant demo-shop (card 3.6%, konbini ¥150): key and signing secret shown once");
        let order = |number: &str, days: u32| {
            json!({"number": number, "amount_yen": 4_400, "expires_in_days": days,
                   "items": [{"name": "マグカップ", "quantity": 2, "unit_price_yen": 2_200}]})
        };
        let next_year = format!("12/{}", (self.today()?.year() + 1) % 100);

        let o1 = self
            .as_merchant(&m, Method::POST, "/v1/orders", Some(order("SHOP-001", 7)))
            .await?;
        let id1 = crate::client::str_field(&o1, "id")?.to_string();
        self.checkout(
            &o1,
            "card",
            &[
                ("number", "4242 4242 4242 4242"),
                ("expiry", &next_year),
                ("cvc", "123"),
            ],
        )
        .await?;
        println!(
            "SHOP-001: the buyer pays by card on Kessai's page: {}",
            self.order_status(&m, &id1).await?
        );
        self.as_merchant(&m, Method::POST, &format!("/v1/orders/{id1}/capture"), None)
            .await?;
        println!(
            "SHOP-001: the shop ships and captures: {}",
            self.order_status(&m, &id1).await?
        );

        let o2 = self
            .as_merchant(&m, Method::POST, "/v1/orders", Some(order("SHOP-002", 7)))
            .await?;
        let id2 = crate::client::str_field(&o2, "id")?.to_string();
        self.checkout(
            &o2,
            "card",
            &[
                ("number", "4000000000000002"),
                ("expiry", &next_year),
                ("cvc", "123"),
            ],
        )
        .await?;
        println!(
            "SHOP-002: the card is declined: {} — the page offers the convenience store",
            self.order_status(&m, &id2).await?
        );
        self.checkout(&o2, "konbini", &[]).await?;
        let app = self
            .app
            .clone()
            .ok_or_else(|| anyhow::anyhow!("the shop needs the demo's own server"))?;
        let slip2 = app
            .store
            .konbini_slip_of(&id2)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no slip"))?;
        println!(
            "SHOP-002: slip issued, payment number {}, pay by {}",
            slip2.payment_number, slip2.due_date
        );
        let mut agent = Agent::new("KSN01");
        agent
            .pay_by_barcode(&slip2.barcode, now_jst(), "SEJ", "012345")
            .map_err(anyhow::Error::msg)?;
        let r = self
            .import_konbini(&mut agent, ReportKind::Preliminary)
            .await?;
        println!(
            "the agent's preliminary report: {} seen paid; SHOP-002 is {}",
            r["reported"],
            self.order_status(&m, &id2).await?
        );
        let r = self
            .import_konbini(&mut agent, ReportKind::Confirmed)
            .await?;
        println!(
            "the agent's confirmed report: {} paid; SHOP-002 is {}",
            r["applied"],
            self.order_status(&m, &id2).await?
        );

        let o3 = self
            .as_merchant(&m, Method::POST, "/v1/orders", Some(order("SHOP-003", 1)))
            .await?;
        let id3 = crate::client::str_field(&o3, "id")?.to_string();
        self.checkout(&o3, "konbini", &[]).await?;
        let slip3 = app
            .store
            .konbini_slip_of(&id3)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no slip"))?;
        self.advance_days(2).await?;
        self.api
            .operator(Method::POST, "/v1/operator/scheduler/run", None)
            .await?;
        println!(
            "SHOP-003: two days on, its slip unpaid: {}",
            self.order_status(&m, &id3).await?
        );
        agent
            .pay_by_number(&slip3.payment_number, 4_400, now_jst(), "LAW", "000777")
            .map_err(anyhow::Error::msg)?;
        let r = self
            .import_konbini(&mut agent, ReportKind::Confirmed)
            .await?;
        println!(
            "a store took it anyway; the agent's report: {} late and accepted by the shop; SHOP-003 is {}",
            r["late_accepted"],
            self.order_status(&m, &id3).await?
        );
        Ok(())
    }
}
