//! End-to-end checks of `Verifier` with real signatures: tokens are signed here with
//! jsonwebtoken and the test keys in `keys/`, which were made once with OpenSSL 3:
//!
//! ```text
//! openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa_private.pem
//! openssl pkey -in rsa_private.pem -pubout -out rsa_public.pem
//! openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec_private.pem
//! openssl pkey -in ec_private.pem -pubout -out ec_public.pem
//! openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 | openssl pkey -pubout -out ec_p384_public.pem
//! openssl genpkey -algorithm ED25519 | openssl pkey -pubout -out ed25519_public.pem
//! ```
//!
//! They are test keys only and protect nothing.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};
use switchboard_guard::{Grant, KeyError, KeySet, RoomGrant, TokenError, Verifier};

const RSA_PRIVATE: &[u8] = include_bytes!("keys/rsa_private.pem");
const RSA_PUBLIC: &[u8] = include_bytes!("keys/rsa_public.pem");
const EC_PRIVATE: &[u8] = include_bytes!("keys/ec_private.pem");
const EC_PUBLIC: &[u8] = include_bytes!("keys/ec_public.pem");
const EC_P384_PUBLIC: &[u8] = include_bytes!("keys/ec_p384_public.pem");
const ED25519_PUBLIC: &[u8] = include_bytes!("keys/ed25519_public.pem");

/// The instant every test runs at.
const NOW: u64 = 1_800_000_000;

fn secrets(secrets: &[&str]) -> Verifier {
    Verifier::new(&KeySet {
        secrets: secrets.iter().map(|s| s.as_bytes().to_vec()).collect(),
        ..KeySet::default()
    })
    .unwrap()
}

fn public_keys(pems: &[&[u8]]) -> Verifier {
    Verifier::new(&KeySet {
        public_keys_pem: pems.iter().map(|p| p.to_vec()).collect(),
        ..KeySet::default()
    })
    .unwrap()
}

fn hs256(secret: &str, claims: &Value) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

fn rs256(claims: &Value) -> String {
    let key = EncodingKey::from_rsa_pem(RSA_PRIVATE).unwrap();
    encode(&Header::new(Algorithm::RS256), claims, &key).unwrap()
}

fn es256(claims: &Value) -> String {
    let key = EncodingKey::from_ec_pem(EC_PRIVATE).unwrap();
    encode(&Header::new(Algorithm::ES256), claims, &key).unwrap()
}

fn b64(json: &Value) -> String {
    URL_SAFE_NO_PAD.encode(json.to_string())
}

fn valid() -> Value {
    json!({ "sub": "alice", "exp": NOW + 600 })
}

fn code(result: Result<Grant, TokenError>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(e) => e.code(),
    }
}

#[test]
fn a_verifier_can_be_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Verifier>();
}

#[test]
fn hs256_token_gives_its_grant() {
    let claims = json!({ "sub": "alice", "exp": NOW + 600, "rooms": ["lobby", "team-*"] });
    let grant = secrets(&["s3cret"])
        .verify(&hs256("s3cret", &claims), NOW)
        .unwrap();
    assert_eq!(grant.sub.as_deref(), Some("alice"));
    assert!(grant.rooms.allows("lobby"));
    assert!(grant.rooms.allows("team-7"));
    assert!(!grant.rooms.allows("other"));
}

#[test]
fn without_rooms_claim_any_room_and_without_sub_no_subject() {
    let grant = secrets(&["k"])
        .verify(&hs256("k", &json!({ "exp": NOW + 1 })), NOW)
        .unwrap();
    assert_eq!(grant.sub, None);
    assert_eq!(grant.rooms, RoomGrant::Any);
}

#[test]
fn rotated_secrets_each_verify_and_unknown_ones_do_not() {
    let verifier = secrets(&["old", "new"]);
    assert_eq!(code(verifier.verify(&hs256("old", &valid()), NOW)), "ok");
    assert_eq!(code(verifier.verify(&hs256("new", &valid()), NOW)), "ok");
    assert_eq!(
        code(verifier.verify(&hs256("other", &valid()), NOW)),
        "bad_signature"
    );
}

#[test]
fn rs256_and_es256_tokens_verify_with_their_public_keys() {
    let verifier = public_keys(&[RSA_PUBLIC, EC_PUBLIC]);
    let grant = verifier.verify(&rs256(&valid()), NOW).unwrap();
    assert_eq!(grant.sub.as_deref(), Some("alice"));
    let grant = verifier.verify(&es256(&valid()), NOW).unwrap();
    assert_eq!(grant.sub.as_deref(), Some("alice"));
}

#[test]
fn a_token_for_an_algorithm_no_key_has_is_refused() {
    let rsa_only = public_keys(&[RSA_PUBLIC]);
    assert_eq!(
        code(rsa_only.verify(&es256(&valid()), NOW)),
        "unsupported_algorithm"
    );
    // Same key family, other hash: the key fixes RS256, the header cannot widen it.
    let key = EncodingKey::from_rsa_pem(RSA_PRIVATE).unwrap();
    let rs384 = encode(&Header::new(Algorithm::RS384), &valid(), &key).unwrap();
    assert_eq!(code(rsa_only.verify(&rs384, NOW)), "unsupported_algorithm");
    let hs512 = encode(
        &Header::new(Algorithm::HS512),
        &valid(),
        &EncodingKey::from_secret(b"k"),
    )
    .unwrap();
    assert_eq!(
        code(secrets(&["k"]).verify(&hs512, NOW)),
        "unsupported_algorithm"
    );
}

#[test]
fn a_tampered_token_has_a_bad_signature() {
    let verifier = public_keys(&[RSA_PUBLIC]);
    let token = rs256(&valid());
    let parts: Vec<&str> = token.split('.').collect();
    let forged_claims = b64(&json!({ "sub": "mallory", "exp": NOW + 600 }));
    let forged = format!("{}.{}.{}", parts[0], forged_claims, parts[2]);
    assert_eq!(code(verifier.verify(&forged, NOW)), "bad_signature");
}

#[test]
fn expired_tokens_are_refused_after_the_leeway() {
    let verifier = secrets(&["k"]);
    let token = hs256("k", &json!({ "exp": NOW - 10 }));
    assert_eq!(code(verifier.verify(&token, NOW)), "ok");
    let token = hs256("k", &json!({ "exp": NOW - 30 }));
    assert_eq!(code(verifier.verify(&token, NOW)), "token_expired");
    let strict = secrets(&["k"]).with_leeway_secs(0);
    let token = hs256("k", &json!({ "exp": NOW }));
    assert_eq!(code(strict.verify(&token, NOW)), "token_expired");
    assert_eq!(code(strict.verify(&token, NOW - 1)), "ok");
}

#[test]
fn future_nbf_and_iat_are_refused_beyond_the_leeway() {
    let verifier = secrets(&["k"]);
    let ok = hs256(
        "k",
        &json!({ "exp": NOW + 600, "nbf": NOW + 30, "iat": NOW + 30 }),
    );
    assert_eq!(code(verifier.verify(&ok, NOW)), "ok");
    let nbf = hs256("k", &json!({ "exp": NOW + 600, "nbf": NOW + 31 }));
    assert_eq!(
        verifier.verify(&nbf, NOW).unwrap_err(),
        TokenError::NotYetValid
    );
    let iat = hs256("k", &json!({ "exp": NOW + 600, "iat": NOW + 31 }));
    assert_eq!(
        verifier.verify(&iat, NOW).unwrap_err(),
        TokenError::IssuedInFuture
    );
    assert_eq!(TokenError::IssuedInFuture.code(), "token_not_yet_valid");
}

#[test]
fn a_token_without_exp_is_refused() {
    let token = hs256("k", &json!({ "sub": "alice" }));
    let err = secrets(&["k"]).verify(&token, NOW).unwrap_err();
    assert_eq!(err.code(), "invalid_claims");
    assert!(err.to_string().contains("exp"), "{err}");
}

#[test]
fn an_audience_is_not_checked() {
    let token = hs256("k", &json!({ "exp": NOW + 1, "aud": "some-other-service" }));
    assert_eq!(code(secrets(&["k"]).verify(&token, NOW)), "ok");
}

#[test]
fn missing_and_malformed_tokens() {
    let verifier = secrets(&["k"]);
    assert_eq!(code(verifier.verify("", NOW)), "missing_token");
    assert_eq!(code(verifier.verify("  ", NOW)), "missing_token");
    let header = b64(&json!({ "alg": "HS256", "typ": "JWT" }));
    for token in [
        "abc".to_owned(),
        "a.b".to_owned(),
        "a.b.c".to_owned(),
        "a.b.c.d.e".to_owned(),
        "!!!.x.y".to_owned(),
        format!("{}.x.y", b64(&json!(["alg", "HS256"]))),
        format!("{}.x.y", b64(&json!({ "typ": "JWT" }))),
        format!("{header}.{}.!!!", b64(&valid())),
    ] {
        assert_eq!(
            code(verifier.verify(&token, NOW)),
            "malformed_token",
            "{token}"
        );
    }
    // The signature is checked before the claims are read, so an unsigned payload is never
    // parsed: garbage claims with a wrong signature are a bad signature.
    for token in [
        format!("{header}.!!!.sig"),
        format!("{header}.{}.", b64(&valid())),
    ] {
        assert_eq!(
            code(verifier.verify(&token, NOW)),
            "bad_signature",
            "{token}"
        );
    }
}

#[test]
fn claims_that_are_not_an_object_are_malformed() {
    // Correctly signed, but the payload is a JSON string.
    let header = b64(&json!({ "alg": "HS256", "typ": "JWT" }));
    let payload = URL_SAFE_NO_PAD.encode("\"hello\"");
    let message = format!("{header}.{payload}");
    let signature = jsonwebtoken::crypto::sign(
        message.as_bytes(),
        &EncodingKey::from_secret(b"k"),
        Algorithm::HS256,
    )
    .unwrap();
    let token = format!("{message}.{signature}");
    assert_eq!(code(secrets(&["k"]).verify(&token, NOW)), "malformed_token");
}

#[test]
fn alg_none_is_refused() {
    let token = format!(
        "{}.{}.",
        b64(&json!({ "alg": "none", "typ": "JWT" })),
        b64(&valid())
    );
    for verifier in [secrets(&["k"]), public_keys(&[RSA_PUBLIC])] {
        let err = verifier.verify(&token, NOW).unwrap_err();
        assert_eq!(err.code(), "unsupported_algorithm");
        assert!(err.to_string().contains("\"none\""), "{err}");
    }
}

#[test]
fn key_confusion_hs256_signed_with_the_public_key_is_refused() {
    // The attacker knows the RSA public key and uses its PEM bytes as an HMAC secret.
    let forged = encode(
        &Header::new(Algorithm::HS256),
        &valid(),
        &EncodingKey::from_secret(RSA_PUBLIC),
    )
    .unwrap();
    assert_eq!(
        code(public_keys(&[RSA_PUBLIC]).verify(&forged, NOW)),
        "unsupported_algorithm"
    );
    // With a secret configured too, HS256 is accepted, but only from the secrets.
    let mixed = Verifier::new(&KeySet {
        secrets: vec![b"k".to_vec()],
        public_keys_pem: vec![RSA_PUBLIC.to_vec()],
    })
    .unwrap();
    assert_eq!(code(mixed.verify(&forged, NOW)), "bad_signature");
    assert_eq!(code(mixed.verify(&hs256("k", &valid()), NOW)), "ok");
    assert_eq!(code(mixed.verify(&rs256(&valid()), NOW)), "ok");
}

#[test]
fn no_mutation_of_a_token_verifies_or_panics() {
    let verifier = secrets(&["k"]);
    let token = hs256("k", &valid());
    let mut accepted = 0;
    for i in 0..token.len() {
        for replacement in ['A', '.', '-', '_', '\u{e9}', ' '] {
            let mut mutated: String = token.chars().take(i).collect();
            mutated.push(replacement);
            mutated.extend(token.chars().skip(i + 1));
            if mutated != token && verifier.verify(&mutated, NOW).is_ok() {
                accepted += 1;
            }
        }
    }
    assert_eq!(accepted, 0, "{accepted} mutated tokens were accepted");
}

#[test]
fn bad_public_keys_are_construction_errors() {
    let load = |pem: &[u8]| {
        Verifier::new(&KeySet {
            public_keys_pem: vec![EC_PUBLIC.to_vec(), pem.to_vec()],
            ..KeySet::default()
        })
        .unwrap_err()
    };
    assert_eq!(load(RSA_PRIVATE), KeyError::PrivateKey { index: 2 });
    assert_eq!(load(EC_PRIVATE), KeyError::PrivateKey { index: 2 });
    assert!(matches!(
        load(EC_P384_PUBLIC),
        KeyError::UnsupportedKey { index: 2, .. }
    ));
    assert!(matches!(
        load(ED25519_PUBLIC),
        KeyError::UnsupportedKey { index: 2, .. }
    ));
    assert!(matches!(
        load(b"not a pem"),
        KeyError::BadPem { index: 2, .. }
    ));
    assert!(matches!(
        load(b"-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n"),
        KeyError::BadPem { index: 2, .. }
    ));
    assert!(matches!(
        load(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
        KeyError::BadPem { index: 2, .. }
    ));
    let message = load(ED25519_PUBLIC).to_string();
    assert_eq!(
        message,
        "JWT public key #2 is an Ed25519 (EdDSA) key; only RSA (RS256) and EC P-256 (ES256) keys are supported"
    );
}
