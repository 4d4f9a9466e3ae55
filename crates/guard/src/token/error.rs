//! Why a token was refused, as a stable machine code and a human sentence.
//!
//! The server answers HTTP 401 `{"code","message"}`: clients branch on the code (refresh an
//! expired token, give up on a bad one), people read the message. Codes never change meaning.

use serde_json::{Value, json};
use thiserror::Error;

/// A refused token. Messages never echo secrets, and only echo an algorithm name when it is short
/// and plain.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TokenError {
    #[error("no token was given")]
    MissingToken,
    #[error("the token is not a well-formed JWT: {0}")]
    Malformed(&'static str),
    #[error("the token's algorithm {0} is not accepted by this server")]
    UnsupportedAlgorithm(String),
    #[error("the token's signature does not match any configured key")]
    BadSignature,
    #[error("the token's claims are invalid: {0}")]
    InvalidClaims(String),
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet (its nbf is in the future)")]
    NotYetValid,
    #[error("the token was issued in the future (its iat); check the issuer's clock")]
    IssuedInFuture,
}

impl TokenError {
    /// The stable code for the `code` field of the 401 answer.
    pub fn code(&self) -> &'static str {
        match self {
            TokenError::MissingToken => "missing_token",
            TokenError::Malformed(_) => "malformed_token",
            TokenError::UnsupportedAlgorithm(_) => "unsupported_algorithm",
            TokenError::BadSignature => "bad_signature",
            TokenError::InvalidClaims(_) => "invalid_claims",
            TokenError::Expired => "token_expired",
            // Both mean "not usable yet, or the clocks disagree": one code for clients.
            TokenError::NotYetValid | TokenError::IssuedInFuture => "token_not_yet_valid",
        }
    }

    /// The 401 answer's body: `{"code": ..., "message": ...}`.
    pub fn to_json(&self) -> Value {
        json!({ "code": self.code(), "message": self.to_string() })
    }

    /// The algorithm name comes from the attacker's header: quote it only when it is short and
    /// plain, so a message (and the log line made of it) cannot be stuffed.
    pub(crate) fn unsupported_algorithm(name: &str) -> Self {
        let plain =
            !name.is_empty() && name.len() <= 16 && name.bytes().all(|b| b.is_ascii_alphanumeric());
        TokenError::UnsupportedAlgorithm(if plain {
            format!("\"{name}\"")
        } else {
            "(unreadable name)".to_owned()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_body_has_code_and_message() {
        let body = TokenError::Expired.to_json();
        assert_eq!(body["code"], "token_expired");
        assert_eq!(body["message"], "the token has expired");
    }

    #[test]
    fn odd_algorithm_names_are_not_echoed() {
        let e = TokenError::unsupported_algorithm("none");
        assert_eq!(
            e.to_string(),
            "the token's algorithm \"none\" is not accepted by this server"
        );
        let e = TokenError::unsupported_algorithm("x\n<script>");
        assert!(!e.to_string().contains("script"));
    }
}
