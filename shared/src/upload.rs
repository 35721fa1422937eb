//! Uploaded documents: `multipart/form-data` parsing, recognition by bytes,
//! limits, storage with their digest, and safe serving.
//!
//! The rules (DESIGN "Uploads"): JPEG, PNG or PDF recognised by their bytes,
//! at most 5 MiB each; shown only to their owner and to reviewers; stored
//! with their SHA-256; never served as HTML.
//!
//! - [`parse_multipart`] / [`Form`]: RFC 7578 bodies into [`Part`]s, with
//!   hard limits on parts and header sizes; every malformation is a 400
//!   with a stable code and field `body`.
//! - [`validate`] / [`validate_files`]: a file part into a [`ValidUpload`]:
//!   size limits, the type sniffed from the bytes (never the name or the
//!   declared type), images really decoded (with a pixel limit read from the
//!   header first), PDFs refused when they carry JavaScript or launch actions.
//! - [`store_upload`], [`list_for`], [`fetch`]: the `uploads` table.
//! - [`download_response`]: an attachment with the detected type, `nosniff`,
//!   a sandboxing CSP and no caching.
//!
//! Who may see an upload (its owner or a reviewer) is the caller's check:
//! [`fetch`] returns the owner for that.

use crate::clock::{Clock, Timestamp};
use crate::digest::sha256_hex;
use crate::error::{AppError, AppResult};
use crate::ids::UploadId;
use crate::review::Subject;
use crate::store::{Row, Store, StoreError, Value};
use crate::web;
use serde_json::json;
use std::io::Read;

/// At most this many bytes per file (5 MiB).
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;
/// At most this many files per submission.
pub const MAX_FILES: usize = 6;
/// At most this many parts (text fields and files) in one multipart body.
pub const MAX_PARTS: usize = 32;
/// At most this many bytes in one part's header block.
pub const MAX_PART_HEADER_BYTES: usize = 8 * 1024;
/// A whole multipart submission at most: the files at their limit plus room
/// for the text fields and the framing. Components refuse larger bodies
/// with [`AppError::body_too_large`] before parsing.
pub const MAX_BODY_BYTES: usize = MAX_FILES * MAX_FILE_BYTES + 256 * 1024;
/// Images over this many pixels are refused before decoding (decompression bombs).
pub const MAX_IMAGE_PIXELS: u64 = 40_000_000;
/// And over this many pixels on either side (bounds a decoded row).
pub const MAX_IMAGE_SIDE: u32 = 16_384;
/// A label (the user's file name) is cut to this many characters.
pub const MAX_LABEL_CHARS: usize = 120;
/// The types an upload may have, as detected from its bytes.
pub const ALLOWED_TYPES: &[&str] = &["image/jpeg", "image/png", "application/pdf"];

// PDF checks: inflate at most this much of the object streams in total, so
// a deflate bomb cannot stall the check.
const PDF_INFLATE_BUDGET: usize = 64 * 1024 * 1024;
/// PDF name tokens that make a document active: scripts and launching programs.
const PDF_ACTIVE_NAMES: &[&str] = &["JavaScript", "JS", "Launch", "RichMedia"];

// ---------------------------------------------------------------------------
// multipart/form-data
// ---------------------------------------------------------------------------

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

/// The parts of a multipart form, read by name.
#[derive(Debug, Clone, Default)]
pub struct Form {
    pub parts: Vec<Part>,
}

impl Form {
    pub fn parse(content_type_header: &str, body: &[u8]) -> AppResult<Form> {
        parse_multipart(content_type_header, body).map(|parts| Form { parts })
    }

    /// The request's body as a form: 415 unless it is `multipart/form-data`,
    /// 413 over [`MAX_BODY_BYTES`].
    pub fn from_request(req: &web::Request) -> AppResult<Form> {
        if req.body.len() > MAX_BODY_BYTES {
            return Err(AppError::body_too_large(MAX_BODY_BYTES));
        }
        Form::parse(req.header("content-type").unwrap_or(""), &req.body)
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

// ---------------------------------------------------------------------------
// Recognition and validation
// ---------------------------------------------------------------------------

/// The types an upload may have, recognised by their first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    Jpeg,
    Png,
    Pdf,
}

impl FileType {
    pub fn mime(self) -> &'static str {
        match self {
            FileType::Jpeg => "image/jpeg",
            FileType::Png => "image/png",
            FileType::Pdf => "application/pdf",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            FileType::Jpeg => "jpg",
            FileType::Png => "png",
            FileType::Pdf => "pdf",
        }
    }

    fn extensions(self) -> &'static [&'static str] {
        match self {
            FileType::Jpeg => &["jpg", "jpeg", "jpe", "jfif"],
            FileType::Png => &["png"],
            FileType::Pdf => &["pdf"],
        }
    }

    pub fn from_mime(mime: &str) -> Option<FileType> {
        [FileType::Jpeg, FileType::Png, FileType::Pdf].into_iter().find(|t| t.mime() == mime)
    }
}

/// The type by the bytes alone: JPEG `FF D8 FF`, PNG's 8-byte signature,
/// PDF `%PDF-` at the very start. Anything else is `None`.
pub fn sniff(data: &[u8]) -> Option<FileType> {
    if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(FileType::Jpeg)
    } else if data.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some(FileType::Png)
    } else if data.starts_with(b"%PDF-") {
        Some(FileType::Pdf)
    } else {
        None
    }
}

/// A file that passed every check, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidUpload {
    /// The form field it came in (`id_front`, `business_licence`, ...).
    pub purpose: String,
    /// The user's file name, sanitised: a label, never a path.
    pub label: String,
    /// Detected from the bytes: one of [`ALLOWED_TYPES`].
    pub content_type: String,
    /// What the client claimed, kept for the record.
    pub declared_type: Option<String>,
    pub size: usize,
    pub sha256: String,
    pub data: Vec<u8>,
}

/// Checks one file part: not empty, at most [`MAX_FILE_BYTES`], a JPEG, PNG
/// or PDF by its bytes, an image that decodes, a PDF without active content.
pub fn validate(part: &Part) -> AppResult<ValidUpload> {
    let field = part.name.as_str();
    let (field_zh, field_en) = purpose_label(field);
    if part.data.is_empty() {
        return Err(AppError::new(
            "upload.file_empty",
            400,
            format!("上传的文件“{field_zh}”是空文件，请重新选择。"),
            format!("The file for “{field_en}” is empty; please choose it again."),
        )
        .with_field(field));
    }
    if part.data.len() > MAX_FILE_BYTES {
        return Err(AppError::new(
            "upload.file_too_large",
            413,
            format!("上传的文件“{field_zh}”过大，每个文件不超过 {} MB。", MAX_FILE_BYTES / (1024 * 1024)),
            format!("The file for “{field_en}” is too large; each file may be at most {} MB.", MAX_FILE_BYTES / (1024 * 1024)),
        )
        .with_field(field)
        .with_details(json!({ "limit_bytes": MAX_FILE_BYTES, "size": part.data.len() })));
    }
    let kind = sniff(&part.data).ok_or_else(|| {
        AppError::new(
            "upload.type_not_allowed",
            400,
            format!("上传的文件“{field_zh}”格式不支持，只接受 JPEG、PNG 图片或 PDF 文件。"),
            format!("The file for “{field_en}” is not an accepted type; only JPEG or PNG images and PDF files are accepted."),
        )
        .with_field(field)
        .with_details(json!({ "allowed": ALLOWED_TYPES }))
    })?;
    match kind {
        FileType::Pdf => check_pdf(&part.data, field)?,
        FileType::Png | FileType::Jpeg => check_image(kind, &part.data, field)?,
    }
    Ok(ValidUpload {
        purpose: part.name.clone(),
        label: sanitize_label(part.filename.as_deref().unwrap_or(""), kind),
        content_type: kind.mime().to_owned(),
        declared_type: part.content_type.clone(),
        size: part.data.len(),
        sha256: sha256_hex(&part.data),
        data: part.data.clone(),
    })
}

/// Validates every file of a form: at most [`MAX_FILES`], each under an
/// allowed field name, every required field present, each file valid. All
/// field errors come back at once ([`AppError::combine`]).
/// How a file field is called in messages: the known document purposes by
/// their names, anything else by its field name.
pub fn purpose_label(field: &str) -> (String, String) {
    let (zh, en) = match field {
        "id_front" => ("身份证正面（加盖公章并本人签字）", "ID card front (stamped and signed)"),
        "id_back" => ("身份证反面（加盖公章并本人签字）", "ID card back (stamped and signed)"),
        "business_licence" => ("营业执照", "business licence"),
        "document_front" => ("证件正面", "document front"),
        "document_back" => ("证件反面", "document back"),
        other => return (other.to_owned(), other.to_owned()),
    };
    (zh.to_owned(), en.to_owned())
}

pub fn validate_files(form: &Form, allowed_purposes: &[&str], required: &[&str]) -> AppResult<Vec<ValidUpload>> {
    let files = form.all_files();
    if files.len() > MAX_FILES {
        return Err(AppError::new(
            "upload.too_many_files",
            400,
            format!("上传的文件过多，每次最多 {MAX_FILES} 个。"),
            format!("Too many files; at most {MAX_FILES} may be uploaded at once."),
        )
        .with_field("body")
        .with_details(json!({ "limit": MAX_FILES, "count": files.len() })));
    }
    let mut errors = Vec::new();
    let mut valid = Vec::new();
    for part in &files {
        if !allowed_purposes.contains(&part.name.as_str()) {
            errors.push(
                AppError::new(
                    "upload.field_unknown",
                    400,
                    format!("此处不接受名为 {} 的文件。", part.name),
                    format!("A file field named `{}` is not accepted here.", part.name),
                )
                .with_field(part.name.as_str())
                .with_details(json!({ "allowed": allowed_purposes })),
            );
            continue;
        }
        match validate(part) {
            Ok(v) => valid.push(v),
            Err(e) => errors.push(e),
        }
    }
    for name in required {
        if !files.iter().any(|p| p.name == *name) {
            let (field_zh, field_en) = purpose_label(name);
            errors.push(
                AppError::new(
                    "upload.file_required",
                    400,
                    format!("请上传文件：“{field_zh}”。"),
                    format!("The file “{field_en}” is required."),
                )
                .with_field(*name),
            );
        }
    }
    match AppError::combine(errors) {
        Some(e) => Err(e),
        None => Ok(valid),
    }
}

fn image_error(code: &'static str, field: &str, zh: String, en: String) -> AppError {
    AppError::new(code, 400, zh, en).with_field(field)
}

fn corrupt(field: &str) -> AppError {
    let (field_zh, field_en) = purpose_label(field);
    image_error(
        "upload.image_corrupt",
        field,
        format!("上传的图片“{field_zh}”已损坏或不完整，无法打开，请重新拍照或扫描后上传。"),
        format!("The image for “{field_en}” is damaged or incomplete and cannot be opened; please take or scan it again."),
    )
}

fn check_dimensions(width: u64, height: u64, field: &str) -> AppResult<()> {
    let (field_zh, field_en) = purpose_label(field);
    if width == 0 || height == 0 {
        return Err(corrupt(field));
    }
    if width * height > MAX_IMAGE_PIXELS || width > MAX_IMAGE_SIDE as u64 || height > MAX_IMAGE_SIDE as u64 {
        let mp = MAX_IMAGE_PIXELS / 1_000_000;
        return Err(image_error(
            "upload.image_too_large",
            field,
            format!("上传的图片“{field_zh}”像素过大（{width}×{height}），请缩小到 {mp} 百万像素以内、单边不超过 {MAX_IMAGE_SIDE} 像素。"),
            format!(
                "The image for “{field_en}” has too many pixels ({width}×{height}); at most {mp} megapixels and {MAX_IMAGE_SIDE} pixels a side."
            ),
        )
        .with_details(json!({ "width": width, "height": height, "max_pixels": MAX_IMAGE_PIXELS, "max_side": MAX_IMAGE_SIDE })));
    }
    Ok(())
}

/// Decodes the whole image, after checking its header dimensions.
fn check_image(kind: FileType, data: &[u8], field: &str) -> AppResult<()> {
    match kind {
        FileType::Png => {
            // IHDR is the first chunk: its dimensions before anything is inflated.
            if data.len() < 24 || &data[12..16] != b"IHDR" {
                return Err(corrupt(field));
            }
            let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as u64;
            check_dimensions(be(&data[16..20]), be(&data[20..24]), field)?;
            let decoder = png::Decoder::new_with_limits(std::io::Cursor::new(data), png::Limits { bytes: 32 * 1024 * 1024 });
            let mut reader = decoder.read_info().map_err(|_| corrupt(field))?;
            let (w, h) = (reader.info().width, reader.info().height);
            check_dimensions(w as u64, h as u64, field)?;
            // Row by row: every row is inflated and unfiltered, but only one
            // row's buffer is ever held.
            while reader.next_row().map_err(|_| corrupt(field))?.is_some() {}
            reader.finish().map_err(|_| corrupt(field))?;
            Ok(())
        }
        FileType::Jpeg => {
            use zune_jpeg::zune_core::bytestream::ZCursor;
            use zune_jpeg::zune_core::options::DecoderOptions;
            let options = DecoderOptions::new_safe()
                .set_strict_mode(true)
                // JPEG's own maximum: the limits below are ours, with our error.
                .set_max_width(u16::MAX as usize)
                .set_max_height(u16::MAX as usize);
            let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(data), options);
            decoder.decode_headers().map_err(|_| corrupt(field))?;
            let info = decoder.info().ok_or_else(|| corrupt(field))?;
            check_dimensions(info.width as u64, info.height as u64, field)?;
            decoder.decode().map_err(|_| corrupt(field))?;
            Ok(())
        }
        FileType::Pdf => Ok(()),
    }
}

/// Refuses a PDF whose name tokens include JavaScript, JS, Launch or
/// RichMedia (`#xx` escapes decoded): scripts in open or additional actions
/// (`/OpenAction`, `/AA`) always name `/JS` or `/JavaScript`, so those are
/// caught through them. Dictionaries live outside streams or inside object
/// streams: the file is scanned with stream bodies left out (binary image
/// and font data would match by chance), and every object stream is
/// inflated and scanned; one that does not inflate cannot be checked.
fn check_pdf(data: &[u8], field: &str) -> AppResult<()> {
    let (field_zh, field_en) = purpose_label(field);
    let active = |found: &str| {
        AppError::new(
            "upload.pdf_active_content",
            400,
            format!("上传的 PDF“{field_zh}”含有脚本或自动执行的内容，不能接受；请另存或打印为普通 PDF 后上传。"),
            format!(
                "The PDF for “{field_en}” contains scripts or actions that run by themselves and cannot be accepted; save or print it as a plain PDF and upload that."
            ),
        )
        .with_field(field)
        .with_details(json!({ "found": found }))
    };
    let unverifiable = || {
        AppError::new(
            "upload.pdf_unverifiable",
            400,
            format!("上传的 PDF“{field_zh}”结构过于复杂或已损坏，无法检查；请另存或打印为普通 PDF 后上传。"),
            format!("The PDF for “{field_en}” is too complex or damaged to check; save or print it as a plain PDF and upload that."),
        )
        .with_field(field)
    };
    let layout = pdf_streams(data);
    let mut outside = Vec::with_capacity(data.len());
    let mut pos = 0;
    for s in &layout {
        outside.extend_from_slice(&data[pos..s.body.start]);
        pos = s.body.end;
    }
    outside.extend_from_slice(&data[pos..]);
    if let Some(name) = active_pdf_name(&outside) {
        return Err(active(&name));
    }
    let mut budget = PDF_INFLATE_BUDGET;
    for s in layout.iter().filter(|s| s.object_stream) {
        let mut out = Vec::new();
        let read = flate2::read::ZlibDecoder::new(&data[s.body.clone()]).take(budget as u64 + 1).read_to_end(&mut out);
        if read.is_err() || out.len() > budget {
            return Err(unverifiable());
        }
        budget -= out.len();
        if let Some(name) = active_pdf_name(&out) {
            return Err(active(&name));
        }
    }
    Ok(())
}

/// The first PDF name token (`/Name`, `#xx` decoded) that is active content.
fn active_pdf_name(data: &[u8]) -> Option<String> {
    let is_delim = |b: u8| b"()<>[]{}/%".contains(&b) || matches!(b, 0 | b'\t' | b'\n' | 0x0C | b'\r' | b' ');
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'/', &data[i..]) {
        let start = i + off + 1;
        let mut end = start;
        while end < data.len() && !is_delim(data[end]) && end - start < 64 {
            end += 1;
        }
        let raw = &data[start..end];
        let name = if raw.contains(&b'#') { decode_pdf_name(raw) } else { raw.to_vec() };
        if let Some(hit) = PDF_ACTIVE_NAMES.iter().find(|n| n.as_bytes() == name.as_slice()) {
            return Some((*hit).to_owned());
        }
        i = end.max(start);
    }
    None
}

fn decode_pdf_name(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'#'
            && let Some(v) = raw.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(raw[i]);
        i += 1;
    }
    out
}

struct PdfStream {
    /// The bytes between `stream` + EOL and `endstream` (or the end).
    body: std::ops::Range<usize>,
    /// Its dictionary says `/ObjStm`: it holds (compressed) objects.
    object_stream: bool,
}

/// Every `<< ... >> stream ... endstream` in the file, in order: a `stream`
/// keyword counts only right after a dictionary's `>>`.
fn pdf_streams(data: &[u8]) -> Vec<PdfStream> {
    let mut out = Vec::new();
    let mut pos = 0;
    let stream_kw = memchr::memmem::Finder::new(b"stream");
    let end_kw = memchr::memmem::Finder::new(b"endstream");
    while let Some(i) = stream_kw.find(&data[pos..]) {
        let kw = pos + i;
        let before = data[pos..kw].iter().rposition(|b| !b" \t\r\n\x0C\0".contains(b)).map(|j| pos + j);
        let after_dict = before.is_some_and(|j| j >= 1 && &data[j - 1..=j] == b">>");
        let mut start = kw + 6;
        if data[start..].starts_with(b"\r\n") {
            start += 2;
        } else if data[start..].starts_with(b"\n") || data[start..].starts_with(b"\r") {
            start += 1;
        } else {
            pos = kw + 6;
            continue;
        }
        if !after_dict {
            pos = kw + 6;
            continue;
        }
        let end = end_kw.find(&data[start..]).map_or(data.len(), |j| start + j);
        // The dictionary: back from `stream` to the object's `obj` keyword.
        let dict_from = memchr::memmem::rfind(&data[pos..kw], b"obj").map_or(pos, |j| pos + j);
        let dict = decode_pdf_name(&data[dict_from..kw]);
        out.push(PdfStream { body: start..end, object_stream: memchr::memmem::find(&dict, b"/ObjStm").is_some() });
        pos = end;
    }
    out
}

/// The user's file name as a label: no path (`/` or `\`), no control or
/// bidi-override characters, no leading dots, at most [`MAX_LABEL_CHARS`]
/// characters (keeping the extension); `document.<ext>` when nothing is left.
pub fn sanitize_label(filename: &str, kind: FileType) -> String {
    let base = filename.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'))
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    if cleaned.is_empty() || cleaned.chars().all(|c| c == '.') {
        return format!("document.{}", kind.extension());
    }
    if cleaned.chars().count() <= MAX_LABEL_CHARS {
        return cleaned.to_owned();
    }
    // Too long: cut the stem, keep a short extension.
    let (stem, ext) = match cleaned.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() && e.chars().count() <= 10 => (s, format!(".{e}")),
        _ => (cleaned, String::new()),
    };
    let keep = MAX_LABEL_CHARS - ext.chars().count();
    let stem: String = stem.chars().take(keep).collect();
    format!("{}{ext}", stem.trim_end())
}

// ---------------------------------------------------------------------------
// Store
// ---------------------------------------------------------------------------

/// An upload as listed: everything but the bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadInfo {
    pub id: UploadId,
    pub purpose: String,
    pub label: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: i64,
}

impl UploadInfo {
    pub fn to_json(&self) -> serde_json::Value {
        json!({
            "id": self.id,
            "purpose": self.purpose,
            "label": self.label,
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
            "created_at": self.created_at,
        })
    }

    fn from_row(row: &Row<'_>) -> Result<UploadInfo, StoreError> {
        Ok(UploadInfo {
            id: UploadId(row.int("id")?),
            purpose: row.text("purpose")?.to_owned(),
            label: row.text("label")?.to_owned(),
            content_type: row.text("content_type")?.to_owned(),
            size: row.int("size")?,
            sha256: row.text("sha256")?.to_owned(),
            created_at: row.int("created_at")?,
        })
    }
}

/// An upload with its owner and bytes, for serving.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredUpload {
    pub info: UploadInfo,
    /// The review subject it belongs to: its owner sees it, and reviewers.
    pub owner: Subject,
    pub declared_type: Option<String>,
    pub data: Vec<u8>,
}

/// Stores a validated upload for `owner`; returns its id.
pub async fn store_upload<S: Store>(store: &S, clock: &dyn Clock, owner: Subject, u: &ValidUpload) -> Result<UploadId, StoreError> {
    let now: Timestamp = clock.now();
    let rows = store
        .execute(
            "INSERT INTO uploads (owner, purpose, label, content_type, declared_type, size, sha256, data, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            &[
                owner.to_db().into(),
                u.purpose.as_str().into(),
                u.label.as_str().into(),
                u.content_type.as_str().into(),
                u.declared_type.clone().into(),
                (u.size as i64).into(),
                u.sha256.as_str().into(),
                Value::Blob(u.data.clone()),
                now.millis().into(),
            ],
        )
        .await?;
    Ok(UploadId(rows.first().ok_or_else(|| StoreError::Other("INSERT ... RETURNING id returned no row".into()))?.int("id")?))
}

/// The uploads of `owner`, oldest first, without their bytes.
pub async fn list_for<S: Store>(store: &S, owner: Subject) -> Result<Vec<UploadInfo>, StoreError> {
    let rows = store
        .execute(
            "SELECT id, purpose, label, content_type, size, sha256, created_at FROM uploads WHERE owner = ? ORDER BY id",
            &[owner.to_db().into()],
        )
        .await?;
    rows.iter().map(|r| UploadInfo::from_row(&r)).collect()
}

/// One upload with its owner and bytes; `None` when there is no such id.
pub async fn fetch<S: Store>(store: &S, id: UploadId) -> Result<Option<StoredUpload>, StoreError> {
    let rows = store
        .execute(
            "SELECT id, owner, purpose, label, content_type, declared_type, size, sha256, data, created_at FROM uploads WHERE id = ?",
            &[id.into()],
        )
        .await?;
    let Some(row) = rows.first() else { return Ok(None) };
    let data = match row.get("data")? {
        Value::Blob(b) => b.clone(),
        other => return Err(StoreError::Other(format!("column `data` is {other:?}, not a blob"))),
    };
    Ok(Some(StoredUpload {
        info: UploadInfo::from_row(&row)?,
        owner: Subject::from_db(row.text("owner")?)?,
        declared_type: row.opt_text("declared_type")?.map(str::to_owned),
        data,
    }))
}

// ---------------------------------------------------------------------------
// Serving
// ---------------------------------------------------------------------------

/// The upload as a download: always an attachment of its detected type
/// (never HTML: a stored type outside [`ALLOWED_TYPES`] is served as
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

#[cfg(test)]
mod tests;
