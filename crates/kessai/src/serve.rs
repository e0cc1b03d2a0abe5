//! `kessai serve`: runs until interrupted.

use crate::options::ServeArgs;
use std::process::ExitCode;

pub async fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let config = args.config()?;
    let running = kessai_server::start(config).await?;
    println!("kessai listening on http://{}", running.addr);
    if running.app.config.operator_token.is_none() {
        println!("operator API closed: set --operator-token to open it");
    }
    tokio::select! {
        _ = tokio::signal::ctrl_c() => println!("stopping"),
        _ = running.handle => {}
    }
    Ok(ExitCode::SUCCESS)
}
