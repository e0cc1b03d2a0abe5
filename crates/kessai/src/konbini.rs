//! `kessai konbini`: the collection agent's payment files, from the operator's side (the same
//! service as `POST /v1/operator/konbini-files`).

use crate::bank::{refused, ImportArgs};
use clap::Subcommand;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum KonbiniCommand {
    /// Import an agent's payment file (preliminary or confirmed): each file and each payment once.
    Import(ImportArgs),
}

pub async fn run(command: KonbiniCommand) -> anyhow::Result<ExitCode> {
    let KonbiniCommand::Import(args) = command;
    let (name, bytes) = args.read()?;
    let s = match kessai_server::offline::konbini_import(args.db.config()?, &name, &bytes).await {
        Ok(s) => s,
        Err(e) => return refused(e),
    };
    if s.duplicate_file {
        println!("{name}: this file was already imported; nothing applied");
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{name} ({}): {} payments: {} orders paid, {} reported (preliminary), {} late and accepted, \
         {} late to give back, {} paid twice (to give back), {} unknown, {} seen before",
        s.kind,
        s.records,
        s.applied,
        s.reported,
        s.late_accepted,
        s.late_refund_due,
        s.paid_twice,
        s.unknown,
        s.duplicates
    );
    Ok(ExitCode::SUCCESS)
}
