use super::input::DEFAULT_EXPIRY_DAYS;
use super::*;

fn item(name: &str, quantity: i64, unit_price_yen: i64) -> OrderItemInput {
    OrderItemInput {
        name: name.into(),
        quantity,
        unit_price_yen,
    }
}

fn input() -> OrderInput {
    OrderInput {
        number: "ORD-1".into(),
        amount_yen: 3_300,
        items: vec![item("Ｔシャツ", 2, 1_500), item("送料", 1, 300)],
        buyer_email: Some("buyer@example.jp".into()),
        ..OrderInput::default()
    }
}

#[test]
fn every_status_names_itself_and_parses_back() {
    for s in OrderStatus::ALL {
        assert_eq!(OrderStatus::parse(s.as_str()), Some(s));
    }
    for m in Method::ALL {
        assert_eq!(Method::parse(m.as_str()), Some(m));
    }
    assert_eq!(Method::parse("cash"), None);
}

#[test]
fn the_card_path_authorizes_captures_and_settles() {
    let s = next(OrderStatus::Unpaid, OrderEvent::Authorize).unwrap();
    assert_eq!(s, OrderStatus::Authorized);
    let s = next(s, OrderEvent::Capture).unwrap();
    assert_eq!(s, OrderStatus::Paid);
    assert_eq!(next(s, OrderEvent::Settle).unwrap(), OrderStatus::Settled);
}

#[test]
fn a_decline_leaves_the_order_payable_by_another_method() {
    let s = next(OrderStatus::Unpaid, OrderEvent::Decline).unwrap();
    assert_eq!(s, OrderStatus::Declined);
    assert!(s.payable());
    assert_eq!(next(s, OrderEvent::Pay).unwrap(), OrderStatus::Paid);
    assert_eq!(
        next(s, OrderEvent::Authorize).unwrap(),
        OrderStatus::Authorized
    );
}

#[test]
fn a_partial_refund_stays_paid_and_a_full_one_ends_the_order() {
    let partial = OrderEvent::Refund { rest: Yen(500) };
    assert_eq!(next(OrderStatus::Paid, partial).unwrap(), OrderStatus::Paid);
    let all = OrderEvent::Refund { rest: Yen(0) };
    assert_eq!(next(OrderStatus::Paid, all).unwrap(), OrderStatus::Refunded);
    assert!(next(OrderStatus::Paid, OrderEvent::Refund { rest: Yen(-1) }).is_err());
}

#[test]
fn illegal_moves_are_typed_errors_naming_both_sides() {
    let e = next(OrderStatus::Unpaid, OrderEvent::Capture).unwrap_err();
    assert_eq!(e.from, OrderStatus::Unpaid);
    assert_eq!(e.event, OrderEvent::Capture);
    assert_eq!(e.to_string(), "an order that is unpaid cannot capture");
    // Void only before capture; nothing moves a final order.
    assert!(next(OrderStatus::Paid, OrderEvent::Void).is_err());
    for s in OrderStatus::ALL.into_iter().filter(|s| s.is_final()) {
        for e in [
            OrderEvent::Accept,
            OrderEvent::Authorize,
            OrderEvent::Decline,
            OrderEvent::Pay,
            OrderEvent::PayLate,
            OrderEvent::Capture,
            OrderEvent::Void,
            OrderEvent::Expire,
            OrderEvent::Cancel,
            OrderEvent::Refund { rest: Yen(0) },
            OrderEvent::Settle,
        ] {
            assert!(next(s, e).is_err(), "{} {}", s.as_str(), e.as_str());
        }
    }
    // An order awaiting the merchant's acceptance cannot be paid yet.
    assert!(next(OrderStatus::AwaitingAcceptance, OrderEvent::Pay).is_err());
}

#[test]
fn money_after_the_expiry_is_kept_or_given_back_never_dropped() {
    use Arrival::*;
    assert_eq!(
        arrival(OrderStatus::Unpaid, LatePayment::Refund),
        Pays(OrderEvent::Pay)
    );
    assert_eq!(
        arrival(OrderStatus::Declined, LatePayment::Refund),
        Pays(OrderEvent::Pay)
    );
    assert_eq!(
        arrival(OrderStatus::Expired, LatePayment::Accept),
        Pays(OrderEvent::PayLate)
    );
    assert_eq!(
        arrival(OrderStatus::Expired, LatePayment::Refund),
        LateToGiveBack
    );
    // Paid twice (a card, then a konbini slip), or after a cancel: the second goes back.
    assert_eq!(
        arrival(OrderStatus::Paid, LatePayment::Accept),
        TwiceToGiveBack
    );
    assert_eq!(
        arrival(OrderStatus::Cancelled, LatePayment::Accept),
        TwiceToGiveBack
    );
    // Whatever pays, the machine takes it.
    for s in OrderStatus::ALL {
        if let Pays(event) = arrival(s, LatePayment::Accept) {
            assert_eq!(next(s, event).unwrap(), OrderStatus::Paid, "{}", s.as_str());
        }
    }
}

#[test]
fn an_order_is_checked_field_by_field() {
    let o = Order::parse(&input()).unwrap();
    assert_eq!(o.amount, Yen(3_300));
    assert_eq!(o.items[0].name, "Tシャツ", "NFKC");
    assert_eq!(o.expires_in_days, DEFAULT_EXPIRY_DAYS);
    let mut bad = input();
    bad.amount_yen = 3_000;
    bad.items.push(item("", 0, -1));
    bad.buyer_email = Some("nobody".into());
    bad.protection_days = Some(31);
    bad.number = "ORD 1".into();
    let fields: Vec<String> = Order::parse(&bad)
        .unwrap_err()
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert_eq!(
        fields,
        [
            "number",
            "items[2].name",
            "items[2].quantity",
            "items[2].unit_price_yen",
            "buyer_email",
            "protection_days"
        ]
    );
    let mut wrong_total = input();
    wrong_total.amount_yen = 3_000;
    let e = Order::parse(&wrong_total).unwrap_err();
    assert_eq!(e[0].field, "amount_yen");
    assert!(e[0].reason.contains("3300"), "{}", e[0].reason);
    let empty = OrderInput {
        items: vec![],
        ..input()
    };
    assert_eq!(Order::parse(&empty).unwrap_err()[0].field, "items");
}

#[test]
fn the_same_content_reads_into_the_same_order() {
    let a = Order::parse(&input()).unwrap();
    let mut spaced = input();
    spaced.items[0].name = " Ｔシャツ ".into();
    assert_eq!(Order::parse(&spaced).unwrap(), a);
}

#[test]
fn only_an_expired_order_is_paid_late() {
    assert_eq!(
        next(OrderStatus::Expired, OrderEvent::PayLate).unwrap(),
        OrderStatus::Paid
    );
    assert!(next(OrderStatus::Unpaid, OrderEvent::PayLate).is_err());
    assert!(next(OrderStatus::Expired, OrderEvent::Pay).is_err());
    assert_eq!(
        next(OrderStatus::AwaitingAcceptance, OrderEvent::Expire).unwrap(),
        OrderStatus::Expired
    );
}
