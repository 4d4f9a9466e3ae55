//! Access control for Switchboard's dialects, as pure building blocks (issue 10, "Security and
//! hardening").
//!
//! Nothing here does I/O or knows about actix or tokio: each piece takes what the server read
//! (a header, the peer address, the current time) and answers yes or no, so every rule is unit
//! tested here and wired into every dialect the same way.
//!
//! - [`token`]: JWT verification for `--jwt-secret` (HS256) and `--jwt-public-key` (RS256,
//!   ES256), giving a [`Grant`] (subject and allowed rooms) or a [`TokenError`] with a stable
//!   code for a 401 `{"code","message"}` answer.
//! - [`origin`]: [`AllowedOrigins`] from `--allowed-origins`: `*`, exact origins and
//!   `https://*.example.com` subdomain wildcards.
//! - [`client_addr`]: [`TrustedProxies`] from `--trusted-proxies`, and the client's address
//!   behind them from `X-Forwarded-For`.
//! - [`bucket`]: a [`TokenBucket`] rate limiter with the time passed in.
//! - [`conn_limits`]: [`AddressLimits`], concurrent and new-connection limits per client
//!   address, handing out [`AddressPermit`]s that give their place back on drop.
//!
//! Everywhere, a limit of 0 turns that limit off.

pub mod bucket;
pub mod client_addr;
pub mod conn_limits;
pub mod origin;
pub mod token;

pub use bucket::TokenBucket;
pub use client_addr::{ProxyListError, TrustedProxies};
pub use conn_limits::{AddressLimits, AddressPermit, Refusal};
pub use origin::{AllowedOrigins, OriginError};
pub use token::{
    DEFAULT_LEEWAY_SECS, Grant, KeyError, KeySet, RoomGrant, RoomPattern, TokenError, Verifier,
};
