//! A browser-like client for the pages: keeps cookies, reads the CSRF token from a form.

use reqwest::{Client, StatusCode};

pub struct Browser {
    pub http: Client,
    pub base: String,
}

impl Browser {
    pub fn new(base: &str) -> Browser {
        Browser {
            http: Client::builder().cookie_store(true).build().unwrap(),
            base: base.to_string(),
        }
    }

    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .form(form)
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    }

    /// Opens the deal page (signing in with ID and password) and returns it.
    pub async fn open_deal(&self, id: &str, password: &str) -> (StatusCode, String) {
        let (_, page) = self.get("/deal").await;
        let csrf = csrf_of(&page);
        self.post(
            "/deal",
            &[("csrf", &csrf), ("deal_id", id), ("password", password)],
        )
        .await
    }
}

pub fn csrf_of(html: &str) -> String {
    let at = html
        .find("name=\"csrf\" value=\"")
        .expect("form has a csrf field")
        + 19;
    html[at..at + 48].to_string()
}

pub fn deal_id_of(html: &str) -> String {
    let at = html
        .find("data-testid=\"deal-id\">")
        .expect("page shows the deal ID")
        + 22;
    html[at..at + 10].to_string()
}
