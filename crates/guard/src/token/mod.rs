//! JWT verification for `--jwt-secret` (HS256) and `--jwt-public-key` (RS256, ES256).
//!
//! Signatures are checked by `jsonwebtoken`; this module decides which keys may check a given
//! token (only those whose algorithm, fixed by the key set, is the token's) and turns the
//! outcome into a [`Grant`] or a [`TokenError`] the server can answer with.

mod claims;
mod error;
mod keys;
mod rooms;

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::Algorithm;
use jsonwebtoken::errors::ErrorKind;
use serde::Deserialize;

pub use error::TokenError;
pub use keys::{KeyError, KeySet};
pub use rooms::{RoomGrant, RoomPattern};

use claims::Claims;
use keys::TrustedKey;

/// Clock skew tolerated on `exp`, `nbf` and `iat` unless [`Verifier::with_leeway_secs`] says
/// otherwise.
pub const DEFAULT_LEEWAY_SECS: u64 = 30;

/// What a valid token lets its holder do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The `sub` claim: who the issuer says this is, for logs and peer ids.
    pub sub: Option<String>,
    /// The rooms the holder may join.
    pub rooms: RoomGrant,
}

/// Verifies tokens against a fixed key set. Build it once at start-up; it is `Send + Sync`.
pub struct Verifier {
    keys: Vec<TrustedKey>,
    leeway_secs: u64,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let algorithms: Vec<Algorithm> = self.keys.iter().map(|k| k.algorithm).collect();
        f.debug_struct("Verifier")
            .field("algorithms", &algorithms)
            .field("leeway_secs", &self.leeway_secs)
            .finish()
    }
}

impl Verifier {
    /// Refuses an empty key set, an empty secret, and any PEM that is not an RSA or P-256
    /// public key, with a message naming the key at fault.
    pub fn new(keys: &KeySet) -> Result<Self, KeyError> {
        Ok(Verifier {
            keys: keys::load(keys)?,
            leeway_secs: DEFAULT_LEEWAY_SECS,
        })
    }

    /// Sets the clock skew tolerated on `exp`, `nbf` and `iat`.
    pub fn with_leeway_secs(mut self, leeway_secs: u64) -> Self {
        self.leeway_secs = leeway_secs;
        self
    }

    /// Verifies `token` (the bare JWT, without `Bearer `) at `now`, in seconds since the epoch.
    pub fn verify(&self, token: &str, now: u64) -> Result<Grant, TokenError> {
        let token = token.trim();
        if token.is_empty() {
            return Err(TokenError::MissingToken);
        }
        let parts = Parts::split(token)?;
        let name = header_algorithm(parts.header)?;
        let algorithm: Option<Algorithm> = name.parse().ok();
        let mut candidates = self
            .keys
            .iter()
            .filter(|k| Some(k.algorithm) == algorithm)
            .peekable();
        if candidates.peek().is_none() {
            // `none`, an unknown name, or a real one no configured key uses: HS256 when only
            // public keys are configured is the key-confusion attack and ends here.
            return Err(TokenError::unsupported_algorithm(&name));
        }
        for key in candidates {
            // Only the signature is the library's: `jsonwebtoken::decode` also reads the
            // claims its own way and calls a signed `"nbf": [..]` malformed JSON, where it is
            // an invalid claim (found by the `jwt` fuzz target).
            match jsonwebtoken::crypto::verify(
                parts.signature,
                parts.signed.as_bytes(),
                &key.key,
                key.algorithm,
            ) {
                Ok(true) => return claims(parts.payload)?.into_grant(now, self.leeway_secs),
                // Rotation: the next key of the same algorithm may be the one.
                Ok(false) => continue,
                Err(e) => return Err(library_error(e.kind())),
            }
        }
        Err(TokenError::BadSignature)
    }
}

/// The three dot-separated parts of a compact JWT, and the `header.payload` text they sign.
struct Parts<'a> {
    header: &'a str,
    payload: &'a str,
    signature: &'a str,
    signed: &'a str,
}

impl<'a> Parts<'a> {
    fn split(token: &'a str) -> Result<Self, TokenError> {
        let malformed = || TokenError::Malformed("a JWT has three dot-separated parts");
        let (signed, signature) = token.rsplit_once('.').ok_or_else(malformed)?;
        let (header, payload) = signed.split_once('.').ok_or_else(malformed)?;
        if payload.contains('.') {
            return Err(malformed());
        }
        Ok(Parts {
            header,
            payload,
            signature,
            signed,
        })
    }
}

/// Reads the header's `alg` ourselves: jsonwebtoken's header type has no `none`, so through it
/// `alg: none` would be indistinguishable from garbage.
fn header_algorithm(header: &str) -> Result<String, TokenError> {
    #[derive(Deserialize)]
    struct Header {
        alg: String,
    }
    let json = URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|_| TokenError::Malformed("the header is not base64url"))?;
    let header: Header = serde_json::from_slice(&json)
        .map_err(|_| TokenError::Malformed("the header is not a JSON object with an alg"))?;
    Ok(header.alg)
}

/// The claims of a token whose signature was verified: a JSON object (else the token is
/// malformed), whose claims of the wrong type are invalid claims.
fn claims(payload: &str) -> Result<Claims, TokenError> {
    let json = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| TokenError::Malformed("a part is not base64url"))?;
    match serde_json::from_slice(&json) {
        Ok(object @ serde_json::Value::Object(_)) => Claims::from_json(object),
        _ => Err(TokenError::Malformed(
            "the header or claims are not a JSON object",
        )),
    }
}

/// Maps the library's refusals other than a wrong signature.
fn library_error(kind: &ErrorKind) -> TokenError {
    match kind {
        ErrorKind::InvalidToken => TokenError::Malformed("a JWT has three dot-separated parts"),
        ErrorKind::Base64(_) => TokenError::Malformed("a part is not base64url"),
        ErrorKind::Json(_) | ErrorKind::Utf8(_) => {
            TokenError::Malformed("the header or claims are not a JSON object")
        }
        // Nothing else should reach here with a key that loaded; refuse, whatever it is.
        _ => TokenError::BadSignature,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `jwt` fuzz target: a token correctly signed (HS256, `fuzz-secret`) whose
    /// `nbf` is an array. jsonwebtoken's `decode` refused it as malformed JSON; it is a token
    /// with an invalid claim.
    #[test]
    fn a_signed_token_with_a_non_numeric_nbf_has_invalid_claims() {
        let token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.\
                     eyJddWoiOiIjbGljZSIsImV4MCI6MTkwMDAwMDAwMCwibmJmIjpbImxvYmI0Mi0qIl19.\
                     c3kZMdJt52aMvuLiMtHC-pVm04Lor_QtZ6yTljG3tz0";
        let verifier = Verifier::new(&KeySet {
            secrets: vec![b"fuzz-secret".to_vec()],
            ..KeySet::default()
        })
        .unwrap();
        let err = verifier.verify(token, 1_800_000_000).unwrap_err();
        assert_eq!(err.code(), "invalid_claims", "{err}");
    }

    #[test]
    fn a_jwt_has_exactly_three_parts() {
        for token in ["a", "a.b", "a.b.c.d", ".."] {
            let parts = Parts::split(token);
            assert_eq!(parts.is_ok(), token == "..", "{token}");
        }
        let parts = Parts::split("h.p.s").unwrap();
        assert_eq!(
            (parts.header, parts.payload, parts.signature, parts.signed),
            ("h", "p", "s", "h.p")
        );
    }
}
