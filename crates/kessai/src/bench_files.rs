//! `kessai bench reconcile` and `kessai bench export`: the bank-file work measured on its own.

use crate::bench_support::peak_mib;
use kessai_core::reconcile::{match_reference, Match};
use kessai_core::{Deal, DealCommand, DealId, Millis, Yen};
use kessai_formats::iso20022::{self, CreditTransfer, CreditTransferBatch};
use kessai_formats::zengin::{self, transfer};
use std::collections::HashMap;
use std::process::ExitCode;
use std::time::Instant;

/// A transferor name the way payers write the reference: before or after the name, spaced,
/// hyphenated or lower case, or only in the EDI field.
fn reference(i: usize, id: &str) -> (String, String) {
    match i % 5 {
        0 => (format!("ﾔﾏﾀﾞ ﾀﾛｳ {id}"), String::new()),
        1 => (format!("{id} ｽｽﾞｷ ｼﾞﾛｳ"), String::new()),
        2 => (format!("{} {} ｻﾄｳ", &id[..5], &id[5..]), String::new()),
        3 => (format!("ｶ)ﾃｽﾄｼﾖｳｼﾞ {}", id.to_lowercase()), String::new()),
        _ => ("ﾀﾅｶ ｲﾁﾛｳ".to_string(), id.to_string()),
    }
}

pub fn reconcile(n: usize) -> ExitCode {
    println!("bench reconcile: {n} incoming transfers against {n} open deals");
    let ids: Vec<DealId> = (0..n)
        .map(|_| kessai_server::secrets::new_deal_id())
        .collect();
    let index: HashMap<DealId, usize> = ids
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, id)| (id, i))
        .collect();
    let mut deals: Vec<Deal> = (0..n)
        .map(|i| Deal::agreed(Yen(1_000 + (i as i64 % 90_000)), Yen(0), Millis(0), 7, 7))
        .collect();
    let records: Vec<(String, String, i64)> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let (name, edi) = reference(i, id.as_str());
            // Most pay exactly; every seventh pays short and every eleventh too much.
            let price = deals[i].price.0;
            let amount = if i % 7 == 0 {
                price / 2
            } else if i % 11 == 0 {
                price + 500
            } else {
                price
            };
            (name, edi, amount)
        })
        .collect();
    println!("prepared in memory; peak so far {:.0} MiB", peak_mib());

    let started = Instant::now();
    let (mut matched, mut funded, mut unmatched) = (0usize, 0usize, 0usize);
    for (name, edi, amount) in &records {
        match match_reference(&[name.as_str(), edi.as_str()], |id| index.get(id).copied()) {
            Match::One(i) => {
                matched += 1;
                let t = deals[i]
                    .apply(
                        &DealCommand::Pay {
                            amount: Yen(*amount),
                        },
                        Millis(1),
                    )
                    .expect("payments always apply");
                funded += usize::from(t.deal.state == kessai_core::DealState::Funded);
                deals[i] = t.deal;
            }
            Match::None | Match::Ambiguous(_) => unmatched += 1,
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!("matched {matched}, funded {funded}, unmatched {unmatched}, in {elapsed:.2} s");
    println!("peak memory: {:.0} MiB", peak_mib());
    println!("records/s: {:.0}", n as f64 / elapsed);
    if matched == n {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

pub fn export(n: usize) -> ExitCode {
    println!("bench export: {n} payouts");
    let transfers: Vec<transfer::Transfer> = (0..n)
        .map(|i| transfer::Transfer {
            bank_code: format!("{:04}", i % 9000),
            bank_name: String::new(),
            branch_code: format!("{:03}", i % 1000),
            branch_name: String::new(),
            account_type: 1,
            account_number: format!("{:07}", i % 10_000_000),
            payee_name: "ｻﾄｳ ﾊﾅｺ".into(),
            amount_yen: 1_000 + (i as u64 % 90_000),
            edi: Some(format!("K{:09}", i % 1_000_000_000)),
        })
        .collect();
    let header = transfer::TransferHeader {
        requester_code: "0000000001".into(),
        requester_name: "ｹﾂｻｲ".into(),
        value_date_mmdd: "1124".into(),
        bank_code: "0001".into(),
        bank_name: String::new(),
        branch_code: "001".into(),
        branch_name: String::new(),
        account_type: 1,
        account_number: "1234567".into(),
        designation: Default::default(),
    };
    // Files of at most MAX_PER_FILE records, as `bank export` writes them.
    let per_file = kessai_server::service::bank_export::MAX_PER_FILE as usize;
    let started = Instant::now();
    let mut bytes = 0;
    for chunk in transfers.chunks(per_file) {
        let file = transfer::transfer_file(&header, chunk, true).expect("valid transfers");
        bytes += zengin::write(&file).len();
    }
    let zengin_s = started.elapsed().as_secs_f64();
    println!(
        "zengin 21: {bytes} bytes in {} file(s), {zengin_s:.2} s",
        n.div_ceil(per_file)
    );

    let account = |number: String, name: &str| iso20022::Account {
        bank_code: "0005".into(),
        branch_code: "123".into(),
        account_type: 1,
        account_number: number,
        holder_name: name.into(),
    };
    let batch = CreditTransferBatch {
        message_id: "KESSAI-BENCH".into(),
        created_at: "2026-11-24T09:00:00+09:00".into(),
        execution_date: "2026-11-24".into(),
        debtor: account("1234567".into(), "ｹﾂｻｲ"),
        transfers: transfers
            .iter()
            .enumerate()
            .map(|(i, t)| CreditTransfer {
                end_to_end_id: format!("E2E{i:012}"),
                amount_yen: t.amount_yen,
                creditor: account(t.account_number.clone(), &t.payee_name),
                remittance: t.edi.clone().unwrap_or_default(),
            })
            .collect(),
    };
    let started = Instant::now();
    let xml = iso20022::write_pain_001(&batch);
    let iso_s = started.elapsed().as_secs_f64();
    println!("pain.001: {} bytes in one message, {iso_s:.2} s", xml.len());
    println!("peak memory: {:.0} MiB", peak_mib());
    println!("zengin records/s: {:.0}", n as f64 / zengin_s);
    println!("iso20022 records/s: {:.0}", n as f64 / iso_s);
    ExitCode::SUCCESS
}
