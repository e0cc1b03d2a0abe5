//! Emails reach a real SMTP server on loopback, correctly MIME-encoded (checked by an
//! independent parser), and in directory mode land as `.eml` files named by outbox ID.

mod support;

use kessai_server::config::MailTransport;
use std::time::Duration;
use support::smtp::SmtpServer;
use support::{Db, Options};

on_both_databases!(
    emails_reach_a_real_smtp_server,
    emails_land_in_the_mail_directory
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

async fn emails_reach_a_real_smtp_server(db: Db) {
    let smtp = SmtpServer::start();
    let mail = MailTransport::Smtp {
        host: "127.0.0.1".into(),
        port: smtp.addr.port(),
    };
    let s = support::spawn_with(
        db,
        Options {
            mail: Some(mail),
            workers: true,
            ..Default::default()
        },
    )
    .await;
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
        // Headers must be 7-bit: Japanese travels encoded (RFC 2047), never raw.
        let raw = String::from_utf8_lossy(&m.data);
        let headers = raw.split("\r\n\r\n").next().unwrap();
        assert!(headers.is_ascii(), "non-ASCII header bytes: {headers}");
        let parsed = mail_parser::MessageParser::default()
            .parse(&m.data)
            .expect("parseable MIME");
        assert_eq!(parsed.subject(), Some(email.subject.as_str()));
        let text = parsed.body_text(0).expect("a text body");
        // SMTP carries CRLF line ends; the text is otherwise exactly what the outbox holds.
        assert_eq!(text.replace("\r\n", "\n").trim_end(), email.body.trim_end());
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
    let (buyer, seller) = s.agreed_deal("dir", 1_000).await;
    let mut expected: Vec<String> = vec![];
    for id in [&buyer, &seller] {
        expected.extend(
            s.app
                .store
                .emails_for(id)
                .await
                .unwrap()
                .into_iter()
                .map(|e| format!("{}.eml", e.id)),
        );
    }
    expected.sort();
    let dir = s.dir.path().join("mail");
    let files = wait_for(|| {
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .ok()?
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        (names == expected).then_some(names)
    })
    .await;
    let first = std::fs::read(dir.join(&files[0])).unwrap();
    let parsed = mail_parser::MessageParser::default().parse(&first).unwrap();
    assert!(parsed.subject().unwrap().starts_with("[Kessai] "));
}
