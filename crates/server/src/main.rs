//! `switchboard`: a clustered WebRTC signaling server.
//!
//! Parses the flags, starts the core and the HTTP server, and drains on SIGTERM or SIGINT.

mod access;
mod conference;
mod config;
mod demo;
mod http;
mod limits;
mod listen;
mod metrics;
mod peerjs;
mod rooms;
mod shutdown;
mod socketio;
mod state;
mod ws;

use std::sync::Arc;

use actix_web::middleware::DefaultHeaders;
use actix_web::{App, HttpServer, web};
use clap::Parser;
use switchboard_cluster::RedisBridge;
use switchboard_core::bridge::{Bridge, MemoryBus};
use switchboard_core::{Hub, NodeId, RoomLimits};

use config::{Config, SocketSettings};
use state::AppState;

/// The response header that names the node which served a request.
const NODE_HEADER: &str = "x-switchboard-node";

fn main() -> std::io::Result<()> {
    let config = Config::parse();
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    actix_web::rt::System::new().block_on(run(config))
}

async fn run(config: Config) -> std::io::Result<()> {
    let metrics = metrics::install().map_err(std::io::Error::other)?;
    let node = NodeId::new(config.node_id());
    let workers = config.workers();
    let listener = listen::bind(&config.listen)?;
    let advertise = listen::advertise_url(config.advertise_url.as_deref(), listener.local_addr()?);
    let (bridge, cluster): (Arc<dyn Bridge>, _) = match config.cluster(advertise) {
        Some(cluster_config) => {
            log::info!(
                "node {node}: cluster mode, Redis at {}, reached by the other nodes at {}",
                cluster_config.redis_url,
                cluster_config.advertise.as_deref().unwrap_or_default()
            );
            if !socketio::names_its_node(&node) {
                log::warn!(
                    "node id {node} is too long to name in Socket.IO sids: polling clients \
                     reach this node's sessions only with sticky sessions"
                );
            }
            let redis =
                RedisBridge::start(node.clone(), cluster_config).map_err(std::io::Error::other)?;
            (redis.clone(), Some(redis))
        }
        None => (Arc::new(MemoryBus::new().bridge(node.clone())), None),
    };
    let room_limits = RoomLimits {
        max_members: config.max_room_members,
    };
    let hub = Hub::start_with(bridge, workers, room_limits);
    let sockets = SocketSettings::from(&config);
    let peerjs = peerjs::PeerjsSettings::from(&config);
    let cleanup_interval = peerjs.cleanup_interval;
    let access = Arc::new(access::Access::from_config(&config).map_err(std::io::Error::other)?);
    let socketio = socketio::SocketioState::new(
        socketio::SocketioSettings::from(&config),
        hub.clone(),
        access.clone(),
    );
    if config.redis_url.is_some() && access.any_origin() {
        log::warn!(
            "node {node}: --allowed-origins is `*`: pages of any site may connect; \
             list your sites' origins in production"
        );
    }
    let state = web::Data::new(AppState::new(
        hub.clone(),
        sockets,
        metrics.clone(),
        cluster,
        peerjs,
        access.clone(),
    ));

    let demo = demo::DemoSettings::new(config.demo, config.ice_servers.as_ref());
    if config.demo {
        log::info!("node {node}: the demo page is at /demo/ (--demo false turns it off)");
    }

    let app_state = state.clone();
    // Every response names the node that served it: through a load balancer, this is how a
    // client (or an operator with curl) sees where a request landed.
    let served_by = node.to_string();
    let server = HttpServer::new(move || {
        App::new()
            .wrap(actix_web::middleware::from_fn(access::check_origin))
            // Outermost, so refusals name the node too.
            .wrap(DefaultHeaders::new().add((NODE_HEADER, served_by.as_str())))
            .app_data(app_state.clone())
            .app_data(web::Data::from(app_state.access.clone()))
            .route("/healthz", web::get().to(http::healthz))
            .route("/readyz", web::get().to(http::readyz))
            .route("/metrics", web::get().to(http::metrics))
            .route("/conference", web::get().to(conference::upgrade))
            .configure(|service| socketio::configure(&socketio, service))
            .configure(|service| demo::configure(&demo, service))
            // Last: with the default path "/" the PeerJS scope takes every other path.
            .configure(|service| peerjs::configure(&app_state.peerjs, service))
    })
    .workers(workers)
    // Signals are small frames that must leave at once: Nagle's algorithm would hold each
    // behind the previous one's ACK (and the peer's delayed ACK), adding up to 40 ms.
    .tcp_nodelay(true)
    .disable_signals()
    .shutdown_timeout(1)
    .listen(listener)?;
    for addr in server.addrs() {
        log::info!("node {node} listening on {addr}");
    }
    let server = server.run();
    actix_web::rt::spawn(peerjs::expire_queues(hub, cleanup_interval));
    actix_web::rt::spawn(access::reload_on_hangup(access));
    actix_web::rt::spawn(shutdown::on_signal(
        state,
        server.handle(),
        config.drain_timeout,
    ));
    actix_web::rt::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
        loop {
            tick.tick().await;
            metrics.run_upkeep();
        }
    });
    server.await?;
    log::info!("node {node} stopped");
    Ok(())
}
