//! `kessai carrier`: the carrier's files, from the operator's side (the same service as
//! `POST /v1/operator/carrier-files`).

use crate::bank::{refused, ImportArgs};
use clap::Subcommand;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum CarrierCommand {
    /// Import the carrier's shipping notice (CSV): each delivery it names is shipped, once.
    Import(ImportArgs),
}

pub async fn run(command: CarrierCommand) -> anyhow::Result<ExitCode> {
    let CarrierCommand::Import(args) = command;
    let (name, bytes) = args.read()?;
    let s = match kessai_server::offline::carrier_import(args.db.config()?, &name, &bytes).await {
        Ok(s) => s,
        Err(e) => return refused(e),
    };
    if let Some(at) = s.already_imported_at_ms {
        println!(
            "{}: this file was already imported ({}); nothing applied",
            s.name,
            kessai_server::i18n::format_jst(kessai_core::Millis(at))
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{}: {} rows: {} shipped, {} already shipped (skipped), {} conflicts, {} unknown (not applied)",
        s.name, s.records, s.shipped, s.duplicates, s.conflicts, s.unknown
    );
    for o in s
        .outcomes
        .iter()
        .filter(|o| matches!(o.outcome, "conflict" | "unknown"))
    {
        println!(
            "  row {}: {} {} ({})",
            o.row, o.reference, o.outcome, o.tracking_number
        );
    }
    Ok(ExitCode::SUCCESS)
}
