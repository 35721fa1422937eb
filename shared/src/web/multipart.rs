//! `multipart/form-data` bodies (RFC 7578) into [`Part`]s, read by name
//! through [`MultipartForm`]: hard limits on the number of parts and on
//! each part's header block, linear-time boundary search, and every
//! malformation a 400 with a stable code (`upload.multipart_*`) and the
//! field `body`. What the files are is the upload module's question
//! ([`crate::upload`]).

use super::Request;
use crate::error::{AppError, AppResult};
use serde_json::json;

/// At most this many parts (text fields and files) in one multipart body.
pub const MAX_PARTS: usize = 32;
/// At most this many bytes in one part's header block.
pub const MAX_PART_HEADER_BYTES: usize = 8 * 1024;

/// One part of a `multipart/form-data` body. A part with a `filename` is a
/// file (even an empty one); without, a text field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub name: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub data: Vec<u8>,
}

impl Part {
    pub fn is_file(&self) -> bool {
        self.filename.is_some()
    }

    /// A file input the user left empty: browsers send it as a part with an
    /// empty file name and no bytes.
    fn is_unselected_file(&self) -> bool {
        self.filename.as_deref() == Some("") && self.data.is_empty()
    }
}

fn body_error(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> AppError {
    AppError::new(code, 400, zh, en).with_field("body")
}

fn invalid(en_detail: &str) -> AppError {
    body_error(
        "upload.multipart_invalid",
        "上传的表单格式不正确，请重新选择文件后提交。",
        format!("The uploaded form is malformed ({en_detail}); choose the files again and resubmit."),
    )
}

fn truncated() -> AppError {
    body_error(
        "upload.multipart_truncated",
        "上传的内容不完整（可能网络中断），请重新提交。",
        "The upload is incomplete (the connection may have dropped); please submit again.",
    )
}

/// Parses a `multipart/form-data` body (RFC 7578). `content_type_header` is
/// the request's `Content-Type`, which carries the boundary.
pub fn parse_multipart(content_type_header: &str, body: &[u8]) -> AppResult<Vec<Part>> {
    let boundary = boundary_of(content_type_header)?;
    let delim = [b"--".as_slice(), boundary.as_bytes()].concat();
    let mut crlf_delim = b"\r\n".to_vec();
    crlf_delim.extend_from_slice(&delim);

    // The first delimiter opens the body (any preamble before it is ignored).
    let mut pos = if body.starts_with(&delim) {
        delim.len()
    } else {
        match find_delimiter(body, &crlf_delim, 0) {
            Found::At(i) => i + crlf_delim.len(),
            Found::Incomplete => return Err(truncated()),
            Found::No if body.is_empty() => return Err(invalid("empty body")),
            Found::No => return Err(invalid("the boundary does not occur in the body")),
        }
    };

    let mut parts = Vec::new();
    loop {
        // After a delimiter: `--` closes the body; else padding and CRLF.
        let rest = &body[pos..];
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        let pad = rest.iter().take_while(|b| matches!(b, b' ' | b'\t')).count();
        let rest = &rest[pad..];
        if rest.len() < 2 {
            return Err(truncated());
        }
        if !rest.starts_with(b"\r\n") {
            return Err(invalid("a boundary line does not end in CRLF"));
        }
        pos += pad + 2;
        if parts.len() == MAX_PARTS {
            return Err(body_error(
                "upload.multipart_too_many_parts",
                format!("表单的项目过多，最多 {MAX_PARTS} 项。"),
                format!("The form has too many parts; at most {MAX_PARTS} are accepted."),
            )
            .with_details(json!({ "limit": MAX_PARTS })));
        }

        // The header block ends at an empty line.
        let (headers, content_start) = if body[pos..].starts_with(b"\r\n") {
            ("", pos + 2)
        } else {
            let window = &body[pos..body.len().min(pos + MAX_PART_HEADER_BYTES + 4)];
            match memchr::memmem::find(window, b"\r\n\r\n") {
                Some(i) if i <= MAX_PART_HEADER_BYTES => {
                    (std::str::from_utf8(&body[pos..pos + i]).map_err(|_| invalid("part headers are not UTF-8"))?, pos + i + 4)
                }
                Some(_) => return Err(header_too_large()),
                None if window.len() >= MAX_PART_HEADER_BYTES + 4 => return Err(header_too_large()),
                None => return Err(truncated()),
            }
        };
        let mut part = part_from_headers(headers)?;

        // The content runs to CRLF + the next delimiter.
        let end = match find_delimiter(body, &crlf_delim, content_start) {
            Found::At(i) => i,
            Found::No | Found::Incomplete => return Err(truncated()),
        };
        part.data = body[content_start..end].to_vec();
        parts.push(part);
        pos = end + crlf_delim.len();
    }
}

fn header_too_large() -> AppError {
    body_error(
        "upload.multipart_header_too_large",
        format!("表单某一项的头部过大，上限为 {MAX_PART_HEADER_BYTES} 字节。"),
        format!("A part's headers are too large; the limit is {MAX_PART_HEADER_BYTES} bytes."),
    )
    .with_details(json!({ "limit_bytes": MAX_PART_HEADER_BYTES }))
}

enum Found {
    At(usize),
    /// A delimiter at the very end, with nothing after it to tell a
    /// delimiter line from data: the body was cut.
    Incomplete,
    No,
}

/// Finds `CRLF--boundary` that really is a delimiter: followed by `--` or by
/// transport padding and CRLF (RFC 2046 5.1.1). Linear time (memmem).
fn find_delimiter(body: &[u8], crlf_delim: &[u8], from: usize) -> Found {
    let finder = memchr::memmem::Finder::new(crlf_delim);
    let mut start = from;
    while let Some(i) = finder.find(&body[start..]) {
        let at = start + i;
        let after = &body[at + crlf_delim.len()..];
        if after.starts_with(b"--") {
            return Found::At(at);
        }
        let pad = after.iter().take_while(|b| matches!(b, b' ' | b'\t')).count();
        let tail = &after[pad..];
        if tail.starts_with(b"\r\n") {
            return Found::At(at);
        }
        if tail.is_empty() || tail == b"\r" || after == b"-" {
            return Found::Incomplete;
        }
        start = at + 1;
    }
    Found::No
}

/// The boundary parameter of a `multipart/form-data` content type; 415 for
/// any other type.
fn boundary_of(content_type: &str) -> AppResult<String> {
    let (mime, params) = content_type.split_once(';').unwrap_or((content_type, ""));
    if !mime.trim().eq_ignore_ascii_case("multipart/form-data") {
        return Err(AppError::unsupported_media_type("multipart/form-data"));
    }
    let params = parse_params(params).ok_or_else(|| invalid("the content type's parameters are malformed"))?;
    let boundary = params.into_iter().find(|(k, _)| k == "boundary").map(|(_, v)| v).unwrap_or_default();
    if boundary.is_empty() {
        return Err(body_error(
            "upload.multipart_boundary_missing",
            "请求的内容类型缺少 boundary 参数，无法读取上传的表单。",
            "The request's content type has no boundary, so the form cannot be read.",
        ));
    }
    if boundary.len() > 70 || boundary.bytes().any(|b| b.is_ascii_control()) {
        return Err(invalid("the boundary is longer than 70 characters or has control characters"));
    }
    Ok(boundary)
}

/// `; key=value; key="quoted \" value"` into lower-case keys and values.
/// In quoted values a backslash escapes only `"` and `\` (browsers send
/// Windows paths unescaped). `None` when a quote is not closed.
fn parse_params(s: &str) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == ';') {
            chars.next();
        }
        if chars.peek().is_none() {
            return Some(out);
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c == ';' {
                break;
            }
            key.push(c);
            chars.next();
        }
        let key = key.trim().to_ascii_lowercase();
        let mut value = String::new();
        if chars.peek() == Some(&'=') {
            chars.next();
            while chars.peek().is_some_and(|c| *c == ' ' || *c == '\t') {
                chars.next();
            }
            if chars.peek() == Some(&'"') {
                chars.next();
                let mut closed = false;
                while let Some(c) = chars.next() {
                    match c {
                        '"' => {
                            closed = true;
                            break;
                        }
                        '\\' if matches!(chars.peek(), Some('"') | Some('\\')) => value.push(chars.next()?),
                        c => value.push(c),
                    }
                }
                if !closed {
                    return None;
                }
                // Anything between the closing quote and the next `;` is junk.
                while chars.peek().is_some_and(|c| *c != ';') {
                    chars.next();
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if c == ';' {
                        break;
                    }
                    value.push(c);
                    chars.next();
                }
                value = value.trim().to_owned();
            }
        }
        if !key.is_empty() {
            out.push((key, value));
        }
    }
}

fn part_from_headers(block: &str) -> AppResult<Part> {
    let mut disposition = None;
    let mut content_type = None;
    for line in block.split("\r\n").filter(|l| !l.is_empty()) {
        let (name, value) = line.split_once(':').ok_or_else(|| invalid("a part header line has no colon"))?;
        let name = name.trim();
        if name.eq_ignore_ascii_case("content-disposition") {
            disposition.get_or_insert_with(|| value.trim().to_owned());
        } else if name.eq_ignore_ascii_case("content-type") {
            content_type.get_or_insert_with(|| value.trim().to_owned());
        }
    }
    let unnamed = || {
        body_error(
            "upload.multipart_part_unnamed",
            "表单中有一项没有名称，无法识别。",
            "A part of the form has no name (Content-Disposition: form-data; name=...).",
        )
    };
    let disposition = disposition.ok_or_else(unnamed)?;
    let (kind, params) = disposition.split_once(';').unwrap_or((&disposition, ""));
    if !kind.trim().eq_ignore_ascii_case("form-data") {
        return Err(invalid("a part's Content-Disposition is not form-data"));
    }
    let params = parse_params(params).ok_or_else(|| invalid("a part's Content-Disposition is malformed"))?;
    let get = |k: &str| params.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    let name = get("name").filter(|n| !n.is_empty()).ok_or_else(unnamed)?;
    // RFC 6266: filename* (charset'lang'pct-encoded) wins over filename.
    let filename = get("filename*").and_then(|v| decode_ext_value(&v)).or_else(|| get("filename"));
    Ok(Part { name, filename, content_type: content_type.filter(|c| !c.is_empty()), data: Vec::new() })
}

/// RFC 8187 `UTF-8''%E8%BA%AB...` (or ISO-8859-1); `None` for other charsets
/// or broken encoding.
fn decode_ext_value(v: &str) -> Option<String> {
    let mut it = v.splitn(3, '\'');
    let (charset, _lang, encoded) = (it.next()?, it.next()?, it.next()?);
    let bytes = pct_decode_bytes(encoded)?;
    if charset.eq_ignore_ascii_case("utf-8") {
        String::from_utf8(bytes).ok()
    } else if charset.eq_ignore_ascii_case("iso-8859-1") {
        Some(bytes.into_iter().map(char::from).collect())
    } else {
        None
    }
}

fn pct_decode_bytes(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(out)
}

/// The parts of a multipart form, read by name (the files of a form are
/// checked by [`crate::upload::validate_files`]).
#[derive(Debug, Clone, Default)]
pub struct MultipartForm {
    pub parts: Vec<Part>,
}

impl MultipartForm {
    pub fn parse(content_type_header: &str, body: &[u8]) -> AppResult<MultipartForm> {
        parse_multipart(content_type_header, body).map(|parts| MultipartForm { parts })
    }

    /// The request's body as a form: 415 unless it is `multipart/form-data`,
    /// 413 over `limit` bytes.
    pub fn from_request(req: &Request, limit: usize) -> AppResult<MultipartForm> {
        req.limit_body(limit)?;
        MultipartForm::parse(req.header("content-type").unwrap_or(""), &req.body)
    }

    /// The first text field called `name`; 400 naming it when not UTF-8.
    pub fn text(&self, name: &str) -> AppResult<Option<String>> {
        let Some(part) = self.parts.iter().find(|p| p.name == name && !p.is_file()) else {
            return Ok(None);
        };
        String::from_utf8(part.data.clone()).map(Some).map_err(|_| {
            AppError::new(
                "upload.field_not_utf8",
                400,
                format!("字段 {name} 的内容不是有效的 UTF-8 文本。"),
                format!("The field `{name}` is not valid UTF-8 text."),
            )
            .with_field(name)
        })
    }

    /// The files sent under `name` (file inputs left empty are not files).
    pub fn files(&self, name: &str) -> Vec<&Part> {
        self.all_files().into_iter().filter(|p| p.name == name).collect()
    }

    /// Every file in the form, in order (file inputs left empty are not files).
    pub fn all_files(&self) -> Vec<&Part> {
        self.parts.iter().filter(|p| p.is_file() && !p.is_unselected_file()).collect()
    }
}

#[cfg(test)]
pub(crate) mod tests;
