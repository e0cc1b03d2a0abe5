//! The bank simulator on its own: the same seed and steps give the same files byte for byte,
//! and it answers direct-debit requests with the standard result codes.

mod support;

use std::path::Path;
use support::bank::{files, sim};

/// The same seed and the same steps give the same files, byte for byte; another seed decides
/// differently.
#[test]
fn the_simulator_repeats_exactly_under_a_seed() {
    use kessai_formats::iso20022::{write_pain_001, Account, CreditTransfer, CreditTransferBatch};
    let account = |n: &str| Account {
        bank_code: "0005".into(),
        branch_code: "123".into(),
        account_type: 1,
        account_number: n.into(),
        holder_name: "ｻﾄｳ".into(),
    };
    let batch = CreditTransferBatch {
        message_id: "KESSAI-SEED".into(),
        created_at: "2026-11-24T09:00:00+09:00".into(),
        execution_date: "2026-11-24".into(),
        debtor: account("1234567"),
        transfers: (0..20)
            .map(|i| CreditTransfer {
                end_to_end_id: format!("E2E{i:04}"),
                amount_yen: 1000 + i,
                creditor: account(&format!("{i:07}")),
                remittance: String::new(),
            })
            .collect(),
    };
    let run = |dir: &Path, seed: &str| -> Vec<Vec<u8>> {
        let state = dir.join("bank.json");
        let (st, inbox, outbox) = (state.to_str().unwrap(), dir.join("in"), dir.join("out"));
        std::fs::create_dir_all(&inbox).unwrap();
        std::fs::write(inbox.join("kessai-1.xml"), write_pain_001(&batch)).unwrap();
        sim(&[
            "init",
            "--state",
            st,
            "--seed",
            seed,
            "--reject-rate",
            "0.5",
        ]);
        for i in 0..5 {
            sim(&[
                "transfer",
                "--state",
                st,
                "--from",
                "ﾔﾏﾀﾞ",
                "--amount",
                &(1000 + i).to_string(),
                "--reference",
                "REF",
            ]);
        }
        sim(&[
            "run",
            "--state",
            st,
            "--inbox",
            inbox.to_str().unwrap(),
            "--outbox",
            outbox.to_str().unwrap(),
        ]);
        // Running again answers nothing twice.
        assert!(sim(&[
            "run",
            "--state",
            st,
            "--inbox",
            inbox.to_str().unwrap(),
            "--outbox",
            outbox.to_str().unwrap()
        ])
        .contains("nothing new"));
        files(&outbox)
            .iter()
            .map(|f| std::fs::read(f).unwrap())
            .collect()
    };
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let (a, b, other) = (
        run(dirs[0].path(), "99"),
        run(dirs[1].path(), "99"),
        run(dirs[2].path(), "100"),
    );
    assert_eq!(a, b, "same seed, same files");
    assert_ne!(a, other, "another seed, other decisions");
    let report = String::from_utf8(a[0].clone()).unwrap();
    let (settled, rejected) = (
        report.matches("<TxSts>ACSC</TxSts>").count(),
        report.matches("<TxSts>RJCT</TxSts>").count(),
    );
    assert_eq!(settled + rejected, 20);
    assert!(
        (5..=15).contains(&rejected),
        "about half rejected at rate 0.5, got {rejected}"
    );
}

/// Direct debits: the simulated bank answers a Zengin 91 request with a 91 result whose codes
/// are the standard ones, a valid trailer split, and the same answer under the same seed.
#[test]
fn the_simulator_answers_direct_debit_requests_with_result_codes() {
    use kessai_formats::zengin::debit::{debit_file, debits, Debit, DebitHeader, DebitResult};
    use kessai_formats::zengin::{parse, write};
    let header = DebitHeader {
        collector_code: "0000000007".into(),
        collector_name: "ｹﾂｻｲ".into(),
        debit_date_mmdd: "1127".into(),
        bank_code: "0001".into(),
        bank_name: "ﾐｽﾞﾎ".into(),
        branch_code: "001".into(),
        branch_name: "ﾄｳｷﾖｳ".into(),
        account_type: 1,
        account_number: "1234567".into(),
    };
    let requests: Vec<Debit> = (0..40)
        .map(|i| Debit {
            bank_code: "0005".into(),
            bank_name: String::new(),
            branch_code: "123".into(),
            branch_name: String::new(),
            account_type: 1,
            account_number: format!("{:07}", 1000 + i),
            payer_name: "ﾔﾏﾀﾞ".into(),
            amount_yen: 1_000 + i as u64,
            customer_number: format!("{}", 5000 + i),
            result: DebitResult::Debited,
        })
        .collect();
    let request = write(&debit_file(&header, &requests, false, true).unwrap());
    let answer = |dir: &Path| -> Vec<u8> {
        let (state, inbox, outbox) = (dir.join("bank.json"), dir.join("in"), dir.join("out"));
        std::fs::create_dir_all(&inbox).unwrap();
        std::fs::write(inbox.join("debits-1127.txt"), &request).unwrap();
        sim(&[
            "init",
            "--state",
            state.to_str().unwrap(),
            "--seed",
            "3",
            "--reject-rate",
            "0.5",
        ]);
        sim(&[
            "run",
            "--state",
            state.to_str().unwrap(),
            "--inbox",
            inbox.to_str().unwrap(),
            "--outbox",
            outbox.to_str().unwrap(),
        ]);
        assert!(sim(&[
            "run",
            "--state",
            state.to_str().unwrap(),
            "--inbox",
            inbox.to_str().unwrap(),
            "--outbox",
            outbox.to_str().unwrap()
        ])
        .contains("nothing new"));
        // The result file, and the day's statement booking what was collected in one sum.
        let files = files(&outbox);
        assert_eq!(files.len(), 2, "{files:?}");
        let result = files
            .iter()
            .find(|f| f.to_string_lossy().ends_with("zengin91-result.txt"));
        let statement = files
            .iter()
            .find(|f| f.to_string_lossy().ends_with("camt.053.xml"));
        let statement = std::fs::read_to_string(statement.expect("a statement")).unwrap();
        assert!(statement.contains("DIRECT DEBIT COLLECTION"), "{statement}");
        std::fs::read(result.expect("a result file")).unwrap()
    };
    let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let result = answer(one.path());
    assert_eq!(result, answer(two.path()), "same seed, same answer");
    let parsed = parse(&result).expect("a valid result file: trailer split checked by the parser");
    let answered = debits(&parsed);
    assert_eq!(answered.len(), 40);
    let failed: Vec<u8> = answered
        .iter()
        .map(|d| d.result.code())
        .filter(|c| *c != 0)
        .collect();
    assert!(
        (10..=30).contains(&failed.len()),
        "about half fail at rate 0.5: {failed:?}"
    );
    assert!(
        failed.iter().all(|c| [1, 2, 3, 4, 8, 9].contains(c)),
        "{failed:?}"
    );
    assert!(
        parsed.groups[0].trailer.number("振替済件数")
            + parsed.groups[0].trailer.number("振替不能件数")
            == 40
    );
}
