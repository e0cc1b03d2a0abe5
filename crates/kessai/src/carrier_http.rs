//! `kessai sim carrier --listen ADDR`: the carrier's shipping system over HTTP, as carriers'
//! APIs take a shipment request and answer with its tracking numbers. `POST /v1/shipments`
//! with Kessai's instruction file (Shift_JIS CSV, as `kessai run delivery` writes it) answers
//! `200` with the shipping notice Kessai imports (`POST /v1/operator/carrier-files`), the
//! same as the file simulator's; the same request gets the same notice (tracking numbers come
//! from the seed and the delivery's reference). A file that is not an instruction file is
//! `422` with the reason. The address it listens on is printed first, for whoever started it.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use std::net::SocketAddr;
use std::process::ExitCode;

async fn ship(State(seed): State<u64>, body: Bytes) -> Response {
    match kessai_sim::carrier::ship(&body, seed) {
        Ok(notice) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/csv; charset=Shift_JIS")],
            notice,
        )
            .into_response(),
        Err(e) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("not a delivery instruction file: {e}\n"),
        )
            .into_response(),
    }
}

pub async fn serve(listen: SocketAddr, seed: u64) -> anyhow::Result<ExitCode> {
    let router = Router::new()
        .route("/v1/shipments", post(ship))
        .with_state(seed);
    let listener = tokio::net::TcpListener::bind(listen).await?;
    println!("carrier listening on http://{}", listener.local_addr()?);
    axum::serve(listener, router).await?;
    Ok(ExitCode::SUCCESS)
}
