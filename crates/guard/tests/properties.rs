//! Property tests of the guard's parsers, on stable and in `cargo test`: origin lists and
//! `Origin` headers, trusted proxies and `X-Forwarded-For`, and token strings never panic; a
//! token signed with the configured key verifies, and no single-byte change of it does.
//!
//! The `jwt` and `guard_inputs` cargo-fuzz targets in `fuzz/` search the same ground for
//! minutes; these run in seconds (case counts are set per block).

use std::net::IpAddr;
use std::sync::LazyLock;

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use proptest::collection::vec;
use proptest::prelude::*;
use serde_json::json;
use switchboard_guard::{AllowedOrigins, KeySet, RoomGrant, TrustedProxies, Verifier};

const SECRET: &[u8] = b"property-secret";
const NOW: u64 = 1_800_000_000;

/// HS256 with [`SECRET`], plus the RSA and P-256 test keys, so every algorithm path is taken.
static VERIFIER: LazyLock<Verifier> = LazyLock::new(|| {
    Verifier::new(&KeySet {
        secrets: vec![SECRET.to_vec()],
        public_keys_pem: vec![
            include_bytes!("keys/rsa_public.pem").to_vec(),
            include_bytes!("keys/ec_public.pem").to_vec(),
        ],
    })
    .expect("the test keys load")
});

/// Strings glued from `pieces`, so generated inputs get past the first checks.
fn pieces(pieces: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    vec(prop::sample::select(pieces), 0..max).prop_map(|parts| parts.concat())
}

const ORIGIN_PIECES: &[&str] = &[
    "https", "http", "ws", "://", "*", ".", "example", "com", ":", "443", "8080", "99999", "[",
    "]", "::1", "/", ",", " ", "null", "@", "-", "xn--", "é",
];

const XFF_PIECES: &[&str] = &[
    "10.0.0.1",
    "1.2.3.4",
    "::1",
    "::ffff:10.0.0.2",
    "[2001:db8::1]:443",
    "/8",
    "/128",
    "/33",
    ",",
    " ",
    "unknown",
    "300.1.1.1",
    ":",
    "[",
    "]",
];

const TOKEN_PIECES: &[&str] = &[
    ".",
    "eyJhbGciOiJIUzI1NiJ9",
    "eyJhbGciOiJub25lIn0",
    "eyJhbGciOiJSUzI1NiJ9",
    "eyJhbGciOiJFUzI1NiJ9",
    "eyJleHAiOjE5MDAwMDAwMDB9",
    "e30",
    "AAAA",
    "-_",
    "=",
    " ",
];

fn ip() -> impl Strategy<Value = IpAddr> {
    prop_oneof![
        any::<[u8; 4]>().prop_map(IpAddr::from),
        any::<[u8; 16]>().prop_map(IpAddr::from),
        Just("10.0.0.1".parse().unwrap()),
    ]
}

fn signed(claims: &serde_json::Value) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(SECRET),
    )
    .expect("HS256 signs JSON")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn origin_parsers_never_panic(list in any::<String>(), origin in any::<String>()) {
        if let Ok(allowed) = AllowedOrigins::parse(&list) {
            let _ = allowed.allows(&origin);
        }
    }

    #[test]
    fn listed_origins_are_allowed(list in pieces(ORIGIN_PIECES, 16), origin in pieces(ORIGIN_PIECES, 8)) {
        let Ok(allowed) = AllowedOrigins::parse(&list) else {
            return Ok(());
        };
        let _ = allowed.allows(&origin);
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            if !entry.contains('*') && !entry.eq_ignore_ascii_case("null") {
                prop_assert!(allowed.allows(entry), "{:?} refuses its own {:?}", list, entry);
            }
        }
    }

    #[test]
    fn forwarded_for_never_panics_and_keeps_untrusted_peers(
        list in prop_oneof![any::<String>(), pieces(XFF_PIECES, 8)],
        header in prop_oneof![any::<String>(), pieces(XFF_PIECES, 12)],
        peer in ip(),
    ) {
        let Ok(proxies) = TrustedProxies::parse(&list) else {
            return Ok(());
        };
        let client = proxies.client_ip(peer, Some(&header));
        if !proxies.trusts(peer) {
            prop_assert_eq!(client, peer.to_canonical());
        }
    }

    #[test]
    fn verify_never_panics(token in prop_oneof![any::<String>(), pieces(TOKEN_PIECES, 8)]) {
        let _ = VERIFIER.verify(&token, NOW);
    }

    #[test]
    fn room_grants_never_panic(rooms in proptest::option::of(vec(any::<String>(), 0..4)), room in any::<String>()) {
        let grant = RoomGrant::from_claim(rooms.clone());
        let allowed = grant.allows(&room);
        if rooms.is_some_and(|rooms| rooms.contains(&room)) {
            prop_assert!(allowed);
        }
    }
}

proptest! {
    // Each case verifies one token per byte of it: fewer cases.
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn signed_tokens_verify_and_no_single_byte_change_does(
        sub in any::<String>(),
        rooms in vec("[a-z0-9*-]{1,12}", 0..3),
        lifetime in 1..1_000_000u64,
        replacement in any::<u8>(),
    ) {
        let token = signed(&json!({"sub": sub, "rooms": rooms, "exp": NOW + lifetime, "iat": NOW}));
        let grant = VERIFIER.verify(&token, NOW).expect("a token signed with the key verifies");
        prop_assert_eq!(grant.sub.as_deref(), Some(sub.as_str()));
        for at in 0..token.len() {
            let mut mutated = token.clone().into_bytes();
            // Any other byte: the replacement, or its complement if it is the same.
            mutated[at] = if mutated[at] == replacement { !replacement } else { replacement };
            let mutated = String::from_utf8_lossy(&mutated);
            prop_assert!(
                VERIFIER.verify(&mutated, NOW).is_err(),
                "{:?} still verifies with byte {} changed",
                mutated,
                at
            );
        }
    }
}
