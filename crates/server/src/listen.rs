//! The listening socket, bound before anything else starts: the cluster publishes this
//! node's address with its lease (`--advertise-url`), and with `--listen` on port 0 the port
//! is known only once bound.

use std::net::{SocketAddr, TcpListener, ToSocketAddrs};

use socket2::{Domain, Protocol, Socket, Type};

/// Pending connections the kernel queues before accept: as actix-web's own `bind`, so a
/// connection storm is not refused at the door.
const BACKLOG: i32 = 1024;

/// Binds the first address `listen` resolves to that can be bound.
pub fn bind(listen: &str) -> std::io::Result<TcpListener> {
    let mut last = None;
    for addr in listen.to_socket_addrs()? {
        match bind_one(addr) {
            Ok(listener) => return Ok(listener),
            Err(err) => last = Some(err),
        }
    }
    Err(last.unwrap_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("--listen {listen} names no address"),
        )
    }))
}

fn bind_one(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(BACKLOG)?;
    Ok(socket.into())
}

/// Where other nodes reach this one: `--advertise-url` when given; else the bound address,
/// with the host name in place of an unspecified IP (`0.0.0.0` or `::`), which other hosts
/// cannot dial.
pub fn advertise_url(configured: Option<&str>, bound: SocketAddr) -> String {
    if let Some(url) = configured {
        return url.trim_end_matches('/').to_owned();
    }
    if bound.ip().is_unspecified() {
        return format!("http://{}:{}", host_name(), bound.port());
    }
    format!("http://{bound}")
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "localhost".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_configured_url_wins_without_its_trailing_slash() {
        let bound = "0.0.0.0:8080".parse().unwrap();
        assert_eq!(
            advertise_url(Some("http://node1:8080/"), bound),
            "http://node1:8080"
        );
    }

    #[test]
    fn a_specific_address_is_advertised_as_bound() {
        let bound = "127.0.0.1:41234".parse().unwrap();
        assert_eq!(advertise_url(None, bound), "http://127.0.0.1:41234");
        let bound = "[::1]:8080".parse().unwrap();
        assert_eq!(advertise_url(None, bound), "http://[::1]:8080");
    }

    #[test]
    fn an_unspecified_address_is_advertised_by_host_name() {
        let bound = "0.0.0.0:8080".parse().unwrap();
        let url = advertise_url(None, bound);
        assert!(
            url.starts_with("http://") && url.ends_with(":8080"),
            "{url}"
        );
        assert!(!url.contains("0.0.0.0"), "{url}");
    }

    #[test]
    fn port_zero_is_bound_to_a_real_port() {
        let listener = bind("127.0.0.1:0").unwrap();
        assert_ne!(listener.local_addr().unwrap().port(), 0);
    }
}
