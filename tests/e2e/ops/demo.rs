//! The demo page at `/demo/`: served from the binary by default with the right content types,
//! its WebSocket's same-origin upgrade admitted with the default settings, `/demo` redirected
//! with its query, `--ice-servers` handed to the page (and checked at start-up), and
//! `--demo false` / `SWITCHBOARD_DEMO=false` turning it all off. The page itself is tested in
//! a real browser by tests/browser.

use std::process::Command;

use crate::access::upgrade;
use crate::harness::node::BIN;
use crate::harness::{Server, http};

const MODULES: [&str; 5] = ["app.js", "signaling.js", "peer.js", "ui.js", "config.js"];

#[tokio::test]
async fn the_demo_is_served_by_default() {
    let server = Server::start(&[]);
    for node in server.nodes() {
        let addr = node.addr();
        let page = http::get(addr, "/demo/").await.unwrap();
        assert_eq!(page.status, 200, "{page:?}");
        assert_eq!(
            page.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        assert!(
            page.body.contains(r#"<script type="module" src="app.js">"#),
            "{}",
            page.body
        );
        for id in ["chat-input", "chat-send", "tiles", "status"] {
            assert!(page.body.contains(&format!(r#"id="{id}""#)), "no #{id}");
        }
        let csp = page.header("content-security-policy").unwrap_or_default();
        assert!(csp.contains("connect-src 'self'"), "{page:?}");

        for module in MODULES {
            let file = http::get(addr, &format!("/demo/{module}")).await.unwrap();
            assert_eq!(file.status, 200, "{module}: {file:?}");
            assert_eq!(
                file.header("content-type"),
                Some("text/javascript; charset=utf-8"),
                "{module}"
            );
        }
        let css = http::get(addr, "/demo/style.css").await.unwrap();
        assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
        let config = http::get(addr, "/demo/config.js").await.unwrap();
        assert!(
            config.body.contains("export const iceServers = [];"),
            "no ICE servers by default: {}",
            config.body
        );

        let redirect = http::get(addr, "/demo?room=x&name=A").await.unwrap();
        assert_eq!(redirect.status, 308, "{redirect:?}");
        assert_eq!(redirect.header("location"), Some("demo/?room=x&name=A"));
        for missing in ["/demo/nope.js", "/demo/../Cargo.toml", "/demo/index.html/x"] {
            let response = http::get(addr, missing).await.unwrap();
            assert_eq!(response.status, 404, "{missing}: {response:?}");
        }

        // The page opens its socket to its own origin; the default --allowed-origins admits it.
        let origin = format!("http://{addr}");
        upgrade(addr, "/conference", &[("origin", &origin)])
            .await
            .unwrap_or_else(|refusal| panic!("the demo's own origin is refused: {refusal:?}"));
    }
}

#[tokio::test]
async fn demo_false_turns_the_page_off() {
    let by_flag = Server::start(&["--demo", "false"]);
    let by_env = Server::start_with_env(&[], &[("SWITCHBOARD_DEMO", "false")]);
    for server in [&by_flag, &by_env] {
        let addr = server.node(0).addr();
        for path in ["/demo", "/demo/", "/demo/app.js", "/demo/config.js"] {
            let response = http::get(addr, path).await.unwrap();
            assert_eq!(response.status, 404, "{path}: {response:?}");
        }
        // The rest of the node is unaffected.
        assert_eq!(server.node(0).http_get("/healthz").await.0, 200);
    }
}

#[tokio::test]
async fn ice_servers_reach_the_page() {
    let ice = r#"[{"urls":["stun:stun.example.com:3478","turn:turn.example.com:3478"],"username":"u","credential":"p"}]"#;
    let server = Server::start(&["--ice-servers", ice]);
    let config = server.node(0).http_get("/demo/config.js").await.1;
    let given = config
        .split("export const iceServers = ")
        .nth(1)
        .and_then(|rest| rest.split(";\n").next())
        .unwrap_or_else(|| panic!("no iceServers in {config}"));
    let given: serde_json::Value = serde_json::from_str(given).expect("JSON");
    assert_eq!(
        given,
        serde_json::from_str::<serde_json::Value>(ice).unwrap()
    );
}

#[test]
fn invalid_ice_servers_stop_the_node_at_start() {
    for (value, says) in [
        ("stun:x", "not JSON"),
        (r#"[{"url":"stun:x"}]"#, "unknown field \"url\""),
        (r#"[{"urls":"turn:x"}]"#, "a TURN server needs username"),
    ] {
        let output = Command::new(BIN)
            .args(["--listen", "127.0.0.1:0", "--ice-servers", value])
            .output()
            .expect("run switchboard");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{value}: {stderr}");
        assert!(
            stderr.contains("--ice-servers") && stderr.contains(says),
            "{value}: {stderr}"
        );
    }
}
