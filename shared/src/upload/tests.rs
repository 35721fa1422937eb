use super::*;
use crate::clock::{FixedClock, Timestamp};
use crate::store::native::block_on;
use crate::store::{NativeStore, migrate};
use crate::web::multipart::parse_multipart;
use crate::web::multipart::tests::{B, appeal_form, body, ct, file_part, text_part};
use proptest::prelude::*;

fn png_bytes(w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().unwrap();
        // Noise-like pixels, so the image data does not compress to nothing.
        let pixels: Vec<u8> = (0..w * h * 3).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
        writer.write_image_data(&pixels).unwrap();
    }
    out
}

fn jpeg_bytes(w: u16, h: u16) -> Vec<u8> {
    let mut out = Vec::new();
    let pixels: Vec<u8> = (0..w as u32 * h as u32 * 3).map(|i| (i * 7 % 251) as u8).collect();
    jpeg_encoder::Encoder::new(&mut out, 85).encode(&pixels, w, h, jpeg_encoder::ColorType::Rgb).unwrap();
    out
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

fn file(name: &str, filename: &str, content_type: Option<&str>, data: &[u8]) -> Part {
    Part { name: name.into(), filename: Some(filename.into()), content_type: content_type.map(Into::into), data: data.to_vec() }
}

/// A slot named by its field, as a flow without labels would declare it.
fn slot(field: &str) -> DocumentSlot<'_> {
    DocumentSlot { field, label_zh: field, label_en: field, required: false }
}

fn required(field: &str) -> DocumentSlot<'_> {
    DocumentSlot { required: true, ..slot(field) }
}

/// Checks a part as the document of the slot its field names.
fn check(part: &Part) -> AppResult<ValidUpload> {
    validate(&slot(&part.name), part)
}

// --- a form's files -----------------------------------------------------------

#[test]
fn the_files_of_a_form_are_validated_in_order() {
    let png = png_bytes(4, 3);
    let jpg = jpeg_bytes(8, 8);
    let form = appeal_form(&png, &jpg);
    let valid = validate_files(&form, &[required("id_front"), required("id_back"), slot("business_licence")]).unwrap();
    assert_eq!(valid.len(), 2);
    assert_eq!((valid[0].purpose.as_str(), valid[0].content_type.as_str()), ("id_front", "image/png"));
    assert_eq!((valid[1].purpose.as_str(), valid[1].content_type.as_str()), ("id_back", "image/jpeg"));
    assert_eq!(valid[1].sha256, sha256_hex(&jpg));
    assert_eq!(valid[1].size, jpg.len());
}

#[test]
fn errors_call_the_document_by_its_label() {
    let licence = DocumentSlot { field: "business_licence", label_zh: "营业执照", label_en: "business licence", required: true };
    let e = validate_files(&MultipartForm::default(), &[licence]).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), ("upload.file_required", Some("business_licence")));
    assert_eq!((e.message.zh.as_str(), e.message.en.as_str()), ("请上传文件：“营业执照”。", "The file “business licence” is required."));
    let e = validate(&licence, &file("business_licence", "l.pdf", None, b"%PDF-1.4 /JS (x)")).unwrap_err();
    assert!(e.message.zh.contains("“营业执照”") && e.message.en.contains("“business licence”"), "{:?}", e.message);
    let e = validate(&licence, &file("business_licence", "l.png", None, &png_bytes(4, 4)[..30])).unwrap_err();
    assert_eq!(e.code, "upload.image_corrupt");
    assert!(e.message.zh.contains("“营业执照”") && e.message.en.contains("“business licence”"), "{:?}", e.message);
}

#[test]
fn an_empty_file_input_is_no_file() {
    let headers = file_part("business_licence", "", "application/octet-stream");
    let form = MultipartForm::parse(&ct(B), &body(B, &[(&headers, b"")])).unwrap();
    assert!(form.all_files().is_empty());
    let e = validate_files(&form, &[required("business_licence")]).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), ("upload.file_required", Some("business_licence")));
    // A chosen file with no bytes is empty, not absent.
    let e = check(&file("id_front", "a.jpg", Some("image/jpeg"), b"")).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), ("upload.file_empty", Some("id_front")));
}

// --- limits -----------------------------------------------------------------

#[test]
fn seven_files_are_too_many() {
    let jpg = jpeg_bytes(8, 8);
    let headers: Vec<String> = (0..7).map(|i| file_part("doc", &format!("{i}.jpg"), "image/jpeg")).collect();
    let parts: Vec<(&str, &[u8])> = headers.iter().map(|h| (h.as_str(), jpg.as_slice())).collect();
    let form = MultipartForm::parse(&ct(B), &body(B, &parts)).unwrap();
    let e = validate_files(&form, &[slot("doc")]).unwrap_err();
    assert_eq!((e.code, e.status), ("upload.too_many_files", 400));
    assert_eq!(e.details.unwrap()["limit"], MAX_FILES);
    let form = MultipartForm::parse(&ct(B), &body(B, &parts[..6])).unwrap();
    assert_eq!(validate_files(&form, &[slot("doc")]).unwrap().len(), 6);
}

#[test]
fn a_file_over_5_mib_is_413_naming_the_field() {
    let mut data = PDF.to_vec();
    data.resize(MAX_FILE_BYTES + 1, b' ');
    let form = MultipartForm::parse(&ct(B), &body(B, &[(&file_part("id_front", "big.pdf", "application/pdf"), &data)])).unwrap();
    let e = validate_files(&form, &[slot("id_front")]).unwrap_err();
    assert_eq!((e.code, e.status, e.field.as_deref()), ("upload.file_too_large", 413, Some("id_front")));
    assert_eq!(e.details.as_ref().unwrap()["limit_bytes"], MAX_FILE_BYTES);
    assert!(e.message.zh.contains("5 MB") && e.message.en.contains("5 MB"));
    data.truncate(MAX_FILE_BYTES);
    assert!(check(&file("id_front", "ok.pdf", None, &data)).is_ok());
}

#[test]
fn unknown_fields_and_missing_required_ones_are_all_reported() {
    let jpg = jpeg_bytes(8, 8);
    let form = MultipartForm::parse(&ct(B), &body(B, &[(&file_part("selfie", "me.jpg", "image/jpeg"), &jpg)])).unwrap();
    let e = validate_files(&form, &[required("id_front"), required("id_back")]).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), ("upload.field_unknown", Some("selfie")));
    let all = e.details.unwrap()["errors"].as_array().unwrap().clone();
    let fields: Vec<&str> = all.iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["selfie", "id_front", "id_back"]);
    assert_eq!(all[1]["code"], "upload.file_required");
}

// --- types --------------------------------------------------------------------

fn type_error(part: &Part) -> AppError {
    check(part).unwrap_err()
}

#[test]
fn html_named_png_svg_and_gif_are_not_allowed() {
    let cases: [(&str, &str, &[u8]); 5] = [
        ("x.png", "image/png", b"<html><script>alert(1)</script></html>"),
        ("logo.svg", "image/svg+xml", b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>"),
        ("anim.gif", "image/gif", b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x00\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"),
        ("notes.pdf", "application/pdf", b"just some text, not a PDF"),
        ("evil.jpg", "image/jpeg", b" %PDF-1.4 leading space is not a PDF"),
    ];
    for (name, declared, data) in cases {
        let e = type_error(&file("id_front", name, Some(declared), data));
        assert_eq!((e.code, e.status, e.field.as_deref()), ("upload.type_not_allowed", 400, Some("id_front")), "{name}");
        assert_eq!(e.details.as_ref().unwrap()["allowed"], json!(ALLOWED_TYPES));
        assert!(e.message.zh.contains("JPEG") && e.message.en.contains("PDF"));
    }
}

#[test]
fn a_pdf_sent_as_jpeg_is_kept_as_a_pdf() {
    let v = check(&file("id_front", "scan.jpg", Some("image/jpeg"), PDF)).unwrap();
    assert_eq!(v.content_type, "application/pdf");
    assert_eq!(v.declared_type.as_deref(), Some("image/jpeg"));
    assert_eq!(v.label, "scan.jpg");
    assert_eq!(sniff(PDF), Some(FileType::Pdf));
}

#[test]
fn pdfs_with_scripts_are_refused() {
    let cases: [&[u8]; 5] = [
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction 2 0 R >> endobj\n2 0 obj << /S /JavaScript /JS (app.alert\\(1\\)) >> endobj\n%%EOF",
        b"%PDF-1.7\n3 0 obj << /Type /Annot /AA << /O << /S/JS/JS(x) >> >> >> endobj %%EOF",
        b"%PDF-1.4\n2 0 obj << /S /J#61vaScript /#4AS (x) >> endobj %%EOF",
        b"%PDF-1.4\n2 0 obj<</S/Launch/F(cmd.exe)>>endobj %%EOF",
        b"%PDF-1.4\n2 0 obj<</OpenAction<</S/JavaScript>>>>endobj",
    ];
    for data in cases {
        let e = check(&file("business_licence", "l.pdf", Some("application/pdf"), data)).unwrap_err();
        assert_eq!((e.code, e.status, e.field.as_deref()), ("upload.pdf_active_content", 400, Some("business_licence")));
    }
    // /JSON, /JavaScripts or a plain /OpenAction (to set the zoom) are not scripts.
    let fine = b"%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction [3 0 R /FitH null] /JSON 1 /JavaScripts 2 >> endobj %%EOF";
    assert!(check(&file("business_licence", "l.pdf", None, fine)).is_ok());
}

#[test]
fn a_script_inside_a_deflated_object_stream_is_found() {
    use std::io::Write;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(b"5 0 << /S /JavaScript /JS (app.alert(1)) >>").unwrap();
    let compressed = z.finish().unwrap();
    let mut pdf = b"%PDF-1.5\n4 0 obj << /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length 99 >>\nstream\r\n".to_vec();
    pdf.extend_from_slice(&compressed);
    pdf.extend_from_slice(b"\r\nendstream\nendobj\n%%EOF\n");
    let e = check(&file("doc", "x.pdf", None, &pdf)).unwrap_err();
    assert_eq!(e.code, "upload.pdf_active_content");
    assert_eq!(e.details.unwrap()["found"], "JavaScript");
}

#[test]
fn binary_stream_data_is_not_read_as_names() {
    // Image and font bytes can hold `/JS` by chance; only dictionaries count.
    let mut pdf = b"%PDF-1.4\n6 0 obj << /Type /XObject /Subtype /Image /Length 12 >>\nstream\n".to_vec();
    pdf.extend_from_slice(b"\x00/JS \xff/Launch ");
    pdf.extend_from_slice(b"\nendstream\nendobj\n%%EOF\n");
    assert!(check(&file("doc", "x.pdf", None, &pdf)).is_ok());
    // A `stream` keyword that follows no dictionary hides nothing.
    let sneaky = b"%PDF-1.4\n1 0 obj (stream\n) endobj 2 0 obj << /S /JavaScript >> endobj %%EOF";
    assert_eq!(check(&file("doc", "x.pdf", None, sneaky)).unwrap_err().code, "upload.pdf_active_content");
}

#[test]
fn an_object_stream_that_does_not_inflate_is_unverifiable() {
    let pdf = b"%PDF-1.5\n4 0 obj << /Type /Obj#53tm /N 1 /Filter /ASCIIHexDecode >>\nstream\n2F4A53\nendstream\nendobj\n%%EOF\n";
    let e = check(&file("doc", "x.pdf", None, pdf)).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), ("upload.pdf_unverifiable", Some("doc")));
}

#[test]
fn png_and_jpeg_that_decode_are_accepted() {
    let png = png_bytes(17, 9);
    let v = check(&file("id_front", "front.png", Some("image/png"), &png)).unwrap();
    assert_eq!((v.content_type.as_str(), v.size), ("image/png", png.len()));
    let jpg = jpeg_bytes(33, 20);
    let v = check(&file("id_back", "back.jpeg", Some("image/jpeg"), &jpg)).unwrap();
    assert_eq!(v.content_type, "image/jpeg");
    // A PNG declared as JPEG is stored as a PNG.
    let v = check(&file("id_back", "back.jpg", Some("image/jpeg"), &png)).unwrap();
    assert_eq!((v.content_type.as_str(), v.declared_type.as_deref()), ("image/png", Some("image/jpeg")));
}

#[test]
fn a_truncated_png_is_corrupt() {
    let png = png_bytes(64, 64);
    for cut in [png.len() / 2, png.len() - 20, 40] {
        let e = check(&file("id_front", "front.png", Some("image/png"), &png[..cut])).unwrap_err();
        assert_eq!((e.code, e.status, e.field.as_deref()), ("upload.image_corrupt", 400, Some("id_front")), "cut at {cut}");
    }
    // Only the signature.
    let e = check(&file("id_front", "front.png", None, &png[..8])).unwrap_err();
    assert_eq!(e.code, "upload.image_corrupt");
}

#[test]
fn a_jpeg_with_garbage_after_the_header_is_corrupt() {
    let jpg = jpeg_bytes(64, 64);
    // Keep everything up to the start-of-scan segment, then garbage.
    let sos = jpg.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
    let sos_len = u16::from_be_bytes([jpg[sos + 2], jpg[sos + 3]]) as usize;
    let mut bad = jpg[..sos + 2 + sos_len].to_vec();
    bad.extend((0..2000u32).map(|i| (i.wrapping_mul(2654435761) >> 7) as u8));
    let e = check(&file("id_back", "back.jpg", Some("image/jpeg"), &bad)).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), ("upload.image_corrupt", Some("id_back")));
    // Cut in the middle of the image data.
    let e = check(&file("id_back", "back.jpg", None, &jpg[..jpg.len() * 2 / 3])).unwrap_err();
    assert_eq!(e.code, "upload.image_corrupt");
    // Only the magic bytes.
    let e = check(&file("id_back", "back.jpg", None, &[0xFF, 0xD8, 0xFF, 0xE0])).unwrap_err();
    assert_eq!(e.code, "upload.image_corrupt");
}

#[test]
fn huge_dimensions_are_refused_before_decoding() {
    // A PNG header claiming 10000 x 5000 (50 MP) with almost no data.
    let mut png = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut png, 10_000, 5_000);
        enc.set_color(png::ColorType::Grayscale);
        let _ = enc.write_header().unwrap();
    }
    let e = check(&file("id_front", "bomb.png", None, &png)).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), ("upload.image_too_large", Some("id_front")));
    assert_eq!(e.details.unwrap()["max_pixels"], MAX_IMAGE_PIXELS);

    // A JPEG whose frame header claims 9000 x 9000 (81 MP).
    let mut jpg = jpeg_bytes(8, 8);
    let sof = jpg.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    jpg[sof + 5..sof + 9].copy_from_slice(&[0x23, 0x28, 0x23, 0x28]);
    let e = check(&file("id_front", "bomb.jpg", None, &jpg)).unwrap_err();
    assert_eq!(e.code, "upload.image_too_large");
    // Over the side limit.
    jpg[sof + 5..sof + 9].copy_from_slice(&[0x00, 0x08, 0x4E, 0x20]);
    let e = check(&file("id_front", "wide.jpg", None, &jpg)).unwrap_err();
    assert_eq!(e.code, "upload.image_too_large");
}

// --- labels -----------------------------------------------------------------

#[test]
fn labels_are_sanitised() {
    let l = |name: &str| sanitize_label(name, FileType::Pdf);
    assert_eq!(l("../../etc/passwd"), "passwd");
    assert_eq!(l(r"C:\fakepath\scan.pdf"), "scan.pdf");
    assert_eq!(l("sc\u{0}an\r\n\t.pdf"), "scan.pdf");
    assert_eq!(l("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
    assert_eq!(l(""), "document.pdf");
    assert_eq!(l(".."), "document.pdf");
    assert_eq!(l("dir/"), "document.pdf");
    assert_eq!(l(".hidden.pdf"), "hidden.pdf");
    assert_eq!(sanitize_label("  ", FileType::Jpeg), "document.jpg");
    let long = format!("{}.pdf", "长".repeat(200));
    let cut = l(&long);
    assert_eq!(cut.chars().count(), MAX_LABEL_CHARS);
    assert!(cut.ends_with(".pdf"));
    assert_eq!(l(&"x".repeat(300)).chars().count(), MAX_LABEL_CHARS);
    // Through validate: a name sent as RFC 8187 UTF-8, and no file name at all.
    let headers = "Content-Disposition: form-data; name=\"id_front\"; filename=\"____.jpg\"; filename*=UTF-8''%E8%BA%AB%E4%BB%BD%E8%AF%81%E6%AD%A3%E9%9D%A2.jpg\r\nContent-Type: image/jpeg";
    let form = MultipartForm::parse(&ct(B), &body(B, &[(headers, &jpeg_bytes(8, 8))])).unwrap();
    assert_eq!(check(&form.parts[0]).unwrap().label, "身份证正面.jpg");
    let p = Part { name: "doc".into(), filename: None, content_type: None, data: PDF.to_vec() };
    assert_eq!(check(&p).unwrap().label, "document.pdf");
}

// --- store and serving --------------------------------------------------------

fn store() -> (NativeStore, FixedClock) {
    let store = NativeStore::in_memory().unwrap();
    let clock = FixedClock::at(Timestamp(1_700_000_000_000));
    block_on(migrate(&store, &clock)).unwrap();
    (store, clock)
}

fn appeal(n: i64) -> crate::review::Subject {
    crate::review::Subject::Appeal(crate::ids::AppealId(n))
}

#[test]
fn store_list_and_fetch_roundtrip() {
    let (store, clock) = store();
    let jpg = jpeg_bytes(8, 8);
    let a = check(&file("id_front", "身份证正面.jpg", Some("image/jpeg"), &jpg)).unwrap();
    let b = check(&file("id_back", "back.png", Some("image/jpeg"), PDF)).unwrap();
    let id_a = block_on(store_upload(&store, &clock, appeal(12), &a)).unwrap();
    clock.advance_seconds(1);
    let id_b = block_on(store_upload(&store, &clock, appeal(12), &b)).unwrap();
    block_on(store_upload(&store, &clock, appeal(13), &a)).unwrap();

    let list = block_on(list_for(&store, appeal(12))).unwrap();
    assert_eq!(list.iter().map(|u| u.id).collect::<Vec<_>>(), [id_a, id_b]);
    assert_eq!(list[0].label, "身份证正面.jpg");
    assert_eq!(list[0].sha256, sha256_hex(&jpg));
    assert_eq!(list[1].content_type, "application/pdf");
    assert_eq!(list[1].created_at, 1_700_000_001_000);
    let j = list[0].to_json();
    assert_eq!(j["purpose"], "id_front");
    assert_eq!(j["size"], jpg.len());
    assert!(j.get("data").is_none());
    assert!(block_on(list_for(&store, appeal(99))).unwrap().is_empty());

    let got = block_on(fetch(&store, id_b)).unwrap().unwrap();
    assert_eq!(got.owner, appeal(12));
    assert_eq!(got.data, PDF);
    assert_eq!(got.declared_type.as_deref(), Some("image/jpeg"));
    assert_eq!(got.info.sha256, sha256_hex(&got.data));
    assert_eq!(got.info, list[1]);
    assert_eq!(block_on(fetch(&store, crate::ids::UploadId(999))).unwrap(), None);
}

#[test]
fn downloads_are_sandboxed_attachments() {
    let (store, clock) = store();
    let jpg = jpeg_bytes(8, 8);
    let id = block_on(store_upload(&store, &clock, appeal(1), &check(&file("id_front", "身份证 \"正面\".jpg", Some("text/html"), &jpg)).unwrap())).unwrap();
    let u = block_on(fetch(&store, id)).unwrap().unwrap();
    let r = download_response(&u);
    assert_eq!(r.status, 200);
    assert_eq!(r.body, jpg);
    assert_eq!(r.header("content-type"), Some("image/jpeg"));
    assert_eq!(
        r.header("content-disposition"),
        Some("attachment; filename=\"___ ____.jpg\"; filename*=UTF-8''%E8%BA%AB%E4%BB%BD%E8%AF%81%20%22%E6%AD%A3%E9%9D%A2%22.jpg")
    );
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(r.header("cache-control"), Some("private, no-store"));
    assert_eq!(r.header("content-security-policy"), Some("default-src 'none'; sandbox"));
    assert_eq!(r.header("x-content-sha256"), Some(sha256_hex(&jpg).as_str()));
    assert_eq!(r.header("content-length"), Some(jpg.len().to_string().as_str()));

    // A PDF labelled .jpg downloads with a .pdf extension; a stored type that
    // is not allowed is never served as itself.
    let mut pdf = u.clone();
    pdf.info.content_type = "application/pdf".into();
    pdf.info.label = "scan.jpg".into();
    assert!(download_response(&pdf).header("content-disposition").unwrap().starts_with("attachment; filename=\"scan.jpg.pdf\""));
    let mut html = u.clone();
    html.info.content_type = "text/html".into();
    assert_eq!(download_response(&html).header("content-type"), Some("application/octet-stream"));
}

proptest! {
    #[test]
    fn the_parser_never_panics_on_near_valid_bodies(cut in 0usize..400, flip in 0usize..400, byte in any::<u8>()) {
        let mut b = body("xyz", &[(&text_part("a"), b"1\r\n--xy"), (&file_part("f", "a.pdf", "application/pdf"), PDF)]);
        if flip < b.len() { b[flip] = byte; }
        b.truncate(cut.min(b.len()));
        if let Ok(parts) = parse_multipart(&ct("xyz"), &b) {
            for p in &parts { let _ = check(p); }
        }
    }

    #[test]
    fn validation_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256), kind in 0usize..3) {
        let magic: &[u8] = [&[0xFFu8, 0xD8, 0xFF][..], &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A][..], &b"%PDF-"[..]][kind];
        let data = [magic, &bytes].concat();
        let _ = check(&file("f", "x", None, &data));
    }
}
