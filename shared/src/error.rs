//! One error type for every flow: a stable code, an HTTP status, a message
//! in zh and en, and the field it concerns. Every endpoint renders it in the
//! same JSON shape (see [`AppError::to_json`]).

use crate::guidance::Guidance;
use crate::i18n::{Lang, Text};
use serde_json::{Value, json};
use std::fmt;

pub type AppResult<T> = Result<T, AppError>;

#[derive(Debug, Clone, PartialEq)]
pub struct AppError {
    /// Stable, dotted code: `<area>.<what>` (e.g. `registration.login_name_taken`).
    pub code: &'static str,
    pub status: u16,
    pub message: Text,
    /// The request field this error is about (`login_name`, `body`, ...).
    pub field: Option<String>,
    /// Extra structured detail for the client (limits, all field errors...).
    pub details: Option<Value>,
    /// The way out (FAQ guidance), rendered into `details.guidance` in the
    /// request's language.
    pub guidance: Option<Box<Guidance>>,
    /// Response headers the error needs (`Retry-After`, `Allow`).
    pub headers: Vec<(String, String)>,
    /// What really went wrong, for the log only: never sent to the client.
    pub cause: Option<String>,
}

impl AppError {
    pub fn new(code: &'static str, status: u16, zh: impl Into<String>, en: impl Into<String>) -> Self {
        AppError {
            code,
            status,
            message: Text::new(zh, en),
            field: None,
            details: None,
            guidance: None,
            headers: Vec::new(),
            cause: None,
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    pub fn with_cause(mut self, cause: impl Into<String>) -> Self {
        self.cause = Some(cause.into());
        self
    }

    pub fn with_guidance(mut self, guidance: Guidance) -> Self {
        self.guidance = Some(Box::new(guidance));
        self
    }

    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// The request names a field that must be present but is not.
    pub fn missing_field(field: &str) -> Self {
        AppError::new(
            "request.field_missing",
            400,
            format!("缺少必填项：{field}"),
            format!("The field `{field}` is required."),
        )
        .with_field(field)
    }

    pub fn not_found() -> Self {
        AppError::new("request.not_found", 404, "没有这个地址。", "There is nothing at this address.")
    }

    pub fn method_not_allowed(allow: &[&str]) -> Self {
        let allow = allow.join(", ");
        AppError::new(
            "request.method_not_allowed",
            405,
            format!("此地址不支持该请求方法，可用：{allow}。"),
            format!("This address does not accept that method; allowed: {allow}."),
        )
        .with_header("allow", allow)
    }

    pub fn body_too_large(limit: usize) -> Self {
        AppError::new(
            "request.body_too_large",
            413,
            format!("提交的内容过大，上限为 {limit} 字节。"),
            format!("The request body is too large; the limit is {limit} bytes."),
        )
        .with_field("body")
        .with_details(json!({ "limit_bytes": limit }))
    }

    pub fn unsupported_media_type(expected: &str) -> Self {
        AppError::new(
            "request.unsupported_media_type",
            415,
            format!("请求内容类型应为 {expected}。"),
            format!("The request content type must be {expected}."),
        )
        .with_field("content-type")
    }

    pub fn too_many_requests(retry_after_secs: u64) -> Self {
        let retry = retry_after_secs.max(1);
        AppError::new(
            "request.rate_limited",
            429,
            format!("操作过于频繁，请 {retry} 秒后再试。"),
            format!("Too many requests; try again in {retry} seconds."),
        )
        .with_header("retry-after", retry.to_string())
        .with_details(json!({ "retry_after_seconds": retry }))
    }

    /// An unexpected failure: the user sees a generic message with the
    /// request id; the cause goes to the log only.
    pub fn internal() -> Self {
        AppError::new(
            "internal.unexpected",
            500,
            "系统内部错误，请稍后重试；如仍有问题，请提供请求编号。",
            "Something went wrong on our side. Please try again; if it persists, quote the request id.",
        )
    }

    /// Several field errors at once (a form with more than one mistake): the
    /// first is the main error; `details.errors` lists all of them, so the
    /// UI can mark every field in one round trip.
    pub fn combine(mut errors: Vec<AppError>) -> Option<AppError> {
        if errors.is_empty() {
            return None;
        }
        let all: Vec<Value> = errors
            .iter()
            .map(|e| {
                json!({
                    "code": e.code,
                    "field": e.field,
                    "message_zh": e.message.zh,
                    "message_en": e.message.en,
                    "details": e.details,
                })
            })
            .collect();
        let mut first = errors.remove(0);
        let mut details = first.details.take().unwrap_or_else(|| json!({}));
        if let Some(obj) = details.as_object_mut() {
            obj.insert("errors".into(), Value::Array(all));
        }
        first.details = Some(details);
        Some(first)
    }

    /// The one JSON error shape of every endpoint.
    pub fn to_json(&self, lang: Lang, request_id: &str) -> Value {
        let mut error = json!({
            "code": self.code,
            "message": self.message.get(lang),
            "message_zh": self.message.zh,
            "message_en": self.message.en,
            "field": self.field,
            "request_id": request_id,
        });
        let mut details = self.details.clone();
        if let Some(g) = &self.guidance {
            let obj = details.get_or_insert_with(|| json!({}));
            if let Some(map) = obj.as_object_mut() {
                map.insert("guidance".into(), g.to_json(lang));
            }
        }
        // Always present (an empty object when there is nothing more), so
        // the shape is the one the README shows.
        error["details"] = details.unwrap_or_else(|| json!({}));
        json!({ "error": error })
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.status, self.message.en)?;
        if let Some(cause) = &self.cause {
            write!(f, " — cause: {cause}")?;
        }
        Ok(())
    }
}

impl std::error::Error for AppError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_shape_carries_both_languages_and_the_field() {
        let err = AppError::missing_field("login_name");
        let v = err.to_json(Lang::En, "req-1");
        assert_eq!(v["error"]["code"], "request.field_missing");
        assert_eq!(v["error"]["field"], "login_name");
        assert_eq!(v["error"]["request_id"], "req-1");
        assert_eq!(v["error"]["message"], v["error"]["message_en"]);
        assert!(v["error"]["message_zh"].as_str().unwrap().contains("login_name"));
        let zh = err.to_json(Lang::Zh, "req-1");
        assert_eq!(zh["error"]["message"], zh["error"]["message_zh"]);
    }

    #[test]
    fn combine_keeps_the_first_and_lists_all() {
        assert!(AppError::combine(vec![]).is_none());
        let e = AppError::combine(vec![AppError::missing_field("a"), AppError::missing_field("b")]).unwrap();
        assert_eq!(e.field.as_deref(), Some("a"));
        let all = e.details.unwrap()["errors"].as_array().unwrap().clone();
        assert_eq!(all.len(), 2);
        assert_eq!(all[1]["field"], "b");
    }

    #[test]
    fn guidance_is_rendered_in_the_request_language() {
        let g = Guidance::new("x.way_out", "去申诉", "Appeal").action("/appeal", "申诉", "Appeal");
        let e = AppError::new("x.taken", 409, "已占用", "Taken").with_details(json!({"a": 1})).with_guidance(g);
        let en = e.to_json(Lang::En, "r");
        assert_eq!(en["error"]["details"]["guidance"]["message"], "Appeal");
        assert_eq!(en["error"]["details"]["guidance"]["actions"][0]["label"], "Appeal");
        assert_eq!(en["error"]["details"]["a"], 1);
        assert_eq!(e.to_json(Lang::Zh, "r")["error"]["details"]["guidance"]["message"], "去申诉");
    }

    #[test]
    fn method_not_allowed_names_the_allowed_methods() {
        let err = AppError::method_not_allowed(&["GET", "HEAD"]);
        assert_eq!(err.status, 405);
        assert_eq!(err.headers, vec![("allow".to_owned(), "GET, HEAD".to_owned())]);
    }

    #[test]
    fn rate_limit_sets_retry_after_of_at_least_one_second() {
        let err = AppError::too_many_requests(0);
        assert_eq!(err.headers, vec![("retry-after".to_owned(), "1".to_owned())]);
    }

    #[test]
    fn every_error_has_the_one_shape_with_details() {
        let j = AppError::not_found().to_json(Lang::En, "r1");
        let e = &j["error"];
        for key in ["code", "message", "message_zh", "message_en", "field", "request_id", "details"] {
            assert!(e.get(key).is_some(), "{key} in {j}");
        }
        assert_eq!(e["details"], json!({}), "an empty object when there is nothing more");
    }
}
