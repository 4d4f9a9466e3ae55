//! CPU time around the measured window: the servers' (by pid) and the generator's own, so a
//! report can give messages per server CPU-second and show when the generator, not the
//! server, was saturated.

use serde::Serialize;

use super::procfs;
use crate::clock;

/// Readings at the start of the window.
pub struct CpuMeter {
    pids: Vec<u32>,
    servers: Vec<Result<f64, String>>,
    own: f64,
    started_ns: u64,
}

/// CPU spent during the window.
#[derive(Clone, Debug, Default, Serialize)]
pub struct CpuUsage {
    pub wall_seconds: f64,
    pub generator_seconds: f64,
    pub servers: Vec<ServerCpu>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ServerCpu {
    pub pid: u32,
    /// None when /proc could not be read (the reason is in `error`).
    pub seconds: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl CpuMeter {
    pub fn start(pids: &[u32]) -> CpuMeter {
        CpuMeter {
            pids: pids.to_vec(),
            servers: pids.iter().map(|&pid| procfs::cpu_seconds(pid)).collect(),
            own: procfs::own_cpu_seconds(),
            started_ns: clock::now_ns(),
        }
    }

    pub fn stop(self) -> CpuUsage {
        let own = procfs::own_cpu_seconds();
        let wall = (clock::now_ns() - self.started_ns) as f64 / 1e9;
        let servers = self
            .pids
            .iter()
            .zip(self.servers)
            .map(|(&pid, before)| {
                match before.and_then(|before| Ok(procfs::cpu_seconds(pid)? - before)) {
                    Ok(seconds) => ServerCpu {
                        pid,
                        seconds: Some(seconds),
                        error: None,
                    },
                    Err(err) => ServerCpu {
                        pid,
                        seconds: None,
                        error: Some(err),
                    },
                }
            })
            .collect();
        CpuUsage {
            wall_seconds: wall,
            generator_seconds: own - self.own,
            servers,
        }
    }
}

impl CpuUsage {
    /// The servers' CPU seconds added up, when every one could be read.
    pub fn server_seconds(&self) -> Option<f64> {
        if self.servers.is_empty() {
            return None;
        }
        self.servers.iter().map(|server| server.seconds).sum()
    }
}
