//! Request parameters the way the Go servers read them: the query string
//! plus, for POST, a form-encoded body; repeated keys (`match[]`,
//! `filter`) kept in order.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{Method, header};
use axum::response::{IntoResponse, Response};

/// Largest form body accepted (queries are short; this bounds memory).
const MAX_FORM_BYTES: usize = 1 << 20;

#[derive(Debug, Default, Clone)]
pub(crate) struct Params(pub Vec<(String, String)>);

impl Params {
    pub(crate) fn from_query(q: &str) -> Params {
        Params(url::form_urlencoded::parse(q.as_bytes()).into_owned().collect())
    }

    /// The first value of `key` (empty values count as absent).
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, v)| k == key && !v.is_empty()).map(|(_, v)| v.as_str())
    }

    pub(crate) fn all(&self, key: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, _)| k == key).map(|(_, v)| v.as_str()).collect()
    }
}

impl<S: Send + Sync> FromRequest<S> for Params {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let mut params = Params::from_query(req.uri().query().unwrap_or(""));
        let is_form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if req.method() == Method::POST && is_form {
            let body = Bytes::from_request(req, state).await.map_err(IntoResponse::into_response)?;
            if body.len() > MAX_FORM_BYTES {
                return Err((axum::http::StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response());
            }
            params.0.extend(url::form_urlencoded::parse(&body).into_owned());
        }
        Ok(params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_and_empty_values() {
        let p = Params::from_query("match[]=up&match[]=x%7Bjob%3D%22a%22%7D&time=");
        assert_eq!(p.all("match[]"), vec!["up", "x{job=\"a\"}"]);
        assert_eq!(p.get("time"), None);
        assert_eq!(p.get("match[]"), Some("up"));
    }
}
