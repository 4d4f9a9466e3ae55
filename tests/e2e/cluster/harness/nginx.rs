//! nginx in front of the nodes, as in production: round-robin over the nodes, WebSocket
//! upgrades passed through. The config comes from deploy/nginx/test.conf.template, written
//! into a temp dir that also holds nginx's pid, logs and temp files; the process runs in the
//! foreground on a free loopback port and is killed on drop.

use std::fs::File;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::util::TempDir;
use crate::harness::{free_port, http};

const TEMPLATE: &str = include_str!("../../../../deploy/nginx/test.conf.template");
const START_TIMEOUT: Duration = Duration::from_secs(10);

pub struct Nginx {
    child: Child,
    addr: SocketAddr,
    dir: TempDir,
}

impl Nginx {
    /// Writes the config for `upstreams`, starts nginx and waits until /healthz answers 200
    /// through it.
    pub async fn start(upstreams: &[SocketAddr]) -> Nginx {
        let binary = binary();
        let dir = TempDir::new("nginx");
        let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
        let config = render(&binary, &dir, addr, upstreams);
        let mut nginx = Nginx::spawn(&binary, dir, &config, addr);
        nginx.wait_serving().await;
        nginx
    }

    /// Starts nginx with `config`, written into `dir` (which then belongs to the nginx), and
    /// returns at once: the caller knows how to tell that this config serves. `addr` is what
    /// [`Nginx::addr`] answers.
    pub fn spawn(binary: &Path, dir: TempDir, config: &str, addr: SocketAddr) -> Nginx {
        let file = dir.path().join("nginx.conf");
        std::fs::write(&file, config).expect("write nginx.conf");
        let stderr = File::create(dir.path().join("stderr.log")).expect("create stderr.log");
        let child = Command::new(binary)
            .arg("-c")
            .arg(&file)
            .arg("-p")
            .arg(dir.path())
            .arg("-e")
            .arg(dir.path().join("error.log"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .unwrap_or_else(|err| panic!("spawn {}: {err}", binary.display()));
        Nginx { child, addr, dir }
    }

    /// True while the process runs; a config nginx refuses makes it exit at once.
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// nginx's error log and stderr so far, for failure messages.
    pub fn logs(&self) -> String {
        let read =
            |name: &str| std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_default();
        format!("{}{}", read("stderr.log"), read("error.log"))
    }

    async fn wait_serving(&mut self) {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            assert!(self.running(), "nginx exited at start:\n{}", self.logs());
            let serving = http::get(self.addr, "/healthz")
                .await
                .is_ok_and(|response| response.status == 200 && response.body == "ok");
            if serving {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "nginx on {} did not serve /healthz within {START_TIMEOUT:?}:\n{}",
                self.addr,
                self.logs()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The template with this run's paths, port and upstream servers.
fn render(binary: &Path, dir: &TempDir, listen: SocketAddr, upstreams: &[SocketAddr]) -> String {
    let servers: String = upstreams
        .iter()
        .map(|addr| format!("        server {addr} max_fails=3 fail_timeout=10s;\n"))
        .collect();
    let path = dir.path().display().to_string();
    TEMPLATE
        .replace("@DIR@", &path)
        .replace("@LISTEN@", &listen.to_string())
        .replace("@SERVERS@", servers.trim_end())
        .replace("@MORE_TEMP_PATHS@", &more_temp_paths(binary, &path))
}

/// Temp paths of the modules this nginx was built with (a build without one of them would
/// refuse its directive; one with it would try the system default path).
pub fn more_temp_paths(binary: &Path, dir: &str) -> String {
    let built = Command::new(binary)
        .arg("-V")
        .output()
        .map(|output| String::from_utf8_lossy(&output.stderr).into_owned())
        .unwrap_or_default();
    ["fastcgi", "uwsgi", "scgi"]
        .iter()
        .filter(|module| !built.contains(&format!("--without-http_{module}_module")))
        .map(|module| format!("    {module}_temp_path {dir}/{module};\n"))
        .collect::<String>()
        .trim_end()
        .to_string()
}

/// /usr/sbin/nginx, or nginx on the PATH; panics with the fix when neither exists.
pub fn binary() -> PathBuf {
    let system = PathBuf::from("/usr/sbin/nginx");
    if system.exists() {
        return system;
    }
    Command::new("which")
        .arg("nginx")
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| PathBuf::from(String::from_utf8_lossy(&output.stdout).trim()))
        .filter(|path| path.exists())
        .unwrap_or_else(|| {
            panic!(
                "nginx is not installed; the cluster tests need it: run scripts/install-test-deps"
            )
        })
}
