//! The peerjs dialect: a peer connects with its id and token and is ready at `OPEN`; it
//! sends `{"type","dst","payload"}` and its partner receives the same with `src` added.

use std::net::SocketAddr;

use futures_util::SinkExt;
use serde_json::Value;

use super::{Link, Protocol, next_text};
use crate::net::{Dialer, Ws};
use crate::payload::{self, Size};
use crate::stamp::{MARKER, PLACEHOLDER};
use crate::template::Template;

/// Connects as `id` (token `t`) and waits for `OPEN`.
pub async fn open(
    protocol: &Protocol,
    dialer: &Dialer,
    addr: SocketAddr,
    id: &str,
) -> Result<Ws, String> {
    let query = format!(
        "{}peerjs?key={}&id={id}&token=t&version=1.5.4",
        protocol.path, protocol.key
    );
    let mut ws = dialer.open(addr, &query).await?;
    let first = next_text(&mut ws, dialer.timeout())
        .await
        .map_err(|err| format!("{id}: waiting for OPEN: {err}"))?;
    let json: Value = serde_json::from_str(&first).unwrap_or_default();
    if json["type"] != "OPEN" {
        let _ = ws.close(None).await;
        return Err(format!("{id}: expected OPEN, got {first}"));
    }
    Ok(ws)
}

pub async fn open_pair(
    protocol: &Protocol,
    dialer: &Dialer,
    (a, b): (SocketAddr, SocketAddr),
    name: &str,
    size: Size,
) -> Result<(Link, Link), String> {
    let (a_id, b_id) = (format!("{name}a"), format!("{name}b"));
    let a_ws = open(protocol, dialer, a, &a_id).await?;
    let mut b_ws = match open(protocol, dialer, b, &b_id).await {
        Ok(ws) => ws,
        Err(err) => return Err(close_after(a_ws, err).await),
    };
    // A heartbeat first, as the npm client does; also proves B's socket writes.
    let _ = b_ws
        .send(protocol.heartbeat().expect("peerjs has one"))
        .await;
    let (a_kind, b_kind) = match size {
        Size::Candidate => ("CANDIDATE", "CANDIDATE"),
        Size::Offer => ("OFFER", "ANSWER"),
    };
    let a_out = frame(a_kind, &b_id, size);
    let b_out = frame(b_kind, &a_id, size);
    Ok((
        Link {
            ws: a_ws,
            out: a_out,
        },
        Link {
            ws: b_ws,
            out: b_out,
        },
    ))
}

async fn close_after(mut ws: Ws, err: String) -> String {
    let _ = ws.close(None).await;
    err
}

/// Connection ids as the npm client makes them (a prefix and 10 random characters).
const DATA_CONNECTION: &str = "dc_w8x2k5q1mz";
const MEDIA_CONNECTION: &str = "mc_r4t7y2u9ip";

/// The frame a peer sends to `dst`, its payload shaped as the npm client's.
fn frame(kind: &str, dst: &str, size: Size) -> Template {
    let body = match size {
        Size::Candidate => format!(
            r#""candidate":{},"type":"data","connectionId":"{DATA_CONNECTION}""#,
            payload::ice_candidate()
        ),
        Size::Offer => format!(
            r#""sdp":{},"type":"media","connectionId":"{MEDIA_CONNECTION}","browser":"chrome","label":"call""#,
            payload::session_description(&kind.to_lowercase())
        ),
    };
    Template::new(format!(
        r#"{{"type":"{kind}","dst":"{dst}","payload":{{{body},{MARKER}{PLACEHOLDER}"}}}}"#
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_json_of_the_advertised_sizes() {
        let candidate = frame("CANDIDATE", "peer-b", Size::Candidate);
        let offer = frame("OFFER", "peer-b", Size::Offer);
        for template in [&candidate, &offer] {
            let tungstenite_text = template.message(5, 6).into_text().unwrap();
            let json: Value = serde_json::from_str(&tungstenite_text).unwrap();
            assert_eq!(json["dst"], "peer-b");
            assert!(json["payload"].is_object());
        }
        assert!((250..400).contains(&candidate.len()), "{}", candidate.len());
        assert!((1800..2400).contains(&offer.len()), "{}", offer.len());
    }
}
