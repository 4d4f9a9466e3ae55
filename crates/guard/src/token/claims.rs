//! The claims this server reads from a verified token, and the time checks on them.
//!
//! jsonwebtoken only checks the signature (see `verify` in `mod.rs`): its own claim checks
//! use the system clock, and its reading of the claims refuses some signed tokens as malformed
//! JSON. The times are checked here against the `now` the caller passes: tests pick their
//! instant, and the rules are ours to read. `exp` is required (a token without one could
//! never be revoked), `nbf` and `iat` are honoured when present, all with the same leeway for
//! clock skew between issuer and server.

use serde::Deserialize;

use super::{Grant, RoomGrant, TokenError};

/// The claims read; any others are ignored.
#[derive(Debug, Deserialize)]
pub(crate) struct Claims {
    exp: Option<NumericDate>,
    nbf: Option<NumericDate>,
    iat: Option<NumericDate>,
    sub: Option<String>,
    rooms: Option<Vec<String>>,
}

/// Seconds since the epoch. RFC 7519 allows fractions, so read it as a float; f64 is exact for
/// whole seconds far beyond any real date.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(transparent)]
struct NumericDate(f64);

impl Claims {
    /// Reads the claims of a token whose signature was already verified.
    pub(crate) fn from_json(value: serde_json::Value) -> Result<Self, TokenError> {
        serde_json::from_value(value).map_err(|e| TokenError::InvalidClaims(e.to_string()))
    }

    /// Checks the token's lifetime at `now` (seconds since the epoch) and hands out its grant.
    pub(crate) fn into_grant(self, now: u64, leeway_secs: u64) -> Result<Grant, TokenError> {
        let exp = self.exp.ok_or_else(|| {
            TokenError::InvalidClaims("exp is missing; tokens must expire".to_owned())
        })?;
        for (name, date) in [("exp", Some(exp)), ("nbf", self.nbf), ("iat", self.iat)] {
            if date.is_some_and(|d| !d.0.is_finite()) {
                return Err(TokenError::InvalidClaims(format!("{name} is not a number")));
            }
        }
        let now = now as f64;
        let leeway = leeway_secs as f64;
        // RFC 7519: valid only *before* exp, and from nbf on.
        if now >= exp.0 + leeway {
            return Err(TokenError::Expired);
        }
        if self.nbf.is_some_and(|nbf| nbf.0 > now + leeway) {
            return Err(TokenError::NotYetValid);
        }
        if self.iat.is_some_and(|iat| iat.0 > now + leeway) {
            return Err(TokenError::IssuedInFuture);
        }
        Ok(Grant {
            sub: self.sub,
            rooms: RoomGrant::from_claim(self.rooms),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(claims: serde_json::Value, now: u64) -> Result<Grant, TokenError> {
        Claims::from_json(claims)?.into_grant(now, 30)
    }

    #[test]
    fn exp_is_exclusive_after_the_leeway() {
        assert!(check(json!({"exp": 1000}), 1029).is_ok());
        assert_eq!(check(json!({"exp": 1000}), 1030), Err(TokenError::Expired));
    }

    #[test]
    fn nbf_and_iat_may_be_ahead_by_the_leeway_only() {
        assert!(check(json!({"exp": 5000, "nbf": 1030, "iat": 1030}), 1000).is_ok());
        assert_eq!(
            check(json!({"exp": 5000, "nbf": 1031}), 1000),
            Err(TokenError::NotYetValid)
        );
        assert_eq!(
            check(json!({"exp": 5000, "iat": 1031}), 1000),
            Err(TokenError::IssuedInFuture)
        );
    }

    #[test]
    fn fractional_dates_are_read() {
        assert!(check(json!({"exp": 1000.5}), 1000).is_ok());
    }

    #[test]
    fn claims_of_the_wrong_type_are_refused() {
        for claims in [
            json!({"exp": "1000"}),
            json!({"exp": 5000, "sub": 7}),
            json!({"exp": 5000, "rooms": "lobby"}),
            json!({"exp": 5000, "rooms": [1]}),
        ] {
            assert_eq!(
                check(claims, 0).map_err(|e| e.code()),
                Err("invalid_claims")
            );
        }
    }

    #[test]
    fn null_optional_claims_count_as_absent() {
        let grant = check(json!({"exp": 5000, "sub": null, "rooms": null}), 0).unwrap();
        assert_eq!(grant.sub, None);
        assert_eq!(grant.rooms, RoomGrant::Any);
    }
}
