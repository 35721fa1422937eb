//! The application-wide JSON error shape, for errors the host itself produces:
//!
//! `{"error":{"code":"host.not_found","message":"…","message_zh":"…","message_en":"…","field":null,"request_id":"…"}}`
//!
//! `message` is Chinese unless the request's most preferred language
//! (`Accept-Language`) is English.

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, StatusCode, header};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostError {
    NotFound,
    BodyTooLarge { limit: usize },
    ComponentFailed,
}

impl HostError {
    pub fn status(&self) -> StatusCode {
        match self {
            HostError::NotFound => StatusCode::NOT_FOUND,
            HostError::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            HostError::ComponentFailed => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            HostError::NotFound => "host.not_found",
            HostError::BodyTooLarge { .. } => "host.body_too_large",
            HostError::ComponentFailed => "host.component_failed",
        }
    }

    fn messages(&self) -> (String, String) {
        match self {
            HostError::NotFound => (
                "请求的地址不存在。".to_string(),
                "The requested address does not exist.".to_string(),
            ),
            HostError::BodyTooLarge { limit } => (
                format!("请求内容过大，最多 {} 字节。", limit),
                format!("The request body is too large; the limit is {limit} bytes."),
            ),
            HostError::ComponentFailed => (
                "服务暂时出错，请稍后重试；如仍失败，请提供请求编号联系我们。".to_string(),
                "The service failed to handle the request. Please try again; if it keeps failing, contact us with the request ID.".to_string(),
            ),
        }
    }

    /// Builds the JSON error response.
    pub fn response(&self, request_headers: &HeaderMap, request_id: &str) -> http::Response<Bytes> {
        let (zh, en) = self.messages();
        let message = match preferred_language(request_headers) {
            Language::En => en.clone(),
            Language::Zh => zh.clone(),
        };
        let body = serde_json::json!({
            "error": {
                "code": self.code(),
                "message": message,
                "message_zh": zh,
                "message_en": en,
                "field": null,
                "request_id": request_id,
            }
        });
        let mut response = http::Response::new(Bytes::from(body.to_string()));
        *response.status_mut() = self.status();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        if let Ok(value) = HeaderValue::from_str(request_id) {
            response.headers_mut().insert("x-request-id", value);
        }
        response
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Zh,
    En,
}

/// The request's most preferred language: English only if the highest-weighted
/// `Accept-Language` entry is English; Chinese otherwise (the default).
pub fn preferred_language(headers: &HeaderMap) -> Language {
    let Some(value) = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
    else {
        return Language::Zh;
    };
    let mut best: Option<(f32, &str)> = None;
    for entry in value.split(',') {
        let mut parts = entry.split(';');
        let tag = parts.next().unwrap_or("").trim();
        if tag.is_empty() {
            continue;
        }
        let mut q = 1.0f32;
        for param in parts {
            if let Some(v) = param.trim().strip_prefix("q=") {
                q = v.trim().parse().unwrap_or(0.0);
            }
        }
        if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
            best = Some((q, tag));
        }
    }
    match best {
        Some((_, tag))
            if tag.eq_ignore_ascii_case("en") || tag.to_ascii_lowercase().starts_with("en-") =>
        {
            Language::En
        }
        _ => Language::Zh,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(value: &str) -> Language {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_str(value).unwrap(),
        );
        preferred_language(&h)
    }

    #[test]
    fn accept_language() {
        assert_eq!(preferred_language(&HeaderMap::new()), Language::Zh);
        assert_eq!(lang("en-US,en;q=0.9"), Language::En);
        assert_eq!(lang("zh-CN,zh;q=0.9,en;q=0.8"), Language::Zh);
        assert_eq!(lang("zh;q=0.5, en;q=0.8"), Language::En);
        assert_eq!(lang("fr"), Language::Zh);
        assert_eq!(lang("english"), Language::Zh);
    }
}
