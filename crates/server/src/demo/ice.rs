//! `--ice-servers`: a JSON array of RTCIceServer, checked at start-up so that a typo stops the
//! node with a clear message instead of leaving every demo call without its STUN/TURN server.

use serde_json::{Map, Value};

/// A checked `--ice-servers` value, kept as compact JSON for the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IceServers(String);

impl IceServers {
    /// The array as compact JSON.
    pub fn json(&self) -> &str {
        &self.0
    }
}

/// Parses and checks `--ice-servers`: an array of objects, each with `urls` (a `stun:`,
/// `stuns:`, `turn:` or `turns:` URL, or a non-empty array of them) and, optionally,
/// `username` and `credential` strings (both required with a TURN URL, as browsers require).
pub fn parse_ice_servers(text: &str) -> Result<IceServers, String> {
    let value: Value = serde_json::from_str(text)
        .map_err(|err| format!("not JSON ({err}); expected e.g. {EXAMPLE}"))?;
    let Value::Array(servers) = &value else {
        return Err(format!(
            "must be a JSON array of RTCIceServer, e.g. {EXAMPLE}"
        ));
    };
    for (index, server) in servers.iter().enumerate() {
        let Value::Object(server) = server else {
            return Err(format!("entry {index} must be an object like {EXAMPLE}"));
        };
        check_server(server).map_err(|err| format!("entry {index}: {err}"))?;
    }
    Ok(IceServers(value.to_string()))
}

const EXAMPLE: &str = r#"[{"urls":"stun:stun.example.com:3478"}]"#;

fn check_server(server: &Map<String, Value>) -> Result<(), String> {
    for key in server.keys() {
        if !matches!(key.as_str(), "urls" | "username" | "credential") {
            return Err(format!(
                "unknown field {key:?} (an RTCIceServer has urls, username and credential)"
            ));
        }
    }
    let urls: Vec<&str> = match server.get("urls") {
        Some(Value::String(url)) => vec![url.as_str()],
        Some(Value::Array(urls)) if !urls.is_empty() => urls
            .iter()
            .map(|url| url.as_str().ok_or("urls must hold strings"))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err("urls must be a URL or a non-empty array of URLs".into()),
        None => return Err("urls is required".into()),
    };
    let mut turn = false;
    for url in urls {
        let scheme = url.split(':').next().unwrap_or_default();
        match scheme {
            "stun" | "stuns" => {}
            "turn" | "turns" => turn = true,
            _ => {
                return Err(format!(
                    "{url:?} is not a stun:, stuns:, turn: or turns: URL"
                ));
            }
        }
        if url.len() <= scheme.len() + 1 {
            return Err(format!("{url:?} names no host"));
        }
    }
    for key in ["username", "credential"] {
        match server.get(key) {
            Some(Value::String(_)) => {}
            Some(_) => return Err(format!("{key} must be a string")),
            None if turn => return Err(format!("a TURN server needs {key}")),
            None => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_stun_and_turn_servers() {
        assert_eq!(parse_ice_servers("[]").unwrap().json(), "[]");
        let both = r#"[ {"urls": "stun:stun.example.com:3478"},
            {"urls": ["turn:turn.example.com:3478?transport=udp", "turns:turn.example.com:5349"],
             "username": "u", "credential": "p"} ]"#;
        // Compact JSON, the same value (key order is not kept).
        let json = parse_ice_servers(both).unwrap().json().to_string();
        assert!(!json.contains(' '), "{json}");
        assert_eq!(
            serde_json::from_str::<Value>(&json).unwrap(),
            serde_json::from_str::<Value>(both).unwrap()
        );
    }

    #[test]
    fn refuses_what_a_browser_would_refuse() {
        let cases = [
            ("[", "not JSON"),
            (r#"{"urls":"stun:a"}"#, "must be a JSON array"),
            ("[1]", "entry 0 must be an object"),
            ("[{}]", "entry 0: urls is required"),
            (r#"[{"url":"stun:a"}]"#, "unknown field \"url\""),
            (r#"[{"urls":[]}]"#, "non-empty array"),
            (r#"[{"urls":[1]}]"#, "urls must hold strings"),
            (r#"[{"urls":"http://a"}]"#, "not a stun:"),
            (r#"[{"urls":"stun:"}]"#, "names no host"),
            (
                r#"[{"urls":"stun:a"},{"urls":"turn:a"}]"#,
                "entry 1: a TURN server needs username",
            ),
            (r#"[{"urls":"turn:a","username":"u"}]"#, "needs credential"),
            (
                r#"[{"urls":"stun:a","username":1}]"#,
                "username must be a string",
            ),
        ];
        for (input, expected) in cases {
            let err = parse_ice_servers(input).expect_err(input);
            assert!(
                err.contains(expected),
                "{input}: {err:?} lacks {expected:?}"
            );
        }
    }
}
