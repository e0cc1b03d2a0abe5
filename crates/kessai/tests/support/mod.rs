//! Shared test machinery: a throwaway database per test on either backend, the real server
//! listening on loopback, an HTTP client, and a real SMTP server.
#![allow(dead_code)]

pub mod bank;
pub mod browser;
pub mod conformance;
pub mod contracts;
pub mod logs;
pub mod mime;
pub mod orders;

use kessai_server::config::{Config, MailTransport, PasswordCost};
use kessai_server::App;
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// Runs a test body once per backend: `<name>::sqlite` and `<name>::postgres`. The PostgreSQL
/// variant is ignored (and reported so) unless `KESSAI_TEST_POSTGRES_URL` was set when the
/// tests were built (`build.rs`).
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::support::Db::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(not(kessai_postgres), ignore = "KESSAI_TEST_POSTGRES_URL is not set")]
            async fn postgres() {
                super::$name($crate::support::Db::Postgres).await
            }
        }
    )*};
}

/// A fresh database URL: a file in `dir` for SQLite, a new database on the test server for
/// PostgreSQL (created from `KESSAI_TEST_POSTGRES_URL`, named `kessai_t_<random>`).
pub async fn database_url(db: Db, dir: &std::path::Path) -> String {
    match db {
        Db::Sqlite => format!("sqlite://{}", dir.join("kessai.db").display()),
        Db::Postgres => {
            let base = std::env::var("KESSAI_TEST_POSTGRES_URL").expect("KESSAI_TEST_POSTGRES_URL");
            let name = format!("kessai_t_{}", uuid::Uuid::now_v7().simple());
            sqlx::any::install_default_drivers();
            let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&base)
                .await
                .expect("connect to test postgres");
            sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {name}").as_str())
                .await
                .expect("create database");
            let (prefix, _) = base.rsplit_once('/').expect("postgres URL with a database");
            format!("{prefix}/{name}")
        }
    }
}

/// A running server with everything a test needs to talk to it.
pub struct TestServer {
    pub base: String,
    pub app: Arc<App>,
    pub token: String,
    pub http: reqwest::Client,
    pub db_url: String,
    pub dir: tempfile::TempDir,
    openapi: tokio::sync::OnceCell<Value>,
}

#[derive(Default)]
pub struct Options {
    pub mail: Option<MailTransport>,
    pub workers: bool,
    pub virtual_accounts: Option<(i64, i64)>,
    pub http: Option<kessai_server::config::HttpLimits>,
    /// The operator's banks (default: the demo bank alone).
    pub banks: Option<Vec<kessai_server::config::OperatorBank>>,
    /// Start the card processor simulator on loopback and point the server at it.
    pub card: bool,
}

/// The key that seals card numbers in tests.
pub const CARD_KEY: [u8; 32] = [0x5a; 32];

pub async fn spawn(db: Db) -> TestServer {
    spawn_with(db, Options::default()).await
}

/// A server with these operator banks (the first is the main one).
pub async fn spawn_with_banks(
    db: Db,
    banks: Vec<kessai_server::config::OperatorBank>,
) -> TestServer {
    let banks = Some(banks);
    spawn_with(
        db,
        Options {
            banks,
            ..Options::default()
        },
    )
    .await
}

pub async fn spawn_with(db: Db, options: Options) -> TestServer {
    let dir = tempfile::tempdir().expect("tempdir");
    let db_url = database_url(db, dir.path()).await;
    let mail = options
        .mail
        .unwrap_or_else(|| MailTransport::Directory(dir.path().join("mail")));
    let mut config = Config::new(&db_url, mail);
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.operator_token = Some("test-operator-token".into());
    config.test_clock = true;
    // Cheap hashing keeps the suite fast; production uses the OWASP setting (see README).
    config.password_cost = PasswordCost {
        memory_kib: 256,
        iterations: 1,
    };
    config.workers = options.workers;
    config.bank_out_dir = dir.path().join("bank-out");
    config.bank_master = Some(bank_master());
    config.banks = options
        .banks
        .unwrap_or_else(|| vec![kessai_server::config::demo_bank()]);
    config.virtual_accounts = options.virtual_accounts;
    config.http = options.http.unwrap_or_default();
    config.mail_interval = Duration::from_millis(20);
    if options.card {
        // The processor judges expiry by the server's own test clock, in JST.
        let today = kessai_server::i18n::date_jst(kessai_core::Millis(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis() as i64,
        ));
        let processor = kessai_sim::card::Processor::new(
            today.year() as u32,
            u32::from(u8::from(today.month())),
        );
        let addr = kessai_sim::card::spawn("127.0.0.1:0".parse().unwrap(), processor)
            .await
            .expect("the card processor listens");
        config.card_processor_url = Some(format!("http://{addr}"));
        config.card_data_key = Some(CARD_KEY);
    }
    let running = kessai_server::start(config).await.expect("server starts");
    TestServer {
        base: format!("http://{}", running.addr),
        app: running.app,
        token: "test-operator-token".into(),
        http: reqwest::Client::new(),
        db_url,
        dir,
        openapi: tokio::sync::OnceCell::new(),
    }
}

/// xmllint's complaint about the XML file at `path` against the committed schema `xsd`
/// (a file name in kessai-formats/tests/xsd), or `None` when it is valid.
pub fn schema_errors(xsd: &str, path: &std::path::Path) -> Option<String> {
    let xsd = format!(
        "{}/../kessai-formats/tests/xsd/{xsd}",
        env!("CARGO_MANIFEST_DIR")
    );
    let check = std::process::Command::new("xmllint")
        .args(["--noout", "--schema", &xsd])
        .arg(path)
        .output()
        .expect("xmllint (bash test.sh installs it)");
    (!check.status.success()).then(|| String::from_utf8_lossy(&check.stderr).into_owned())
}

/// The zengin-code bank master the tests use: `KESSAI_TEST_BANK_MASTER` (test.sh fetches a
/// pinned copy and sets it), else `shared/data/zengin-code` beside the repository when present.
pub fn bank_master_dir() -> std::path::PathBuf {
    if let Some(dir) = std::env::var_os("KESSAI_TEST_BANK_MASTER") {
        return dir.into();
    }
    let shared =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/zengin-code");
    assert!(
        shared.join("banks.json").exists(),
        "no bank master: run the tests with `bash test.sh` (it fetches one), or set \
         KESSAI_TEST_BANK_MASTER to a zengin-code data directory"
    );
    shared
}

/// The operator's banks in the tests, as a file for the CLI: the demo bank (see
/// `kessai_server::config::demo_bank`).
pub fn bank_config_file() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/operator-banks.toml")
}

/// The bank master, loaded once for all tests of a binary.
pub fn bank_master() -> Arc<kessai_server::bank_master::BankMaster> {
    static MASTER: std::sync::OnceLock<Arc<kessai_server::bank_master::BankMaster>> =
        std::sync::OnceLock::new();
    MASTER
        .get_or_init(|| {
            let dir = bank_master_dir();
            Arc::new(
                kessai_server::bank_master::BankMaster::load(&dir)
                    .unwrap_or_else(|e| panic!("{}: {e}", dir.display())),
            )
        })
        .clone()
}

pub const BUYER_PW: &str = "buyer-password";
pub const SELLER_PW: &str = "seller-password";

/// Registration fields both parties agree on; `tweak` changes this party's copy.
pub fn registration(role: &str, tag: &str, price_yen: i64) -> Value {
    json!({
        "item": "中古ギター Fender",
        "price_yen": price_yen,
        "buyer_name": "山田 太郎",
        "buyer_email": format!("buyer.{tag}@example.jp"),
        "seller_name": "佐藤 花子",
        "seller_email": format!("seller.{tag}@example.jp"),
        "shipping_address": "東京都千代田区丸の内1-1-1",
        "bank_account": {
            "bank_code": "0005", "branch_code": "123", "account_type": "ordinary",
            "account_number": if role == "buyer" { "7654321" } else { "1234567" },
            "holder_name": if role == "buyer" { "ﾔﾏﾀﾞ ﾀﾛｳ" } else { "ｻﾄｳ ﾊﾅｺ" }
        },
        "password": if role == "buyer" { BUYER_PW } else { SELLER_PW },
    })
}

/// The body of `POST /v1/operator/bank-credits`.
pub fn credit_body(bank_ref: &str, amount_yen: i64, reference: &str) -> Value {
    json!({ "bank_ref": bank_ref, "amount_yen": amount_yen, "reference": reference })
}

/// A response: status and JSON body.
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
}

impl Reply {
    /// Asserts an error response with this status, code and (optional) field.
    pub fn assert_error(&self, status: u16, code: &str, field: Option<&str>) {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert_eq!(self.body["error"]["code"], code, "body: {}", self.body);
        assert!(
            self.body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "error without message: {}",
            self.body
        );
        if let Some(f) = field {
            assert_eq!(self.body["error"]["field"], f, "body: {}", self.body);
        }
    }

    pub fn ok(&self) -> &Value {
        assert!(
            self.status.is_success(),
            "status {}: {}",
            self.status,
            self.body
        );
        &self.body
    }

    pub fn str(&self, key: &str) -> String {
        self.body[key]
            .as_str()
            .unwrap_or_else(|| panic!("no {key} in {}", self.body))
            .to_string()
    }
}

impl TestServer {
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.http.request(method, format!("{}{path}", self.base))
    }

    /// Sends a request; an answer under `/v1` must be one `/openapi.json` lists for the path
    /// and method (status, and an error's code), so every test checks the document.
    pub async fn send(&self, request: RequestBuilder) -> Reply {
        let request = request.build().expect("a request");
        let (method, path) = (request.method().clone(), request.url().path().to_string());
        let response = self
            .http
            .execute(request)
            .await
            .expect("request reaches the server");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        let reply = Reply {
            status,
            body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
        };
        if path.starts_with("/v1") {
            let doc = self.document().await;
            conformance::assert_documented(doc, method.as_str(), &path, &reply);
        }
        reply
    }

    /// `/openapi.json` as this server serves it, fetched once.
    pub async fn document(&self) -> &Value {
        self.openapi
            .get_or_init(|| async {
                let url = format!("{}/openapi.json", self.base);
                let r = self.http.get(url).send().await.expect("the document");
                r.json().await.expect("the document is JSON")
            })
            .await
    }

    /// Sends `request`, checks the error and that nothing in the database moved.
    pub async fn refuse(
        &self,
        request: RequestBuilder,
        status: u16,
        code: &str,
        field: Option<&str>,
    ) -> Reply {
        self.refuse_reply(self.send(request), status, code, field)
            .await
    }

    /// Awaits `reply`, checks the error and that nothing in the database moved meanwhile.
    pub async fn refuse_reply(
        &self,
        reply: impl std::future::Future<Output = Reply>,
        status: u16,
        code: &str,
        field: Option<&str>,
    ) -> Reply {
        let before = self.snapshot().await;
        let r = reply.await;
        r.assert_error(status, code, field);
        assert_eq!(
            self.snapshot().await,
            before,
            "a refused request ({code}) changed the database"
        );
        r
    }

    pub async fn register(&self, role: &str, body: &Value) -> Reply {
        self.send(
            self.request(Method::POST, &format!("/v1/registrations/{role}"))
                .json(body),
        )
        .await
    }

    /// Registers both sides of a deal; returns (buyer ID, seller ID).
    pub async fn agreed_deal(&self, tag: &str, price_yen: i64) -> (String, String) {
        let buyer = self
            .register("buyer", &registration("buyer", tag, price_yen))
            .await;
        assert_eq!(buyer.ok()["status"], "waiting_for_counterpart");
        let seller = self
            .register("seller", &registration("seller", tag, price_yen))
            .await;
        assert_eq!(seller.ok()["status"], "agreed");
        (buyer.str("deal_id"), seller.str("deal_id"))
    }

    /// A deal paid in full (bank reference `<tag>-pay`), shipped and received: the seller's
    /// payout is instructed. Returns (buyer ID, seller ID).
    pub async fn completed_deal(&self, tag: &str, price_yen: i64) -> (String, String) {
        let (buyer, seller) = self.agreed_deal(tag, price_yen).await;
        self.credit(&format!("{tag}-pay"), price_yen, &buyer)
            .await
            .ok();
        self.ship(&seller).await.ok();
        self.receipt(&buyer).await.ok();
        (buyer, seller)
    }

    /// `POST /v1/operator/bank-exports`: pending instructions into bank files.
    pub async fn export(&self, format: &str, date: &str) -> Reply {
        let body = json!({ "format": format, "date": date });
        self.operator(Method::POST, "/v1/operator/bank-exports", Some(body))
            .await
    }

    pub async fn view(&self, id: &str, password: &str) -> Reply {
        self.send(
            self.request(Method::GET, &format!("/v1/deals/{id}"))
                .basic_auth(id, Some(password)),
        )
        .await
    }

    pub async fn step(
        &self,
        id: &str,
        password: &str,
        step: &str,
        body: Value,
        key: Option<&str>,
    ) -> Reply {
        let mut r = self
            .request(Method::POST, &format!("/v1/deals/{id}/{step}"))
            .basic_auth(id, Some(password))
            .json(&body);
        if let Some(k) = key {
            r = r.header("Idempotency-Key", k);
        }
        self.send(r).await
    }

    pub async fn ship(&self, seller: &str) -> Reply {
        self.step(
            seller,
            SELLER_PW,
            "shipment",
            json!({ "tracking_number": "1234-5678" }),
            None,
        )
        .await
    }

    pub async fn receipt(&self, buyer: &str) -> Reply {
        self.step(buyer, BUYER_PW, "receipt", json!({}), None).await
    }

    pub async fn credit(&self, bank_ref: &str, amount_yen: i64, reference: &str) -> Reply {
        let body = credit_body(bank_ref, amount_yen, reference);
        self.send(
            self.request(Method::POST, "/v1/operator/bank-credits")
                .bearer_auth(&self.token)
                .json(&body),
        )
        .await
    }

    pub async fn operator(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let mut r = self.request(method, path).bearer_auth(&self.token);
        if let Some(b) = body {
            r = r.json(&b);
        }
        self.send(r).await
    }

    pub async fn advance_days(&self, days: i64) {
        self.operator(
            Method::POST,
            "/v1/operator/clock",
            Some(json!({ "advance_ms": days * 86_400_000 })),
        )
        .await
        .ok();
    }

    pub async fn run_scheduler(&self) -> i64 {
        self.operator(Method::POST, "/v1/operator/scheduler/run", None)
            .await
            .ok()["changed"]
            .as_i64()
            .unwrap()
    }

    /// The operator corrects a rejected instruction's account (number and holder name; the
    /// rest is a fixed test bank): it goes out again with the next export.
    pub async fn correct_instruction(
        &self,
        id: &str,
        account_number: &str,
        holder_name: &str,
    ) -> Reply {
        let account = json!({ "bank_code": "0005", "branch_code": "123", "account_type": "ordinary", "account_number": account_number, "holder_name": holder_name });
        self.operator(
            Method::POST,
            &format!("/v1/operator/instructions/{id}/correct"),
            Some(account),
        )
        .await
    }

    pub async fn instructions(&self, deal: &str) -> Vec<Value> {
        let r = self
            .operator(
                Method::GET,
                &format!("/v1/operator/instructions?deal_id={deal}"),
                None,
            )
            .await;
        r.ok()["instructions"].as_array().unwrap().clone()
    }

    /// Every invariant of `kessai check` must hold, and every email the test caused must be
    /// well-formed MIME.
    pub async fn assert_books_sound(&self) {
        let violations = self.app.store.check().await.expect("check runs");
        assert!(violations.is_empty(), "ledger violations: {violations:#?}");
        self.assert_emails_well_formed().await;
    }

    /// Builds each outbox email as the mail worker sends it and reads it strictly back.
    pub async fn assert_emails_well_formed(&self) {
        let refs: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT deal_ref FROM outbox_emails WHERE deal_ref IS NOT NULL",
        )
        .fetch_all(self.app.store.pool())
        .await
        .expect("outbox");
        for deal_ref in refs {
            for email in self.app.store.emails_for(&deal_ref).await.unwrap() {
                let message =
                    kessai_server::mail::message::build(&email, &self.app.config.mail_from)
                        .expect("the email builds");
                let text = mime::checked_text(&message.formatted());
                assert_eq!(text.trim_end(), email.body.trim_end(), "{}", email.subject);
            }
        }
    }

    /// A fingerprint of everything a request could change: deals, ledger, outbox,
    /// instructions, credits, timeline. Equal before and after = the request changed nothing.
    pub async fn snapshot(&self) -> Vec<String> {
        let pool = self.app.store.pool();
        let mut out = vec![];
        for sql in [
            "SELECT id || ':' || state || ':' || received_yen || ':' || version FROM deals ORDER BY id",
            "SELECT id || ':' || debits_yen || ':' || credits_yen FROM accounts ORDER BY id",
            "SELECT CAST(COUNT(*) AS TEXT) FROM journal_lines",
            "SELECT CAST(COUNT(*) AS TEXT) FROM outbox_emails",
            "SELECT CAST(COUNT(*) AS TEXT) FROM payment_instructions",
            "SELECT CAST(COUNT(*) AS TEXT) FROM bank_credits",
            "SELECT CAST(COUNT(*) AS TEXT) FROM deal_events",
            "SELECT CAST(COUNT(*) AS TEXT) FROM registrations",
            "SELECT id || ':' || api_key_sha256 FROM sites ORDER BY id",
            "SELECT id || ':' || debit_state || ':' || delivery_state FROM contracts ORDER BY id",
            "SELECT id || ':' || api_key_sha256 || ':' || status FROM merchants ORDER BY id",
            "SELECT id || ':' || status || ':' || refunded_yen FROM orders ORDER BY id",
            "SELECT CAST(COUNT(*) AS TEXT) FROM order_events",
            "SELECT CAST(COUNT(*) AS TEXT) FROM card_payments",
            "SELECT CAST(COUNT(*) AS TEXT) FROM konbini_files",
            "SELECT CAST(COUNT(*) AS TEXT) FROM konbini_payments",
        ] {
            let rows: Vec<String> = sqlx::query_scalar(sql).fetch_all(pool).await.expect(sql);
            out.push(rows.join(","));
        }
        out
    }
}
