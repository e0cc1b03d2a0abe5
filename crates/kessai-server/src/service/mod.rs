//! The shell around the core: load, call `kessai_core`, save the result in one transaction.
//! Pages and the API both go through here, so a step behaves the same however it arrives.

pub mod amend;
pub mod api_key;
pub mod auth;
pub mod bank_answers;
pub mod bank_export;
pub mod bank_import;
pub mod carrier_import;
pub mod contract;
pub mod credit;
pub mod deal_ops;
pub mod debit_collection;
pub mod debit_results;
pub mod debit_run;
pub mod delivery_run;
pub mod entry;
pub mod field_error;
pub mod merchant;
pub mod notify;
pub mod order;
pub mod pairing;
pub mod payment;
pub mod payout_run;
pub mod register;
pub mod session;
pub mod settlement_list;
pub mod site;
pub mod suspense;
pub mod sweep;
pub mod transact;
pub mod view;
