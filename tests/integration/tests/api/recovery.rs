//! Recovery appeals (FAQ 1(2), 2, 3.3, 3.4) with uploads, and their
//! back-office review (flow 8), through HTTP.

use integration::{
    LoggedIn, REVIEWER_NAME, REVIEWER_PASSWORD, Registered, TestApp, mobile_for, multipart, pdf_scan, png_scan, reviewer_app,
    unique, uscc_for,
};

use crate::auth::assert_logged_out;
use serde_json::{Value, json};

fn legal_entity_fields<'a>(r: &'a Registered, new_mobile: &'a str, code: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("kind", "legal_entity"),
        ("org_name", r.org_name.as_str()),
        ("uscc", r.uscc.as_str()),
        ("legal_representative_name", "王大明"),
        ("applicant_name", "李小红"),
        ("applicant_document_type", "resident_id"),
        ("applicant_document_number", "11010519491231002X"),
        ("new_mobile", new_mobile),
        ("sms_code", code),
    ]
}

/// Files a legal-entity appeal for `r` with a new mobile; returns (number, new mobile).
pub(crate) async fn file_legal_entity_appeal(app: &TestApp, r: &Registered) -> (String, String) {
    let new_mobile = mobile_for(unique());
    let code = app.appeal_code(&new_mobile).await;
    let (ct, body) = multipart(
        &legal_entity_fields(r, &new_mobile, &code),
        &[("id_front", "身份证正面.png", "image/png", png_scan(16)), ("id_back", "back.pdf", "application/pdf", pdf_scan())],
    );
    let res = app.post_multipart("/api/appeals", &ct, body).await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap_or_default());
    let body: Value = res.json().await.unwrap();
    (body["number"].as_str().unwrap().to_owned(), new_mobile)
}

/// The appellant's lookup: the mobile in the `X-Appeal-Mobile` header, never in the URL.
async fn appellant_get(app: &TestApp, path: &str, mobile: &str) -> reqwest::Response {
    app.client.get(app.url(path)).header("x-appeal-mobile", mobile).send().await.expect("request")
}

async fn reviewer_get(app: &TestApp, who: &LoggedIn, path: &str) -> reqwest::Response {
    app.get_as(who, path).await
}

async fn open_item_for(app: &TestApp, who: &LoggedIn) -> Value {
    let items: Value = reviewer_get(app, who, "/api/review/items").await.json().await.unwrap();
    items["items"][0].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_legal_entity_appeal_is_approved_and_the_owner_sets_a_password_and_logs_in() {
    let app = reviewer_app().spawn().await;
    let r = app.register_legal_entity().await;
    let (number, new_mobile) = file_legal_entity_appeal(&app, &r).await;
    assert!(number.starts_with("SS20261127"), "{number}");

    // Status by number + new mobile; submitted Friday 09:00, due Monday 09:00.
    let status: Value = appellant_get(&app, &format!("/api/appeals/{number}"), &new_mobile).await.json().await.unwrap();
    assert_eq!(status["status"], "submitted");
    assert_eq!(status["due_at"].as_i64().unwrap() - status["submitted_at"].as_i64().unwrap(), 3 * 24 * 3600 * 1000);
    assert_eq!(status["documents"].as_array().unwrap().len(), 2);
    let wrong = appellant_get(&app, &format!("/api/appeals/{number}"), &mobile_for(unique())).await;
    assert_eq!(wrong.status(), 404);
    let forged = appellant_get(&app, "/api/appeals/SS202611270000000000", &new_mobile).await;
    assert_eq!(forged.status(), 404);

    // The reviewer: queue, claim, the item with its documents, approve.
    let rev = app.reviewer(REVIEWER_NAME, REVIEWER_PASSWORD).await;
    let item = open_item_for(&app, &rev).await;
    assert_eq!(item["kind"], "appeal_legal_entity");
    assert_eq!(item["summary"]["number"], number.as_str());
    assert_eq!(item["summary"]["name"], r.org_name.as_str());
    let id = item["id"].as_i64().unwrap();
    assert_eq!(app.post_as(&rev, &format!("/api/review/items/{id}/claim"), &json!({})).await.status(), 200);
    // Released and claimed again: back in the queue in between.
    assert_eq!(app.post_as(&rev, &format!("/api/review/items/{id}/release"), &json!({})).await.status(), 200);
    assert_eq!(app.post_as(&rev, &format!("/api/review/items/{id}/claim"), &json!({})).await.status(), 200);
    let status: Value = appellant_get(&app, &format!("/api/appeals/{number}"), &new_mobile).await.json().await.unwrap();
    assert_eq!(status["status"], "under_review", "a reviewer took it up");
    let detail: Value = reviewer_get(&app, &rev, &format!("/api/review/items/{id}")).await.json().await.unwrap();
    assert_eq!(detail["subject"]["number"], number.as_str());
    assert_eq!(detail["subject"]["form"]["uscc"], r.uscc.as_str());
    assert_eq!(detail["subject"]["account"]["login_name"], r.login_name.as_str());
    let docs = detail["documents"].as_array().unwrap();
    let front = docs.iter().find(|d| d["purpose"] == "id_front").unwrap();
    assert_eq!(front["content_type"], "image/png");
    let file = reviewer_get(&app, &rev, &format!("/api/review/items/{id}/documents/{}", front["id"])).await;
    assert_eq!(file.status(), 200);
    assert_eq!(file.headers()["content-type"], "image/png");
    assert_eq!(file.headers()["x-content-type-options"], "nosniff");
    assert!(file.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    assert_eq!(file.bytes().await.unwrap().to_vec(), png_scan(16));

    let before = app.logged_in("legal_entity", &r.login_name, &r.password).await;
    let res = app.post_as(&rev, &format!("/api/review/items/{id}/decision"), &json!({ "decision": "approve" })).await;
    assert_eq!(res.status(), 200);
    // A second decision is 409; the first stands.
    let again = app.post_as(&rev, &format!("/api/review/items/{id}/decision"), &json!({ "decision": "reject", "reason": "x" })).await;
    assert_eq!(again.status(), 409);
    let body: Value = again.json().await.unwrap();
    assert_eq!(body["error"]["code"], "review.already_decided");

    // The reserved mobile is the new one, sessions are revoked, the SMS brings the login name and a code.
    let stored: String =
        app.db().query_row("SELECT reserved_mobile FROM accounts WHERE login_name = ?", [&r.login_name], |x| x.get(0)).unwrap();
    assert_eq!(stored, new_mobile);
    assert_logged_out(&app, &before).await;
    let (template, params) = app.last_sms(&new_mobile).unwrap();
    assert_eq!(template, "appeal_approved");
    assert_eq!(params["login_name"], r.login_name.as_str());
    let code = params["code"].as_str().unwrap();

    // A day later the code still sets the password (valid 24 h); then login works.
    app.advance(20 * 3600);
    let new_password = format!("Recovered at last {}", unique());
    let res = app
        .post_json(
            "/api/password-reset/confirmations",
            &json!({ "login_name": r.login_name, "sms_code": code, "new_password": new_password, "code_kind": "appeal" }),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap_or_default());
    assert_eq!(app.login("legal_entity", &r.login_name, &new_password).await.status(), 200);

    let status: Value = appellant_get(&app, &format!("/api/appeals/{number}"), &new_mobile).await.json().await.unwrap();
    assert_eq!(status["status"], "approved");
    assert_eq!(status["documents"].as_array().unwrap().len(), 0, "documents are the owner's only while open");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'appeal.approved' AND actor LIKE 'reviewer:%'"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_natural_person_appeal_is_rejected_with_a_reason_by_sms() {
    let app = reviewer_app().spawn().await;
    let r = app.register_natural_person().await;
    let new_mobile = mobile_for(unique());
    let code = app.appeal_code(&new_mobile).await;
    let (ct, body) = multipart(
        &[
            ("kind", "natural_person"),
            ("real_name", r.real_name.as_str()),
            ("document_type", "resident_id"),
            ("document_number", r.resident_id.as_str()),
            ("new_mobile", new_mobile.as_str()),
            ("sms_code", code.as_str()),
        ],
        &[("document_front", "f.png", "image/png", png_scan(8)), ("document_back", "b.png", "image/png", png_scan(8))],
    );
    let res = app.post_multipart("/api/appeals", &ct, body).await;
    assert_eq!(res.status(), 201);
    let number = res.json::<Value>().await.unwrap()["number"].as_str().unwrap().to_owned();

    let rev = app.reviewer(REVIEWER_NAME, REVIEWER_PASSWORD).await;
    let id = open_item_for(&app, &rev).await["id"].as_i64().unwrap();
    let no_reason = app.post_as(&rev, &format!("/api/review/items/{id}/decision"), &json!({ "decision": "reject" })).await;
    assert_eq!(no_reason.status(), 400);
    let res = app
        .post_as(&rev, &format!("/api/review/items/{id}/decision"), &json!({ "decision": "reject", "reason": "证件照片不清晰" }))
        .await;
    assert_eq!(res.status(), 200);
    let (template, params) = app.last_sms(&new_mobile).unwrap();
    assert_eq!((template.as_str(), params["reason"].as_str()), ("appeal_rejected", Some("证件照片不清晰")));
    let status: Value = appellant_get(&app, &format!("/api/appeals/{number}"), &new_mobile).await.json().await.unwrap();
    assert_eq!((status["status"].as_str(), status["reason"].as_str()), (Some("rejected"), Some("证件照片不清晰")));
    let stored: String =
        app.db().query_row("SELECT reserved_mobile FROM accounts WHERE login_name = ?", [&r.login_name], |x| x.get(0)).unwrap();
    assert_eq!(stored, r.mobile, "a rejected appeal changes nothing");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_appeal_for_nothing_registered_leads_to_registration_and_stores_nothing() {
    let app = reviewer_app().spawn().await;
    let mut r = Registered::legal_entity();
    r.uscc = uscc_for(unique());
    let new_mobile = mobile_for(unique());
    let code = app.appeal_code(&new_mobile).await;
    let (ct, body) = multipart(
        &legal_entity_fields(&r, &new_mobile, &code),
        &[("id_front", "f.png", "image/png", png_scan(8)), ("id_back", "b.png", "image/png", png_scan(8))],
    );
    let res = app.post_multipart("/api/appeals", &ct, body).await;
    assert_eq!(res.status(), 404);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "appeal.no_matching_account");
    assert_eq!(body["error"]["details"]["guidance"]["actions"][0]["href"], "/register/legal-entity");
    assert_eq!(app.count("SELECT COUNT(*) FROM appeals"), 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM uploads"), 0);

    // A registered organization's name under another USCC: check the code.
    let registered = app.register_legal_entity().await;
    let mut other = registered.clone();
    other.uscc = uscc_for(unique());
    let (ct, body) = multipart(
        &legal_entity_fields(&other, &new_mobile, &code),
        &[("id_front", "f.png", "image/png", png_scan(8)), ("id_back", "b.png", "image/png", png_scan(8))],
    );
    let res = app.post_multipart("/api/appeals", &ct, body).await;
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!((body["error"]["code"].as_str(), body["error"]["field"].as_str()), (Some("appeal.uscc_mismatch"), Some("uscc")));
    assert_eq!(app.count("SELECT COUNT(*) FROM appeals"), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn uploads_are_judged_by_their_bytes_and_bad_ones_change_nothing() {
    let app = reviewer_app().spawn().await;
    let r = app.register_legal_entity().await;
    let new_mobile = mobile_for(unique());
    let code = app.appeal_code(&new_mobile).await;
    let fields = legal_entity_fields(&r, &new_mobile, &code);
    let html = b"<html><script>alert(1)</script></html>".to_vec();
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec();
    let cases: Vec<(Vec<(&str, &str, &str, Vec<u8>)>, u16, &str)> = vec![
        (vec![("id_front", "x.png", "image/png", html), ("id_back", "b.pdf", "application/pdf", pdf_scan())], 400, "upload.type_not_allowed"),
        (vec![("id_front", "x.png", "image/png", svg), ("id_back", "b.pdf", "application/pdf", pdf_scan())], 400, "upload.type_not_allowed"),
        (
            vec![("id_front", "big.png", "image/png", vec![0x89; 6 * 1024 * 1024]), ("id_back", "b.pdf", "application/pdf", pdf_scan())],
            413,
            "upload.file_too_large",
        ),
        (vec![("id_back", "b.pdf", "application/pdf", pdf_scan())], 400, "upload.file_required"),
    ];
    for (files, status, code_expected) in cases {
        let (ct, body) = multipart(&fields, &files);
        let res = app.post_multipart("/api/appeals", &ct, body).await;
        assert_eq!(res.status(), status, "{code_expected}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], code_expected);
    }
    // Seven files.
    let seven: Vec<_> = (0..7).map(|_| ("id_front", "f.png", "image/png", png_scan(4))).collect();
    let (ct, body) = multipart(&fields, &seven);
    let res = app.post_multipart("/api/appeals", &ct, body).await;
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "upload.too_many_files");
    // A truncated body.
    let (ct, mut body) = multipart(&fields, &[("id_front", "f.png", "image/png", png_scan(8))]);
    body.truncate(body.len() - 20);
    let res = app.post_multipart("/api/appeals", &ct, body).await;
    assert_eq!(res.status(), 400);
    assert_eq!(app.count("SELECT COUNT(*) FROM appeals"), 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM uploads"), 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM sms_codes WHERE consumed_at IS NULL"), 1, "the code is still usable");

    // A PDF sent as image/jpeg is kept, recorded and served as the PDF it is.
    let (ct, body) = multipart(
        &fields,
        &[("id_front", "scan.jpg", "image/jpeg", pdf_scan()), ("id_back", "b.png", "image/png", png_scan(8))],
    );
    let res = app.post_multipart("/api/appeals", &ct, body).await;
    assert_eq!(res.status(), 201);
    let (ctype, declared): (String, String) = app
        .db()
        .query_row("SELECT content_type, declared_type FROM uploads WHERE purpose = 'id_front'", [], |x| Ok((x.get(0)?, x.get(1)?)))
        .unwrap();
    assert_eq!((ctype.as_str(), declared.as_str()), ("application/pdf", "image/jpeg"));
}

#[tokio::test(flavor = "multi_thread")]
async fn documents_are_served_to_the_appellant_and_reviewers_only() {
    let app = reviewer_app().spawn().await;
    let r = app.register_legal_entity().await;
    let (number, new_mobile) = file_legal_entity_appeal(&app, &r).await;
    let status: Value = appellant_get(&app, &format!("/api/appeals/{number}"), &new_mobile).await.json().await.unwrap();
    let doc = status["documents"][0]["id"].as_i64().unwrap();

    // The appellant (number + new mobile) while open.
    let own = appellant_get(&app, &format!("/api/appeals/{number}/documents/{doc}"), &new_mobile).await;
    assert_eq!(own.status(), 200);
    // Someone else with the number but not the mobile; anonymous.
    assert_eq!(appellant_get(&app, &format!("/api/appeals/{number}/documents/{doc}"), &r.mobile).await.status(), 404);
    assert_eq!(app.get(&format!("/api/appeals/{number}/documents/{doc}")).await.status(), 400);
    // The mobile in the URL is refused, even the right one (history, logs,
    // referrers keep URLs); so is a lookup without the header.
    for path in [format!("/api/appeals/{number}"), format!("/api/appeals/{number}/documents/{doc}")] {
        let res = app.get_en(&format!("{path}?mobile={new_mobile}")).await;
        assert_eq!(res.status(), 400, "{path}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "appeal.mobile_in_url", "{path}");
        assert_eq!(body["error"]["field"], "mobile");
        assert!(body["error"]["message"].as_str().unwrap().contains("X-Appeal-Mobile"), "{body}");
        assert!(body["error"]["message_zh"].as_str().unwrap().contains("X-Appeal-Mobile"), "{body}");
        let missing: Value = app.get(&path).await.json().await.unwrap();
        assert_eq!(missing["error"]["field"], "mobile", "{path}");
    }
    // Another account, logged in, is no reviewer.
    let other = app.register_legal_entity().await;
    let someone = app.logged_in("legal_entity", &other.login_name, &other.password).await;
    let res = app.get_as(&someone, "/api/review/items").await;
    assert_eq!(res.status(), 401);
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "review.not_logged_in");
    assert_eq!(app.get("/api/review/items").await.status(), 401);
    // A reviewer may.
    let rev = app.reviewer(REVIEWER_NAME, REVIEWER_PASSWORD).await;
    let id = open_item_for(&app, &rev).await["id"].as_i64().unwrap();
    assert_eq!(reviewer_get(&app, &rev, &format!("/api/review/items/{id}/documents/{doc}")).await.status(), 200);
    // Decisions need the reviewer's CSRF token.
    let res = app
        .client
        .post(app.url(&format!("/api/review/items/{id}/decision")))
        .header("cookie", &rev.cookie)
        .header("origin", app.origin())
        .json(&json!({ "decision": "approve" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(app.count("SELECT COUNT(*) FROM review_items WHERE state = 'open'"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn due_times_skip_weekends_and_configured_holidays() {
    let app = reviewer_app().spawn().await;
    let rev = app.reviewer(REVIEWER_NAME, REVIEWER_PASSWORD).await;
    // Monday 2026-11-30 is made a holiday: a Friday appeal is due Tuesday.
    let res = app
        .client
        .put(app.url("/api/review/calendar/2026-11-30"))
        .header("cookie", &rev.cookie)
        .header("origin", app.origin())
        .header("x-csrf-token", &rev.csrf_token)
        .json(&json!({ "kind": "holiday", "note": "test holiday" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let r = app.register_legal_entity().await;
    let (number, new_mobile) = file_legal_entity_appeal(&app, &r).await;
    let status: Value = appellant_get(&app, &format!("/api/appeals/{number}"), &new_mobile).await.json().await.unwrap();
    assert_eq!(status["due_at"].as_i64().unwrap() - status["submitted_at"].as_i64().unwrap(), 4 * 24 * 3600 * 1000);
    let calendar: Value = reviewer_get(&app, &rev, "/api/review/calendar?from=2026-11-01&to=2026-12-31").await.json().await.unwrap();
    assert_eq!(calendar["days"][0]["day"], "2026-11-30");
}

#[tokio::test(flavor = "multi_thread")]
async fn reviewers_are_never_self_registered_but_reviewers_add_reviewers() {
    let app = reviewer_app().spawn().await;
    // Nobody can log in as a reviewer who was not created.
    let res = app.post_json("/api/review/login", &json!({ "login_name": "intruder", "password": "Whatever pass 1" })).await;
    assert_eq!(res.status(), 401);
    let rev = app.reviewer(REVIEWER_NAME, REVIEWER_PASSWORD).await;
    let res = app.post_as(&rev, "/api/review/reviewers", &json!({ "login_name": "second.reviewer", "password": "Second pair of eyes" })).await;
    assert_eq!(res.status(), 201);
    app.reviewer("second.reviewer", "Second pair of eyes").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM reviewers"), 2);
}
