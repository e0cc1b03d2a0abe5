//! Kessai's money logic: a pure core with no I/O, no clock and no randomness of its own.
//!
//! The shell (store + server) loads state, calls a function here with the current time and any
//! random values it drew, and saves what comes back — new state, ledger journals, outbound
//! instructions and notices — in one database transaction.

pub mod bank_account;
pub mod calendar;
pub mod check;
pub mod contract;
pub mod deal;
pub mod deal_id;
pub mod fees;
pub mod instruction;
pub mod kana;
pub mod ledger;
pub mod matching;
pub mod money;
pub mod notice;
pub mod order;
pub mod reconcile;
pub mod suspense;
pub mod sweep;
pub mod text;
pub mod time;

pub use bank_account::{AccountType, BankAccount};
pub use deal::{
    Deal, DealCommand, DealError, DealState, Instruction, InstructionPurpose, Transition,
};
pub use deal_id::{DealId, DealIdError};
pub use fees::FeeRule;
pub use ledger::{AccountKind, Journal, JournalKind, Line};
pub use money::Yen;
pub use notice::{Notice, NoticeKind, Party};
pub use time::Millis;
