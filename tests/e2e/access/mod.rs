//! Who may connect (issue 10): tokens, origins, and the per-address and per-node connection
//! limits, refused before any protocol work with `{"code","message"}`, in every dialect they
//! apply to.

mod limits;
mod origins;
mod rotation;
mod tokens;

use std::net::SocketAddr;

use serde_json::Value;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Error, http::HeaderValue};

/// Tries a WebSocket upgrade to `path` with extra headers: `Ok(())` on 101, else the
/// refusal's status and JSON body.
pub async fn upgrade(
    addr: SocketAddr,
    path: &str,
    headers: &[(&'static str, &str)],
) -> Result<(), (u16, Value)> {
    let mut request = format!("ws://{addr}{path}")
        .into_client_request()
        .expect("a request");
    for (name, value) in headers {
        request
            .headers_mut()
            .insert(*name, HeaderValue::from_str(value).expect("a header value"));
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok(_) => Ok(()),
        Err(Error::Http(response)) => {
            let status = response.status().as_u16();
            let body = response.body().clone().unwrap_or_default();
            let json = serde_json::from_slice(&body).unwrap_or(Value::Null);
            Err((status, json))
        }
        Err(err) => panic!("upgrade {path}: {err}"),
    }
}

/// A refusal's `(status, code)`, and its message is not empty.
pub fn refused(result: Result<(), (u16, Value)>) -> (u16, String) {
    let (status, body) = result.expect_err("the upgrade is refused");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{status} {body}"
    );
    (
        status,
        body["code"].as_str().unwrap_or_default().to_string(),
    )
}
