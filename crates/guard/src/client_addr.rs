//! The client's address when the server sits behind proxies (`--trusted-proxies`).
//!
//! Limits and logs are per client address, but behind a load balancer every connection comes
//! from the balancer. `X-Forwarded-For` names the client, yet anyone can send that header: it
//! is believed only as far as it was written by proxies the operator trusts. Each proxy appends
//! the address it saw, so the list is read from the right, through trusted proxies, up to the
//! first address no trusted proxy vouches beyond; entries left of that are the client's own
//! words and are ignored.

use std::net::{IpAddr, SocketAddr};

use ipnet::IpNet;
use thiserror::Error;

/// The networks whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies {
    nets: Vec<IpNet>,
}

/// An entry of the list that is neither a CIDR nor an address.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("trusted proxy {entry:?} is neither an address nor a CIDR (10.0.0.0/8, ::1/128)")]
pub struct ProxyListError {
    pub entry: String,
}

impl TrustedProxies {
    /// Parses a comma-separated list of CIDRs (`10.0.0.0/8`) and bare addresses (`::1`, taken
    /// as `/32` or `/128`). An empty list trusts no proxy: the peer is always the client.
    pub fn parse(list: &str) -> Result<Self, ProxyListError> {
        let nets = list
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| ProxyListError {
                        entry: entry.to_owned(),
                    })
            })
            .collect::<Result<_, _>>()?;
        Ok(TrustedProxies { nets })
    }

    /// Whether `ip` belongs to a trusted proxy.
    pub fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.nets.iter().any(|net| net.contains(&ip))
    }

    /// The client's address: `peer` (the TCP peer) unless it is a trusted proxy; then the
    /// rightmost `X-Forwarded-For` entry that is not. Several `X-Forwarded-For` headers must be
    /// joined with `,` in order before the call.
    ///
    /// An entry that is not an address (`unknown`, an obfuscated name, an empty slot) stops the
    /// walk, and the last address read (a trusted proxy, or `peer`) is the answer: nothing left
    /// of a broken entry can be tied to the proxies, and blaming the proxy keeps a limit on a
    /// real address rather than on one the client could invent.
    pub fn client_ip(&self, peer: IpAddr, x_forwarded_for: Option<&str>) -> IpAddr {
        let mut client = peer.to_canonical();
        if !self.trusts(client) {
            return client;
        }
        let Some(header) = x_forwarded_for else {
            return client;
        };
        for entry in header.rsplit(',') {
            let Some(ip) = parse_entry(entry.trim()) else {
                return client;
            };
            client = ip;
            if !self.trusts(ip) {
                return ip;
            }
        }
        client
    }
}

/// An address as proxies write it: bare, or with a port (`1.2.3.4:5`, `[::1]:5`), which some
/// balancers append; IPv4-mapped IPv6 is read as the IPv4 address it carries.
fn parse_entry(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .or_else(|_| entry.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn proxies() -> TrustedProxies {
        TrustedProxies::parse("10.0.0.0/8, 127.0.0.1, ::1/128").unwrap()
    }

    #[test]
    fn parses_cidrs_and_bare_addresses() {
        let p = proxies();
        assert!(p.trusts(ip("10.1.2.3")));
        assert!(p.trusts(ip("127.0.0.1")));
        assert!(!p.trusts(ip("127.0.0.2")));
        assert!(p.trusts(ip("::1")));
        assert!(p.trusts(ip("::ffff:10.9.9.9")));
        assert!(!p.trusts(ip("11.0.0.1")));
    }

    #[test]
    fn parse_errors_name_the_entry() {
        let err = TrustedProxies::parse("10.0.0.0/8, proxy.local").unwrap_err();
        assert_eq!(err.entry, "proxy.local");
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert_eq!(
            TrustedProxies::parse(" ").unwrap(),
            TrustedProxies::default()
        );
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let p = proxies();
        assert_eq!(p.client_ip(ip("8.8.8.8"), Some("1.2.3.4")), ip("8.8.8.8"));
    }

    #[test]
    fn a_trusted_peer_forwards_the_client() {
        let p = proxies();
        assert_eq!(p.client_ip(ip("10.0.0.1"), Some("1.2.3.4")), ip("1.2.3.4"));
        assert_eq!(p.client_ip(ip("10.0.0.1"), None), ip("10.0.0.1"));
    }

    #[test]
    fn spoofed_leading_entries_are_ignored() {
        let p = proxies();
        // The client sent "6.6.6.6, 10.0.0.9" itself; its real address was appended by a proxy.
        let xff = "6.6.6.6, 10.0.0.9, 1.2.3.4, 10.0.0.2";
        assert_eq!(p.client_ip(ip("10.0.0.1"), Some(xff)), ip("1.2.3.4"));
    }

    #[test]
    fn all_trusted_gives_the_leftmost() {
        let p = proxies();
        assert_eq!(
            p.client_ip(ip("10.0.0.1"), Some("10.0.0.3, 10.0.0.2")),
            ip("10.0.0.3")
        );
    }

    #[test]
    fn a_malformed_entry_stops_at_the_last_good_address() {
        let p = proxies();
        let peer = ip("10.0.0.1");
        assert_eq!(
            p.client_ip(peer, Some("1.2.3.4, unknown, 10.0.0.2")),
            ip("10.0.0.2")
        );
        assert_eq!(p.client_ip(peer, Some("1.2.3.4, garbage")), peer);
        assert_eq!(p.client_ip(peer, Some("1.2.3.4,")), peer);
        assert_eq!(p.client_ip(peer, Some("")), peer);
    }

    #[test]
    fn ports_and_mapped_addresses_are_read() {
        let p = proxies();
        let peer = ip("::ffff:127.0.0.1");
        assert_eq!(p.client_ip(peer, Some("1.2.3.4:5678")), ip("1.2.3.4"));
        assert_eq!(
            p.client_ip(peer, Some("[2001:db8::1]:443")),
            ip("2001:db8::1")
        );
        assert_eq!(p.client_ip(peer, Some("::ffff:5.6.7.8")), ip("5.6.7.8"));
        assert_eq!(p.client_ip(ip("::ffff:8.8.8.8"), None), ip("8.8.8.8"));
    }
}
