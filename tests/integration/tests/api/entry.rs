//! The foreign-work system's entries (flow 7, FAQ 5, 6, 8, part of 4.4)
//! through HTTP: the service items, where a user stands, first entry and
//! its review, the automatic legacy links at approval and at a later
//! import, the business home, and legacy-data requests through review.
//! Grants are set up in the database (grant management is issue 12);
//! revoking one deletes it, as it will.

use integration::identity_service::{Reply, ScriptedIdentityService};
use integration::{LoggedIn, REVIEWER_NAME, REVIEWER_PASSWORD, Registered, TestApp, multipart, pdf_scan, reviewer_app, uscc_for, unique};
use serde_json::{Value, json};

const TOKEN: &str = "legacy-import-token-for-tests";

async fn spawn(service: &ScriptedIdentityService) -> TestApp {
    let mut b = reviewer_app().variable("legacy_import_token", TOKEN).variable("verification_checks_per_client_per_hour", "1000");
    for (name, value) in service.variables() {
        b = b.variable(name, &value);
    }
    b.spawn().await
}

async fn json_of(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn work_permit_form() -> Value {
    json!({
        "unit_type": "enterprise", "industry": "information_technology",
        "registered_address": "北京市朝阳区建国路 88 号", "office_address": "北京市朝阳区建国路 88 号 6 层",
        "contact_person": "李小红", "contact_phone": "010-65001234", "contact_email": "hr@example.com",
        "description": "软件研发企业，聘用外籍工程师从事研发工作。",
    })
}

/// A registered legal entity, logged in, with both parts verified.
async fn verified_organization(app: &TestApp, service: &ScriptedIdentityService) -> (Registered, LoggedIn) {
    let r = app.register_legal_entity().await;
    let who = app.logged_in("legal_entity", &r.login_name, &r.password).await;
    service.reply(&[Reply::Verdict("match"), Reply::Verdict("match")]);
    let rep = json!({
        "legal_representative_type": "mainland", "legal_representative_name": "王大明",
        "legal_representative_document_type": "resident_id", "legal_representative_document_number": "11010519491231002X",
    });
    let (status, body) = json_of(app.put_as(&who, "/api/my-info/legal_representative", &rep).await).await;
    assert_eq!(status, 200, "{body}");
    let basic = json!({
        "org_name": r.org_name, "uscc": r.uscc, "registered_address": "北京市朝阳区建国路 88 号",
        "organization_type": "enterprise", "contact_phone": "010-65001234",
    });
    let (status, body) = json_of(app.put_as(&who, "/api/my-info/basic_info", &basic).await).await;
    assert_eq!((status, body["state"].as_str()), (200, Some("passed")), "{body}");
    (r, who)
}

async fn verified_person(app: &TestApp, service: &ScriptedIdentityService) -> (Registered, LoggedIn) {
    let r = app.register_natural_person().await;
    let who = app.logged_in("natural_person", &r.login_name, &r.password).await;
    service.reply(&[Reply::Verdict("match")]);
    let body = json!({ "real_name": r.real_name, "document_type": "resident_id", "document_number": r.resident_id });
    let (status, part) = json_of(app.put_as(&who, "/api/my-info/person", &body).await).await;
    assert_eq!((status, part["state"].as_str()), (200, Some("passed")), "{part}");
    (r, who)
}

async fn stand(app: &TestApp, who: &LoggedIn, entry: &str) -> (u16, Value) {
    json_of(app.get_as(who, &format!("/api/entry/{entry}")).await).await
}

async fn reviewer(app: &TestApp) -> LoggedIn {
    app.reviewer(REVIEWER_NAME, REVIEWER_PASSWORD).await
}

/// The newest open item of `kind`.
async fn open_item(app: &TestApp, rev: &LoggedIn, kind: &str) -> i64 {
    let (_, queue) = json_of(app.get_as(rev, "/api/review/items").await).await;
    queue["items"].as_array().unwrap().iter().filter(|i| i["kind"] == kind).map(|i| i["id"].as_i64().unwrap()).max().expect("an open item")
}

async fn decide(app: &TestApp, rev: &LoggedIn, id: i64, decision: Value) -> (u16, Value) {
    json_of(app.post_as(rev, &format!("/api/review/items/{id}/decision"), &decision).await).await
}

/// Submits the first entry and has the reviewer approve it.
async fn onboard(app: &TestApp, who: &LoggedIn) {
    let (status, body) = json_of(app.post_as(who, "/api/entry/work_permit/onboarding", &work_permit_form()).await).await;
    assert_eq!(status, 201, "{body}");
    let rev = reviewer(app).await;
    let id = open_item(app, &rev, "onboarding").await;
    let (status, body) = decide(app, &rev, id, json!({ "decision": "approve" })).await;
    assert_eq!(status, 200, "{body}");
}

async fn import_records(app: &TestApp, token: Option<&str>, lines: &[Value]) -> (u16, Value) {
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let mut req = app.client.post(app.url("/api/entry/legacy-records/imports")).body(body);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    json_of(req.send().await.expect("request")).await
}

fn record(number: &str, uscc: &str) -> Value {
    json!({
        "record_number": number, "kind": "work_permit_new", "status": "approved",
        "submitted_on": "2019-03-01", "decided_on": "2019-03-20",
        "foreigner_name": "John Smith", "foreigner_nationality": "USA",
        "foreigner_document_type": "passport", "foreigner_document_number": "E12345678",
        "old_login_name": "acmeold", "old_org_name": "北京老单位科技有限公司", "old_uscc": uscc,
    })
}

fn account_id(app: &TestApp, login_name: &str) -> i64 {
    app.db().query_row("SELECT id FROM accounts WHERE login_name = ?", [login_name], |r| r.get(0)).unwrap()
}

fn grant(app: &TestApp, org: i64, person: i64, role: &str) {
    app.db()
        .execute(
            "INSERT INTO grants (organization_id, person_id, roles, granted_by, created_at, changed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)
             ON CONFLICT (organization_id, person_id) DO UPDATE SET roles = roles || ' ' || excluded.roles, version = version + 1",
            rusqlite::params![org, person, role, org, app.now_millis()],
        )
        .unwrap();
}

fn home_numbers(home: &Value) -> Vec<String> {
    let mut n: Vec<String> = home["records"].as_array().unwrap().iter().map(|r| r["record_number"].as_str().unwrap().to_owned()).collect();
    n.sort();
    n
}

#[tokio::test(flavor = "multi_thread")]
async fn the_service_items_are_public_and_name_both_entries() {
    let service = ScriptedIdentityService::start().await;
    let app = spawn(&service).await;
    let (status, body) = json_of(app.get("/api/services").await).await;
    assert_eq!(status, 200);
    let system = &body["services"][0];
    assert_eq!(system["label_zh"], "外国人来华工作管理服务系统");
    let entries: Vec<&str> = system["entries"].as_array().unwrap().iter().map(|e| e["entry"].as_str().unwrap()).collect();
    assert_eq!(entries, ["work_permit", "r_visa"]);
    assert_eq!(system["entries"][0]["label_zh"], "外国人来华工作许可办理业务入口");
    assert_eq!(system["entries"][1]["account_kinds"], json!(["natural_person"]));
    assert_eq!(system["roles"][1]["code"], "grant_admin");
    // The entries themselves need a session.
    let (status, _) = json_of(app.get("/api/entry/work_permit").await).await;
    assert_eq!(status, 401);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_legal_entity_goes_from_verification_to_its_business_home_with_its_legacy_records_linked() {
    let service = ScriptedIdentityService::start().await;
    let app = spawn(&service).await;
    let r = app.register_legal_entity().await;
    let who = app.logged_in("legal_entity", &r.login_name, &r.password).await;
    let (status, s) = stand(&app, &who, "work_permit").await;
    assert_eq!((status, s["entry_state"].as_str()), (200, Some("needs_verification")));
    assert_eq!(s["missing"].as_array().unwrap().len(), 2);
    assert_eq!(s["next_action"]["href"], "/my-info");

    // Records of the old system: two with its USCC, one of another organization.
    let (status, report) = import_records(&app, Some(TOKEN), &[record("WP2019-1001", &r.uscc), record("WP2019-1002", &r.uscc), record("WP2019-1003", &uscc_for(unique()))]).await;
    assert_eq!((status, report["imported"].as_i64(), report["linked"].as_i64()), (200, Some(3), Some(0)), "{report}");

    let (r, who) = {
        service.reply(&[Reply::Verdict("match"), Reply::Verdict("match")]);
        let rep = json!({
            "legal_representative_type": "mainland", "legal_representative_name": "王大明",
            "legal_representative_document_type": "resident_id", "legal_representative_document_number": "11010519491231002X",
        });
        assert_eq!(app.put_as(&who, "/api/my-info/legal_representative", &rep).await.status(), 200);
        let basic = json!({
            "org_name": r.org_name, "uscc": r.uscc, "registered_address": "北京市朝阳区建国路 88 号",
            "organization_type": "enterprise", "contact_phone": "010-65001234",
        });
        assert_eq!(app.put_as(&who, "/api/my-info/basic_info", &basic).await.status(), 200);
        (r, who)
    };
    let (_, s) = stand(&app, &who, "work_permit").await;
    assert_eq!(s["entry_state"], "needs_onboarding");
    let prefill: Vec<(&str, &str)> =
        s["form"]["fields"].as_array().unwrap().iter().map(|f| (f["name"].as_str().unwrap(), f["value"].as_str().unwrap())).collect();
    assert!(prefill.contains(&("registered_address", "北京市朝阳区建国路 88 号")), "{prefill:?}");

    let (status, s) = json_of(app.post_as(&who, "/api/entry/work_permit/onboarding", &work_permit_form()).await).await;
    assert_eq!((status, s["entry_state"].as_str()), (201, Some("onboarding_under_review")), "{s}");
    assert!(s["due_at"].as_i64().unwrap() > app.now_millis());
    // While it waits: 409 with the state, nothing new.
    let (status, e) = json_of(app.post_as(&who, "/api/entry/work_permit/onboarding", &work_permit_form()).await).await;
    assert_eq!((status, e["error"]["code"].as_str()), (409, Some("entry.onboarding_under_review")));
    assert_eq!(app.count("SELECT COUNT(*) FROM onboardings"), 1);
    let (status, e) = json_of(app.get_as(&who, "/api/entry/work_permit/home").await).await;
    assert_eq!((status, e["error"]["code"].as_str()), (409, Some("entry.home_not_open")));

    let rev = reviewer(&app).await;
    let id = open_item(&app, &rev, "onboarding").await;
    let (_, detail) = json_of(app.get_as(&rev, &format!("/api/review/items/{id}")).await).await;
    assert_eq!(detail["subject"]["legacy_records"].as_array().unwrap().len(), 2, "{detail}");
    let (status, body) = decide(&app, &rev, id, json!({ "decision": "approve" })).await;
    assert_eq!(status, 200, "{body}");
    let (template, _) = app.last_sms(&r.mobile).unwrap();
    assert_eq!(template, "onboarding_approved");

    let (_, s) = stand(&app, &who, "work_permit").await;
    assert_eq!(s["entry_state"], "open");
    let roles: Vec<&str> = s["roles"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap()).collect();
    assert_eq!(roles, ["business", "grant_admin"]);
    let (status, home) = json_of(app.get_as(&who, s["home"].as_str().unwrap().replace("/entry/home?entry=work_permit&", "/api/entry/work_permit/home?").as_str()).await).await;
    assert_eq!(status, 200, "{home}");
    assert_eq!(home_numbers(&home), ["WP2019-1001", "WP2019-1002"]);
    assert_eq!(home["records"][0]["foreigner"]["document_masked"], "E12**5678");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'legacy_record.linked'"), 2);

    // A record imported later with its USCC links at import.
    let (_, report) = import_records(&app, Some(TOKEN), &[record("WP2022-2001", &r.uscc)]).await;
    assert_eq!(report["linked"], 1);
    let (_, home) = json_of(app.get_as(&who, "/api/entry/work_permit/home").await).await;
    assert_eq!(home_numbers(&home), ["WP2019-1001", "WP2019-1002", "WP2022-2001"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rejected_first_entry_says_why_and_takes_a_corrected_one() {
    let service = ScriptedIdentityService::start().await;
    let app = spawn(&service).await;
    let (r, who) = verified_organization(&app, &service).await;
    let mut bad = work_permit_form();
    bad["contact_email"] = json!("not-an-email");
    bad["industry"] = json!("");
    let (status, e) = json_of(app.post_as(&who, "/api/entry/work_permit/onboarding", &bad).await).await;
    assert_eq!(status, 400);
    let fields: Vec<&str> = e["error"]["details"]["errors"].as_array().unwrap().iter().map(|x| x["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["industry", "contact_email"]);
    assert_eq!(app.count("SELECT COUNT(*) FROM onboardings"), 0);

    assert_eq!(app.post_as(&who, "/api/entry/work_permit/onboarding", &work_permit_form()).await.status(), 201);
    let rev = reviewer(&app).await;
    let id = open_item(&app, &rev, "onboarding").await;
    let (status, _) = decide(&app, &rev, id, json!({ "decision": "reject", "reason": "办公地址与营业执照不符" })).await;
    assert_eq!(status, 200);
    let (_, s) = stand(&app, &who, "work_permit").await;
    assert_eq!((s["entry_state"].as_str(), s["reason"].as_str()), (Some("onboarding_rejected"), Some("办公地址与营业执照不符")));
    let (template, params) = app.last_sms(&r.mobile).unwrap();
    assert_eq!((template.as_str(), params["reason"].as_str()), ("onboarding_rejected", Some("办公地址与营业执照不符")));
    let (status, s) = json_of(app.post_as(&who, "/api/entry/work_permit/onboarding", &work_permit_form()).await).await;
    assert_eq!((status, s["entry_state"].as_str()), (201, Some("onboarding_under_review")));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_natural_person_enters_only_with_a_grant_in_force_from_an_onboarded_organization() {
    let service = ScriptedIdentityService::start().await;
    let app = spawn(&service).await;
    let (person, me) = verified_person(&app, &service).await;
    let person_id = account_id(&app, &person.login_name);

    // No grant: what to ask for, not a bare refusal.
    let (status, s) = stand(&app, &me, "work_permit").await;
    assert_eq!((status, s["entry_state"].as_str()), (200, Some("needs_grant")));
    assert!(s["message_zh"].as_str().unwrap().contains("授权管理员"), "{s}");
    assert!(s["message_en"].as_str().unwrap().contains("real name"), "{s}");

    // A grant from an organization that was not onboarded.
    let (org, org_who) = verified_organization(&app, &service).await;
    let org_id = account_id(&app, &org.login_name);
    grant(&app, org_id, person_id, "business");
    let (_, s) = stand(&app, &me, "work_permit").await;
    assert_eq!(s["entry_state"], "needs_grant");
    assert_eq!(s["not_onboarded"][0]["name"], org.org_name);
    let (status, e) = json_of(app.get_as(&me, &format!("/api/entry/work_permit/home?organization={org_id}")).await).await;
    assert_eq!((status, e["error"]["code"].as_str()), (403, Some("entry.organization_not_permitted")));

    onboard(&app, &org_who).await;
    let (_, s) = stand(&app, &me, "work_permit").await;
    assert_eq!((s["entry_state"].as_str(), s["owner"]["name"].as_str()), (Some("open"), Some(org.org_name.as_str())));
    let (status, home) = json_of(app.get_as(&me, "/api/entry/work_permit/home").await).await;
    assert_eq!(status, 200, "{home}");
    assert_eq!(home["roles"][0]["code"], "business");
    // The organization sees who may act for it.
    let (_, org_home) = json_of(app.get_as(&org_who, "/api/entry/work_permit/home").await).await;
    assert_eq!(org_home["who_may_act"][0]["name"], "张三");

    // Revoked (deleted): gone at once, nothing of the organization shown.
    app.db().execute("DELETE FROM grants WHERE person_id = ?", [person_id]).unwrap();
    let (_, s) = stand(&app, &me, "work_permit").await;
    assert_eq!(s["entry_state"], "needs_grant");
    let (status, e) = json_of(app.get_as(&me, &format!("/api/entry/work_permit/home?organization={org_id}")).await).await;
    assert_eq!(status, 403);
    assert!(!e.to_string().contains(&org.org_name), "{e}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_person_with_several_organizations_chooses_one() {
    let service = ScriptedIdentityService::start().await;
    let app = spawn(&service).await;
    let (person, me) = verified_person(&app, &service).await;
    let person_id = account_id(&app, &person.login_name);
    let (a, a_who) = verified_organization(&app, &service).await;
    let (b, b_who) = verified_organization(&app, &service).await;
    onboard(&app, &a_who).await;
    onboard(&app, &b_who).await;
    let (a_id, b_id) = (account_id(&app, &a.login_name), account_id(&app, &b.login_name));
    grant(&app, a_id, person_id, "business");
    grant(&app, b_id, person_id, "grant_admin");
    let (_, s) = stand(&app, &me, "work_permit").await;
    assert_eq!(s["entry_state"], "choose_organization");
    assert_eq!(s["organizations"].as_array().unwrap().len(), 2);
    let (_, s) = json_of(app.get_as(&me, &format!("/api/entry/work_permit?organization={b_id}")).await).await;
    assert_eq!((s["entry_state"].as_str(), s["roles"][0]["code"].as_str()), (Some("open"), Some("grant_admin")));
    let (status, _) = json_of(app.get_as(&me, "/api/entry/work_permit?organization=abc").await).await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_legal_entity_at_the_r_visa_entry_and_another_organizations_home_are_refused_with_the_next_step() {
    let service = ScriptedIdentityService::start().await;
    let app = spawn(&service).await;
    let (_, a_who) = verified_organization(&app, &service).await;
    let (b, b_who) = verified_organization(&app, &service).await;
    onboard(&app, &a_who).await;
    onboard(&app, &b_who).await;
    let (status, e) = stand(&app, &a_who, "r_visa").await;
    assert_eq!((status, e["error"]["code"].as_str()), (403, Some("entry.r_visa_for_individuals")));
    assert_eq!(e["error"]["details"]["next_action"]["href"], "/entry/work-permit");
    let (status, e) = json_of(app.post_as(&a_who, "/api/entry/r_visa/onboarding", &json!({})).await).await;
    assert_eq!((status, e["error"]["code"].as_str()), (403, Some("entry.r_visa_for_individuals")));

    let (_, report) = import_records(&app, Some(TOKEN), &[record("WP2019-3001", &b.uscc)]).await;
    assert_eq!(report["linked"], 1);
    let b_id = account_id(&app, &b.login_name);
    let (status, e) = json_of(app.get_as(&a_who, &format!("/api/entry/work_permit/home?organization={b_id}")).await).await;
    assert_eq!((status, e["error"]["code"].as_str()), (403, Some("entry.organization_not_permitted")));
    assert!(!e.to_string().contains("WP2019-3001") && !e.to_string().contains(&b.org_name), "{e}");
    assert_eq!(e["error"]["details"]["next_action"]["href"], "/entry/work-permit");
    let (status, _) = stand(&app, &a_who, "visa").await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_record_import_reports_bad_lines_and_needs_its_token() {
    let service = ScriptedIdentityService::start().await;
    let app = spawn(&service).await;
    let (status, _) = import_records(&app, None, &[record("WP-1", &uscc_for(1))]).await;
    assert_eq!(status, 401);
    let (status, _) = import_records(&app, Some("wrong"), &[record("WP-1", &uscc_for(1))]).await;
    assert_eq!(status, 401);
    let lines = [record("WP-1", &uscc_for(1)), record("WP-2", "91110105000000010X"), record("wp-1", &uscc_for(2))];
    let (status, report) = import_records(&app, Some(TOKEN), &lines).await;
    assert_eq!((status, report["imported"].as_i64()), (200, Some(1)), "{report}");
    let errors: Vec<(i64, &str, &str)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["line"].as_i64().unwrap(), e["code"].as_str().unwrap(), e["field"].as_str().unwrap()))
        .collect();
    assert_eq!(errors, [(2, "legacy_records.uscc_invalid", "old_uscc"), (3, "legacy_records.duplicate_number", "record_number")]);
    assert!(report["errors"][1]["message_zh"].as_str().unwrap().contains("已导入过"));
    assert_eq!(app.count("SELECT COUNT(*) FROM legacy_records"), 1);

    // Without the setting the endpoint does not exist.
    let plain = reviewer_app().spawn().await;
    let (status, _) = import_records(&plain, Some(TOKEN), &[record("WP-9", &uscc_for(1))]).await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_legacy_data_request_goes_through_review_and_links_only_what_the_reviewer_confirms() {
    let service = ScriptedIdentityService::start().await;
    let app = spawn(&service).await;
    let (me, who) = verified_organization(&app, &service).await;
    let (other, other_who) = verified_organization(&app, &service).await;
    onboard(&app, &who).await;
    onboard(&app, &other_who).await;
    let old_uscc = uscc_for(unique());
    let (_, report) = import_records(&app, Some(TOKEN), &[record("WP2015-0001", &old_uscc), record("WP2015-0002", &old_uscc), record("WP-THEIRS", &other.uscc)]).await;
    assert_eq!(report["linked"], 1, "{report}");

    // Naming another organization's linked record: refused, nothing filed.
    let (ct, body) = multipart(&[("entry", "work_permit"), ("record_numbers", "WP2015-0001 WP-THEIRS")], &[]);
    let (status, e) = json_of(app.post_multipart_as(&who, "/api/entry/legacy-data-requests", &ct, body).await).await;
    assert_eq!((status, e["error"]["code"].as_str(), e["error"]["field"].as_str()), (409, Some("legacy_data.records_linked_elsewhere"), Some("record_numbers")));
    assert_eq!(app.count("SELECT COUNT(*) FROM legacy_data_requests"), 0);

    // What they know, with a document.
    let (ct, body) = multipart(&[("entry", "work_permit"), ("old_uscc", &old_uscc), ("note", "2018 年更名前的统一社会信用代码")], &[("documents", "rename.pdf", "application/pdf", pdf_scan())]);
    let (status, filed) = json_of(app.post_multipart_as(&who, "/api/entry/legacy-data-requests", &ct, body).await).await;
    assert_eq!((status, filed["state"].as_str()), (201, Some("under_review")), "{filed}");

    let rev = reviewer(&app).await;
    let id = open_item(&app, &rev, "legacy_data").await;
    let (_, detail) = json_of(app.get_as(&rev, &format!("/api/review/items/{id}")).await).await;
    let numbers: Vec<&str> = detail["subject"]["candidates"].as_array().unwrap().iter().map(|c| c["record_number"].as_str().unwrap()).collect();
    assert_eq!(numbers, ["WP2015-0001", "WP2015-0002"]);
    assert_eq!(detail["documents"].as_array().unwrap().len(), 1);
    let (status, e) = decide(&app, &rev, id, json!({ "decision": "approve", "confirm": ["WP-THEIRS"] })).await;
    assert_eq!((status, e["error"]["code"].as_str()), (400, Some("legacy_data.confirm_not_candidate")));
    let (status, body) = decide(&app, &rev, id, json!({ "decision": "approve", "confirm": ["WP2015-0001"] })).await;
    assert_eq!(status, 200, "{body}");
    let (template, params) = app.last_sms(&me.mobile).unwrap();
    assert_eq!((template.as_str(), params["count"].as_str()), ("legacy_data_linked", Some("1")));
    let (_, home) = json_of(app.get_as(&who, "/api/entry/work_permit/home").await).await;
    assert_eq!(home_numbers(&home), ["WP2015-0001"]);
    assert_eq!(home["requests"][0]["linked"], json!(["WP2015-0001"]));
    let (_, theirs) = json_of(app.get_as(&other_who, "/api/entry/work_permit/home").await).await;
    assert_eq!(home_numbers(&theirs), ["WP-THEIRS"]);

    // A second request is rejected with a reason by SMS.
    let (ct, body) = multipart(&[("entry", "work_permit"), ("record_numbers", "WP2015-0002")], &[]);
    assert_eq!(app.post_multipart_as(&who, "/api/entry/legacy-data-requests", &ct, body).await.status(), 201);
    let id = open_item(&app, &rev, "legacy_data").await;
    let (status, _) = decide(&app, &rev, id, json!({ "decision": "reject", "reason": "无法核实该业务属于本单位" })).await;
    assert_eq!(status, 200);
    let (template, params) = app.last_sms(&me.mobile).unwrap();
    assert_eq!((template.as_str(), params["reason"].as_str()), ("legacy_data_rejected", Some("无法核实该业务属于本单位")));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_r_visa_holder_onboards_and_its_records_link_by_its_verified_passport() {
    let service = ScriptedIdentityService::start().await;
    let app = spawn(&service).await;
    let r = Registered::natural_person();
    let passport = format!("E{:08}", unique() % 100_000_000);
    let code = app.registration_code(&r.mobile).await;
    let form = json!({
        "login_name": r.login_name, "password": r.password, "real_name": "Anna Schmidt",
        "document_type": "passport", "document_number": passport, "nationality": "DEU",
        "mobile": r.mobile, "sms_code": code,
    });
    let res = app.post_json("/api/registration/natural-persons", &form).await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap_or_default());
    let who = app.logged_in("natural_person", &r.login_name, &r.password).await;
    let person = json!({ "real_name": "Anna Schmidt", "document_type": "passport", "document_number": passport, "nationality": "DEU", "birth_date": "1988-04-02" });
    assert_eq!(app.put_as(&who, "/api/my-info/person", &person).await.status(), 200);
    let (ct, body) = multipart(&[], &[("document_front", "p.pdf", "application/pdf", pdf_scan())]);
    assert_eq!(app.post_multipart_as(&who, "/api/my-info/person/documents", &ct, body).await.status(), 200);
    let rev = reviewer(&app).await;
    let id = open_item(&app, &rev, "verification").await;
    assert_eq!(decide(&app, &rev, id, json!({ "decision": "approve" })).await.0, 200);

    let mut line = record("RV2020-0001", &uscc_for(1));
    let obj = line.as_object_mut().unwrap();
    obj.insert("kind".into(), json!("r_visa_info_update"));
    for k in ["old_uscc", "old_org_name"] {
        obj.remove(k);
    }
    obj.insert("old_document_type".into(), json!("passport"));
    obj.insert("old_document_number".into(), json!(passport));
    obj.insert("old_document_nationality".into(), json!("DEU"));
    let (_, report) = import_records(&app, Some(TOKEN), &[line]).await;
    assert_eq!(report["imported"], 1, "{report}");

    let (_, s) = stand(&app, &who, "r_visa").await;
    assert_eq!(s["entry_state"], "needs_onboarding");
    let form = json!({ "passport_number": passport, "nationality": "DEU", "visa_number": "R1234567", "employer": "北京测试科技有限公司" });
    let (status, s) = json_of(app.post_as(&who, "/api/entry/r_visa/onboarding", &form).await).await;
    assert_eq!(status, 201, "{s}");
    let id = open_item(&app, &rev, "onboarding").await;
    assert_eq!(decide(&app, &rev, id, json!({ "decision": "approve" })).await.0, 200);
    let (status, home) = json_of(app.get_as(&who, "/api/entry/r_visa/home").await).await;
    assert_eq!(status, 200, "{home}");
    assert_eq!(home_numbers(&home), ["RV2020-0001"]);
    assert_eq!(home["records"][0]["link_basis"], "onboarding");
}
