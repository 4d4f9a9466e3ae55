//! Graceful drain: on SIGTERM or SIGINT the node stops being ready, tells every session to
//! leave its rooms and close (1001), waits for them up to the drain timeout, then stops.
//! A second signal stops at once.

use std::time::{Duration, Instant};

use actix_web::dev::ServerHandle;
use actix_web::web;
use tokio::signal::unix::{SignalKind, signal};

use crate::state::AppState;

pub async fn on_signal(state: web::Data<AppState>, server: ServerHandle, drain_timeout: Duration) {
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        log::error!("cannot listen for SIGTERM/SIGINT; drain on signal is off");
        return;
    };
    tokio::select! {
        _ = term.recv() => log::info!("SIGTERM: draining"),
        _ = int.recv() => log::info!("SIGINT: draining"),
    }
    tokio::select! {
        _ = drain(&state, drain_timeout) => server.stop(true).await,
        _ = term.recv() => server.stop(false).await,
        _ = int.recv() => server.stop(false).await,
    }
}

async fn drain(state: &AppState, timeout: Duration) {
    state.start_draining();
    state.connections.shutdown_all();
    let deadline = Instant::now() + timeout.saturating_sub(Duration::from_millis(1500));
    while state.connections.count() > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Let the close frames reach the clients before the server drops the sockets.
    tokio::time::sleep(Duration::from_millis(200)).await;
    if let Some(cluster) = &state.cluster {
        cluster.goodbye().await;
    }
    log::info!("drained; {} connection(s) left", state.connections.count());
}
