//! The command line: one subcommand per scenario, the flags every scenario shares, and
//! their translation into the library's scenario configurations.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use switchboard_bench::net::{loopback_sources, parse_addr};
use switchboard_bench::{
    Common, ConnectConfig, Dialect, IdleConfig, LatencyConfig, Pacing, Placement, Protocol,
    RelayConfig, Size,
};

#[derive(Parser, Debug)]
#[command(
    name = "switchboard-bench",
    version,
    about = "Load generator for Switchboard and other servers of the peerjs and conference \
             dialects: relay throughput, open-loop latency, connection storms, idle memory."
)]
pub struct Cli {
    /// Runtime threads: 1 (the default) runs everything on one thread.
    #[arg(long, global = true, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: u16,
    /// Print exactly one JSON object on stdout instead of the table.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Closed loop: pairs ping-pong as fast as the server relays.
    Relay(RelayArgs),
    /// Open loop: messages sent on a fixed schedule; latency from the due time.
    Latency(LatencyArgs),
    /// Connection storm: connections per second until the greeting.
    Connect(ConnectArgs),
    /// Hold idle connections and read the server's memory per connection.
    Idle(IdleArgs),
    /// relay or latency with each pair's peers on two servers (sender on A, receiver on B).
    #[command(subcommand)]
    Cluster(ClusterCommand),
}

#[derive(Subcommand, Debug)]
pub enum ClusterCommand {
    Relay(ClusterRelayArgs),
    Latency(ClusterLatencyArgs),
}

#[derive(Args, Debug)]
pub struct Server {
    /// The server, as HOST:PORT or ws://HOST:PORT.
    #[arg(long, visible_alias = "url", default_value = "127.0.0.1:8080", value_parser = parse_addr)]
    pub addr: SocketAddr,
}

#[derive(Args, Debug)]
pub struct TwoServers {
    /// Where peer A of each pair connects (HOST:PORT or ws://HOST:PORT).
    #[arg(long, value_parser = parse_addr)]
    pub addr_a: SocketAddr,
    /// Where peer B of each pair connects.
    #[arg(long, value_parser = parse_addr)]
    pub addr_b: SocketAddr,
}

#[derive(Args, Debug)]
pub struct CommonArgs {
    #[arg(long, value_enum, default_value = "peerjs")]
    pub dialect: Dialect,
    /// PeerJS key.
    #[arg(long, default_value = "peerjs")]
    pub key: String,
    /// PeerJS path (the server's --peerjs-path, peerjs-server's `path`).
    #[arg(long, default_value = "/")]
    pub path: String,
    /// Conference endpoint.
    #[arg(long, default_value = "/conference")]
    pub conference_path: String,
    /// Bind outgoing sockets to these local addresses in turn (e.g. 127.0.0.2,127.0.0.3).
    #[arg(long, value_delimiter = ',', conflicts_with = "source_addr_count")]
    pub source_addrs: Vec<IpAddr>,
    /// Bind outgoing sockets to 127.0.0.2, 127.0.0.3, … (this many) in turn.
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=250))]
    pub source_addr_count: Option<u8>,
    /// A server process whose CPU time (and, for idle, memory) to read; repeatable.
    #[arg(long = "server-pid")]
    pub server_pids: Vec<u32>,
    /// Longest wait for a connect, an upgrade or a reply, and longest silence while running.
    #[arg(long, default_value = "5s", value_parser = humantime::parse_duration)]
    pub timeout: Duration,
}

#[derive(Args, Debug)]
pub struct RelayLoad {
    /// Pairs of peers.
    #[arg(long, default_value_t = 10)]
    pub pairs: usize,
    /// candidate: ~300 B frames; offer: ~2 KiB frames.
    #[arg(long, value_enum, default_value = "candidate")]
    pub size: Size,
    /// Messages in flight per pair.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub window: u32,
    /// Measured time.
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
    pub duration: Duration,
    /// Unmeasured time before it.
    #[arg(long, default_value = "2s", value_parser = humantime::parse_duration)]
    pub warmup: Duration,
}

#[derive(Args, Debug)]
pub struct LatencyLoad {
    #[arg(long, default_value_t = 10)]
    pub pairs: usize,
    /// Messages per second offered, all pairs together.
    #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub rate: u64,
    #[arg(long, value_enum, default_value = "candidate")]
    pub size: Size,
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
    pub duration: Duration,
    #[arg(long, default_value = "2s", value_parser = humantime::parse_duration)]
    pub warmup: Duration,
    /// spin: precise sends, a busy generator core; timer: up to ~1 ms late, idle core.
    #[arg(long, value_enum, default_value = "spin")]
    pub pacing: Pacing,
}

#[derive(Args, Debug)]
pub struct RelayArgs {
    #[command(flatten)]
    pub server: Server,
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(flatten)]
    pub load: RelayLoad,
}

#[derive(Args, Debug)]
pub struct LatencyArgs {
    #[command(flatten)]
    pub server: Server,
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(flatten)]
    pub load: LatencyLoad,
}

#[derive(Args, Debug)]
pub struct ClusterRelayArgs {
    #[command(flatten)]
    pub servers: TwoServers,
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(flatten)]
    pub load: RelayLoad,
}

#[derive(Args, Debug)]
pub struct ClusterLatencyArgs {
    #[command(flatten)]
    pub servers: TwoServers,
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(flatten)]
    pub load: LatencyLoad,
}

#[derive(Args, Debug)]
pub struct ConnectArgs {
    #[command(flatten)]
    pub server: Server,
    #[command(flatten)]
    pub common: CommonArgs,
    /// Connections to open.
    #[arg(long, default_value_t = 10_000)]
    pub total: usize,
    /// Connections being opened at once.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// Keep every connection open until all are made (default: close each at once).
    #[arg(long)]
    pub keep_open: bool,
}

#[derive(Args, Debug)]
pub struct IdleArgs {
    #[command(flatten)]
    pub server: Server,
    #[command(flatten)]
    pub common: CommonArgs,
    /// Connections to open and hold.
    #[arg(long, default_value_t = 1000)]
    pub connections: usize,
    /// Connections being opened at once.
    #[arg(long, default_value_t = 256)]
    pub concurrency: usize,
    /// How long to hold them once all are open (settle time included).
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration)]
    pub hold: Duration,
    /// Wait after the last connection opened before reading the servers' memory.
    #[arg(long, default_value = "3s", value_parser = humantime::parse_duration)]
    pub settle: Duration,
}

impl CommonArgs {
    pub fn common(&self, threads: u16) -> Common {
        let sources = match self.source_addr_count {
            Some(count) => loopback_sources(count),
            None => self.source_addrs.clone(),
        };
        Common {
            protocol: Protocol {
                dialect: self.dialect,
                key: self.key.clone(),
                path: self.path.clone(),
                conference_path: self.conference_path.clone(),
            },
            sources,
            timeout: self.timeout,
            server_pids: self.server_pids.clone(),
            threads: usize::from(threads),
        }
    }
}

impl RelayLoad {
    pub fn config(&self, common: Common, placement: Placement) -> RelayConfig {
        RelayConfig {
            common,
            placement,
            pairs: self.pairs,
            size: self.size,
            window: self.window as usize,
            duration: self.duration,
            warmup: self.warmup,
        }
    }
}

impl LatencyLoad {
    pub fn config(&self, common: Common, placement: Placement) -> LatencyConfig {
        LatencyConfig {
            common,
            placement,
            pairs: self.pairs,
            rate: self.rate,
            size: self.size,
            duration: self.duration,
            warmup: self.warmup,
            pacing: self.pacing,
        }
    }
}

impl ConnectArgs {
    pub fn config(&self, threads: u16) -> ConnectConfig {
        ConnectConfig {
            common: self.common.common(threads),
            server: self.server.addr,
            total: self.total,
            concurrency: self.concurrency,
            keep_open: self.keep_open,
        }
    }
}

impl IdleArgs {
    pub fn config(&self, threads: u16) -> IdleConfig {
        IdleConfig {
            common: self.common.common(threads),
            server: self.server.addr,
            connections: self.connections,
            concurrency: self.concurrency,
            hold: self.hold,
            settle: self.settle,
        }
    }
}

impl TwoServers {
    pub fn placement(&self) -> Placement {
        Placement {
            a: self.addr_a,
            b: self.addr_b,
        }
    }
}
