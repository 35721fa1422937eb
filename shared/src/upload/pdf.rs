//! PDF inspection: a PDF is refused when it carries active content
//! (scripts, launch actions, rich media), looked for in its dictionaries and
//! inside its compressed object streams, within an inflate budget.

use super::DocumentSlot;
use crate::error::AppResult;
use serde_json::json;
use std::io::Read;

// Inflate at most this much of the object streams in total, so a deflate
// bomb cannot stall the check.
const PDF_INFLATE_BUDGET: usize = 64 * 1024 * 1024;
/// PDF name tokens that make a document active: scripts and launching programs.
const PDF_ACTIVE_NAMES: &[&str] = &["JavaScript", "JS", "Launch", "RichMedia"];

/// Refuses a PDF whose name tokens include JavaScript, JS, Launch or
/// RichMedia (`#xx` escapes decoded): scripts in open or additional actions
/// (`/OpenAction`, `/AA`) always name `/JS` or `/JavaScript`, so those are
/// caught through them. Dictionaries live outside streams or inside object
/// streams: the file is scanned with stream bodies left out (binary image
/// and font data would match by chance), and every object stream is
/// inflated and scanned; one that does not inflate cannot be checked.
pub(super) fn check_pdf(data: &[u8], slot: &DocumentSlot<'_>) -> AppResult<()> {
    let (field_zh, field_en) = (slot.label_zh, slot.label_en);
    let active = |found: &str| {
        slot.error(
            "upload.pdf_active_content",
            400,
            format!("上传的 PDF“{field_zh}”含有脚本或自动执行的内容，不能接受；请另存或打印为普通 PDF 后上传。"),
            format!(
                "The PDF for “{field_en}” contains scripts or actions that run by themselves and cannot be accepted; save or print it as a plain PDF and upload that."
            ),
        )
        .with_details(json!({ "found": found }))
    };
    let unverifiable = || {
        slot.error(
            "upload.pdf_unverifiable",
            400,
            format!("上传的 PDF“{field_zh}”结构过于复杂或已损坏，无法检查；请另存或打印为普通 PDF 后上传。"),
            format!("The PDF for “{field_en}” is too complex or damaged to check; save or print it as a plain PDF and upload that."),
        )
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
