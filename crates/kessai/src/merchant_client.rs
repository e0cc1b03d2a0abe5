//! A merchant's side of the payment agency, as the demo and the checkout bench play it: signed
//! requests (`Kessai-Timestamp`, `Kessai-Signature` over the exact body with the signing
//! secret), and a buyer's browser submitting one of the checkout page's forms.

use kessai_server::webhook::signature::{sign, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use reqwest::{Client, Method, StatusCode};
use serde_json::Value;

/// A merchant as the operator onboarded it, talking to the server at `base`.
pub struct MerchantClient {
    pub base: String,
    pub key: String,
    pub secret: String,
    http: Client,
}

impl MerchantClient {
    /// From the operator's answer to `POST /v1/operator/merchants`.
    pub fn from_created(base: &str, created: &Value) -> anyhow::Result<MerchantClient> {
        Ok(MerchantClient {
            base: base.trim_end_matches('/').to_string(),
            key: crate::client::str_field(created, "api_key")?.to_string(),
            secret: created["signing_secret"]
                .as_str()
                .ok_or_else(|| anyhow::anyhow!("no signing secret in {created}"))?
                .to_string(),
            http: Client::builder().pool_max_idle_per_host(256).build()?,
        })
    }

    /// A request signed at `now_s` (the server's clock, Unix seconds); the answer's JSON, a
    /// success required.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        now_s: i64,
    ) -> anyhow::Result<Value> {
        let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        let mut r = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.key)
            .header(TIMESTAMP_HEADER, now_s.to_string())
            .header(SIGNATURE_HEADER, sign(&self.secret, now_s, &bytes));
        if !bytes.is_empty() {
            r = r.header("content-type", "application/json").body(bytes);
        }
        let answer = r.send().await?;
        let status = answer.status();
        let json: Value = answer.json().await.unwrap_or(Value::Null);
        anyhow::ensure!(status.is_success(), "{path}: {status} {json}");
        Ok(json)
    }
}

/// The buyer opens the order's checkout page and submits its `form` (`card`, `konbini`) with
/// `fields`; the page shown after.
pub async fn checkout(
    base: &str,
    order: &Value,
    form: &str,
    fields: &[(&str, &str)],
) -> anyhow::Result<String> {
    let browser = Client::builder().cookie_store(true).build()?;
    let url = order["checkout_url"].as_str().unwrap_or_default();
    let path = &url[url.find("/checkout/").unwrap_or(0)..];
    let token = path.split("?t=").nth(1).unwrap_or_default();
    let page = browser
        .get(format!("{base}{path}"))
        .send()
        .await?
        .text()
        .await?;
    let at = page
        .find("name=\"csrf\" value=\"")
        .ok_or_else(|| anyhow::anyhow!("the checkout page has no form"))?
        + 19;
    let csrf = &page[at..at + 48];
    let mut all = vec![("t", token), ("csrf", csrf)];
    all.extend_from_slice(fields);
    let id = order["id"].as_str().unwrap_or_default();
    let r = browser
        .post(format!("{base}/checkout/{id}/{form}"))
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
