//! Alertmanager API v2 silence endpoints, with 0.25's validation errors
//! (schema errors `{"code","message"}` with 422, handler errors as a JSON
//! string with 400, an unknown id as an empty 404).

// Handlers return a ready HTTP error response as their `Err`: it is built
// once per failed request, so its size does not matter.
#![allow(clippy::result_large_err)]

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value as Json, json};

use super::am_api::{filters, string_error};
use super::am_matchers::AmMatcher;
use super::clock::now_secs;
use super::params::Params;
use super::prom_format::parse_time;
use super::server::{Shared, json as json_response};
use super::silences::{Silence, SilenceError, is_uuid};

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/v2/silences", get(list).post(post))
        .route("/api/v2/silence/{id}", get(get_one).delete(delete))
}

fn schema_error(code: u32, msg: &str) -> Response {
    json_response(StatusCode::UNPROCESSABLE_ENTITY, &json!({"code": code, "message": msg}))
}

async fn list(State(st): State<Shared>, p: Params) -> Response {
    let f = match filters(&p) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let now = now_secs();
    let sim = st.read();
    let out: Vec<Json> = sim.silences.list(&f, now).into_iter().map(|s| s.to_json(now)).collect();
    json_response(StatusCode::OK, &Json::Array(out))
}

fn check_id(id: &str) -> Result<(), Response> {
    if is_uuid(id) {
        Ok(())
    } else {
        Err(schema_error(601, &format!("silenceID in path must be of type uuid: {id:?}")))
    }
}

async fn get_one(State(st): State<Shared>, Path(id): Path<String>) -> Response {
    if let Err(r) = check_id(&id) {
        return r;
    }
    let now = now_secs();
    match st.read().silences.get(&id) {
        Some(s) => json_response(StatusCode::OK, &s.to_json(now)),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn delete(State(st): State<Shared>, Path(id): Path<String>) -> Response {
    if let Err(r) = check_id(&id) {
        return r;
    }
    match st.write().silences.expire(&id, now_secs()) {
        Ok(()) => StatusCode::OK.into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

fn field<'a>(body: &'a Json, path: &str, name: &str) -> Result<&'a Json, Response> {
    body.get(name)
        .filter(|v| !v.is_null())
        .ok_or_else(|| schema_error(602, &format!("{path}{name} in body is required")))
}

fn text_field(body: &Json, path: &str, name: &str) -> Result<String, Response> {
    field(body, path, name)?
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| schema_error(2, &format!("{path}{name} in body must be of type string")))
}

fn time_field(body: &Json, name: &str) -> Result<f64, Response> {
    let s = text_field(body, "", name)?;
    parse_time(&s)
        .filter(|_| s.contains('T'))
        .ok_or_else(|| schema_error(601, &format!("{name} in body must be of type date-time: {s:?}")))
}

fn matchers(body: &Json) -> Result<Vec<AmMatcher>, Response> {
    let list = field(body, "", "matchers")?
        .as_array()
        .ok_or_else(|| schema_error(2, "matchers in body must be of type array"))?;
    if list.is_empty() {
        return Err(schema_error(612, "matchers in body should have at least 1 items"));
    }
    let mut out = Vec::new();
    for (i, m) in list.iter().enumerate() {
        let path = format!("matchers.{i}.");
        let name = text_field(m, &path, "name")?;
        let value = text_field(m, &path, "value")?;
        let is_regex = field(m, &path, "isRegex")?.as_bool().unwrap_or(false);
        let is_equal = m.get("isEqual").and_then(Json::as_bool).unwrap_or(true);
        let matcher = AmMatcher::new(&name, &value, is_regex, is_equal)
            .map_err(|e| string_error(StatusCode::BAD_REQUEST, &format!("Failed to create silence: {e}")))?;
        out.push(matcher);
    }
    Ok(out)
}

fn parse_body(body: &[u8]) -> Result<Silence, Response> {
    let v: Json = serde_json::from_slice(body).map_err(|e| {
        json_response(
            StatusCode::BAD_REQUEST,
            &json!({"code": 400, "message": format!("parsing silence body failed: {e}")}),
        )
    })?;
    Ok(Silence {
        id: v.get("id").and_then(Json::as_str).unwrap_or("").to_string(),
        matchers: matchers(&v)?,
        starts_at: time_field(&v, "startsAt")?,
        ends_at: time_field(&v, "endsAt")?,
        updated_at: 0.0,
        created_by: text_field(&v, "", "createdBy")?,
        comment: text_field(&v, "", "comment")?,
    })
}

async fn post(State(st): State<Shared>, body: Bytes) -> Response {
    let sil = match parse_body(&body) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let now = now_secs();
    if sil.starts_at >= sil.ends_at {
        return string_error(StatusCode::BAD_REQUEST, "Failed to create silence: start time must be before end time");
    }
    if sil.ends_at < now {
        return string_error(StatusCode::BAD_REQUEST, "Failed to create silence: end time can't be in the past");
    }
    match st.write().silences.set(sil, now) {
        Ok(id) => json_response(StatusCode::OK, &json!({"silenceID": id})),
        Err(SilenceError::NotFound) => string_error(StatusCode::NOT_FOUND, "silence not found"),
        Err(SilenceError::Invalid(m)) => string_error(StatusCode::BAD_REQUEST, &format!("invalid silence: {m}")),
    }
}
