//! Kessai's bank file formats: pure parse and write, no I/O. The only crate that knows byte
//! layouts. Each format keeps its layout as data (one table per record type), so a bank whose
//! specification differs is a table change, not a code change.

pub mod card;
pub mod carrier;
mod days;
pub mod detect;
pub mod iso20022;
mod iso_camt;
mod iso_camt_entry;
pub mod iso_debit;
pub mod iso_identity;
#[cfg(test)]
mod iso_inbound_tests;
pub mod iso_notification;
mod iso_pain;
pub mod iso_statement;
pub mod iso_status;
mod iso_values;
mod iso_xml;
pub mod konbini;
pub mod spreadsheet_csv;
pub mod zengin;
