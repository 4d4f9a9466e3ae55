//! Where the other nodes can be reached over HTTP: each node publishes its `--advertise-url`
//! in its lease, so a node that receives a request for a session another node holds (a
//! Socket.IO long-poll behind a round-robin load balancer) can hand the request over.

use serde::Deserialize;
use switchboard_core::NodeId;
use switchboard_core::bridge::BridgeError;

use crate::bridge::Shared;
use crate::lease::timed;

/// The part of a lease (`lease:<node>`) other nodes read.
#[derive(Deserialize)]
struct Lease {
    advertise: Option<String>,
}

/// The address `node` advertises while its lease lives; `None` for a dead node, or one that
/// advertises none.
pub(crate) async fn advertised(
    shared: &Shared,
    node: &NodeId,
) -> Result<Option<String>, BridgeError> {
    let mut redis = shared.redis.clone();
    let lease: Option<String> = timed(
        shared,
        redis::cmd("GET")
            .arg(shared.keys.lease(node.as_str()))
            .query_async(&mut redis),
    )
    .await?;
    Ok(lease.and_then(|lease| parse(&lease)))
}

fn parse(lease: &str) -> Option<String> {
    serde_json::from_str::<Lease>(lease)
        .ok()?
        .advertise
        .filter(|address| !address.is_empty())
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn a_lease_names_the_advertised_address() {
        let lease = r#"{"node":"n1","advertise":"http://10.0.0.5:8080"}"#;
        assert_eq!(parse(lease).as_deref(), Some("http://10.0.0.5:8080"));
    }

    #[test]
    fn a_lease_without_an_address_names_none() {
        assert_eq!(parse(r#"{"node":"n1","advertise":null}"#), None);
        assert_eq!(parse(r#"{"node":"n1"}"#), None);
        assert_eq!(parse("not json"), None);
    }
}
