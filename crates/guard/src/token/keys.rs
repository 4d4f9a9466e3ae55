//! The keys a [`Verifier`](super::Verifier) trusts, each bound to the one algorithm it verifies.
//!
//! Binding the algorithm to the key, not reading it from the token, is what stops the classic
//! attacks: `alg: none`, and "key confusion" (a token signed with HS256 using the RSA *public*
//! key as the HMAC secret, accepted by a verifier that let the header pick the algorithm).

use std::fmt;

use jsonwebtoken::{Algorithm, DecodingKey};
use thiserror::Error;

/// What the operator configured: every `--jwt-secret` (HS256) and the contents of every
/// `--jwt-public-key` file (PEM, RS256 or ES256). Several of each allow rotation: a token
/// verified by any of them is accepted.
#[derive(Clone, Default)]
pub struct KeySet {
    /// HS256 shared secrets, as given.
    pub secrets: Vec<Vec<u8>>,
    /// PEM `PUBLIC KEY` (or `RSA PUBLIC KEY`) blocks; RSA or EC P-256, detected from the PEM.
    pub public_keys_pem: Vec<Vec<u8>>,
}

// Secrets must never reach a log line through `{:?}`.
impl fmt::Debug for KeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySet")
            .field("secrets", &self.secrets.len())
            .field("public_keys_pem", &self.public_keys_pem.len())
            .finish()
    }
}

/// Why a [`KeySet`] cannot make a verifier. Indexes count from 1 in the order given, so the
/// server can name the flag or file at fault.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum KeyError {
    #[error("no JWT key is configured: give --jwt-secret or --jwt-public-key")]
    NoKeys,
    #[error("JWT secret #{index} is empty; an empty secret would let anyone sign tokens")]
    EmptySecret { index: usize },
    #[error(
        "JWT public key #{index} is a private key; give its public half \
         (openssl pkey -in KEY -pubout)"
    )]
    PrivateKey { index: usize },
    #[error("JWT public key #{index} is not a usable PEM public key: {reason}")]
    BadPem { index: usize, reason: String },
    #[error(
        "JWT public key #{index} is {kind}; only RSA (RS256) and EC P-256 (ES256) keys are supported"
    )]
    UnsupportedKey { index: usize, kind: &'static str },
}

/// One configured key and the single algorithm it verifies. Only the signature is checked
/// with it (`jsonwebtoken::crypto::verify`); the header and claims are read by this crate.
pub(crate) struct TrustedKey {
    pub(crate) algorithm: Algorithm,
    pub(crate) key: DecodingKey,
}

impl TrustedKey {
    fn new(algorithm: Algorithm, key: DecodingKey) -> Self {
        TrustedKey { algorithm, key }
    }
}

/// Turns the operator's key set into trusted keys, refusing anything unusable now rather than
/// at the first client's connection.
pub(crate) fn load(set: &KeySet) -> Result<Vec<TrustedKey>, KeyError> {
    if set.secrets.is_empty() && set.public_keys_pem.is_empty() {
        return Err(KeyError::NoKeys);
    }
    let mut keys = Vec::with_capacity(set.secrets.len() + set.public_keys_pem.len());
    for (i, secret) in set.secrets.iter().enumerate() {
        if secret.is_empty() {
            return Err(KeyError::EmptySecret { index: i + 1 });
        }
        keys.push(TrustedKey::new(
            Algorithm::HS256,
            DecodingKey::from_secret(secret),
        ));
    }
    for (i, pem) in set.public_keys_pem.iter().enumerate() {
        keys.push(load_public_key(i + 1, pem)?);
    }
    Ok(keys)
}

fn load_public_key(index: usize, pem: &[u8]) -> Result<TrustedKey, KeyError> {
    let bad = |reason: &str| KeyError::BadPem {
        index,
        reason: reason.to_owned(),
    };
    match pem_label(pem) {
        None => return Err(bad("no -----BEGIN ...----- line was found")),
        Some(label) if label.contains("PRIVATE KEY") => {
            return Err(KeyError::PrivateKey { index });
        }
        Some("PUBLIC KEY" | "RSA PUBLIC KEY") => {}
        Some(label) => {
            return Err(bad(&format!(
                "found a {label} block where a PUBLIC KEY block was expected"
            )));
        }
    }
    if let Ok(key) = DecodingKey::from_rsa_pem(pem) {
        return Ok(TrustedKey::new(Algorithm::RS256, key));
    }
    if let Ok(key) = DecodingKey::from_ec_pem(pem) {
        // The PEM only says "EC"; a verifier for ES256 parses the point as P-256 and fails on
        // any other curve, so build one now to refuse a P-384 key at start-up.
        return match jsonwebtoken::crypto::verify("", b"", &key, Algorithm::ES256) {
            Ok(_) => Ok(TrustedKey::new(Algorithm::ES256, key)),
            Err(_) => Err(KeyError::UnsupportedKey {
                index,
                kind: "an EC key on a curve other than P-256",
            }),
        };
    }
    if DecodingKey::from_ed_pem(pem).is_ok() {
        return Err(KeyError::UnsupportedKey {
            index,
            kind: "an Ed25519 (EdDSA) key",
        });
    }
    Err(bad("its contents are neither an RSA nor an EC public key"))
}

/// The label of the first PEM block (`PUBLIC KEY` in `-----BEGIN PUBLIC KEY-----`); the
/// library accepts private keys and certificates too, which would never verify a token.
fn pem_label(pem: &[u8]) -> Option<&str> {
    const BEGIN: &str = "-----BEGIN ";
    let text = std::str::from_utf8(pem).ok()?;
    let rest = &text[text.find(BEGIN)? + BEGIN.len()..];
    Some(&rest[..rest.find("-----")?])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_label_reads_the_first_block() {
        assert_eq!(
            pem_label(b"-----BEGIN PUBLIC KEY-----\nAAA\n-----END PUBLIC KEY-----\n"),
            Some("PUBLIC KEY")
        );
        assert_eq!(pem_label(b"-----BEGIN PUBLIC KEY"), None);
        assert_eq!(pem_label(b"no pem here"), None);
        assert_eq!(pem_label(&[0xff, 0xfe]), None);
    }

    #[test]
    fn an_empty_set_and_an_empty_secret_are_refused() {
        assert_eq!(load(&KeySet::default()).err(), Some(KeyError::NoKeys));
        let set = KeySet {
            secrets: vec![b"s".to_vec(), Vec::new()],
            ..KeySet::default()
        };
        assert_eq!(load(&set).err(), Some(KeyError::EmptySecret { index: 2 }));
    }

    #[test]
    fn debug_does_not_show_secrets() {
        let set = KeySet {
            secrets: vec![b"hunter2".to_vec()],
            ..KeySet::default()
        };
        assert!(!format!("{set:?}").contains("hunter2"));
    }
}
