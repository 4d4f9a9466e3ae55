//! The guard's other parsers: `--allowed-origins` lists and `Origin` headers, the
//! `--trusted-proxies` list with `X-Forwarded-For`, and token `rooms` patterns. The first
//! input byte picks one; the text after it is split at the first newline into the list and
//! the value checked against it.
//!
//! Proves that none of them panics, that every plain origin an accepted list names is allowed
//! by it, that an untrusted peer's own address is kept whatever the header says, that the
//! client address is always the peer's or one written in the header, and that a room pattern
//! matches the names it is written from.
#![no_main]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use libfuzzer_sys::fuzz_target;
use switchboard_guard::{AllowedOrigins, RoomPattern, TrustedProxies};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let (list, value) = text.split_once('\n').unwrap_or((text, ""));
    match selector % 3 {
        0 => origins(list, value),
        1 => forwarded_for(list, value),
        _ => room_patterns(list, value),
    }
});

fn origins(list: &str, origin: &str) {
    let Ok(allowed) = AllowedOrigins::parse(list) else {
        return;
    };
    let _ = allowed.allows(origin);
    for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        if !entry.contains('*') && !entry.eq_ignore_ascii_case("null") {
            assert!(allowed.allows(entry), "{list:?} refuses its own {entry:?}");
        }
    }
}

fn forwarded_for(list: &str, header: &str) {
    let Ok(proxies) = TrustedProxies::parse(list) else {
        return;
    };
    for peer in [
        IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
        IpAddr::V4(Ipv4Addr::new(203, 0, 113, 7)),
        IpAddr::V6(Ipv6Addr::LOCALHOST),
    ] {
        let client = proxies.client_ip(peer, Some(header));
        if !proxies.trusts(peer) {
            assert_eq!(client, peer);
        }
        let named = header
            .split(',')
            .filter_map(|entry| {
                let entry = entry.trim();
                entry
                    .parse::<IpAddr>()
                    .or_else(|_| entry.parse::<std::net::SocketAddr>().map(|s| s.ip()))
                    .ok()
            })
            .any(|ip| ip.to_canonical() == client);
        assert!(
            client == peer.to_canonical() || named,
            "{client} from nowhere"
        );
    }
}

fn room_patterns(entry: &str, room: &str) {
    let _ = RoomPattern::parse(entry).matches(room);
    assert!(RoomPattern::parse(room).matches(room) || room.ends_with('*'));
    assert!(RoomPattern::parse(&format!("{entry}*")).matches(&format!("{entry}{room}")));
}
