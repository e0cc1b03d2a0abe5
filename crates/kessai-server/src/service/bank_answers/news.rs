//! Telling a party what the bank did with its money: its payout or refund has been paid, or
//! could not be paid. The emails at instruction time only say it was instructed.

use crate::error::AppResult;
use crate::service::deal_ops;
use crate::service::notify::notify;
use crate::App;
use kessai_core::instruction::InstructionStatus;
use kessai_core::{InstructionPurpose, NoticeKind, Yen};
use kessai_store::{InstructionState, Tx};

pub(super) async fn tell(
    app: &App,
    tx: &mut Tx,
    state: &InstructionState,
    now: InstructionStatus,
) -> AppResult<()> {
    let Some(deal_id) = &state.deal_id else {
        return Ok(());
    };
    let (purpose, amount) = (state.purpose, Yen(state.amount_yen));
    let kind = match now {
        InstructionStatus::Completed => NoticeKind::TransferCompleted { purpose, amount },
        InstructionStatus::Rejected => NoticeKind::TransferFailed { purpose, amount },
        _ => return Ok(()),
    };
    let (_, parties) = deal_ops::load(tx, deal_id).await?;
    let to = match purpose {
        InstructionPurpose::Payout => &parties.seller,
        InstructionPurpose::Refund => &parties.buyer,
        InstructionPurpose::Return => return Ok(()),
    };
    notify(app, tx, to, &kind).await
}
