//! The multipart parser's tests, and the body builders the upload tests
//! share.

use super::*;
use crate::web;
use proptest::prelude::*;

pub(crate) const B: &str = "----WebKitFormBoundary7MA4YWxkTrZu0gW";

/// A multipart body by hand: each part is its header lines and its bytes.
pub(crate) fn body(boundary: &str, parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (headers, data) in parts {
        out.extend_from_slice(format!("--{boundary}\r\n{headers}\r\n\r\n").as_bytes());
        out.extend_from_slice(data);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    out
}

pub(crate) fn ct(boundary: &str) -> String {
    format!("multipart/form-data; boundary={boundary}")
}

pub(crate) fn text_part(name: &str) -> String {
    format!("Content-Disposition: form-data; name=\"{name}\"")
}

pub(crate) fn file_part(name: &str, filename: &str, content_type: &str) -> String {
    format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: {content_type}")
}

/// File contents: the parser carries bytes, whatever they are.
fn bytes(n: u32, seed: u32) -> Vec<u8> {
    (0..n).map(|i| (i.wrapping_mul(2654435761).wrapping_add(seed) >> 13) as u8).collect()
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";

/// A legal-entity appeal's form: two text fields, a PNG front and a JPEG back.
pub(crate) fn appeal_form(front: &[u8], back: &[u8]) -> MultipartForm {
    let b = body(
        B,
        &[
            (&text_part("kind"), b"legal_entity"),
            (&text_part("org_name"), "北京某某科技有限公司".as_bytes()),
            (&file_part("id_front", "front.png", "image/png"), front),
            (&file_part("id_back", "back.jpg", "image/jpeg"), back),
        ],
    );
    MultipartForm::parse(&ct(B), &b).unwrap()
}

#[test]
fn parses_text_fields_and_two_files() {
    let png = bytes(300, 1);
    let jpg = bytes(400, 2);
    let form = appeal_form(&png, &jpg);
    assert_eq!(form.parts.len(), 4);
    assert_eq!(form.text("kind").unwrap().as_deref(), Some("legal_entity"));
    assert_eq!(form.text("org_name").unwrap().as_deref(), Some("北京某某科技有限公司"));
    assert_eq!(form.text("missing").unwrap(), None);
    // A file is not a text field.
    assert_eq!(form.text("id_front").unwrap(), None);
    let files = form.all_files();
    assert_eq!(files.len(), 2);
    assert_eq!(form.files("id_front")[0].data, png);
    assert_eq!(form.files("id_back")[0].data, jpg);
    assert_eq!(form.files("id_back")[0].filename.as_deref(), Some("back.jpg"));
    assert_eq!(form.files("id_back")[0].content_type.as_deref(), Some("image/jpeg"));
}

#[test]
fn data_keeps_crlf_and_boundary_lookalikes() {
    let data = format!("line1\r\nline2\r\n--{B}X not a delimiter\r\n").into_bytes();
    let b = body(B, &[(&text_part("note"), &data)]);
    let form = MultipartForm::parse(&ct(B), &b).unwrap();
    assert_eq!(form.parts[0].data, data);
}

#[test]
fn quoted_boundary_preamble_and_epilogue() {
    let boundary = "a b:c=\"d\"";
    let mut b = b"this is a preamble\r\n".to_vec();
    b.extend(body(boundary, &[(&text_part("x"), b"1")]));
    b.extend_from_slice(b"epilogue");
    let form = MultipartForm::parse("Multipart/Form-Data; charset=utf-8; boundary=\"a b:c=\\\"d\\\"\"", &b).unwrap();
    assert_eq!(form.text("x").unwrap().as_deref(), Some("1"));
}

#[test]
fn utf8_filename_star_wins_over_filename() {
    let headers = "Content-Disposition: form-data; name=\"id_front\"; filename=\"____.jpg\"; filename*=UTF-8''%E8%BA%AB%E4%BB%BD%E8%AF%81%E6%AD%A3%E9%9D%A2.jpg\r\nContent-Type: image/jpeg";
    let jpg = bytes(64, 3);
    let form = MultipartForm::parse(&ct(B), &body(B, &[(headers, &jpg)])).unwrap();
    assert_eq!(form.parts[0].filename.as_deref(), Some("身份证正面.jpg"));
    // Raw UTF-8 in a quoted filename (what browsers send) works too.
    let raw = file_part("id_front", "身份证正面.jpg", "image/jpeg");
    let form = MultipartForm::parse(&ct(B), &body(B, &[(&raw, &jpg)])).unwrap();
    assert_eq!(form.parts[0].filename.as_deref(), Some("身份证正面.jpg"));
}

#[test]
fn quoted_names_with_escaped_quotes() {
    let headers = r#"content-disposition: form-data; name="a \"quoted\" name"; filename="C:\fakepath\scan.pdf""#;
    let form = MultipartForm::parse(&ct(B), &body(B, &[(headers, PDF)])).unwrap();
    assert_eq!(form.parts[0].name, "a \"quoted\" name");
    assert_eq!(form.parts[0].filename.as_deref(), Some(r"C:\fakepath\scan.pdf"));
    assert_eq!(form.parts[0].content_type, None);
}

#[test]
fn truncated_body_is_400_truncated() {
    let jpg = bytes(400, 4);
    let full = body(B, &[(&text_part("a"), b"1"), (&file_part("f", "x.jpg", "image/jpeg"), &jpg)]);
    for cut in [full.len() - 4, full.len() / 2, 60, 45] {
        let e = parse_multipart(&ct(B), &full[..cut]).unwrap_err();
        assert_eq!((e.code, e.status, e.field.as_deref()), ("upload.multipart_truncated", 400, Some("body")), "cut at {cut}");
    }
    // No closing delimiter at all.
    let mut open = format!("--{B}\r\n").into_bytes();
    open.extend_from_slice(text_part("a").as_bytes());
    open.extend_from_slice(b"\r\n\r\nvalue");
    assert_eq!(parse_multipart(&ct(B), &open).unwrap_err().code, "upload.multipart_truncated");
}

#[test]
fn missing_boundary_and_wrong_type() {
    let b = body(B, &[(&text_part("a"), b"1")]);
    for header in ["multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; charset=utf-8"] {
        let e = parse_multipart(header, &b).unwrap_err();
        assert_eq!((e.code, e.status, e.field.as_deref()), ("upload.multipart_boundary_missing", 400, Some("body")));
    }
    let e = parse_multipart("application/json", &b).unwrap_err();
    assert_eq!((e.code, e.status), ("request.unsupported_media_type", 415));
    // A boundary that never occurs in the body.
    let e = parse_multipart(&ct("other"), &b).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), ("upload.multipart_invalid", Some("body")));
    let mut req = web::Request::new("POST", "/api/appeals").with_header("content-type", "text/plain");
    req.body = b.clone();
    assert_eq!(MultipartForm::from_request(&req, 1024).unwrap_err().status, 415);
}

#[test]
fn a_part_without_a_name_is_refused() {
    for headers in ["Content-Disposition: form-data; filename=\"a.pdf\"", "Content-Disposition: form-data; name=\"\"", "Content-Type: text/plain", ""] {
        let e = parse_multipart(&ct(B), &body(B, &[(headers, b"x")])).unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), ("upload.multipart_part_unnamed", Some("body")), "{headers}");
    }
}

#[test]
fn more_than_32_parts_is_refused() {
    let names: Vec<String> = (0..33).map(|i| text_part(&format!("f{i}"))).collect();
    let parts: Vec<(&str, &[u8])> = names.iter().map(|h| (h.as_str(), b"v".as_slice())).collect();
    let e = parse_multipart(&ct(B), &body(B, &parts)).unwrap_err();
    assert_eq!((e.code, e.status), ("upload.multipart_too_many_parts", 400));
    assert_eq!(parse_multipart(&ct(B), &body(B, &parts[..32])).unwrap().len(), 32);
}

#[test]
fn a_header_block_over_8_kib_is_refused() {
    let long = format!("{}\r\nX-Padding: {}", text_part("a"), "p".repeat(MAX_PART_HEADER_BYTES));
    let e = parse_multipart(&ct(B), &body(B, &[(&long, b"v")])).unwrap_err();
    assert_eq!((e.code, e.status, e.field.as_deref()), ("upload.multipart_header_too_large", 400, Some("body")));
}

#[test]
fn text_that_is_not_utf8_names_the_field() {
    let form = MultipartForm::parse(&ct(B), &body(B, &[(&text_part("real_name"), &[0xFF, 0xFE])])).unwrap();
    let e = form.text("real_name").unwrap_err();
    assert_eq!((e.code, e.status, e.field.as_deref()), ("upload.field_not_utf8", 400, Some("real_name")));
}

#[test]
fn a_body_over_the_limit_is_413() {
    let b = body(B, &[(&text_part("a"), b"1")]);
    let mut req = web::Request::new("POST", "/api/appeals").with_header("content-type", &ct(B));
    req.body = b.clone();
    assert_eq!(MultipartForm::from_request(&req, b.len()).unwrap().text("a").unwrap().as_deref(), Some("1"));
    let e = MultipartForm::from_request(&req, b.len() - 1).unwrap_err();
    assert_eq!((e.code, e.status), ("request.body_too_large", 413));
}

#[test]
fn an_unselected_file_input_is_not_a_file() {
    let form = MultipartForm::parse(
        &ct(B),
        &body(B, &[(&file_part("business_licence", "", "application/octet-stream"), b""), (&file_part("id_front", "", "image/png"), b"x")]),
    )
    .unwrap();
    assert_eq!(form.parts.len(), 2);
    let files: Vec<&str> = form.all_files().iter().map(|p| p.name.as_str()).collect();
    assert_eq!(files, ["id_front"], "a file with bytes but no name is still a file");
    assert!(form.files("business_licence").is_empty());
}

proptest! {
    #[test]
    fn the_parser_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512), boundary in "[a-zA-Z0-9'()+_,./:=? -]{0,12}") {
        let _ = parse_multipart(&ct(&boundary), &bytes);
        let _ = parse_multipart(&format!("multipart/form-data; boundary=\"{boundary}"), &bytes);
    }
}
