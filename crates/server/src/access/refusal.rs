//! A connection refused before any protocol work: an HTTP status and a JSON body
//! `{"code","message"}` that every dialect's clients get alike (the dialects' own error
//! shapes start only once a connection is accepted).

use actix_web::HttpResponse;
use actix_web::http::StatusCode;

use crate::metrics::CONNECTIONS_REFUSED;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl Refusal {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// The response, counted by code.
    pub fn response(&self) -> HttpResponse {
        metrics::counter!(CONNECTIONS_REFUSED, "code" => self.code).increment(1);
        log::debug!("connection refused: {} ({})", self.message, self.code);
        HttpResponse::build(self.status)
            .json(serde_json::json!({ "code": self.code, "message": self.message }))
    }
}
