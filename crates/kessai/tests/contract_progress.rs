//! A contract's progress (issue 9, seed 001 figure 8): each step's planned day from the site's
//! lead times beside the day it happened, re-planned from what happened; a warning with the
//! bank's reason when the debit failed.

mod support;

use kessai_core::calendar::add_business_days;
use serde_json::{json, Value};
use support::contracts::{
    accept, answer_debits, business_day, contract, operator_run, ship_all, shown, site_with, today,
};
use support::Db;
use time::Date;

on_both_databases!(
    each_step_is_planned_and_then_dated_as_it_happens,
    a_failed_debit_is_a_warning_with_the_banks_reason,
    the_progress_page_shows_the_steps_to_whoever_holds_its_link
);

/// GETs a page of the test server by the path and query of `url`: its status and HTML.
async fn page(s: &support::TestServer, url: &str) -> (u16, String) {
    let at = url.find("/contract/").expect("a contract page address");
    let r = s
        .http
        .get(format!("{}{}", s.base, &url[at..]))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

fn date(text: &str) -> Date {
    Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .unwrap()
}

/// `text` plus `n` business days.
fn plus(text: &str, n: u32) -> String {
    add_business_days(date(text), n).unwrap().to_string()
}

/// The steps as (step, planned, actual).
fn steps(c: &Value) -> Vec<(String, String, Option<String>)> {
    c["schedule"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["step"].as_str().unwrap().to_string(),
                s["planned"].as_str().unwrap().to_string(),
                s["actual"].as_str().map(str::to_string),
            )
        })
        .collect()
}

fn step(name: &str, planned: &str, actual: Option<&str>) -> (String, String, Option<String>) {
    (
        name.to_string(),
        planned.to_string(),
        actual.map(str::to_string),
    )
}

async fn each_step_is_planned_and_then_dated_as_it_happens(db: Db) {
    let s = support::spawn(db).await;
    let key = site_with(
        &s,
        json!({"id": "plan", "name": "予定どおり", "main_bank": "0001", "debit_lead_days": 3,
               "delivery_lead_days": 1, "shipping_lead_days": 2, "payout_lead_days": 2}),
    )
    .await;
    let ids = accept(&s, &key, &[contract("P-1", 8_000)]).await;
    let accepted = today(&s).to_string();
    let debit = business_day(&s, 3);
    let instruct = plus(&debit, 1);
    let ship = plus(&instruct, 2);
    let c = shown(&s, &key, &ids[0]).await;
    assert_eq!(
        steps(&c),
        [
            step("acceptance", &accepted, Some(&accepted)),
            step("debit", &debit, None),
            step("delivery_instruction", &instruct, None),
            step("shipment", &ship, None),
            step("settlement", &plus(&ship, 2), None),
        ],
        "{c}"
    );
    assert!(c["warning"].is_null(), "{c}");

    // Debited earlier than planned: what follows is planned from the day it happened.
    let early = business_day(&s, 1);
    answer_debits(&s, &operator_run(&s, "debit", &early).await, 0).await;
    let c = shown(&s, &key, &ids[0]).await;
    let instruct = plus(&early, 1);
    let ship = plus(&instruct, 2);
    assert_eq!(
        steps(&c)[1..],
        [
            step("debit", &debit, Some(&early)),
            step("delivery_instruction", &instruct, None),
            step("shipment", &ship, None),
            step("settlement", &plus(&ship, 2), None),
        ],
        "{c}"
    );

    // Instructed on the planned day and shipped: the settlement follows the shipment.
    ship_all(&s, &operator_run(&s, "delivery", &instruct).await).await;
    let c = shown(&s, &key, &ids[0]).await;
    let shipped = c["delivery"]["shipped_on"].as_str().unwrap().to_string();
    assert_eq!(
        steps(&c)[2..],
        [
            step("delivery_instruction", &instruct, Some(&instruct)),
            step("shipment", &ship, Some(&shipped)),
            step("settlement", &plus(&shipped, 2), None),
        ],
        "{c}"
    );
}

/// A new site's contracts, their debits requested and all refused by the bank: its key and
/// their IDs.
async fn refused(
    s: &support::TestServer,
    site_id: &str,
    contracts: &[Value],
) -> (String, Vec<String>) {
    let key = site_with(
        s,
        json!({"id": site_id, "name": "警告", "main_bank": "0001"}),
    )
    .await;
    let ids = accept(s, &key, contracts).await;
    let files = operator_run(s, "debit", &business_day(s, 1)).await;
    answer_debits(s, &files, 1000).await;
    (key, ids)
}

async fn a_failed_debit_is_a_warning_with_the_banks_reason(db: Db) {
    let s = support::spawn(db).await;
    let (key, ids) = refused(&s, "warn", &[contract("W-1", 4_000)]).await;
    let c = shown(&s, &key, &ids[0]).await;
    assert_eq!(c["status"], "debit_failed");
    let reason = c["debits"][0]["result"].as_str().unwrap();
    assert_ne!(reason, "debited");
    assert_eq!(c["warning"]["code"], "debit_failed", "{c}");
    assert_eq!(c["warning"]["reason"].as_str(), Some(reason), "{c}");
    assert!(
        c["warning"]["message"].as_str().unwrap().contains(reason),
        "{c}"
    );
    assert!(
        steps(&c)[1].2.is_none(),
        "a failed debit is not a debit day: {c}"
    );
}

async fn the_progress_page_shows_the_steps_to_whoever_holds_its_link(db: Db) {
    let s = support::spawn(db).await;
    let contracts = [contract("P-1", 4_000), contract("P-2", 5_000)];
    let (key, ids) = refused(&s, "pg", &contracts).await;
    let c = shown(&s, &key, &ids[0]).await;
    let url = c["page_url"].as_str().unwrap().to_string();
    assert!(url.contains(&format!("/contract/{}?t=", ids[0])), "{url}");

    // Japanese first: the warning with the bank's reason, and every step planned.
    let (status, html) = page(&s, &url).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("<html lang=\"ja\""), "{html}");
    assert!(html.contains("口座振替不能"), "{html}");
    assert!(
        html.contains("買主の口座から引き落とせませんでした"),
        "{html}"
    );
    assert!(html.contains("P-1") && html.contains("¥4,000"), "{html}");
    for (step, planned) in steps(&c).iter().map(|(s, p, _)| (s.clone(), p.clone())) {
        let row = html
            .split(&format!("data-step=\"{step}\""))
            .nth(1)
            .unwrap_or_else(|| panic!("no row for {step}: {html}"));
        assert!(
            row.split("</tr>").next().unwrap().contains(&planned),
            "{step}: {html}"
        );
    }
    let (status, html) = page(&s, &format!("{url}&lang=en")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("The debit failed") && html.contains("Planned"),
        "{html}"
    );

    // Without the link's token, with a wrong one, or with another contract's: not found.
    let other = shown(&s, &key, &ids[1]).await["page_url"]
        .as_str()
        .unwrap()
        .to_string();
    let other_token = other.split("?t=").nth(1).unwrap();
    let path = format!("/contract/{}", ids[0]);
    for bad in [
        path.clone(),
        format!("{path}?t=00000000000000000000000000000000"),
        format!("{path}?t={other_token}"),
        format!("/contract/no-such-contract?t={other_token}"),
    ] {
        let (status, html) = page(&s, &bad).await;
        assert_eq!(status, 404, "{bad}: {html}");
        assert!(!html.contains("P-1"), "{bad}");
    }
}
