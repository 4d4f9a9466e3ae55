//! JWT verification (`Verifier::verify`) against a verifier holding an HS256 secret and the
//! RSA and EC P-256 test public keys, so every algorithm path is reachable.
//!
//! First input byte 0: the rest, if it is a JSON object, is a token's claims; the target signs
//! them with the HS256 secret and proves that the token is never refused for its form or
//! signature (only for its claims or times). Any other first byte: the rest is a token as a
//! client would send it, and the target proves `verify` never panics on it.
#![no_main]

use std::sync::LazyLock;

use jsonwebtoken::{EncodingKey, Header, encode};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use switchboard_guard::{KeySet, TokenError, Verifier};

const SECRET: &[u8] = b"fuzz-secret";
/// Any instant: the claims' times are fuzzed, not the clock.
const NOW: u64 = 1_800_000_000;

static VERIFIER: LazyLock<Verifier> = LazyLock::new(|| {
    Verifier::new(&KeySet {
        secrets: vec![SECRET.to_vec()],
        public_keys_pem: vec![
            include_bytes!("../../crates/guard/tests/keys/rsa_public.pem").to_vec(),
            include_bytes!("../../crates/guard/tests/keys/ec_public.pem").to_vec(),
        ],
    })
    .expect("the test keys load")
});

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    if selector == 0 {
        signed_claims(rest);
    } else {
        let _ = VERIFIER.verify(&String::from_utf8_lossy(rest), NOW);
    }
});

fn signed_claims(json: &[u8]) {
    let Ok(claims @ Value::Object(_)) = serde_json::from_slice::<Value>(json) else {
        return;
    };
    let token = encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(SECRET),
    )
    .expect("HS256 signs any JSON object");
    match VERIFIER.verify(&token, NOW) {
        Ok(_)
        | Err(
            TokenError::InvalidClaims(_)
            | TokenError::Expired
            | TokenError::NotYetValid
            | TokenError::IssuedInFuture,
        ) => {}
        Err(err) => panic!("a token signed with the key was refused: {err} ({token})"),
    }
}
