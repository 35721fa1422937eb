//! The automatic check: our own small protocol to an identity service
//! (README, "Identity-service protocol"), the mapping of its answers, and
//! the built-in checker used when none is configured.
//!
//! A request: `POST <identity_service_url>` with
//! `Authorization: Bearer <identity_service_token>` and the JSON
//! `{"request_id", "check", "subject"}` ([`CheckRequest::body`]), where
//! `check` is `person_2` (name + ID number), `person_3` (name + ID number +
//! mobile) or `enterprise_3` (organization name + USCC + legal
//! representative's name). The answer: `{"request_id", "result",
//! "subject_digest"}` with `result` one of `match`, `mismatch`,
//! `no_record`, `busy`, `daily_limit`, and `subject_digest` the SHA-256
//! (hex) of the canonical subject ([`canonical_json`]).
//!
//! [`verdict`] maps an answer: a verdict (match, mismatch, no record) counts
//! only when the request id and the digest are exactly what was sent; a
//! timeout, a transport failure, a non-2xx status, a body that is not the
//! JSON object above (HTML, garbage), an unknown result, busy or daily
//! limit, or a digest for other data is no verdict. Nothing is ever
//! `passed` without a verified match.
//!
//! The transport is the [`IdentityService`] trait: in a component it is an
//! outbound HTTP call (`spin_client.rs`), in native tests a scripted one.

use super::parts::{Claim, checkable_online};
use crate::digest::sha256_hex;
use crate::identity::PersonName;
use serde_json::{Map, Value, json};

/// The longest a check may take, end to end (connect, answer, body): then
/// it is no verdict.
pub const CHECK_TIMEOUT_MS: u64 = 3_000;
/// The largest answer read from the service.
pub const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// The checks of the protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckKind {
    /// Name + ID number.
    Person2,
    /// Name + ID number + mobile (carriers hold real-name records of
    /// mainland numbers only).
    Person3,
    /// Organization name + USCC + legal representative's name.
    Enterprise3,
}

impl CheckKind {
    pub fn code(self) -> &'static str {
        match self {
            CheckKind::Person2 => "person_2",
            CheckKind::Person3 => "person_3",
            CheckKind::Enterprise3 => "enterprise_3",
        }
    }
}

/// What a claim is checked with, when it can be checked online: the kind
/// and the subject sent. The person checks need an online-checkable
/// document; the main agent adds its mobile when it is a mainland number;
/// the organization needs its legal representative's name.
pub fn plan(claim: &Claim, legal_representative: Option<&PersonName>) -> Option<(CheckKind, Value)> {
    let person = |name: &PersonName, document: &crate::identity::Document| {
        checkable_online(document).then(|| json!({ "name": name.as_str(), "id_number": document.number() }))
    };
    match claim {
        Claim::Person { name, document, .. } => person(name, document).map(|s| (CheckKind::Person2, s)),
        Claim::LegalRepresentative(rep) => person(&rep.name, &rep.document).map(|s| (CheckKind::Person2, s)),
        Claim::AuthorizationInfo { name, document, mobile } => person(name, document).map(|mut s| {
            if mobile.is_mainland() {
                s["mobile"] = json!(mobile.as_str());
                (CheckKind::Person3, s)
            } else {
                (CheckKind::Person2, s)
            }
        }),
        Claim::BasicInfo { org_name, uscc, .. } => legal_representative.map(|rep| {
            (
                CheckKind::Enterprise3,
                json!({ "org_name": org_name.as_str(), "uscc": uscc.as_str(), "legal_representative_name": rep.as_str() }),
            )
        }),
    }
}

/// One check as sent.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckRequest {
    /// Random, unique per request; the answer must carry it back.
    pub request_id: String,
    pub kind: CheckKind,
    /// The subject object (see [`plan`]).
    pub subject: Value,
}

impl CheckRequest {
    /// The JSON body POSTed.
    pub fn body(&self) -> Value {
        json!({ "request_id": self.request_id, "check": self.kind.code(), "subject": self.subject })
    }

    /// SHA-256 (hex) of the canonical subject: the service's answer names
    /// the data it is about with it.
    pub fn subject_digest(&self) -> String {
        sha256_hex(canonical_json(&self.subject).as_bytes())
    }
}

/// The canonical form of a JSON value: objects with their keys in
/// lexicographic (byte) order, no white space, strings escaped as JSON
/// does (non-ASCII as UTF-8) — what `JSON.stringify` gives for an object
/// whose keys were sorted.
pub fn canonical_json(v: &Value) -> String {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let items: Vec<String> = keys.iter().map(|k| format!("{}:{}", Value::String((*k).clone()), canonical_json(&map[*k]))).collect();
            format!("{{{}}}", items.join(","))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(canonical_json).collect::<Vec<_>>().join(",")),
        other => other.to_string(),
    }
}

/// What came back from the service, as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceAnswer {
    pub status: u16,
    pub body: Vec<u8>,
}

/// Why nothing came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceFailure {
    /// No complete answer within [`CHECK_TIMEOUT_MS`].
    Timeout,
    /// The request could not be made or the connection failed.
    Unreachable(String),
}

/// The transport to the identity service: sends one check, returns the
/// answer as received. Implemented over outbound HTTP in a component
/// (`spin_client::SpinIdentityService`) and by scripted services in tests.
#[allow(async_fn_in_trait)]
pub trait IdentityService {
    async fn check(&self, request: &CheckRequest) -> Result<ServiceAnswer, ServiceFailure>;
}

/// What an answer means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Match,
    Mismatch,
    NoRecord,
    /// No verdict; the code says why (for the audit log, never for the user).
    Unavailable(&'static str),
}

impl Verdict {
    /// The code in the audit log: `match`, `mismatch`, `no_record`, or why
    /// there was no verdict (`timeout`, `status_5xx`, `not_json`,
    /// `wrong_digest`...).
    pub fn code(&self) -> &'static str {
        match self {
            Verdict::Match => "match",
            Verdict::Mismatch => "mismatch",
            Verdict::NoRecord => "no_record",
            Verdict::Unavailable(why) => why,
        }
    }
}

/// Maps what came back for `request` (see the module docs).
pub fn verdict(request: &CheckRequest, answer: &Result<ServiceAnswer, ServiceFailure>) -> Verdict {
    let answer = match answer {
        Err(ServiceFailure::Timeout) => return Verdict::Unavailable("timeout"),
        Err(ServiceFailure::Unreachable(_)) => return Verdict::Unavailable("unreachable"),
        Ok(a) => a,
    };
    if !(200..300).contains(&answer.status) {
        return Verdict::Unavailable(if answer.status >= 500 { "status_5xx" } else { "status_other" });
    }
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&answer.body) else {
        return Verdict::Unavailable("not_json");
    };
    let text = |m: &Map<String, Value>, k: &str| m.get(k).and_then(Value::as_str).map(str::to_owned);
    let result = text(&body, "result");
    match result.as_deref() {
        Some("busy") => return Verdict::Unavailable("busy"),
        Some("daily_limit") => return Verdict::Unavailable("daily_limit"),
        Some("match" | "mismatch" | "no_record") => {}
        Some(_) => return Verdict::Unavailable("unknown_result"),
        None => return Verdict::Unavailable("no_result"),
    }
    if text(&body, "request_id").as_deref() != Some(request.request_id.as_str()) {
        return Verdict::Unavailable("wrong_request_id");
    }
    let digest = text(&body, "subject_digest").map(|d| d.to_ascii_lowercase());
    if !digest.is_some_and(|d| crate::digest::constant_time_eq(&d, &request.subject_digest())) {
        return Verdict::Unavailable("wrong_digest");
    }
    match result.as_deref() {
        Some("match") => Verdict::Match,
        Some("mismatch") => Verdict::Mismatch,
        _ => Verdict::NoRecord,
    }
}

/// Asks `service` about `request` and maps the answer.
pub async fn ask<I: IdentityService>(service: &I, request: &CheckRequest) -> Verdict {
    let answer = service.check(request).await;
    verdict(request, &answer)
}
