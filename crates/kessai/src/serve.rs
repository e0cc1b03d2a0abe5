//! `kessai serve`: runs until interrupted.

use crate::options::ServeArgs;
use std::process::ExitCode;

pub async fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let config = args.config()?;
    let running = kessai_server::start(config).await?;
    println!("kessai listening on http://{}", running.addr);
    for (i, bank) in running.app.config.banks.iter().enumerate() {
        let a = &bank.account;
        let role = if i == 0 {
            "main: payouts leave from it"
        } else {
            "collection"
        };
        println!(
            "bank {}-{} {} {} ({role}; requester {}, 振込指定区分 {})",
            a.bank_code,
            a.branch_code,
            a.account_number,
            a.holder_name,
            bank.requester_code,
            bank.designation.code()
        );
    }
    if running.app.config.operator_token.is_none() {
        println!("operator API closed: set --operator-token to open it");
    }
    tokio::select! {
        _ = tokio::signal::ctrl_c() => println!("stopping"),
        _ = running.handle => {}
    }
    Ok(ExitCode::SUCCESS)
}
