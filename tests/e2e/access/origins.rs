//! `--allowed-origins`: a browser page of another site gets 403 before any protocol work, on
//! every dialect's upgrade and HTTP request; listed origins and subdomain patterns pass, and
//! so do clients that send no `Origin` (not a browser).

use super::{refused, upgrade};
use crate::harness::{Server, http};

const ALLOWED: &str = "https://app.example.com,https://*.example.org";

#[tokio::test]
async fn only_listed_origins_connect_in_every_dialect() {
    let server = Server::start(&["--allowed-origins", ALLOWED]);
    let addr = server.node(0).addr();
    let sockets = [
        "/conference",
        "/peerjs?key=peerjs&id=o&token=t",
        "/socket.io/?EIO=4&transport=websocket",
    ];
    for path in sockets {
        for origin in ["https://evil.example", "https://example.org", "null"] {
            assert_eq!(
                refused(upgrade(addr, path, &[("origin", origin)]).await),
                (403, "forbidden_origin".to_string()),
                "{path} from {origin}"
            );
        }
        for origin in ["https://app.example.com", "https://a.example.org"] {
            upgrade(addr, path, &[("origin", origin)])
                .await
                .unwrap_or_else(|refusal| panic!("{path} from {origin}: {refusal:?}"));
        }
        upgrade(addr, path, &[])
            .await
            .expect("no Origin: not a browser");
    }
    for path in ["/peerjs/id", "/socket.io/?EIO=4&transport=polling"] {
        let response = http::get_with(addr, path, &["Origin: https://evil.example"])
            .await
            .unwrap();
        assert_eq!(response.status, 403, "{path}: {response:?}");
        assert!(response.body.contains("forbidden_origin"), "{response:?}");
        let response = http::get_with(addr, path, &["Origin: https://app.example.com"])
            .await
            .unwrap();
        assert_eq!(response.status, 200, "{path}: {response:?}");
    }
}
