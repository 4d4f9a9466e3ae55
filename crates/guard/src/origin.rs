//! Which browser origins may connect (`--allowed-origins`).
//!
//! Browsers let any page open a WebSocket or POST to any server, with the user's cookies; the
//! `Origin` header is how a server tells its own pages from someone else's. The list is parsed
//! once at start-up, so a typo is a start-up error rather than a silently open or shut door.
//!
//! The `url` crate is not used: it would pull in IDNA/Unicode tables for a grammar this narrow
//! (`scheme://host[:port]`), and browsers already send origins serialized in ASCII.

use std::net::Ipv6Addr;

use thiserror::Error;

/// The parsed `--allowed-origins` list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedOrigins {
    any: bool,
    null: bool,
    exact: Vec<Origin>,
    wildcards: Vec<Wildcard>,
}

/// An entry of the list that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OriginError {
    #[error("the allowed-origins list is empty; give `*` to allow any origin")]
    Empty,
    #[error("allowed origin {entry:?}: {reason}")]
    Invalid { entry: String, reason: &'static str },
}

/// `scheme://host[:port]`, lowercased, with the scheme's default port dropped so that
/// `https://a.example:443` and `https://a.example` are one origin.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Origin {
    scheme: String,
    host: String,
    port: Option<u16>,
}

/// `scheme://*.domain[:port]`: any subdomain of `domain`, at any depth, but not `domain` itself.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Wildcard {
    scheme: String,
    /// The domain with a leading dot (`.example.com`), ready for `ends_with`.
    dot_domain: String,
    port: Option<u16>,
}

impl AllowedOrigins {
    /// Parses a comma-separated list of `*`, `null`, `scheme://host[:port]` and
    /// `scheme://*.domain[:port]`; blanks around entries and empty entries are ignored.
    pub fn parse(list: &str) -> Result<Self, OriginError> {
        let mut allowed = AllowedOrigins {
            any: false,
            null: false,
            exact: Vec::new(),
            wildcards: Vec::new(),
        };
        let entries: Vec<&str> = list
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .collect();
        if entries.is_empty() {
            return Err(OriginError::Empty);
        }
        for entry in entries {
            let invalid = |reason| OriginError::Invalid {
                entry: entry.to_owned(),
                reason,
            };
            if entry == "*" {
                allowed.any = true;
            } else if entry.eq_ignore_ascii_case("null") {
                allowed.null = true;
            } else {
                let origin = parse_origin(entry).map_err(invalid)?;
                match origin.host.strip_prefix('*') {
                    Some(dot_domain) => {
                        if !dot_domain.starts_with('.') || dot_domain.len() < 2 {
                            return Err(invalid("a wildcard is written *.domain"));
                        }
                        allowed.wildcards.push(Wildcard {
                            scheme: origin.scheme,
                            dot_domain: dot_domain.to_owned(),
                            port: origin.port,
                        });
                    }
                    None => allowed.exact.push(origin),
                }
            }
        }
        Ok(allowed)
    }

    /// Whether a request with this `Origin` header value may proceed. The opaque origin `null`
    /// (sandboxed frames, `file:` pages) passes only if the list names it, even with `*`.
    pub fn allows(&self, origin: &str) -> bool {
        if origin == "null" {
            return self.null;
        }
        if self.any {
            return true;
        }
        let Ok(origin) = parse_origin(origin) else {
            return false;
        };
        if origin.host.starts_with('*') {
            return false;
        }
        self.exact.contains(&origin)
            || self.wildcards.iter().any(|w| {
                w.scheme == origin.scheme
                    && w.port == origin.port
                    && origin.host.ends_with(&w.dot_domain)
            })
    }
}

/// Reads `scheme://host[:port]` (a single trailing `/` is forgiven). A host may start with
/// `*.`; the caller decides whether that is allowed.
fn parse_origin(text: &str) -> Result<Origin, &'static str> {
    let (scheme, rest) = text
        .split_once("://")
        .ok_or("an origin is written scheme://host[:port]")?;
    let scheme = scheme.to_ascii_lowercase();
    let mut chars = scheme.chars();
    if !chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        || !chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    {
        return Err("the scheme is not valid");
    }
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.contains(['/', '?', '#', '@']) {
        return Err("an origin has no user, path, query or fragment");
    }
    let (host, port) = split_host_port(rest)?;
    let default_port = match scheme.as_str() {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    };
    Ok(Origin {
        scheme,
        host,
        port: port.filter(|p| Some(*p) != default_port),
    })
}

fn split_host_port(text: &str) -> Result<(String, Option<u16>), &'static str> {
    let (host, port) = if let Some(bracketed) = text.strip_prefix('[') {
        let (address, after) = bracketed
            .split_once(']')
            .ok_or("an IPv6 address needs its closing ]")?;
        let address: Ipv6Addr = address.parse().map_err(|_| "not an IPv6 address")?;
        let port = match after {
            "" => None,
            _ => Some(
                after
                    .strip_prefix(':')
                    .ok_or("junk after the IPv6 address")?,
            ),
        };
        (format!("[{address}]"), port)
    } else {
        let (host, port) = match text.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (text, None),
        };
        check_domain(host)?;
        (host.to_ascii_lowercase(), port)
    };
    let port = match port {
        None => None,
        Some(digits) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
            Some(digits.parse().map_err(|_| "the port is out of range")?)
        }
        Some(_) => return Err("the port is not a number"),
    };
    Ok((host, port))
}

/// Dot-separated labels of ASCII letters, digits, `-` and `_`; the first label may be `*`.
fn check_domain(host: &str) -> Result<(), &'static str> {
    if host.is_empty() {
        return Err("the host is missing");
    }
    if !host.is_ascii() {
        return Err("write a non-ASCII host in its punycode (xn--) form");
    }
    for (i, label) in host.split('.').enumerate() {
        let ok = (i == 0 && label == "*")
            || (!label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        if !ok {
            return Err("the host is not a valid name");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(list: &str) -> AllowedOrigins {
        AllowedOrigins::parse(list).unwrap()
    }

    #[test]
    fn star_allows_any_origin_but_not_null() {
        let a = parse("*");
        assert!(a.allows("https://evil.example"));
        assert!(a.allows("whatever"));
        assert!(!a.allows("null"));
        assert!(parse("*, null").allows("null"));
    }

    #[test]
    fn exact_origins_match_case_insensitively_with_default_ports_normalised() {
        let a = parse("https://App.Example.com, http://localhost:8080");
        assert!(a.allows("https://app.example.com"));
        assert!(a.allows("https://APP.example.com:443"));
        assert!(a.allows("HTTPS://app.example.com"));
        assert!(a.allows("http://localhost:8080"));
        assert!(!a.allows("http://app.example.com"));
        assert!(!a.allows("https://app.example.com:8443"));
        assert!(!a.allows("http://localhost"));
        assert!(!a.allows("https://example.com"));
        assert!(!a.allows("https://app.example.com.evil.net"));
        assert!(!a.allows("null"));
    }

    #[test]
    fn a_listed_default_port_is_the_same_origin() {
        let a = parse("http://example.com:80");
        assert!(a.allows("http://example.com"));
    }

    #[test]
    fn wildcards_allow_subdomains_not_the_apex() {
        let a = parse("https://*.example.com");
        assert!(a.allows("https://app.example.com"));
        assert!(a.allows("https://a.b.example.com"));
        assert!(!a.allows("https://example.com"));
        assert!(!a.allows("http://app.example.com"));
        assert!(!a.allows("https://app.example.com:8443"));
        assert!(!a.allows("https://appexample.com"));
        assert!(!a.allows("https://app.example.com.evil.net"));
        assert!(!a.allows("https://*.example.com"));
        let with_apex = parse("https://*.example.com,https://example.com");
        assert!(with_apex.allows("https://example.com"));
    }

    #[test]
    fn ipv6_hosts_are_normalised() {
        let a = parse("http://[::1]:3000");
        assert!(a.allows("http://[0:0:0:0:0:0:0:1]:3000"));
        assert!(!a.allows("http://[::2]:3000"));
    }

    #[test]
    fn other_schemes_keep_their_port_as_written() {
        let a = parse("capacitor://localhost");
        assert!(a.allows("capacitor://localhost"));
        assert!(!a.allows("capacitor://localhost:443"));
    }

    #[test]
    fn a_trailing_slash_is_forgiven() {
        assert!(parse("https://app.example.com/").allows("https://app.example.com"));
    }

    #[test]
    fn garbage_origins_are_refused() {
        let a = parse("https://app.example.com");
        for origin in [
            "",
            "app.example.com",
            "https://",
            "https://app.example.com/path",
            "https://user@app.example.com",
            "https://app.example.com:",
            "https://app.example.com:99999",
            "https://app..example.com",
            "https://[::1",
            "https://ap p.example.com",
        ] {
            assert!(!a.allows(origin), "{origin:?}");
        }
    }

    #[test]
    fn parse_errors_name_the_entry() {
        for (list, reason) in [
            ("", None),
            (" , ", None),
            (
                "example.com",
                Some("an origin is written scheme://host[:port]"),
            ),
            (
                "https://example.com/app",
                Some("an origin has no user, path, query or fragment"),
            ),
            ("https://example.com:http", Some("the port is not a number")),
            (
                "https://example.com:70000",
                Some("the port is out of range"),
            ),
            ("https://*", Some("a wildcard is written *.domain")),
            (
                "https://a.*.example.com",
                Some("the host is not a valid name"),
            ),
            (
                "https://bücher.de",
                Some("write a non-ASCII host in its punycode (xn--) form"),
            ),
            ("1https://example.com", Some("the scheme is not valid")),
        ] {
            let err = AllowedOrigins::parse(list).unwrap_err();
            match reason {
                None => assert_eq!(err, OriginError::Empty),
                Some(reason) => assert_eq!(
                    err,
                    OriginError::Invalid {
                        entry: list.trim().to_owned(),
                        reason
                    }
                ),
            }
        }
        let message = AllowedOrigins::parse("https://ok.example, nope")
            .unwrap_err()
            .to_string();
        assert_eq!(
            message,
            "allowed origin \"nope\": an origin is written scheme://host[:port]"
        );
    }
}
