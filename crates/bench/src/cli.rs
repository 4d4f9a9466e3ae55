//! The command line: one subcommand per scenario, the flags every scenario shares, and
//! their translation into the library's scenario configurations.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use switchboard_bench::clock::nanos;
use switchboard_bench::dialect::run_id;
use switchboard_bench::net::{loopback_sources, parse_addr};
use switchboard_bench::soak::churn::ChurnConfig;
use switchboard_bench::soak::ledger::Window;
use switchboard_bench::{
    Common, ConnectConfig, Dialect, IdleConfig, LatencyConfig, Pacing, Placement, Protocol,
    RelayConfig, Size, SoakConfig,
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
    /// Churn against a 3-node cluster with Redis that it starts itself, killing a node
    /// every --kill-every and restarting Redis once; checks delivery, leftovers, memory and
    /// panics at the end (exit status 1 when a check fails).
    Soak(SoakArgs),
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

#[derive(Args, Debug)]
pub struct SoakArgs {
    /// The `switchboard` binary to run [default: the one next to this program].
    #[arg(long)]
    pub server_bin: Option<PathBuf>,
    /// Where the nodes' and Redis's logs go [default: a new directory under the temp dir].
    #[arg(long)]
    pub run_dir: Option<PathBuf>,
    /// The whole run, warm-up included.
    #[arg(long, default_value = "10m", value_parser = humantime::parse_duration)]
    pub duration: Duration,
    /// Churn without faults first; the memory baseline is read after it.
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration)]
    pub warmup: Duration,
    /// kill -9 a node (n1, n2 in turn; n3 is the memory witness) and restart it this often.
    #[arg(long, default_value = "60s", value_parser = humantime::parse_duration)]
    pub kill_every: Duration,
    /// When to kill -9 Redis and restart it empty, from the start [default: half-way].
    #[arg(long, value_parser = humantime::parse_duration)]
    pub redis_restart_at: Option<Duration>,
    /// Clients churning at once.
    #[arg(long, default_value_t = 60)]
    pub clients: usize,
    /// Rooms they pick from.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..))]
    pub rooms: u32,
    /// Mean stay in a room (each is 0.5 to 1.5 times this).
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
    pub stay: Duration,
    /// Mean gap between two signals of a client.
    #[arg(long, default_value = "250ms", value_parser = humantime::parse_duration)]
    pub signal_every: Duration,
    /// Share of stays that end with an abrupt drop (no leave, no close frame).
    #[arg(long, default_value_t = 0.3)]
    pub drop_ratio: f64,
    /// Longest wait for a connect or an answer to join or leave.
    #[arg(long, default_value = "5s", value_parser = humantime::parse_duration)]
    pub timeout: Duration,
    /// The nodes' --cluster-heartbeat.
    #[arg(long, default_value = "500ms", value_parser = humantime::parse_duration)]
    pub heartbeat: Duration,
    /// A node or Redis counts as down for the loss check until this long after it is back.
    #[arg(long, default_value = "5s", value_parser = humantime::parse_duration)]
    pub fault_settle: Duration,
    /// A signal must arrive if both ends were members from this long before the send…
    #[arg(long, default_value = "1s", value_parser = humantime::parse_duration)]
    pub before: Duration,
    /// …to this long after it.
    #[arg(long, default_value = "2s", value_parser = humantime::parse_duration)]
    pub grace: Duration,
    /// Longest wait for the rooms, connections and keys to reach zero at the end.
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration)]
    pub settle: Duration,
    /// Largest growth of the witness's RSS over its baseline, in percent.
    #[arg(long, default_value_t = 10.0)]
    pub rss_tolerance: f64,
    /// Seed of the clients' choices.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

impl SoakArgs {
    pub fn config(&self) -> Result<SoakConfig, String> {
        let server_bin = match &self.server_bin {
            Some(path) => path.clone(),
            None => sibling_server()?,
        };
        let run_dir = self
            .run_dir
            .clone()
            .unwrap_or_else(|| std::env::temp_dir().join(format!("switchboard-soak-{}", run_id())));
        Ok(SoakConfig {
            server_bin,
            run_dir,
            duration: self.duration,
            warmup: self.warmup,
            kill_every: self.kill_every,
            redis_restart_at: self.redis_restart_at,
            clients: self.clients,
            churn: ChurnConfig {
                nodes: Vec::new(),
                rooms: self.rooms,
                stay: self.stay,
                signal_every: self.signal_every,
                drop_ratio: self.drop_ratio,
                path: "/conference".into(),
                timeout: self.timeout,
            },
            heartbeat: self.heartbeat,
            fault_settle: self.fault_settle,
            window: Window {
                before_ns: nanos(self.before),
                grace_ns: nanos(self.grace),
            },
            end_settle: self.settle,
            rss_tolerance: self.rss_tolerance / 100.0,
            seed: self.seed,
        })
    }
}

/// `switchboard` in this program's directory (cargo builds both into one).
fn sibling_server() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|err| format!("where am I: {err}"))?;
    let server = exe.with_file_name("switchboard");
    if server.is_file() {
        Ok(server)
    } else {
        Err(format!(
            "no {}: build it (cargo build -p switchboard-server) or give --server-bin",
            server.display()
        ))
    }
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
