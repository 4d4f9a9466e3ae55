//! Just enough HTTP for the soak to read a node's `/readyz` and `/metrics` (one HTTP/1.0 GET
//! per call, so the body ends with the connection), and the Prometheus text parsing its
//! end-state check needs. The load generator has no HTTP client otherwise.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Status and body of `GET path`.
pub async fn get(addr: SocketAddr, path: &str, timeout: Duration) -> Result<(u16, String), String> {
    let exchange = async {
        let mut stream = TcpStream::connect(addr)
            .await
            .map_err(|err| format!("connect {addr}: {err}"))?;
        let request = format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n");
        stream
            .write_all(request.as_bytes())
            .await
            .map_err(|err| format!("GET {path}: {err}"))?;
        let mut raw = Vec::new();
        stream
            .read_to_end(&mut raw)
            .await
            .map_err(|err| format!("GET {path}: {err}"))?;
        parse_response(&String::from_utf8_lossy(&raw))
    };
    tokio::time::timeout(timeout, exchange)
        .await
        .map_err(|_| format!("GET http://{addr}{path}: no answer within {timeout:?}"))?
}

fn parse_response(raw: &str) -> Result<(u16, String), String> {
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("not an HTTP response: {raw:.100}"))?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("no status in {head:.100}"))?;
    Ok((status, body.to_string()))
}

/// The sum of every series of metric `name` (all label sets) in Prometheus text, or `None`
/// when it has none.
pub fn metric_sum(text: &str, name: &str) -> Option<f64> {
    let values: Vec<f64> = text
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter(|line| {
            line.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with('{') || rest.starts_with(' '))
        })
        .filter_map(|line| line.rsplit(' ').next()?.parse().ok())
        .collect();
    (!values.is_empty()).then(|| values.iter().sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_split_into_status_and_body() {
        let raw = "HTTP/1.0 503 Service Unavailable\r\ncontent-length: 2\r\n\r\n{}";
        assert_eq!(parse_response(raw), Ok((503, "{}".to_string())));
        assert!(parse_response("garbage").is_err());
    }

    #[test]
    fn metrics_sum_over_labels_and_ignore_longer_names() {
        let text = "# TYPE switchboard_rooms gauge\nswitchboard_rooms 3\n\
                    switchboard_connections{dialect=\"conference\"} 2\n\
                    switchboard_connections{dialect=\"peerjs\"} 1\n\
                    switchboard_connections_opened_total{dialect=\"peerjs\"} 9\n";
        assert_eq!(metric_sum(text, "switchboard_rooms"), Some(3.0));
        assert_eq!(metric_sum(text, "switchboard_connections"), Some(3.0));
        assert_eq!(metric_sum(text, "switchboard_members"), None);
    }
}
