//! The demo's shop (PRODUCT.md §4): a merchant is onboarded and takes three orders through
//! Kessai's checkout page, the card processor simulator and the konbini stores and collection
//! agent: one paid by card and captured when it ships; one whose card is declined and which
//! is then paid at a convenience store; one paid at a store after its slip expired (the
//! merchant takes late payments). Every request of the merchant is signed.

use super::Demo;
use kessai_formats::konbini::ReportKind;
use kessai_server::webhook::signature::{sign, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use kessai_sim::konbini::Agent;
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};

/// The merchant as the operator onboarded it.
struct Merchant {
    key: String,
    secret: String,
}

/// A buyer's browser: keeps cookies (the checkout form's CSRF token).
fn browser() -> anyhow::Result<Client> {
    Ok(Client::builder().cookie_store(true).build()?)
}

fn csrf_of(page: &str) -> anyhow::Result<String> {
    let at = page
        .find("name=\"csrf\" value=\"")
        .ok_or_else(|| anyhow::anyhow!("the checkout page has no form"))?
        + 19;
    Ok(page[at..at + 48].to_string())
}

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

    /// A signed request of the merchant; the answer's JSON.
    async fn as_merchant(
        &self,
        m: &Merchant,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        let ts = self.server_now_s();
        let mut r = Client::new()
            .request(method, format!("{}{path}", self.api.base()))
            .bearer_auth(&m.key)
            .header(TIMESTAMP_HEADER, ts.to_string())
            .header(SIGNATURE_HEADER, sign(&m.secret, ts, &bytes));
        if !bytes.is_empty() {
            r = r.header("content-type", "application/json").body(bytes);
        }
        let answer = r.send().await?;
        let status = answer.status();
        let json: Value = answer.json().await.unwrap_or(Value::Null);
        anyhow::ensure!(status.is_success(), "{path}: {status} {json}");
        Ok(json)
    }

    /// The buyer opens the checkout page and submits one of its forms (`card` or `konbini`).
    async fn checkout(
        &self,
        order: &Value,
        form: &str,
        fields: &[(&str, &str)],
    ) -> anyhow::Result<String> {
        let b = browser()?;
        let url = order["checkout_url"].as_str().unwrap_or_default();
        let path = &url[url.find("/checkout/").unwrap_or(0)..];
        let token = path.split("?t=").nth(1).unwrap_or_default().to_string();
        let page = b
            .get(format!("{}{path}", self.api.base()))
            .send()
            .await?
            .text()
            .await?;
        let mut all = vec![("t", token.as_str()), ("csrf", "")];
        let csrf = csrf_of(&page)?;
        all[1].1 = &csrf;
        all.extend_from_slice(fields);
        let id = order["id"].as_str().unwrap_or_default();
        let r = b
            .post(format!("{}/checkout/{id}/{form}", self.api.base()))
            .form(&all)
            .send()
            .await?;
        anyhow::ensure!(
            r.status() == StatusCode::OK,
            "checkout {form}: {}",
            r.status()
        );
        Ok(r.text().await?)
    }

    async fn order_status(&self, m: &Merchant, id: &str) -> anyhow::Result<String> {
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
        let m = Merchant {
            key: crate::client::str_field(&created, "api_key")?.into(),
            secret: created["signing_secret"]
                .as_str()
                .unwrap_or_default()
                .into(),
        };
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
