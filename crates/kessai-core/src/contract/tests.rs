use super::*;

pub fn account(bank: &str, number: &str, holder: &str) -> AccountInput {
    AccountInput {
        bank_code: bank.into(),
        branch_code: "001".into(),
        account_type: "ordinary".into(),
        account_number: number.into(),
        holder_name: holder.into(),
    }
}

fn input() -> ContractInput {
    ContractInput {
        number: "A-0001".into(),
        amount_yen: 120_000,
        buyer: PartyInput {
            name: "株式会社 買手".into(),
            address: "東京都千代田区丸の内1-1".into(),
            account: account("0001", "1234567", "ｶ)ｶｲﾃ"),
            email: None,
        },
        seller: PartyInput {
            name: "売手 商店".into(),
            address: "大阪府大阪市北区梅田2-2".into(),
            account: account("0005", "7654321", "ｳﾘﾃ ｼﾖｳﾃﾝ"),
            email: Some("uri@example.jp".into()),
        },
        goods: GoodsInput {
            name: "工作機械".into(),
            model: "KX-200".into(),
            quantity: 2,
        },
        due_date: None,
        payout: None,
        pooling: None,
    }
}

#[test]
fn a_whole_contract_reads_with_its_defaults() {
    let c = Contract::parse(&input()).unwrap();
    assert_eq!(c.amount, Yen(120_000));
    assert_eq!(c.payout, PayoutWhen::AfterShipment);
    assert_eq!(c.pooling, Pooling::Pooled);
    assert_eq!(c.due_date, None);
    assert_eq!(c.seller.account.holder_name, "ｳﾘﾃ ｼﾖｳﾃﾝ");
}

#[test]
fn text_is_normalized_as_typed_with_a_japanese_input_method() {
    let mut i = input();
    i.number = " Ａ－０００１ ".into();
    i.buyer.account.holder_name = "カ)カイテ".into();
    i.buyer.account.account_number = "１２３４５".into();
    let c = Contract::parse(&i).unwrap();
    assert_eq!(c.number, "A-0001");
    assert_eq!(c.buyer.account.holder_name, "ｶ)ｶｲﾃ");
    assert_eq!(c.buyer.account.account_number, "0012345");
}

#[test]
fn terms_and_a_due_date_are_read() {
    let mut i = input();
    i.due_date = Some("2026-12-25".into());
    i.payout = Some("regardless".into());
    i.pooling = Some("direct".into());
    let c = Contract::parse(&i).unwrap();
    assert_eq!(c.due_date.as_deref(), Some("2026-12-25"));
    assert_eq!(c.due(), parse_date("2026-12-25"));
    assert_eq!(
        (c.payout, c.pooling),
        (PayoutWhen::Regardless, Pooling::Direct)
    );
}

#[test]
fn a_contract_without_pooling_pays_regardless_of_shipment() {
    let mut i = input();
    i.pooling = Some("direct".into());
    assert_eq!(Contract::parse(&i).unwrap().payout, PayoutWhen::Regardless);
    i.payout = Some("after_shipment".into());
    let errors = Contract::parse(&i).unwrap_err();
    assert_eq!(errors[0].field, "payout");
    assert!(errors[0].reason.contains("regardless"), "{errors:?}");
}

#[test]
fn every_problem_is_named_by_its_field_in_order() {
    let mut i = input();
    i.number = "".into();
    i.amount_yen = 0;
    i.buyer.account.bank_code = "12".into();
    i.buyer.account.holder_name = "山田".into();
    i.seller.account.account_type = "checking".into();
    i.goods.quantity = 0;
    i.due_date = Some("2026-02-30".into());
    i.payout = Some("later".into());
    let fields: Vec<String> = Contract::parse(&i)
        .unwrap_err()
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert_eq!(
        fields,
        [
            "number",
            "amount_yen",
            "buyer.account.bank_code",
            "buyer.account.holder_name",
            "seller.account.account_type",
            "goods.quantity",
            "due_date",
            "payout",
        ]
    );
}

#[test]
fn limits_are_the_formats_limits() {
    let mut i = input();
    i.amount_yen = MAX_AMOUNT_YEN;
    assert!(Contract::parse(&i).is_ok());
    i.amount_yen = MAX_AMOUNT_YEN + 1;
    assert!(Contract::parse(&i).is_err());
    let mut i = input();
    i.buyer.address = "a".repeat(MAX_ADDRESS_CHARS + 1);
    assert_eq!(Contract::parse(&i).unwrap_err()[0].field, "buyer.address");
    let mut i = input();
    i.goods.name = "x\u{7}".into();
    assert_eq!(
        Contract::parse(&i).unwrap_err()[0].reason,
        "must not contain control characters"
    );
}

#[test]
fn only_a_debited_contract_moves_money_and_its_journal_balances() {
    let main = PaidInto::Main;
    let j = DebitOutcome::Debited.journal(Yen(7_000), &main).unwrap();
    assert!(j.validate().is_ok());
    assert_eq!(j.debited(AccountKind::BankClearing), 7_000);
    let collection = PaidInto::Collection("0005".into());
    let j = DebitOutcome::Debited
        .journal(Yen(7_000), &collection)
        .unwrap();
    assert_eq!(j.debited(AccountKind::CollectionBank), 7_000);
    assert_eq!(j.credited(AccountKind::Held), 7_000);
    assert_eq!(
        DebitOutcome::Debited.journal(Yen(7_000), &PaidInto::Seller),
        None,
        "money debited straight to the seller never passes through Kessai's books"
    );
    for o in DebitOutcome::ALL {
        assert_eq!(DebitOutcome::parse(o.as_str()), Some(o));
        assert_eq!(
            o.journal(Yen(1), &main).is_some(),
            o == DebitOutcome::Debited
        );
    }
    for into in [main, collection, PaidInto::Seller] {
        assert_eq!(PaidInto::parse(&into.to_stored()), Some(into));
    }
    assert_eq!(PaidInto::parse("collection:05"), None);
    assert_eq!(DebitOutcome::NoAccount.debit_state(), debit::FAILED);
    let w = payout::WAITING;
    assert_eq!(status(debit::FAILED, delivery::WAITING, w), "debit_failed");
    assert_eq!(
        status(debit::NOT_REQUESTED, delivery::SHIPPED, w),
        "shipped",
        "a bill ships before its debit"
    );
    assert_eq!(
        status(debit::DEBITED, delivery::SHIPPED, payout::INSTRUCTED),
        "payout_instructed"
    );
    assert_eq!(
        status(debit::DEBITED, delivery::WAITING, payout::PAID),
        "paid",
        "a site that ships after the payout"
    );
}

#[test]
fn a_partys_email_is_optional_and_checked() {
    let c = Contract::parse(&input()).unwrap();
    assert_eq!(c.seller.email.as_deref(), Some("uri@example.jp"));
    assert_eq!(c.buyer.email, None);
    for bad in [
        "no-at-sign",
        "a@b",
        "a b@example.jp",
        "@example.jp",
        "a@example..jp",
    ] {
        let mut i = input();
        i.buyer.email = Some(bad.into());
        let errors = Contract::parse(&i).unwrap_err();
        assert_eq!(errors[0].field, "buyer.email", "{bad}");
    }
}
