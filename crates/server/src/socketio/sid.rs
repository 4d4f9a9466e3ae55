//! Engine.IO session ids that name their node. Behind a round-robin load balancer the
//! requests of one polling session reach every node; the node in the sid tells the one that
//! received a request where the session lives, with no lookup (see [`super::handover`]).
//!
//! A sid is `<node>_<secret>`: the node id in URL-safe base64 (node ids may hold any
//! character), an underscore, and 32 random hex characters (122 bits), so only the
//! characters of engine.io's own sids (`[A-Za-z0-9_-]`). The secret's fixed length tells
//! where the node ends, though base64url has `_` too. A node id too long for the codec's
//! 128-byte limit leaves the sid without a node: such a node's sessions cannot be reached
//! through another node.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use switchboard_core::NodeId;
use switchboard_protocol::socketio::engineio::MAX_SID_BYTES;

const SECRET_CHARS: usize = 32;

/// A new random sid naming `node`.
pub fn new_sid(node: &NodeId) -> String {
    let secret = uuid::Uuid::new_v4().simple().to_string();
    let node = URL_SAFE_NO_PAD.encode(node.as_str());
    if node.len() + 1 + SECRET_CHARS > MAX_SID_BYTES {
        return secret;
    }
    format!("{node}_{secret}")
}

/// Whether sids of `node` can name it (see the module docs).
pub fn names_its_node(node: &NodeId) -> bool {
    node_of(&new_sid(node)).as_ref() == Some(node)
}

/// The node a sid names, if it names one.
pub fn node_of(sid: &str) -> Option<NodeId> {
    let node_end = sid.len().checked_sub(SECRET_CHARS + 1)?;
    let node = sid.get(..node_end)?;
    let secret = sid.get(node_end..)?.strip_prefix('_')?;
    if node.is_empty() || !secret.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(node).ok()?;
    let node = String::from_utf8(bytes).ok()?;
    (!node.is_empty()).then(|| NodeId::new(node))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sid_names_its_node() {
        for node in ["node1", "n", "node with spaces/ünïcode.dots", "a.b.c"] {
            let node = NodeId::new(node);
            let sid = new_sid(&node);
            assert_eq!(node_of(&sid), Some(node.clone()), "{sid}");
            assert!(sid.len() <= MAX_SID_BYTES);
            assert!(
                sid.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b)),
                "{sid} is not URL-safe"
            );
        }
    }

    #[test]
    fn sids_differ() {
        let node = NodeId::new("node1");
        assert_ne!(new_sid(&node), new_sid(&node));
    }

    #[test]
    fn a_node_id_too_long_leaves_the_sid_without_a_node() {
        let node = NodeId::new("n".repeat(100));
        let sid = new_sid(&node);
        assert_eq!(sid.len(), SECRET_CHARS);
        assert_eq!(node_of(&sid), None);
        assert!(!names_its_node(&node));
        assert!(names_its_node(&NodeId::new("n".repeat(60))));
    }

    #[test]
    fn sids_from_elsewhere_name_no_node() {
        let secret = "0123456789abcdef0123456789abcdef";
        for sid in [
            "".to_owned(),
            "abc".to_owned(),
            secret.to_owned(),
            format!("_{secret}"),
            format!("!!!_{secret}"),
            format!("/w_{secret}"),
            format!("bm9kZTE_{}", &secret[1..]),
            format!("bm9kZTE_{}x", &secret[1..]),
            format!("bm9kZTE.{secret}"),
            format!("bmé_{secret}"),
        ] {
            assert_eq!(node_of(&sid), None, "{sid:?}");
        }
    }
}
