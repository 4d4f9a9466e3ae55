//! Who may connect: the checks every new connection passes before any protocol work, in
//! every dialect alike. A refused origin gets 403 (cross-site WebSocket hijacking), a node at
//! `--max-conns` 503, a client address over its limits 429, and, when JWT keys are set, a
//! missing or invalid token 401. An admitted connection holds an [`Admission`]: its place in
//! its address's count, and the token's grant (which rooms it may join).
//!
//! The rules themselves are the pure ones of `switchboard_guard`; this module reads the
//! request (peer address, `X-Forwarded-For`, `Origin`, the token) and answers.

mod keys;
mod origin;
mod refusal;

use std::net::IpAddr;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use actix_web::HttpRequest;
use actix_web::http::StatusCode;
use actix_web::http::header;
use switchboard_guard::{
    AddressLimits, AddressPermit, AllowedOrigins, Grant, RoomGrant, TokenError, TrustedProxies,
};

use crate::config::Config;

pub use origin::check_origin;
pub use refusal::Refusal;

pub struct Access {
    origins: AllowedOrigins,
    proxies: TrustedProxies,
    addresses: AddressLimits,
    max_conns: usize,
    keys: Option<keys::Keys>,
}

/// An admitted connection: keep it for the connection's life (its address's place is given
/// back on drop).
pub struct Admission {
    _permit: Option<AddressPermit>,
    /// What the token allows; everything when tokens are not asked for.
    pub grant: Grant,
}

impl Admission {
    /// Whether the connection may join `room`.
    pub fn may_join(&self, room: &str) -> bool {
        self.grant.rooms.allows(room)
    }
}

impl Access {
    pub fn from_config(config: &Config) -> Result<Self, String> {
        let origins = AllowedOrigins::parse(&config.allowed_origins)
            .map_err(|err| format!("--allowed-origins: {err}"))?;
        let proxies = TrustedProxies::parse(&config.trusted_proxies)
            .map_err(|err| format!("--trusted-proxies: {err}"))?;
        Ok(Self {
            origins,
            proxies,
            addresses: AddressLimits::new(
                config.max_conns_per_ip,
                config.max_new_conns_per_sec,
                config.new_conns_burst,
            ),
            max_conns: config.max_conns,
            keys: keys::Keys::from_config(config)?,
        })
    }

    /// Whether connections must present a token.
    pub fn tokens_required(&self) -> bool {
        self.keys.is_some()
    }

    /// Whether every origin may connect (worth a warning in a cluster).
    pub fn any_origin(&self) -> bool {
        self.origins.allows("https://any-origin.invalid")
    }

    /// Whether the node holds as many connections as it may.
    pub fn is_full(&self, open: usize) -> bool {
        self.max_conns > 0 && open >= self.max_conns
    }

    /// A new connection, with `open` connections on the node already and the token it
    /// presented: the node's and its address's limits first (so failed tokens count against
    /// the address too), then the token.
    pub fn admit(
        &self,
        req: &HttpRequest,
        open: usize,
        token: Option<&str>,
    ) -> Result<Admission, Refusal> {
        let permit = self.admit_address(req, open)?;
        let grant = self.verify(token)?;
        Ok(Admission {
            _permit: permit,
            grant,
        })
    }

    /// Like [`admit`](Self::admit), for a connection whose token comes later (Socket.IO 4.x
    /// clients send it in their CONNECT packet); [`verify`](Self::verify) it then.
    pub fn admit_pending(&self, req: &HttpRequest, open: usize) -> Result<Admission, Refusal> {
        Ok(Admission {
            _permit: self.admit_address(req, open)?,
            grant: unrestricted(),
        })
    }

    /// The grant of `token`; everything when tokens are not asked for.
    pub fn verify(&self, token: Option<&str>) -> Result<Grant, Refusal> {
        let Some(keys) = &self.keys else {
            return Ok(unrestricted());
        };
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_secs());
        let token = token.filter(|token| !token.is_empty());
        token
            .ok_or(TokenError::MissingToken)
            .and_then(|token| keys.verifier().verify(token, now))
            .map_err(|err| Refusal::new(StatusCode::UNAUTHORIZED, err.code(), err.to_string()))
    }

    /// Reads the key files again (SIGHUP).
    pub fn reload_keys(&self) -> Result<(), String> {
        match &self.keys {
            Some(keys) => keys.reload(),
            None => Ok(()),
        }
    }

    fn admit_address(
        &self,
        req: &HttpRequest,
        open: usize,
    ) -> Result<Option<AddressPermit>, Refusal> {
        if self.is_full(open) {
            return Err(Refusal::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "node_full",
                format!("this node holds its most connections ({})", self.max_conns),
            ));
        }
        let Some(ip) = self.client_ip(req) else {
            return Ok(None);
        };
        self.addresses
            .admit(ip, Instant::now())
            .map(Some)
            .map_err(|refusal| {
                Refusal::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    refusal.code(),
                    format!("{refusal} from {ip}"),
                )
            })
    }

    /// The client's address: the peer's, or the one `X-Forwarded-For` names when the peer is
    /// a trusted proxy.
    pub fn client_ip(&self, req: &HttpRequest) -> Option<IpAddr> {
        let peer = req.peer_addr()?.ip();
        let forwarded: Vec<&str> = req
            .headers()
            .get_all(header::X_FORWARDED_FOR)
            .filter_map(|value| value.to_str().ok())
            .collect();
        let forwarded = (!forwarded.is_empty()).then(|| forwarded.join(","));
        Some(self.proxies.client_ip(peer, forwarded.as_deref()))
    }

    fn origin_allowed(&self, origin: &str) -> bool {
        self.origins.allows(origin)
    }
}

/// The `token` parameter of a query string (`?token=`), percent-decoded.
pub fn query_token(query: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct TokenQuery {
        token: Option<String>,
    }
    actix_web::web::Query::<TokenQuery>::from_query(query)
        .ok()
        .and_then(|query| query.into_inner().token)
}

fn unrestricted() -> Grant {
    Grant {
        sub: None,
        rooms: RoomGrant::Any,
    }
}

/// Reads the key files again on every SIGHUP, for as long as the node runs.
pub async fn reload_on_hangup(access: std::sync::Arc<Access>) {
    use tokio::signal::unix::{SignalKind, signal};
    let Ok(mut hangup) = signal(SignalKind::hangup()) else {
        log::error!("cannot listen for SIGHUP; JWT keys are not reloaded");
        return;
    };
    while hangup.recv().await.is_some() {
        match access.reload_keys() {
            Ok(()) => log::info!("SIGHUP: JWT keys reloaded"),
            Err(err) => log::error!("SIGHUP: JWT keys kept as they were: {err}"),
        }
    }
}
