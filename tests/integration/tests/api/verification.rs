//! Real-name verification and "my info" (flow 5, FAQ 3.1-3.7) through HTTP:
//! the verification component calls a scripted identity service (a real
//! HTTP server on loopback) through its outbound HTTP and
//! `allowed_outbound_hosts`, and reviewers decide uploads in the back
//! office.

use integration::identity_service::{Reply, ScriptedIdentityService, TOKEN};
use integration::{
    AppBuilder, LoggedIn, REVIEWER_NAME, REVIEWER_PASSWORD, Registered, TestApp, multipart, pdf_scan, png_scan, resident_id_for, reviewer_app,
    unique,
};
use serde_json::{Value, json};
use std::time::Duration;

/// The app with a bootstrap reviewer and the verification component pointed at `service`.
fn app_with(service: &ScriptedIdentityService) -> AppBuilder {
    let mut b = reviewer_app().variable("verification_checks_per_client_per_hour", "1000");
    for (name, value) in service.variables() {
        b = b.variable(name, &value);
    }
    b
}

async fn natural_person(app: &TestApp) -> (Registered, LoggedIn) {
    let r = app.register_natural_person().await;
    let who = app.logged_in("natural_person", &r.login_name, &r.password).await;
    (r, who)
}

async fn legal_entity(app: &TestApp) -> (Registered, LoggedIn) {
    let r = app.register_legal_entity().await;
    let who = app.logged_in("legal_entity", &r.login_name, &r.password).await;
    (r, who)
}

async fn json_of(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn save(app: &TestApp, who: &LoggedIn, part: &str, body: &Value) -> (u16, Value) {
    json_of(app.put_as(who, &format!("/api/my-info/{part}"), body).await).await
}

fn person(name: &str, number: &str) -> Value {
    json!({ "real_name": name, "document_type": "resident_id", "document_number": number })
}

fn passport(name: &str, number: &str) -> Value {
    json!({ "real_name": name, "document_type": "passport", "document_number": number, "nationality": "DEU", "birth_date": "1988-04-02" })
}

fn representative(rep_type: &str, extra: Value) -> Value {
    let mut v = json!({
        "legal_representative_type": rep_type,
        "legal_representative_name": "王大明",
        "legal_representative_document_type": "resident_id",
        "legal_representative_document_number": "11010519491231002X",
    });
    for (k, x) in extra.as_object().unwrap() {
        v[k] = x.clone();
    }
    v
}

fn basic_info(r: &Registered) -> Value {
    json!({
        "org_name": r.org_name, "uscc": r.uscc, "registered_address": "北京市朝阳区建国路 88 号",
        "organization_type": "enterprise", "contact_phone": "010-65001234",
    })
}

async fn upload(app: &TestApp, who: &LoggedIn, part: &str, files: &[&str]) -> (u16, Value) {
    let parts: Vec<_> = files.iter().map(|f| (*f, "scan.pdf", "application/pdf", pdf_scan())).collect();
    let (ct, body) = multipart(&[], &parts);
    json_of(app.post_multipart_as(who, &format!("/api/my-info/{part}/documents"), &ct, body).await).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_match_from_the_identity_service_passes_the_natural_person() {
    let service = ScriptedIdentityService::start().await;
    let app = app_with(&service).spawn().await;
    let (r, who) = natural_person(&app).await;

    let (status, info) = json_of(app.get_as(&who, "/api/my-info").await).await;
    assert_eq!(status, 200);
    assert_eq!(info["parts"][0]["state"], "not_submitted");
    assert_eq!(info["parts"][0]["fields"]["real_name"], "张三", "what was registered");
    assert_eq!(info["identity_service"], "configured");

    service.reply(&[Reply::Verdict("match")]);
    let (status, part) = save(&app, &who, "person", &person("张三", &r.resident_id)).await;
    assert_eq!(status, 200, "{part}");
    assert_eq!(part["state"], "passed");
    assert_eq!(part["message_zh"], "自然人信息 已通过");

    let got = service.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].authorization.as_deref(), Some(format!("Bearer {TOKEN}").as_str()));
    assert_eq!(got[0].content_type.as_deref(), Some("application/json"));
    assert_eq!(got[0].body["check"], "person_2");
    assert_eq!(got[0].body["subject"], json!({ "name": "张三", "id_number": r.resident_id }));
    assert_eq!(got[0].body["request_id"].as_str().unwrap().len(), 32);

    let (_, session) = json_of(app.get_as(&who, "/api/session").await).await;
    assert_eq!(session["account"]["identity_verified"], true);
    let audited = app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'verification.saved' AND detail LIKE '%\"verdict\":\"match\"%'");
    assert_eq!(audited, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn mismatch_and_no_record_fail_and_every_non_answer_is_check_unavailable() {
    let service = ScriptedIdentityService::start().await;
    let app = app_with(&service).variable("verification_checks_per_account_per_day", "100").spawn().await;
    let (r, who) = natural_person(&app).await;
    for result in ["mismatch", "no_record"] {
        service.reply(&[Reply::Verdict(result)]);
        let (status, part) = save(&app, &who, "person", &person("张三", &r.resident_id)).await;
        assert_eq!((status, part["state"].as_str()), (200, Some("failed")), "{result}");
        assert!(!part.to_string().contains(result), "never says which: {part}");
        assert_eq!(part["next_action"], "upload");
    }
    let no_verdict = [
        Reply::Slow(Duration::from_secs(6)),
        Reply::Status(500),
        Reply::Status(503),
        Reply::Html,
        Reply::Garbage,
        Reply::Verdict("maybe"),
        Reply::Verdict("busy"),
        Reply::MatchForOtherData,
        Reply::MatchForOtherRequest,
    ];
    for reply in no_verdict {
        service.reply(std::slice::from_ref(&reply));
        let started = std::time::Instant::now();
        let (status, part) = save(&app, &who, "person", &person("张三", &r.resident_id)).await;
        assert_eq!((status, part["state"].as_str()), (200, Some("check_unavailable")), "{reply:?}: {part}");
        assert_eq!(part["accepts_upload"], true, "the upload is offered at once");
        if matches!(reply, Reply::Slow(_)) {
            assert!(started.elapsed() < Duration::from_secs(6), "the check gave up before the slow answer");
        }
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM verifications WHERE state = 'passed'"), 0, "nothing passed");
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts WHERE identity_verified_at IS NOT NULL"), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_passport_goes_to_manual_review_and_a_reviewer_approves_it() {
    let service = ScriptedIdentityService::start().await;
    let app = app_with(&service).spawn().await;
    let (r, who) = natural_person(&app).await;
    let (_, info) = json_of(app.get_as(&who, "/api/my-info").await).await;
    let types = info["document_types"].as_array().unwrap();
    assert_eq!(types.iter().find(|t| t["code"] == "passport").unwrap()["online_check"], "no", "said before saving");

    let (status, part) = save(&app, &who, "person", &passport("Anna Schmidt", "C01X00T47")).await;
    assert_eq!((status, part["state"].as_str()), (200, Some("manual_review_required")), "{part}");
    assert!(service.received().is_empty(), "a passport is not checked online");

    let (status, part) = upload(&app, &who, "person", &["document_front"]).await;
    assert_eq!((status, part["state"].as_str()), (200, Some("under_review")), "{part}");
    // Friday 09:00 + one working day: Monday 09:00.
    assert_eq!(part["due_at"].as_i64().unwrap() - part["submitted_at"].as_i64().unwrap(), 3 * 24 * 3600 * 1000);
    let (status, again) = upload(&app, &who, "person", &["document_front"]).await;
    assert_eq!((status, again["error"]["code"].as_str()), (409, Some("verification.already_under_review")));
    let (status, changed) = save(&app, &who, "person", &passport("Anna Schmidt", "C01X00T48")).await;
    assert_eq!((status, changed["error"]["code"].as_str()), (409, Some("verification.under_review")));

    let rev = app.reviewer(REVIEWER_NAME, REVIEWER_PASSWORD).await;
    let (_, queue) = json_of(app.get_as(&rev, "/api/review/items").await).await;
    let item = queue["items"].as_array().unwrap().iter().find(|i| i["kind"] == "verification").unwrap().clone();
    assert_eq!(item["summary"]["name"], "Anna Schmidt");
    let id = item["id"].as_i64().unwrap();
    let (_, detail) = json_of(app.get_as(&rev, &format!("/api/review/items/{id}")).await).await;
    let claimed = detail["subject"]["claimed"].as_array().unwrap();
    assert!(claimed.iter().any(|f| f["field"] == "document_number" && f["value_en"] == "C01X00T47"), "{claimed:?}");
    assert_eq!(detail["documents"].as_array().unwrap().len(), 1);
    let res = app.post_as(&rev, &format!("/api/review/items/{id}/decision"), &json!({ "decision": "approve" })).await;
    assert_eq!(res.status(), 200);

    let (_, part) = json_of(app.get_as(&who, "/api/my-info/person").await).await;
    assert_eq!(part["state"], "passed");
    assert_eq!(part["history"][0]["actor"], "reviewer");
    let (template, params) = app.last_sms(&r.mobile).unwrap();
    assert_eq!((template.as_str(), params["part"].as_str()), ("verification_passed", Some("自然人信息")));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rejection_keeps_the_identity_in_force_says_why_and_the_user_resubmits() {
    let service = ScriptedIdentityService::start().await;
    let app = app_with(&service).spawn().await;
    let (r, who) = natural_person(&app).await;
    service.reply(&[Reply::Verdict("match"), Reply::Verdict("mismatch")]);
    save(&app, &who, "person", &person("张三", &r.resident_id)).await;
    let other = resident_id_for(unique() + 1);
    let (_, part) = save(&app, &who, "person", &person("张三", &other)).await;
    assert_eq!((part["state"].as_str(), part["pending"].as_bool()), (Some("failed"), Some(true)));
    assert!(part["in_force"]["document_number_masked"].is_string());
    let (status, _) = upload(&app, &who, "person", &["document_front", "document_back"]).await;
    assert_eq!(status, 200);

    let rev = app.reviewer(REVIEWER_NAME, REVIEWER_PASSWORD).await;
    let (_, queue) = json_of(app.get_as(&rev, "/api/review/items").await).await;
    let id = queue["items"][0]["id"].as_i64().unwrap();
    let res = app.post_as(&rev, &format!("/api/review/items/{id}/decision"), &json!({ "decision": "reject", "reason": "证件反面不清晰" })).await;
    assert_eq!(res.status(), 200);
    let (_, part) = json_of(app.get_as(&who, "/api/my-info/person").await).await;
    assert_eq!((part["state"].as_str(), part["reason"].as_str()), (Some("rejected"), Some("证件反面不清晰")));
    let held: String = app.db().query_row("SELECT document_number FROM accounts WHERE login_name = ?", [&r.login_name], |x| x.get(0)).unwrap();
    assert_eq!(held, r.resident_id, "the verified identity stays in force");
    let (template, params) = app.last_sms(&r.mobile).unwrap();
    assert_eq!((template.as_str(), params["reason"].as_str()), ("verification_rejected", Some("证件反面不清晰")));

    let (status, part) = upload(&app, &who, "person", &["document_front", "document_back"]).await;
    assert_eq!((status, part["state"].as_str()), (200, Some("under_review")), "resubmitted");
}

#[tokio::test(flavor = "multi_thread")]
async fn uploads_are_refused_when_the_part_takes_none() {
    let service = ScriptedIdentityService::start().await;
    let app = app_with(&service).spawn().await;
    let (r, who) = natural_person(&app).await;
    let (status, body) = upload(&app, &who, "person", &["document_front", "document_back"]).await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("verification.upload_not_accepted")), "not saved yet");
    service.reply(&[Reply::Verdict("match")]);
    save(&app, &who, "person", &person("张三", &r.resident_id)).await;
    let (status, body) = upload(&app, &who, "person", &["document_front", "document_back"]).await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("verification.upload_not_accepted")), "passed");
    assert_eq!(app.count("SELECT COUNT(*) FROM uploads"), 0);
    // A file that is not what it says is refused beside its field.
    service.reply(&[Reply::Verdict("mismatch")]);
    save(&app, &who, "person", &person("张三", &resident_id_for(unique() + 2))).await;
    let (ct, body) = multipart(&[], &[("document_front", "x.png", "image/png", b"<html>".to_vec()), ("document_back", "b.png", "image/png", png_scan(8))]);
    let (status, body) = json_of(app.post_multipart_as(&who, "/api/my-info/person/documents", &ct, body).await).await;
    assert_eq!((status, body["error"]["field"].as_str()), (400, Some("document_front")));
}

#[tokio::test(flavor = "multi_thread")]
async fn another_accounts_info_cannot_be_asked_for() {
    let service = ScriptedIdentityService::start().await;
    let app = app_with(&service).spawn().await;
    let (_, who) = natural_person(&app).await;
    let (other, _) = natural_person(&app).await;
    let other_id: i64 = app.db().query_row("SELECT id FROM accounts WHERE login_name = ?", [&other.login_name], |x| x.get(0)).unwrap();
    for path in [format!("/api/my-info?account_id={other_id}"), format!("/api/my-info/{other_id}"), "/api/my-info/basic_info".into()] {
        let res = app.get_as(&who, &path).await;
        assert_eq!(res.status(), 404, "{path}");
    }
    let (status, _) = save(&app, &who, "person", &json!({ "account_id": other_id, "real_name": "李四" })).await;
    assert_eq!(status, 404);
    let (status, _) = save(&app, &who, &other_id.to_string(), &person("李四", &other.resident_id)).await;
    assert_eq!(status, 404);
    // Not logged in: 401; without the CSRF token: 403.
    let stranger = reqwest::Client::new().get(app.url("/api/my-info")).header("accept-language", "en").send().await.unwrap();
    let (status, body) = json_of(stranger).await;
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("auth.not_logged_in")));
    assert!(body["error"]["message"].as_str().unwrap().starts_with("You are not logged in"));
    let res = app
        .client
        .put(app.url("/api/my-info/person"))
        .header("cookie", &who.cookie)
        .header("origin", app.origin())
        .json(&person("张三", "11010519491231002X"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

#[tokio::test(flavor = "multi_thread")]
async fn faq_3_3_a_document_bound_to_another_account_leads_to_the_appeal() {
    let service = ScriptedIdentityService::start().await;
    let app = app_with(&service).spawn().await;
    let (_, who) = natural_person(&app).await;
    let (other, _) = natural_person(&app).await;
    let (status, body) = save(&app, &who, "person", &person("张三", &other.resident_id)).await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("verification.document_taken")));
    assert_eq!(body["error"]["field"], "document_number");
    let actions = body["error"]["details"]["guidance"]["actions"].as_array().unwrap();
    assert!(actions.iter().any(|a| a["href"] == "/appeal/natural-person"));
    assert!(service.received().is_empty(), "nothing checked");
    assert_eq!(app.count("SELECT COUNT(*) FROM verifications"), 0, "nothing changed");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_gets_its_own_error() {
    let service = ScriptedIdentityService::start().await;
    let app = app_with(&service).spawn().await;
    let (_, who) = natural_person(&app).await;
    // A passport number in the permanent-resident-ID field (FAQ 3.7).
    let mut pr = passport("Anna Schmidt", "E12345678");
    pr["document_type"] = json!("permanent_resident_id");
    let (status, body) = save(&app, &who, "person", &pr).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("document.wrong_format")));
    assert_eq!(body["error"]["details"]["likely_type"], "passport");
    // A future date of birth.
    let mut future = passport("Anna Schmidt", "C01X00T47");
    future["birth_date"] = json!("2027-01-01");
    let (status, body) = save(&app, &who, "person", &future).await;
    assert_eq!((status, body["error"]["code"].as_str(), body["error"]["field"].as_str()), (400, Some("verification.birth_date_in_future"), Some("birth_date")));
    // Everything wrong at once.
    let (status, body) = save(&app, &who, "person", &json!({ "document_type": "id_card" })).await;
    assert_eq!(status, 400);
    assert!(body["error"]["details"]["errors"].as_array().unwrap().len() >= 2);
    assert!(service.received().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_legal_entity_corrects_a_faq_3_6_mistake_and_passes_all_three_parts() {
    let service = ScriptedIdentityService::start().await;
    let app = app_with(&service).spawn().await;
    let (r, who) = legal_entity(&app).await;

    let (status, body) = save(&app, &who, "basic_info", &basic_info(&r)).await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("verification.legal_representative_first")));
    // FAQ 3.5: the type is missing.
    let (status, body) = save(&app, &who, "legal_representative", &representative("", json!({}))).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("legal_representative.type_required")));
    assert!(body["error"]["message"].as_str().unwrap().contains("法定代表人信息 → 类型"));
    // FAQ 3.6: China under "other".
    let china = representative(
        "other",
        json!({ "legal_representative_document_type": "passport", "legal_representative_document_number": "E12345678",
                "legal_representative_continent": "asia", "legal_representative_country": "CHN" }),
    );
    let (status, body) = save(&app, &who, "legal_representative", &china).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("legal_representative.china_under_other")));
    assert!(body["error"]["message"].as_str().unwrap().contains("中华人民共和国大陆地区"));
    assert_eq!(body["error"]["field"], "legal_representative_type");
    // Corrected: mainland, checked and passed; then the organization with that name; then the main agent.
    service.reply(&[Reply::Verdict("match"), Reply::Verdict("match"), Reply::Verdict("match")]);
    let (status, part) = save(&app, &who, "legal_representative", &representative("mainland", json!({}))).await;
    assert_eq!((status, part["state"].as_str()), (200, Some("passed")), "{part}");
    let (_, part) = save(&app, &who, "basic_info", &basic_info(&r)).await;
    assert_eq!(part["state"], "passed", "{part}");
    let agent = json!({
        "main_agent_name": "李小红", "main_agent_document_type": "resident_id",
        "main_agent_document_number": resident_id_for(unique()), "main_agent_mobile": "13912345678",
    });
    let (_, part) = save(&app, &who, "authorization_info", &agent).await;
    assert_eq!(part["state"], "passed", "{part}");
    assert_eq!(part["fields"]["main_agent_mobile_masked"], "139****5678");
    let checks: Vec<String> = service.received().iter().map(|x| x.body["check"].as_str().unwrap().to_owned()).collect();
    assert_eq!(checks, ["person_2", "enterprise_3", "person_3"]);
    assert_eq!(service.received()[1].body["subject"]["legal_representative_name"], "王大明");
    assert_eq!(service.received()[1].body["subject"]["uscc"], r.uscc.as_str());
    let (_, info) = json_of(app.get_as(&who, "/api/my-info").await).await;
    assert_eq!(info["verified"], true);
}

#[tokio::test(flavor = "multi_thread")]
async fn faq_3_4_an_organization_of_another_legal_entity_leads_to_the_appeal() {
    let service = ScriptedIdentityService::start().await;
    let app = app_with(&service).spawn().await;
    let (r, who) = legal_entity(&app).await;
    let (other, _) = legal_entity(&app).await;
    service.reply(&[Reply::Verdict("match")]);
    save(&app, &who, "legal_representative", &representative("mainland", json!({}))).await;
    let mut taken = basic_info(&r);
    taken["uscc"] = json!(other.uscc);
    let (status, body) = save(&app, &who, "basic_info", &taken).await;
    assert_eq!((status, body["error"]["code"].as_str(), body["error"]["field"].as_str()), (409, Some("verification.uscc_taken"), Some("uscc")));
    let actions = body["error"]["details"]["guidance"]["actions"].as_array().unwrap();
    assert!(actions.iter().any(|a| a["href"] == "/appeal/legal-entity"));
    assert_eq!(service.received().len(), 1, "only the representative was checked");
}

#[tokio::test(flavor = "multi_thread")]
async fn checks_stop_at_the_per_account_limit() {
    let service = ScriptedIdentityService::start().await;
    let app = app_with(&service).variable("verification_checks_per_account_per_day", "2").spawn().await;
    let (r, who) = natural_person(&app).await;
    service.reply(&[Reply::Verdict("mismatch"), Reply::Verdict("mismatch")]);
    for _ in 0..2 {
        assert_eq!(save(&app, &who, "person", &person("张三", &r.resident_id)).await.1["state"], "failed");
    }
    let (_, part) = save(&app, &who, "person", &person("张三", &r.resident_id)).await;
    assert_eq!((part["state"].as_str(), part["result"].as_str()), (Some("check_unavailable"), Some("check_limit_reached")));
    assert_eq!(service.received().len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_service_the_built_in_checker_sends_everything_to_manual_review() {
    let app = reviewer_app().spawn().await;
    let (r, who) = natural_person(&app).await;
    let (status, part) = save(&app, &who, "person", &person("张三", &r.resident_id)).await;
    assert_eq!((status, part["state"].as_str(), part["result"].as_str()), (200, Some("manual_review_required"), Some("format_checked_only")));
    let (status, body) = save(&app, &who, "person", &person("张三", "110105194912310021")).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("resident_id.check_mismatch")), "formats are still checked");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_service_outside_the_allowed_outbound_hosts_is_never_reached() {
    let service = ScriptedIdentityService::start().await;
    // The URL points at the service, the allowed origin does not.
    let app = reviewer_app()
        .variable("identity_service_url", &format!("{}/v1/checks", service.origin))
        .variable("identity_service_origin", "https://identity-service.invalid")
        .spawn()
        .await;
    let (r, who) = natural_person(&app).await;
    service.reply(&[Reply::Verdict("match")]);
    let (_, part) = save(&app, &who, "person", &person("张三", &r.resident_id)).await;
    assert_eq!(part["state"], "check_unavailable");
    assert!(service.received().is_empty(), "the host refused the call");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_reserved_mobile_changes_with_codes_to_the_old_and_the_new_number() {
    let service = ScriptedIdentityService::start().await;
    let app = app_with(&service).spawn().await;
    let (r, who) = natural_person(&app).await;
    let new = integration::mobile_for(unique() + 7);
    let res = app.post_as(&who, "/api/my-info/mobile/codes", &json!({ "new_mobile": new })).await;
    assert_eq!(res.status(), 202);
    let sent: Value = res.json().await.unwrap();
    assert!(sent["mobile_masked"].is_string() && sent["old_mobile_masked"].is_string());
    let code_of = |m: &str| {
        let (template, params) = app.last_sms(m).unwrap();
        assert_eq!(template, "mobile_change_code");
        params["code"].as_str().unwrap().to_owned()
    };
    let (new_code, old_code) = (code_of(&new), code_of(&r.mobile));
    let wrong = if old_code == "000000" { "000001" } else { "000000" };
    let (status, body) = json_of(
        app.put_as(&who, "/api/my-info/mobile", &json!({ "new_mobile": new, "new_mobile_code": new_code, "old_mobile_code": wrong })).await,
    )
    .await;
    assert_eq!((status, body["error"]["field"].as_str()), (400, Some("old_mobile_code")));
    let (status, body) = json_of(
        app.put_as(&who, "/api/my-info/mobile", &json!({ "new_mobile": new, "new_mobile_code": new_code, "old_mobile_code": old_code })).await,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let stored: String = app.db().query_row("SELECT reserved_mobile FROM accounts WHERE login_name = ?", [&r.login_name], |x| x.get(0)).unwrap();
    assert_eq!(stored, new);
    assert_eq!(app.last_sms(&r.mobile).unwrap().0, "reserved_mobile_changed", "the old number is told");
}
