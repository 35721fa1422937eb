//! Recognition by bytes: the type from the first bytes alone ([`sniff`],
//! never the name or the declared type), and images proven by decoding
//! them whole, their dimensions read from the header first (decompression
//! bombs).

use super::DocumentSlot;
use crate::error::{AppError, AppResult};
use serde_json::json;

/// Images over this many pixels are refused before decoding (decompression bombs).
pub const MAX_IMAGE_PIXELS: u64 = 40_000_000;
/// And over this many pixels on either side (bounds a decoded row).
pub const MAX_IMAGE_SIDE: u32 = 16_384;

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

    pub(super) fn extensions(self) -> &'static [&'static str] {
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

fn corrupt(slot: &DocumentSlot<'_>) -> AppError {
    let (field_zh, field_en) = (slot.label_zh, slot.label_en);
    slot.error(
        "upload.image_corrupt",
        400,
        format!("上传的图片“{field_zh}”已损坏或不完整，无法打开，请重新拍照或扫描后上传。"),
        format!("The image for “{field_en}” is damaged or incomplete and cannot be opened; please take or scan it again."),
    )
}

fn check_dimensions(width: u64, height: u64, slot: &DocumentSlot<'_>) -> AppResult<()> {
    let (field_zh, field_en) = (slot.label_zh, slot.label_en);
    if width == 0 || height == 0 {
        return Err(corrupt(slot));
    }
    if width * height > MAX_IMAGE_PIXELS || width > MAX_IMAGE_SIDE as u64 || height > MAX_IMAGE_SIDE as u64 {
        let mp = MAX_IMAGE_PIXELS / 1_000_000;
        return Err(slot.error(
            "upload.image_too_large",
            400,
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
pub(super) fn check_image(kind: FileType, data: &[u8], slot: &DocumentSlot<'_>) -> AppResult<()> {
    match kind {
        FileType::Png => {
            // IHDR is the first chunk: its dimensions before anything is inflated.
            if data.len() < 24 || &data[12..16] != b"IHDR" {
                return Err(corrupt(slot));
            }
            let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as u64;
            check_dimensions(be(&data[16..20]), be(&data[20..24]), slot)?;
            let decoder = png::Decoder::new_with_limits(std::io::Cursor::new(data), png::Limits { bytes: 32 * 1024 * 1024 });
            let mut reader = decoder.read_info().map_err(|_| corrupt(slot))?;
            let (w, h) = (reader.info().width, reader.info().height);
            check_dimensions(w as u64, h as u64, slot)?;
            // Row by row: every row is inflated and unfiltered, but only one
            // row's buffer is ever held.
            while reader.next_row().map_err(|_| corrupt(slot))?.is_some() {}
            reader.finish().map_err(|_| corrupt(slot))?;
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
            decoder.decode_headers().map_err(|_| corrupt(slot))?;
            let info = decoder.info().ok_or_else(|| corrupt(slot))?;
            check_dimensions(info.width as u64, info.height as u64, slot)?;
            decoder.decode().map_err(|_| corrupt(slot))?;
            Ok(())
        }
        FileType::Pdf => Ok(()),
    }
}
