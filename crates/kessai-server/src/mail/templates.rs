//! The text of every email, in Japanese and English. One function per notice kind keeps the
//! wording of a step in one place.

use crate::bank_master::BankMaster;
use crate::i18n::{format_jst, Lang};
use crate::words;
use kessai_core::notice::{NoticeKind, RefundReason};
use kessai_core::{BankAccount, InstructionPurpose, Party, Yen};

/// What a template may mention besides the notice itself.
pub struct MailContext<'a> {
    pub lang: Lang,
    pub role: Party,
    /// The recipient's own deal ID.
    pub public_id: &'a str,
    pub item: &'a str,
    pub price: Yen,
    /// The reference the buyer quotes when paying: the buyer's deal ID.
    pub payment_reference: Option<&'a str>,
    pub collection_account: &'a BankAccount,
    /// The recipient's own account: where its payout or refund goes (shown masked).
    pub own_account: &'a BankAccount,
    /// For the seller once the money is held: the buyer's name and shipping address.
    pub ship_to: Option<(&'a str, &'a str)>,
    /// The recipient's deal page, as an absolute address.
    pub deal_url: &'a str,
    pub bank_master: Option<&'a BankMaster>,
}

fn reason_text(lang: Lang, reason: RefundReason) -> &'static str {
    match reason {
        RefundReason::Overpayment => lang.t(
            "お支払いが代金を超えていたため",
            "you paid more than the price",
        ),
        RefundReason::NotShipped => lang.t(
            "期限までに発送がなかったため",
            "the seller did not ship by the deadline",
        ),
        RefundReason::NotPaid => lang.t(
            "期限までにお支払いが揃わなかったため",
            "payment was not complete by the deadline",
        ),
        RefundReason::Operator => {
            lang.t("運営者が取引を終了したため", "the operator ended the deal")
        }
        RefundReason::LatePayment => lang.t(
            "取引終了後にお支払いが届いたため",
            "the payment arrived after the deal had ended",
        ),
    }
}

/// Subject line and body text for one notice.
pub fn render(kind: &NoticeKind, cx: &MailContext<'_>) -> (String, String) {
    let l = cx.lang;
    let (subject, lines): (&str, Vec<String>) = match kind {
        NoticeKind::Registered => (
            l.t("取引の登録を受け付けました", "Your deal registration was received"),
            vec![
                format!("{}: {}", l.t("あなたの取引ID", "Your deal ID"), cx.public_id),
                l.t("このIDと登録したパスワードで取引ページを開けます。", "Use this ID and your password to open the deal page.").into(),
                l.t("相手方の登録と内容が一致すると、取引が成立します。", "The deal is agreed once the other party's registration matches.").into(),
            ],
        ),
        NoticeKind::Mismatch { fields, registered_by } => (
            l.t("登録内容が相手方と一致しません", "Your registration does not match the other party's"),
            mismatch_lines(cx, fields, *registered_by),
        ),
        NoticeKind::Agreed => (
            l.t("取引が成立しました", "Your deal is agreed"),
            vec![l.t("買主と売主の登録内容が一致しました。", "The buyer's and the seller's registrations match.").into()],
        ),
        NoticeKind::PaymentInstructions { amount, pay_by, payer_code } => (
            l.t("お支払いのご案内", "How to pay"),
            vec![
                format!("{}: {amount}", l.t("お支払い金額", "Amount")),
                format!("{}: {}", l.t("振込先", "Pay to"), words::account(l, cx.collection_account, cx.bank_master)),
                format!("{}: {}", l.t("振込依頼人名の前に付ける参照番号", "Reference to quote before your name"), cx.payment_reference.unwrap_or(cx.public_id)),
                format!("{}: {}", l.t("お支払い期限", "Pay by"), format_jst(*pay_by)),
                format!(
                    "{}: {}",
                    l.t("振込依頼人コード（銀行で指定できる場合）", "Transferor code (where your bank lets you give one)"),
                    payer_code.as_deref().unwrap_or("-")
                ),
            ],
        ),
        NoticeKind::RemainderRequested { received, remaining } => (
            l.t("ご入金が不足しています", "Your payment is short"),
            vec![
                format!("{}: {received}", l.t("ご入金済み", "Received so far")),
                format!("{}: {remaining}", l.t("不足額", "Still to pay")),
                l.t("不足額をお振込みください。全額の入金まで取引は進みません。", "Please transfer the remainder. The deal waits until it is paid in full.").into(),
            ],
        ),
        NoticeKind::Funded { excess } => {
            let mut lines = vec![l.t("代金の入金を確認しました。売主に発送を依頼しました。", "Your payment is complete. The seller has been asked to ship.").into()];
            if excess.is_positive() {
                lines.push(format!("{}: {excess}", l.t("過入金額", "Overpaid")));
                lines.push(format!(
                    "{}: {}",
                    l.t("過入金は取引の終了時に返金します。返金先", "The overpayment is returned when the deal ends, to"),
                    words::account_masked(l, cx.own_account, cx.bank_master)
                ));
            }
            (l.t("ご入金を確認しました", "Payment received"), lines)
        }
        NoticeKind::ShipRequested { ship_by } => (
            l.t("商品を発送してください", "Please ship the item"),
            {
                let mut lines = vec![
                    l.t("買主の代金をお預かりしました。商品を発送し、取引ページで発送を報告してください。", "The buyer's money is held. Ship the item and report the shipment on the deal page.").into(),
                    format!("{}: {}", l.t("発送期限", "Ship by"), format_jst(*ship_by)),
                ];
                if let Some((name, address)) = cx.ship_to {
                    lines.push(format!("{}: {name}", l.t("お届け先のお名前", "Ship to")));
                    lines.push(format!("{}: {address}", l.t("お届け先住所", "Address")));
                }
                lines
            },
        ),
        NoticeKind::PaymentReversed => (
            l.t("入金が取り消されました。発送しないでください", "The payment was reversed: do not ship"),
            vec![l.t(
                "銀行が買主からの入金を取り消しました。再度入金が確認できるまで発送しないでください。",
                "The bank took the buyer's payment back. Do not ship until the payment arrives again.",
            )
            .into()],
        ),
        NoticeKind::Shipped { tracking } => (
            l.t("商品が発送されました", "Your item has been shipped"),
            vec![
                format!("{}: {}", l.t("追跡番号", "Tracking number"), tracking.as_deref().unwrap_or("-")),
                l.t("受け取ったら、取引ページで受取を確認してください。", "When it arrives, confirm receipt on the deal page.").into(),
            ],
        ),
        NoticeKind::PayoutInstructed { amount, fee } => (
            l.t("代金の送金を指示しました", "Your payout has been instructed"),
            vec![
                format!("{}: {amount}", l.t("送金額", "Payout")),
                format!("{}: {fee}", l.t("手数料", "Fee")),
                format!("{}: {}", l.t("送金先", "To"), words::account_masked(l, cx.own_account, cx.bank_master)),
                instructed_not_done(l).into(),
            ],
        ),
        NoticeKind::Completed => (
            l.t("取引が完了しました", "Your deal is complete"),
            vec![l.t("受取の確認ありがとうございました。", "Thank you for confirming receipt.").into()],
        ),
        NoticeKind::RefundInstructed { amount, reason } => (
            l.t("返金を指示しました", "A refund has been instructed"),
            vec![
                format!("{}: {amount}", l.t("返金額", "Refund")),
                format!("{}: {}", l.t("理由", "Reason"), reason_text(l, *reason)),
                format!("{}: {}", l.t("返金先", "To"), words::account_masked(l, cx.own_account, cx.bank_master)),
                instructed_not_done(l).into(),
            ],
        ),
        NoticeKind::Cancelled { reason } => (
            l.t("取引は終了しました", "Your deal has ended"),
            vec![format!("{}: {}", l.t("理由", "Reason"), reason_text(l, *reason))],
        ),
        NoticeKind::TransferCompleted { purpose, amount } => transfer_news(
            cx,
            *purpose,
            *amount,
            [("返金が完了しました", "Your refund has been paid"), ("代金の送金が完了しました", "Your payout has been paid")],
            ("銀行が振込を完了しました。", "The bank has made the transfer."),
        ),
        NoticeKind::TransferFailed { purpose, amount } => transfer_news(
            cx,
            *purpose,
            *amount,
            [("返金を振り込めませんでした", "Your refund could not be paid"), ("代金を振り込めませんでした", "Your payout could not be paid")],
            (
                "銀行がこの口座へ振り込めませんでした。運営者が口座を確認し、改めて振り込みます。口座に誤りがあれば運営者にご連絡ください。",
                "The bank could not pay into this account. The operator checks the account and sends the money again; if the account is wrong, please tell the operator.",
            ),
        ),
    };
    let role = match cx.role {
        Party::Buyer => l.t("買主", "buyer"),
        Party::Seller => l.t("売主", "seller"),
    };
    let mut body = format!("{} ({role}) {}\n\n", l.t("取引", "Deal"), cx.public_id);
    body.push_str(&format!(
        "{}: {}\n{}: {}\n\n",
        l.t("商品", "Item"),
        cx.item,
        l.t("代金", "Price"),
        cx.price
    ));
    for line in lines {
        body.push_str(&line);
        body.push('\n');
    }
    body.push_str(&format!(
        "\n{}: {}\n",
        l.t("取引ページ", "Deal page"),
        cx.deal_url
    ));
    body.push_str(&format!(
        "\n-- \nKessai {}\n",
        l.t("エスクローサービス", "escrow service")
    ));
    (format!("[Kessai] {subject} ({})", cx.public_id), body)
}

/// Who registered what, which fields differ, and what to do next: either party may be the one
/// who got it wrong.
fn mismatch_lines(cx: &MailContext<'_>, fields: &[String], registered_by: Party) -> Vec<String> {
    let l = cx.lang;
    let other = words::party(l, cx.role.other());
    let what = match (registered_by == cx.role, l) {
        (true, Lang::Ja) => format!("あなたの登録内容が{other}の登録と一致しませんでした。"),
        (true, Lang::En) => format!("Your registration does not match {other}'s."),
        (false, Lang::Ja) => format!("{other}が登録した内容が、あなたの登録と一致しませんでした。"),
        (false, Lang::En) => {
            format!("{other} registered this deal, and it does not match your registration.")
        }
    };
    let next = match l {
        Lang::Ja => format!("次にすること: 取引ページであなたの登録内容を確認し、誤りがあればその場で訂正してください（取引IDは変わりません）。あなたの内容が正しければ、{other}に訂正を依頼してください。一致するまで取引は進みません。"),
        Lang::En => format!("What to do next: check your registration on the deal page and correct it there if it is wrong (your deal ID stays the same). If yours is right, ask {other} to correct theirs. Nothing proceeds until both match."),
    };
    vec![
        what,
        format!(
            "{}: {}",
            l.t("一致しない項目", "Fields that differ"),
            words::field_list(l, fields)
        ),
        next,
    ]
}

fn instructed_not_done(l: Lang) -> &'static str {
    l.t(
        "銀行への振込を指示しました。振込が完了するまで数営業日かかることがあります。完了は取引ページでご確認いただけます。",
        "The transfer has been instructed to the bank; it can take a few business days to complete. The deal page shows when it has.",
    )
}

type Words = (&'static str, &'static str);

/// What the bank did with a payout or refund: the subject (`[refund, payout]`), the amount, the
/// recipient's own account (masked) and what it means.
fn transfer_news(
    cx: &MailContext<'_>,
    purpose: InstructionPurpose,
    amount: Yen,
    subjects: [Words; 2],
    note: Words,
) -> (&'static str, Vec<String>) {
    let l = cx.lang;
    let (ja, en) = subjects[usize::from(purpose != InstructionPurpose::Refund)];
    let lines = vec![
        format!("{}: {amount}", l.t("金額", "Amount")),
        format!(
            "{}: {}",
            l.t("振込先", "To"),
            words::account_masked(l, cx.own_account, cx.bank_master)
        ),
        l.t(note.0, note.1).into(),
    ];
    (l.t(ja, en), lines)
}
