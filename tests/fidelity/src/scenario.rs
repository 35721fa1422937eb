//! The app's most important scenarios, black box over HTTP, the same against
//! any target: the platform's own paths and the pages, every error shape,
//! the registration check, registration of both kinds with the SMS code read
//! from the dev outbox, login of both kinds and the wrong-type answer,
//! logout, password reset, a recovery appeal with uploads through review to a
//! new password, and a legacy import. Every step checks the app's answer
//! (so the scenario passes or fails on its own) and is recorded for the
//! differential check. Data are constants: each run starts from fresh state.
//!
//! Two spots change on purpose with the house issue, each in one place:
//! [`expect_no_session`] (today `401 auth.not_logged_in`; then `200
//! {"account": null}`) and [`appeal_lookup`] (today `?mobile=`; then the
//! `X-Appeal-Mobile` header).

use crate::exchange::{Recorder, Req, Resp};
use serde_json::{Value, json};

/// The variables every target gets (the same on both sides).
pub const VARIABLES: &[(&str, &str)] = &[
    ("dev_outbox", "true"),
    ("reviewer_bootstrap_login_name", REVIEWER),
    ("reviewer_bootstrap_password", REVIEWER_PASSWORD),
    ("legacy_import_token", IMPORT_TOKEN),
];

const REVIEWER: &str = "chief.reviewer";
const REVIEWER_PASSWORD: &str = "Back office keys 2026";
const IMPORT_TOKEN: &str = "legacy-import-token-for-the-fidelity-check";

const LE_LOGIN: &str = "orgalpha";
const LE_PASSWORD: &str = "Harbour lights 4711";
const LE_NEW_PASSWORD: &str = "Recovered at last 4711";
const LE_ORG: &str = "北京差分测试科技有限公司";
const LE_MOBILE: &str = "13900004711";
const NP_LOGIN: &str = "personbeta";
const NP_PASSWORD: &str = "Quiet river 4712";
const NP_NEW_PASSWORD: &str = "Brand new words 4712";
const NP_MOBILE: &str = "13900004712";
const APPEAL_MOBILE: &str = "13900004713";

/// The pages every target must serve.
pub const PAGES: &[&str] = &[
    "/",
    "/register",
    "/login",
    "/password-reset",
    "/appeal",
    "/review/login",
    "/css/site.css",
    "/js/i18n.js",
];

fn le_uscc() -> String {
    integration::uscc_for(4711)
}

fn np_resident_id() -> String {
    integration::resident_id_for(4712)
}

/// Percent-encodes a query value.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Nobody (or a session that ended) at `GET /api/session`: `200
/// {"account": null}`.
pub async fn expect_no_session(r: &mut Recorder, step: &str, cookie: Option<&str>) {
    let req = match cookie {
        Some(c) => Req::get("/api/session").header("cookie", c),
        None => Req::get("/api/session"),
    };
    let resp = r.expect(step, req, 200).await;
    assert_eq!(resp.json(), serde_json::json!({ "account": null }), "{step} on {}", r.target.name);
}

/// An appeal lookup by the appellant (number + new mobile): `suffix` is ""
/// for the status or `/documents/{id}`; the mobile goes in the
/// `X-Appeal-Mobile` header, never the URL.
pub fn appeal_lookup(number: &str, mobile: &str, suffix: &str, label: &str) -> Req {
    Req::get(&format!("/api/appeals/{number}{suffix}")).header("x-appeal-mobile", mobile).label(label)
}

/// The newest message to `mobile` in the dev outbox with `template`.
async fn outbox_message(r: &mut Recorder, step: &str, mobile: &str, template: &str) -> Value {
    let resp = r
        .expect(
            step,
            Req::get(&format!("/api/registration/dev/outbox?mobile={mobile}")),
            200,
        )
        .await;
    let body = resp.json();
    body["messages"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["template"] == template))
        .cloned()
        .unwrap_or_else(|| {
            panic!(
                "{step} on {}: no {template} message in {body}",
                r.target.name
            )
        })
}

async fn outbox_code(r: &mut Recorder, step: &str, mobile: &str, template: &str) -> String {
    let message = outbox_message(r, step, mobile, template).await;
    code_in(&message, "a code")
}

/// The code an SMS message carries.
fn code_in(message: &Value, what: &str) -> String {
    message["params"]["code"].as_str().expect(what).to_string()
}

/// Asks for a code by SMS (`req`, answered 202), then reads it from the
/// dev outbox (step `outbox_step`): the answer and the code.
async fn sms_code(
    r: &mut Recorder,
    step: &str,
    req: Req,
    outbox_step: &str,
    mobile: &str,
    template: &str,
) -> (Resp, String) {
    let sent = r.expect(step, req, 202).await;
    let code = outbox_code(r, outbox_step, mobile, template).await;
    (sent, code)
}

/// Expects the answer `status` with the error `code`.
async fn expect_error(r: &mut Recorder, step: &str, req: Req, status: u16, code: &str) -> Resp {
    let resp = r.expect(step, req, status).await;
    assert_eq!(
        resp.json()["error"]["code"],
        code,
        "{step} on {}",
        r.target.name
    );
    resp
}

struct Session {
    cookie: String,
    csrf_token: String,
}

impl Session {
    /// A GET with the session's cookie.
    fn get(&self, path: &str) -> Req {
        Req::get(path).header("cookie", &self.cookie)
    }

    /// A POST of `body` with the session's cookie and CSRF token.
    fn post(&self, path: &str, body: &Value) -> Req {
        Req::post(path)
            .json(body)
            .with_session(&self.cookie, Some(&self.csrf_token))
    }

    /// Logs out at `path` (204).
    async fn logout(&self, r: &mut Recorder, step: &str, path: &str) {
        r.expect(step, self.post(path, &json!({})), 204).await;
    }
}

fn session_of(resp: &Resp, cookie_name: &str) -> Session {
    Session {
        cookie: resp
            .cookie(cookie_name)
            .unwrap_or_else(|| panic!("no {cookie_name} cookie")),
        csrf_token: resp.json()["csrf_token"]
            .as_str()
            .expect("csrf_token")
            .to_string(),
    }
}

fn login(kind: &str, name: &str, password: &str) -> Req {
    Req::post("/api/auth/login")
        .json(&json!({ "account_type": kind, "login_name": name, "password": password }))
}

/// Runs every scenario against `r`'s target.
pub async fn run(r: &mut Recorder) {
    platform_and_pages(r).await;
    error_shapes(r).await;
    registration(r).await;
    login_and_logout(r).await;
    password_reset(r).await;
    appeal_through_review(r).await;
    legacy_import(r).await;
}

async fn platform_and_pages(r: &mut Recorder) {
    let health = r
        .expect(
            "Spin's health check",
            Req::get("/.well-known/spin/health"),
            200,
        )
        .await;
    assert_eq!(health.text(), "OK");
    let info = r
        .expect("Spin's app info", Req::get("/.well-known/spin/info"), 200)
        .await;
    assert_eq!(info.json()["name"], "foreign-work-platform");
    let health = r
        .expect("the app's health", Req::get("/api/health"), 200)
        .await;
    assert_eq!(health.json()["status"], "ok");
    for page in PAGES {
        r.expect(&format!("page {page}"), Req::get(page), 200).await;
    }
    let missing = r
        .expect("an unknown page", Req::get("/no-such-page"), 404)
        .await;
    assert!(
        missing
            .header("content-type")
            .unwrap_or("")
            .starts_with("text/html")
    );
    let head = r
        .expect("HEAD of the home page", Req::new("HEAD", "/"), 200)
        .await;
    assert!(head.body.is_empty());
}

async fn error_shapes(r: &mut Recorder) {
    let zh = r
        .expect("404: unknown API path", Req::get("/api/no-such-thing"), 404)
        .await;
    let e = &zh.json()["error"];
    assert_eq!(
        (e["code"].as_str(), e["message"] == e["message_zh"]),
        (Some("request.not_found"), true)
    );
    let en = r
        .expect(
            "404: unknown API path, in English",
            Req::get("/api/registration/no-such-thing").header("accept-language", "en"),
            404,
        )
        .await;
    assert_eq!(
        en.json()["error"]["message"],
        en.json()["error"]["message_en"]
    );

    let wrong = expect_error(
        r,
        "405: wrong method",
        Req::post("/api/registration/login-names/abcd"),
        405,
        "request.method_not_allowed",
    )
    .await;
    assert_eq!(wrong.header("allow"), Some("GET, HEAD"));

    // The component answers 413 without reading the body, but Spin's
    // wasi:http (wasmtime-wasi-http) sends that answer only once the whole
    // request body has arrived, and so does the test host: the client sends
    // it all. (With a chunked body instead of a length, Spin cuts the answer
    // off now and then; see tests/host/README.md. Browsers send a length.)
    let big = expect_error(
        r,
        "413: body over the limit",
        Req::get("/api/registration/login-names/abcd")
            .body("application/json", vec![b'x'; 65 * 1024]),
        413,
        "request.body_too_large",
    )
    .await;
    assert_eq!(big.json()["error"]["details"]["limit_bytes"], 64 * 1024);

    expect_error(
        r,
        "415: not JSON",
        Req::post("/api/auth/login").body("text/plain", b"hello".to_vec()),
        415,
        "request.unsupported_media_type",
    )
    .await;

    let body =
        json!({ "account_type": "legal_entity", "login_name": LE_LOGIN, "password": LE_PASSWORD });
    expect_error(
        r,
        "CSRF: no Origin",
        Req::new("POST", "/api/auth/login").json(&body),
        403,
        "request.cross_origin",
    )
    .await;
    expect_error(
        r,
        "CSRF: foreign Origin",
        Req::post("/api/auth/login")
            .cross_origin()
            .header("origin", "https://evil.example")
            .json(&body),
        403,
        "request.cross_origin",
    )
    .await;

    let broken = r
        .expect(
            "400: broken JSON",
            Req::post("/api/auth/login").body("application/json", b"{\"account_type\":".to_vec()),
            400,
        )
        .await;
    assert!(broken.json()["error"]["code"].is_string());

    // Spin refuses to pass a header that is not UTF-8 to a component.
    r.expect(
        "500: a header that is not UTF-8",
        Req::get("/api/health").raw_header("x-name", b"caf\xe9"),
        500,
    )
    .await;
    // A client's own spin-client-addr reaches the component (before Spin's).
    r.expect(
        "a client's own spin-client-addr",
        Req::get("/api/registration/login-names/forgedname")
            .header("spin-client-addr", "203.0.113.1:1"),
        200,
    )
    .await;
}

async fn registration(r: &mut Recorder) {
    let check = r
        .expect(
            "check: a free login name",
            Req::get(&format!("/api/registration/login-names/{LE_LOGIN}")),
            200,
        )
        .await;
    let free = check.json();
    let org_query = format!(
        "/api/registration/organizations?org_name={}&uscc={}",
        encode(LE_ORG),
        le_uscc()
    );
    r.expect(
        "check: an unregistered organization",
        Req::get(&org_query).label("GET /api/registration/organizations?org_name=…&uscc=…"),
        200,
    )
    .await;

    let registration_code = |mobile: &str| {
        Req::post("/api/registration/sms-codes")
            .json(&json!({ "mobile": mobile, "purpose": "registration" }))
    };
    let (sent, code) = sms_code(
        r,
        "a registration code (legal entity)",
        registration_code(LE_MOBILE),
        "the dev outbox (legal entity)",
        LE_MOBILE,
        "registration_code",
    )
    .await;
    assert!(sent.json()["mobile_masked"].is_string());
    let legal_entity = |sms_code: &str| {
        Req::post("/api/registration/legal-entities").json(&json!({
            "login_name": LE_LOGIN, "password": LE_PASSWORD, "org_name": LE_ORG, "uscc": le_uscc(),
            "mobile": LE_MOBILE, "sms_code": sms_code,
        }))
    };
    let wrong_code = r
        .send(
            "registration with a wrong code",
            legal_entity(if code == "000000" { "111111" } else { "000000" }),
        )
        .await;
    assert!(
        wrong_code.status == 400 || wrong_code.status == 422,
        "{}",
        wrong_code.text()
    );
    let created = r
        .expect("registration of a legal entity", legal_entity(&code), 201)
        .await;
    assert_eq!(created.json()["account"]["login_name"], LE_LOGIN);
    let taken = r
        .expect(
            "check: the login name now taken",
            Req::get(&format!("/api/registration/login-names/{LE_LOGIN}")),
            200,
        )
        .await;
    assert_ne!(taken.json(), free, "the check must see the new account");
    r.expect(
        "check: the organization now registered",
        Req::get(&org_query).label("GET /api/registration/organizations?org_name=…&uscc=…"),
        200,
    )
    .await;

    let (_, code) = sms_code(
        r,
        "a registration code (natural person)",
        registration_code(NP_MOBILE),
        "the dev outbox (natural person)",
        NP_MOBILE,
        "registration_code",
    )
    .await;
    let person = r
        .expect(
            "registration of a natural person",
            Req::post("/api/registration/natural-persons").json(&json!({
                "login_name": NP_LOGIN, "password": NP_PASSWORD, "real_name": "张三", "document_type": "resident_id",
                "document_number": np_resident_id(), "mobile": NP_MOBILE, "sms_code": code,
            })),
            201,
        )
        .await;
    assert_eq!(person.json()["account"]["login_name"], NP_LOGIN);
}

async fn login_and_logout(r: &mut Recorder) {
    let resp = r
        .expect(
            "login: legal entity",
            login("legal_entity", LE_LOGIN, LE_PASSWORD),
            200,
        )
        .await;
    let le = session_of(&resp, "__Host-session");
    let me = r.expect("the session", le.get("/api/session"), 200).await;
    assert_eq!(me.json()["account"]["login_name"], LE_LOGIN);
    assert_eq!(me.json()["csrf_token"], le.csrf_token.as_str());

    let wrong_type = expect_error(
        r,
        "login: a natural person at legal-entity login",
        login("legal_entity", NP_LOGIN, NP_PASSWORD),
        409,
        "auth.wrong_account_type",
    )
    .await;
    assert!(wrong_type.headers.get("set-cookie").is_none());
    let resp = r
        .expect(
            "login: natural person",
            login("natural_person", NP_LOGIN, NP_PASSWORD),
            200,
        )
        .await;
    let np = session_of(&resp, "__Host-session");
    r.expect(
        "login: wrong password",
        login("natural_person", NP_LOGIN, "not the password at all"),
        401,
    )
    .await;

    expect_error(
        r,
        "CSRF: logout without the token",
        Req::post("/api/auth/logout")
            .json(&json!({}))
            .with_session(&le.cookie, None),
        403,
        "request.csrf_token_invalid",
    )
    .await;
    le.logout(r, "logout", "/api/auth/logout").await;
    expect_no_session(r, "the session after logout", Some(&le.cookie)).await;
    expect_no_session(r, "no session at all", None).await;
    np.logout(r, "logout (natural person)", "/api/auth/logout")
        .await;
}

async fn password_reset(r: &mut Recorder) {
    let reset_code = |login_name: &str| {
        Req::post("/api/password-reset/codes").json(&json!({ "login_name": login_name }))
    };
    expect_error(
        r,
        "reset: unknown login name",
        reset_code("nobodyhere"),
        404,
        "password_reset.unknown_login_name",
    )
    .await;
    let (_, code) = sms_code(
        r,
        "reset: a code",
        reset_code(NP_LOGIN),
        "the dev outbox (reset)",
        NP_MOBILE,
        "password_reset_code",
    )
    .await;
    r.expect(
        "reset: the new password",
        Req::post("/api/password-reset/confirmations").json(
            &json!({ "login_name": NP_LOGIN, "sms_code": code, "new_password": NP_NEW_PASSWORD }),
        ),
        200,
    )
    .await;
    r.expect(
        "login: the old password after the reset",
        login("natural_person", NP_LOGIN, NP_PASSWORD),
        401,
    )
    .await;
    r.expect(
        "login: the new password",
        login("natural_person", NP_LOGIN, NP_NEW_PASSWORD),
        200,
    )
    .await;
}

async fn appeal_through_review(r: &mut Recorder) {
    let (_, code) = sms_code(
        r,
        "appeal: a code to the new mobile",
        Req::post("/api/appeals/sms-codes").json(&json!({ "mobile": APPEAL_MOBILE })),
        "the dev outbox (appeal)",
        APPEAL_MOBILE,
        "appeal_code",
    )
    .await;
    let uscc = le_uscc();
    let fields = [
        ("kind", "legal_entity"),
        ("org_name", LE_ORG),
        ("uscc", uscc.as_str()),
        ("legal_representative_name", "王大明"),
        ("applicant_name", "李小红"),
        ("applicant_document_type", "resident_id"),
        ("applicant_document_number", "11010519491231002X"),
        ("new_mobile", APPEAL_MOBILE),
        ("sms_code", code.as_str()),
    ];
    let (content_type, body) = integration::multipart(
        &fields,
        &[
            (
                "id_front",
                "身份证正面.png",
                "image/png",
                integration::png_scan(16),
            ),
            (
                "id_back",
                "back.pdf",
                "application/pdf",
                integration::pdf_scan(),
            ),
        ],
    );
    let filed = r
        .expect(
            "appeal: filed with two scans",
            Req::post("/api/appeals").body(&content_type, body),
            201,
        )
        .await;
    let number = filed.json()["number"]
        .as_str()
        .expect("appeal number")
        .to_string();

    let status = r
        .expect(
            "appeal: its status",
            appeal_lookup(&number, APPEAL_MOBILE, "", "GET /api/appeals/{number}"),
            200,
        )
        .await;
    assert_eq!(status.json()["status"], "submitted");
    let documents = status.json()["documents"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(documents.len(), 2);
    let doc = documents[0]["id"].to_string();
    let file = r
        .expect(
            "appeal: the appellant's scan",
            appeal_lookup(
                &number,
                APPEAL_MOBILE,
                &format!("/documents/{doc}"),
                "GET /api/appeals/{number}/documents/{id}",
            ),
            200,
        )
        .await;
    assert!(
        file.header("content-disposition")
            .unwrap_or("")
            .starts_with("attachment")
    );
    r.expect(
        "appeal: a wrong mobile",
        appeal_lookup(
            &number,
            "13900009999",
            "",
            "GET /api/appeals/{number} (wrong mobile)",
        ),
        404,
    )
    .await;

    let resp = r
        .expect(
            "review: the bootstrap reviewer logs in",
            Req::post("/api/review/login")
                .json(&json!({ "login_name": REVIEWER, "password": REVIEWER_PASSWORD })),
            200,
        )
        .await;
    let rev = session_of(&resp, "__Host-review-session");
    r.expect(
        "review: the reviewer's session",
        rev.get("/api/review/session"),
        200,
    )
    .await;
    let queue = r
        .expect(
            "review: the open queue",
            rev.get("/api/review/items?state=open"),
            200,
        )
        .await;
    let item = queue.json()["items"][0].clone();
    assert_eq!(item["summary"]["number"], number.as_str());
    let id = item["id"].to_string();
    let detail = r
        .expect(
            "review: the item",
            rev.get(&format!("/api/review/items/{id}"))
                .label("GET /api/review/items/{id}"),
            200,
        )
        .await;
    let doc = detail.json()["documents"][0]["id"].to_string();
    r.expect(
        "review: a scan",
        rev.get(&format!("/api/review/items/{id}/documents/{doc}"))
            .label("GET /api/review/items/{id}/documents/{doc}"),
        200,
    )
    .await;
    let decide = |decision: Value| {
        rev.post(&format!("/api/review/items/{id}/decision"), &decision)
            .label("POST /api/review/items/{id}/decision")
    };
    r.expect(
        "review: claim",
        rev.post(&format!("/api/review/items/{id}/claim"), &json!({}))
            .label("POST /api/review/items/{id}/claim"),
        200,
    )
    .await;
    expect_error(
        r,
        "CSRF: a decision without the token",
        Req::post(&format!("/api/review/items/{id}/decision"))
            .json(&json!({ "decision": "approve" }))
            .with_session(&rev.cookie, None)
            .label("POST /api/review/items/{id}/decision (no token)"),
        403,
        "request.csrf_token_invalid",
    )
    .await;
    r.expect(
        "review: approve",
        decide(json!({ "decision": "approve" })),
        200,
    )
    .await;
    expect_error(
        r,
        "review: a second decision",
        decide(json!({ "decision": "reject", "reason": "x" })),
        409,
        "review.already_decided",
    )
    .await;

    let message = outbox_message(
        r,
        "the dev outbox (appeal approved)",
        APPEAL_MOBILE,
        "appeal_approved",
    )
    .await;
    assert_eq!(message["params"]["login_name"], LE_LOGIN);
    let code = code_in(&message, "set-password code");
    r.expect(
        "reset: the password from the approved appeal's code",
        Req::post("/api/password-reset/confirmations")
            .json(&json!({ "login_name": LE_LOGIN, "sms_code": code, "new_password": LE_NEW_PASSWORD, "code_kind": "appeal" })),
        200,
    )
    .await;
    r.expect(
        "login: after the appeal, with the new password",
        login("legal_entity", LE_LOGIN, LE_NEW_PASSWORD),
        200,
    )
    .await;
    let status = r
        .expect(
            "appeal: approved",
            appeal_lookup(&number, APPEAL_MOBILE, "", "GET /api/appeals/{number}"),
            200,
        )
        .await;
    assert_eq!(status.json()["status"], "approved");
    rev.logout(r, "review: logout", "/api/review/logout").await;
}

async fn legacy_import(r: &mut Recorder) {
    let line = json!({ "old_login_name": "oldperson", "kind": "natural_person", "real_name": "李四",
                       "document_type": "passport", "document_number": "E00004714", "nationality": "USA" });
    let import = |auth: Option<&str>| {
        let req = Req::new("POST", "/api/registration/legacy-imports")
            .raw_body(format!("{line}\n").into_bytes());
        match auth {
            Some(a) => req.header("authorization", a),
            None => req,
        }
    };
    let refused = r
        .send("legacy import without the token", import(None))
        .await;
    assert!(
        refused.status == 401 || refused.status == 403,
        "{}",
        refused.text()
    );
    let report = r
        .expect(
            "legacy import",
            import(Some(&format!("Bearer {IMPORT_TOKEN}"))),
            200,
        )
        .await;
    assert_eq!(report.json()["created"], 1, "{}", report.text());
}
