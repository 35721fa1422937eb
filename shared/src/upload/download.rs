//! Serving an upload: always an attachment of its detected type, never
//! something a browser would render as a page.

use super::{FileType, StoredUpload};
use crate::web;

/// The upload as a download: always an attachment of its detected type
/// (never HTML: a stored type outside [`super::ALLOWED_TYPES`] is served as
/// `application/octet-stream`), `nosniff`, sandboxed, not cached. The file
/// name carries the detected type's extension.
pub fn download_response(u: &StoredUpload) -> web::Response {
    let kind = FileType::from_mime(&u.info.content_type);
    let content_type = kind.map_or("application/octet-stream", FileType::mime);
    let name = download_name(&u.info.label, kind);
    web::Response { status: 200, headers: Vec::new(), body: u.data.clone() }
        .with_header("content-type", content_type)
        .with_header("content-disposition", format!("attachment; filename=\"{}\"; filename*=UTF-8''{}", ascii_fallback(&name), pct_encode(&name)))
        .with_header("content-length", u.data.len().to_string())
        .with_header("x-content-type-options", "nosniff")
        .with_header("cache-control", "private, no-store")
        .with_header("content-security-policy", "default-src 'none'; sandbox")
        .with_header("x-content-sha256", u.info.sha256.clone())
}

/// The label with the detected type's extension appended when it has
/// another (a PDF labelled `scan.jpg` downloads as `scan.jpg.pdf`).
fn download_name(label: &str, kind: Option<FileType>) -> String {
    let Some(kind) = kind else { return label.to_owned() };
    let ext = label.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    if ext.is_some_and(|e| kind.extensions().contains(&e.as_str())) {
        label.to_owned()
    } else {
        format!("{label}.{}", kind.extension())
    }
}

/// A printable-ASCII stand-in for `filename=`: other characters, quotes and
/// backslashes become `_`.
fn ascii_fallback(name: &str) -> String {
    name.chars().map(|c| if (c.is_ascii_graphic() && c != '"' && c != '\\') || c == ' ' { c } else { '_' }).collect()
}

/// RFC 8187 percent-encoding: everything but attr-char is `%XX` of UTF-8.
fn pct_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
