//! Uploaded documents (docs/design.md, "Uploads"): JPEG, PNG or PDF recognised by
//! their bytes, at most 5 MiB each; shown only to their owner and to
//! reviewers; stored with their SHA-256; never served as HTML.
//!
//! A flow declares the documents it takes as [`DocumentSlot`]s next to its
//! own rules (the appeal's: `crate::appeal::documents_for`): the form
//! field, how messages name the document, whether it must come. Reading the
//! multipart body is the web layer's ([`crate::web::MultipartForm`]).
//!
//! - this file: [`validate_files`] / [`validate`], a form's files against
//!   the slots into [`ValidUpload`]s (limits, every field error at once),
//!   and [`sanitize_label`] for the user's file name.
//! - [`recognise`]: the type by the bytes ([`sniff`], never the name or the
//!   declared type); images really decoded, with a pixel limit read from
//!   the header first.
//! - `pdf`: PDFs refused when they carry JavaScript or launch actions.
//! - `storage`: the `uploads` table ([`store_upload`], [`list_for`],
//!   [`fetch`]): every query on it.
//! - `download`: [`download_response`], an attachment with the detected
//!   type, `nosniff`, a sandboxing CSP and no caching.
//!
//! Who may see an upload (its owner or a reviewer) is the caller's check:
//! [`fetch`] returns the owner for that.

mod download;
mod pdf;
pub mod recognise;
mod storage;

pub use download::download_response;
pub use recognise::{FileType, MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE, sniff};
pub use storage::{StoredUpload, UploadInfo, fetch, list_for, purge_rejected, store_upload};

use crate::digest::sha256_hex;
use crate::error::{AppError, AppResult};
use crate::web::{MultipartForm, Part};
use serde_json::json;

/// At most this many bytes per file (5 MiB).
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;
/// At most this many files per submission.
pub const MAX_FILES: usize = 6;
/// A whole multipart submission at most: the files at their limit plus room
/// for the text fields and the framing. Components refuse larger bodies
/// with [`AppError::body_too_large`] before parsing.
pub const MAX_BODY_BYTES: usize = MAX_FILES * MAX_FILE_BYTES + 256 * 1024;
/// A label (the user's file name) is cut to this many characters.
pub const MAX_LABEL_CHARS: usize = 120;
/// The types an upload may have, as detected from its bytes.
pub const ALLOWED_TYPES: &[&str] = &["image/jpeg", "image/png", "application/pdf"];

/// A document a flow takes: the form field it comes in, how messages name
/// it (the user sees the document, not the field), and whether it must
/// come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocumentSlot<'a> {
    pub field: &'a str,
    pub label_zh: &'a str,
    pub label_en: &'a str,
    pub required: bool,
}

impl DocumentSlot<'_> {
    /// An error about this document, naming its field.
    fn error(&self, code: &'static str, status: u16, zh: String, en: String) -> AppError {
        AppError::new(code, status, zh, en).with_field(self.field)
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

/// Checks one file part as the document of `slot`: not empty, at most
/// [`MAX_FILE_BYTES`], a JPEG, PNG or PDF by its bytes, an image that
/// decodes, a PDF without active content. Errors name the slot's field and
/// call the document by its label.
pub fn validate(slot: &DocumentSlot<'_>, part: &Part) -> AppResult<ValidUpload> {
    let (field_zh, field_en) = (slot.label_zh, slot.label_en);
    if part.data.is_empty() {
        return Err(slot.error(
            "upload.file_empty",
            400,
            format!("上传的文件“{field_zh}”是空文件，请重新选择。"),
            format!("The file for “{field_en}” is empty; please choose it again."),
        ));
    }
    if part.data.len() > MAX_FILE_BYTES {
        return Err(slot
            .error(
                "upload.file_too_large",
                413,
                format!("上传的文件“{field_zh}”过大，每个文件不超过 {} MB。", MAX_FILE_BYTES / (1024 * 1024)),
                format!("The file for “{field_en}” is too large; each file may be at most {} MB.", MAX_FILE_BYTES / (1024 * 1024)),
            )
            .with_details(json!({ "limit_bytes": MAX_FILE_BYTES, "size": part.data.len() })));
    }
    let kind = sniff(&part.data).ok_or_else(|| {
        slot.error(
            "upload.type_not_allowed",
            400,
            format!("上传的文件“{field_zh}”格式不支持，只接受 JPEG、PNG 图片或 PDF 文件。"),
            format!("The file for “{field_en}” is not an accepted type; only JPEG or PNG images and PDF files are accepted."),
        )
        .with_details(json!({ "allowed": ALLOWED_TYPES }))
    })?;
    match kind {
        FileType::Pdf => pdf::check_pdf(&part.data, slot)?,
        FileType::Png | FileType::Jpeg => recognise::check_image(kind, &part.data, slot)?,
    }
    Ok(ValidUpload {
        purpose: slot.field.to_owned(),
        label: sanitize_label(part.filename.as_deref().unwrap_or(""), kind),
        content_type: kind.mime().to_owned(),
        declared_type: part.content_type.clone(),
        size: part.data.len(),
        sha256: sha256_hex(&part.data),
        data: part.data.clone(),
    })
}

/// Validates every file of a form against the flow's `slots`: at most
/// [`MAX_FILES`], each in a slot's field, every required slot filled, each
/// file valid. All field errors come back at once ([`AppError::combine`]):
/// files in unknown fields and invalid files in form order, then the
/// missing required documents in slot order.
pub fn validate_files(form: &MultipartForm, slots: &[DocumentSlot<'_>]) -> AppResult<Vec<ValidUpload>> {
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
        let Some(slot) = slots.iter().find(|s| s.field == part.name) else {
            let allowed: Vec<&str> = slots.iter().map(|s| s.field).collect();
            errors.push(
                AppError::new(
                    "upload.field_unknown",
                    400,
                    format!("此处不接受名为 {} 的文件。", part.name),
                    format!("A file field named `{}` is not accepted here.", part.name),
                )
                .with_field(part.name.as_str())
                .with_details(json!({ "allowed": allowed })),
            );
            continue;
        };
        match validate(slot, part) {
            Ok(v) => valid.push(v),
            Err(e) => errors.push(e),
        }
    }
    for slot in slots.iter().filter(|s| s.required) {
        if !files.iter().any(|p| p.name == slot.field) {
            errors.push(slot.error(
                "upload.file_required",
                400,
                format!("请上传文件：“{}”。", slot.label_zh),
                format!("The file “{}” is required.", slot.label_en),
            ));
        }
    }
    match AppError::combine(errors) {
        Some(e) => Err(e),
        None => Ok(valid),
    }
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

#[cfg(test)]
mod tests;
