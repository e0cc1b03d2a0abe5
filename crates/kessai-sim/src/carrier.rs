//! A carrier (宅配便): it reads the operator's delivery instructions (`kessai_formats::carrier`),
//! picks each parcel up on the day given, and answers with a shipping notice that gives each
//! delivery its tracking number (送り状番号, 12 digits, decided by the seed so runs repeat).

use kessai_formats::carrier::{read_instructions, write_notices, CarrierError, Notice};

/// SplitMix64, as the bank simulator draws.
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A tracking number for this reference: 12 digits, the same for the same seed.
pub fn tracking_number(seed: u64, reference: &str) -> String {
    let h = reference.bytes().fold(seed, |h, b| mix(h ^ u64::from(b)));
    format!("{:012}", h % 1_000_000_000_000)
}

/// The shipping notice for an instruction file: every parcel shipped on its planned day.
pub fn ship(instructions: &[u8], seed: u64) -> Result<Vec<u8>, CarrierError> {
    let notices: Vec<Notice> = read_instructions(instructions)?
        .into_iter()
        .map(|i| Notice {
            tracking_number: tracking_number(seed, &i.reference),
            shipped_on: i.ship_date,
            reference: i.reference,
        })
        .collect();
    write_notices(&notices)
}
