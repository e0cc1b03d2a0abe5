//! Emails reach a real SMTP server on loopback, correctly MIME-encoded (checked by an
//! independent parser), and in directory mode land as `.eml` files named by outbox ID.

mod support;

use kessai_server::config::MailTransport;
use kessai_sim::smtp::SmtpServer;
use std::time::Duration;
use support::{Db, Options};

on_both_databases!(
    emails_reach_a_real_smtp_server,
    emails_land_in_the_mail_directory,
    a_connection_the_server_closed_is_replaced
);

async fn wait_for<T>(mut probe: impl FnMut() -> Option<T>) -> T {
    for _ in 0..200 {
        if let Some(v) = probe() {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("timed out waiting");
}

/// A server whose outbox worker delivers to `smtp`.
async fn mailing_to(db: Db, smtp: &SmtpServer) -> support::TestServer {
    let mail = MailTransport::Smtp {
        host: "127.0.0.1".into(),
        port: smtp.addr.port(),
    };
    let options = Options {
        mail: Some(mail),
        workers: true,
        ..Default::default()
    };
    support::spawn_with(db, options).await
}

async fn emails_reach_a_real_smtp_server(db: Db) {
    let smtp = SmtpServer::start();
    let s = mailing_to(db, &smtp).await;
    let (buyer, _seller) = s.agreed_deal("smtp", 12_345).await;
    let outbox = s.app.store.emails_for(&buyer).await.unwrap();
    assert_eq!(outbox.len(), 3, "registered, agreed, payment instructions");
    let received = wait_for(|| {
        let got = smtp.received();
        (got.iter()
            .filter(|m| m.to.iter().any(|t| t.contains("buyer.smtp")))
            .count()
            == 3)
            .then_some(got)
    })
    .await;
    for email in &outbox {
        let m = received
            .iter()
            .find(|m| String::from_utf8_lossy(&m.data).contains(&format!("<{}@kessai>", email.id)))
            .unwrap_or_else(|| panic!("outbox email {} not received", email.id));
        assert!(m.from.contains("kessai@localhost"));
        let text = support::mime::checked_text(&m.data);
        // SMTP carries CRLF line ends; the text is otherwise exactly what the outbox holds.
        assert_eq!(text.trim_end(), email.body.trim_end());
        let parsed = mail_parser::MessageParser::default()
            .parse(&m.data)
            .expect("parseable MIME");
        assert_eq!(parsed.subject(), Some(email.subject.as_str()));
        assert_eq!(
            parsed.message_id(),
            Some(format!("{}@kessai", email.id).as_str())
        );
    }
    let payment = outbox
        .iter()
        .find(|e| e.subject.contains("お支払いのご案内"))
        .unwrap();
    assert!(
        payment.body.contains("¥12,345") && payment.body.contains(&buyer),
        "{}",
        payment.body
    );
    for _ in 0..100 {
        if s.app.store.outbox_counts().await.unwrap().0 == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!(
        "outbox not drained: {:?}",
        s.app.store.outbox_counts().await
    );
}

/// Every kind of email a deal sends: registration, a mismatch and its correction, agreement
/// and payment instructions, a short payment, an overpayment, the ship request, shipment,
/// payout and the overpayment's refund. Returns every party's deal ID.
async fn a_deal_with_every_email(s: &support::TestServer) -> Vec<String> {
    let buyer = s
        .register("buyer", &support::registration("buyer", "dir", 1_000))
        .await
        .str("deal_id");
    let mut wrong = support::registration("seller", "dir", 900);
    let seller = s.register("seller", &wrong).await.str("deal_id");
    wrong["price_yen"] = serde_json::json!(1_000);
    s.send(
        s.request(
            reqwest::Method::POST,
            &format!("/v1/registrations/{seller}/amend"),
        )
        .basic_auth(&seller, Some(support::SELLER_PW))
        .json(&wrong),
    )
    .await
    .ok();
    s.credit("dir-1", 400, &buyer).await.ok();
    s.credit("dir-2", 700, &buyer).await.ok();
    s.ship(&seller).await.ok();
    s.receipt(&buyer).await.ok();
    vec![buyer, seller]
}

async fn emails_land_in_the_mail_directory(db: Db) {
    let s = support::spawn_with(
        db,
        Options {
            mail: None,
            workers: true,
            ..Default::default()
        },
    )
    .await;
    let ids = a_deal_with_every_email(&s).await;
    let mut outbox = vec![];
    for id in &ids {
        for e in s.app.store.emails_for(id).await.unwrap() {
            outbox.push((id.clone(), e));
        }
    }
    let mut expected: Vec<String> = outbox
        .iter()
        .map(|(_, e)| format!("{}.eml", e.id))
        .collect();
    expected.sort();
    assert!(expected.len() >= 14, "{expected:?}");
    let dir = s.dir.path().join("mail");
    wait_for(|| {
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .ok()?
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        (names == expected).then_some(names)
    })
    .await;
    // Each file, read strictly, is its outbox row, and links to its recipient's deal page.
    for (id, email) in &outbox {
        let raw = std::fs::read(dir.join(format!("{}.eml", email.id))).unwrap();
        let text = support::mime::checked_text(&raw);
        assert_eq!(text.trim_end(), email.body.trim_end());
        let link = format!("http://127.0.0.1:7480/deal?deal_id={id}&lang=ja");
        assert!(
            text.contains(&link),
            "no link to {link} in {}: {text}",
            email.subject
        );
        for raw_name in ["price_yen", "item,", "bank_account"] {
            assert!(!text.contains(raw_name), "{raw_name} in {text}");
        }
    }
    // The link opens the deal's sign-in with the deal ID filled in.
    let (id, _) = &outbox[0];
    let page = s
        .http
        .get(format!("{}/deal?deal_id={id}&lang=ja", s.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!("name=\"deal_id\" type=\"text\" value=\"{id}\"")),
        "{page}"
    );
}

/// The worker keeps SMTP connections for the next email. A server that closed one meanwhile
/// must cost nothing: the email goes on a new connection, at once, and arrives once.
async fn a_connection_the_server_closed_is_replaced(db: Db) {
    let smtp = SmtpServer::start_hanging_up_after_each_message();
    let s = mailing_to(db, &smtp).await;
    let (buyer, seller) = s.agreed_deal("hangup", 4_000).await;
    // The first emails go out, each on a connection that the server then closes; the worker
    // keeps those connections, and the next emails find them closed.
    let first = s.app.store.emails_for(&buyer).await.unwrap().len()
        + s.app.store.emails_for(&seller).await.unwrap().len();
    wait_for(|| (smtp.count() >= first).then_some(())).await;
    s.credit("hangup-pay", 4_000, &buyer).await.ok();
    let mut expected = s.app.store.emails_for(&buyer).await.unwrap();
    expected.extend(s.app.store.emails_for(&seller).await.unwrap());
    assert!(expected.len() > first, "the credit sent more emails");
    let received = wait_for(|| {
        let got = smtp.received();
        (got.len() >= expected.len()).then_some(got)
    })
    .await;
    for email in &expected {
        let id = format!("<{}@kessai>", email.id);
        let copies = received
            .iter()
            .filter(|m| String::from_utf8_lossy(&m.data).contains(&id))
            .count();
        assert_eq!(copies, 1, "email {} arrived {copies} times", email.id);
    }
    // Nothing was left for a retry: every email went out on its first attempt.
    for email in &expected {
        let now = s
            .app
            .store
            .emails_for(email.deal_ref.as_deref().unwrap())
            .await
            .unwrap();
        let stored = now.iter().find(|e| e.id == email.id).unwrap();
        assert_eq!(stored.attempts, 1, "{}", email.id);
    }
}
