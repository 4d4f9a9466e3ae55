//! Opening WebSockets the way a load generator must: TCP_NODELAY on, small tungstenite
//! buffers when there are many sockets, and, when asked, each socket bound to the next of
//! several loopback source addresses so that one address's ephemeral ports are not the
//! limit (the port is picked at connect time, `IP_BIND_ADDRESS_NO_PORT`).

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{WebSocketStream, client_async_with_config};

/// A client WebSocket over plain TCP.
pub type Ws = WebSocketStream<TcpStream>;

/// Opens WebSockets; cheap to clone (the source rotation is shared).
#[derive(Clone, Debug)]
pub struct Dialer {
    sources: Arc<[IpAddr]>,
    next_source: Arc<AtomicUsize>,
    config: WebSocketConfig,
    /// For the TCP connect and the upgrade together.
    timeout: Duration,
}

impl Dialer {
    /// `read_buffer`: tungstenite's eagerly allocated read buffer per socket. Writes are
    /// buffered (up to tungstenite's default 128 KiB) until the caller flushes.
    pub fn new(sources: Vec<IpAddr>, timeout: Duration, read_buffer: usize) -> Dialer {
        let config = WebSocketConfig::default()
            .read_buffer_size(read_buffer)
            .max_message_size(Some(1 << 20))
            .max_frame_size(Some(1 << 20));
        Dialer {
            sources: sources.into(),
            next_source: Arc::new(AtomicUsize::new(0)),
            config,
            timeout,
        }
    }

    /// How long one connect, upgrade or handshake reply may take.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Opens `ws://ADDR<path_and_query>`.
    pub async fn open(&self, addr: SocketAddr, path_and_query: &str) -> Result<Ws, String> {
        match tokio::time::timeout(self.timeout, self.open_now(addr, path_and_query)).await {
            Ok(result) => result,
            Err(_) => Err(format!(
                "upgrade to {addr} timed out after {:?}",
                self.timeout
            )),
        }
    }

    async fn open_now(&self, addr: SocketAddr, path_and_query: &str) -> Result<Ws, String> {
        let stream = self.tcp(addr).await?;
        let url = format!("ws://{addr}{path_and_query}");
        let (ws, _) = client_async_with_config(url.as_str(), stream, Some(self.config))
            .await
            .map_err(|err| format!("upgrade to {url}: {err}"))?;
        Ok(ws)
    }

    async fn tcp(&self, addr: SocketAddr) -> Result<TcpStream, String> {
        let socket = match addr {
            SocketAddr::V4(_) => TcpSocket::new_v4(),
            SocketAddr::V6(_) => TcpSocket::new_v6(),
        }
        .map_err(|err| format!("socket: {err}"))?;
        if !self.sources.is_empty() {
            let n = self.next_source.fetch_add(1, Ordering::Relaxed);
            let source = self.sources[n % self.sources.len()];
            bind_no_port(&socket);
            socket
                .bind(SocketAddr::new(source, 0))
                .map_err(|err| format!("bind {source}: {err}"))?;
        }
        let stream = socket
            .connect(addr)
            .await
            .map_err(|err| format!("connect {addr}: {err}"))?;
        stream
            .set_nodelay(true)
            .map_err(|err| format!("TCP_NODELAY: {err}"))?;
        Ok(stream)
    }
}

/// Lets the kernel pick the source port at connect time, per destination, instead of at
/// bind time across all destinations. Best effort: without it, bind still works.
fn bind_no_port(socket: &TcpSocket) {
    let one: libc::c_int = 1;
    // SAFETY: setsockopt on a socket we own, with a c_int option value of the right size.
    unsafe {
        libc::setsockopt(
            socket.as_raw_fd(),
            libc::IPPROTO_IP,
            libc::IP_BIND_ADDRESS_NO_PORT,
            (&one as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        );
    }
}

/// A server address from `HOST:PORT` or `ws://HOST:PORT[/]`.
pub fn parse_addr(text: &str) -> Result<SocketAddr, String> {
    let rest = text.strip_prefix("ws://").unwrap_or(text);
    let host_port = rest.strip_suffix('/').unwrap_or(rest);
    if host_port.contains('/') {
        return Err(format!(
            "{text}: give the server as HOST:PORT or ws://HOST:PORT; paths are --path and \
             --conference-path"
        ));
    }
    host_port
        .to_socket_addrs()
        .map_err(|err| format!("{text}: {err}"))?
        .next()
        .ok_or_else(|| format!("{text}: no address"))
}

/// `count` loopback source addresses from 127.0.0.2 on.
pub fn loopback_sources(count: u8) -> Vec<IpAddr> {
    (0..count)
        .map(|n| IpAddr::from([127, 0, 0, 2 + n]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_parse_with_or_without_a_scheme() {
        let want: SocketAddr = "127.0.0.1:9000".parse().unwrap();
        assert_eq!(parse_addr("127.0.0.1:9000"), Ok(want));
        assert_eq!(parse_addr("ws://127.0.0.1:9000"), Ok(want));
        assert_eq!(parse_addr("ws://127.0.0.1:9000/"), Ok(want));
        assert!(parse_addr("ws://127.0.0.1:9000/conference").is_err());
        assert_eq!(
            loopback_sources(2),
            [
                "127.0.0.2".parse::<IpAddr>().unwrap(),
                "127.0.0.3".parse().unwrap()
            ]
        );
    }
}
