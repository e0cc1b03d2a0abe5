//! A small HTTP client for Kessai's API, used by the demo and the benchmark the way any
//! site or script would use it.

use anyhow::{bail, Context};
use reqwest::{Client, Method, RequestBuilder, StatusCode};
use serde_json::{json, Value};

const RETRY_FOR: std::time::Duration = std::time::Duration::from_secs(60);

#[derive(Clone)]
pub struct Api {
    http: Client,
    base: String,
    operator_token: String,
}

/// One side of a deal as the demo and bench fill it in.
/// How a party proves who it is on a call: its password, or the token of a session (from its
/// registration or a sign-in).
#[derive(Clone, Copy)]
pub enum SignIn<'a> {
    Password(&'a str),
    Session(&'a str),
}

pub struct Party<'a> {
    pub item: &'a str,
    pub price_yen: i64,
    pub buyer: (&'a str, &'a str),
    pub seller: (&'a str, &'a str),
    pub password: &'a str,
}

impl Api {
    pub fn new(base: &str, operator_token: &str) -> Api {
        let http = Client::builder()
            .pool_max_idle_per_host(256)
            .build()
            .expect("http client");
        Api {
            http,
            base: base.trim_end_matches('/').to_string(),
            operator_token: operator_token.to_string(),
        }
    }

    /// The server's address (`http://127.0.0.1:PORT`).
    pub fn base(&self) -> &str {
        &self.base
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.http.request(method, format!("{}{path}", self.base))
    }

    /// Sends, retrying the identical request (same Idempotency-Key) while the server cannot be
    /// reached, for up to `RETRY_FOR`: a restarted server then answers it exactly once.
    async fn send(&self, request: RequestBuilder, expect: StatusCode) -> anyhow::Result<Value> {
        let started = std::time::Instant::now();
        let response = loop {
            let attempt = request
                .try_clone()
                .context("request body must be cloneable")?;
            match attempt.send().await {
                Ok(r) => break r,
                // Any transport failure (refused, reset, cut mid-response) is retried as the same
                // request: the server's idempotency makes a repeat harmless.
                Err(e) if !e.is_status() && !e.is_builder() && started.elapsed() < RETRY_FOR => {
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Err(e) => return Err(e).context("request failed"),
            }
        };
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if status != expect {
            bail!("expected {expect}, got {status}: {body}");
        }
        Ok(body)
    }

    pub async fn register(&self, role: &str, p: &Party<'_>) -> anyhow::Result<Value> {
        let (account_number, holder) = if role == "buyer" {
            ("7654321", "ｶｲﾇｼ ﾀﾛｳ")
        } else {
            ("1234567", "ｳﾘﾇｼ ﾊﾅｺ")
        };
        let body = json!({
            "item": p.item, "price_yen": p.price_yen,
            "buyer_name": p.buyer.0, "buyer_email": p.buyer.1,
            "seller_name": p.seller.0, "seller_email": p.seller.1,
            "shipping_address": "東京都千代田区丸の内1-1-1",
            "bank_account": { "bank_code": "0001", "branch_code": "001", "account_type": "ordinary",
                              "account_number": account_number, "holder_name": holder },
            "password": p.password,
        });
        let key = uuid::Uuid::now_v7().to_string();
        self.send(
            self.request(Method::POST, &format!("/v1/registrations/{role}"))
                .header("Idempotency-Key", key)
                .json(&body),
            StatusCode::CREATED,
        )
        .await
    }

    pub async fn view(&self, deal_id: &str, password: &str) -> anyhow::Result<Value> {
        self.send(
            self.request(Method::GET, &format!("/v1/deals/{deal_id}"))
                .basic_auth(deal_id, Some(password)),
            StatusCode::OK,
        )
        .await
    }

    pub async fn step(
        &self,
        deal_id: &str,
        signed_in: SignIn<'_>,
        step: &str,
        body: Value,
    ) -> anyhow::Result<Value> {
        let key = uuid::Uuid::now_v7().to_string();
        let request = self.request(Method::POST, &format!("/v1/deals/{deal_id}/{step}"));
        let request = match signed_in {
            SignIn::Password(password) => request.basic_auth(deal_id, Some(password)),
            SignIn::Session(token) => request.bearer_auth(token),
        };
        let request = request.header("Idempotency-Key", key).json(&body);
        self.send(request, StatusCode::OK).await
    }

    pub async fn credit(
        &self,
        bank_ref: &str,
        amount_yen: i64,
        reference: &str,
    ) -> anyhow::Result<Value> {
        let body =
            json!({ "bank_ref": bank_ref, "amount_yen": amount_yen, "reference": reference });
        self.send(
            self.request(Method::POST, "/v1/operator/bank-credits")
                .bearer_auth(&self.operator_token)
                .json(&body),
            StatusCode::OK,
        )
        .await
    }

    /// Uploads a bank file for import.
    pub async fn upload(&self, name: &str, bytes: Vec<u8>) -> anyhow::Result<Value> {
        self.upload_to("/v1/operator/bank-files", name, bytes).await
    }

    /// Uploads a file as the operator to `path` (bank files, carrier files).
    pub async fn upload_to(&self, path: &str, name: &str, bytes: Vec<u8>) -> anyhow::Result<Value> {
        let request = self
            .request(Method::POST, &format!("{path}?name={name}"))
            .bearer_auth(&self.operator_token)
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(bytes);
        self.send(request, StatusCode::OK).await
    }

    pub async fn operator(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        self.operator_expecting(method, path, body, StatusCode::OK)
            .await
    }

    /// An operator request answered with `expect` (`201` for what it creates).
    pub async fn operator_expecting(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        expect: StatusCode,
    ) -> anyhow::Result<Value> {
        let mut request = self.request(method, path).bearer_auth(&self.operator_token);
        if let Some(b) = body {
            request = request.json(&b);
        }
        self.send(request, expect).await
    }

    /// A site's request with its API key; `body` is a content type and the bytes.
    pub async fn as_site(
        &self,
        key: &str,
        method: Method,
        path: &str,
        body: Option<(&str, Vec<u8>)>,
    ) -> anyhow::Result<Value> {
        let mut request = self.request(method, path).bearer_auth(key);
        if let Some((content_type, bytes)) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, content_type)
                .body(bytes);
        }
        self.send(request, StatusCode::OK).await
    }

    /// An operator POST that moves money, under an Idempotency-Key: a retry after a lost
    /// response (a server restart) gets the first answer instead of doing it twice.
    pub async fn operator_once(&self, path: &str, body: Value, key: &str) -> anyhow::Result<Value> {
        let request = self
            .request(Method::POST, path)
            .bearer_auth(&self.operator_token)
            .header("Idempotency-Key", key)
            .json(&body);
        self.send(request, StatusCode::OK).await
    }
}

pub fn str_field<'a>(v: &'a Value, key: &str) -> anyhow::Result<&'a str> {
    v[key]
        .as_str()
        .with_context(|| format!("response has no {key}: {v}"))
}
