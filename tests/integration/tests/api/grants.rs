//! Grant management (flow 6, FAQ 4.1-4.4 and 7) through HTTP. Organizations
//! are onboarded through the real path: real-name verification against a
//! scripted identity service, the first entry at the work-permit entry, and
//! a reviewer's approval in the back office. Dates are tested with the
//! host's controlled clock. The authorization matrix walks the grants
//! component's own route table (`shared::grants::api::router()`), so a new
//! endpoint cannot be left out of it.

use integration::identity_service::{Reply, ScriptedIdentityService};
use integration::{AppBuilder, LoggedIn, REVIEWER_NAME, REVIEWER_PASSWORD, Registered, TestApp, reviewer_app};
use reqwest::Method;
use serde_json::{Value, json};
use shared::grants::api::{GrantsRoute, router};

fn app_with(service: &ScriptedIdentityService) -> AppBuilder {
    let mut b = reviewer_app()
        .variable("verification_checks_per_client_per_hour", "1000")
        .variable("sms_codes_per_client_per_hour", "1000")
        .variable("login_limit_per_client_per_five_minutes", "1000")
        .variable("grant_searches_per_account_per_hour", "1000")
        .variable("grant_searches_per_client_per_hour", "1000");
    for (name, value) in service.variables() {
        b = b.variable(name, &value);
    }
    b
}

async fn json_of(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn id_of(who: &LoggedIn) -> i64 {
    who.body["account"]["id"].as_i64().expect("the session's account id")
}

/// A natural person registered as `name`, logged in, and verified (the
/// identity service answers `match`).
async fn verified_person(app: &TestApp, service: &ScriptedIdentityService, name: &str) -> (Registered, LoggedIn) {
    let mut r = Registered::natural_person();
    r.real_name = name.to_owned();
    let code = app.registration_code(&r.mobile).await;
    let res = app.post_json("/api/registration/natural-persons", &r.natural_person_form(&code)).await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap_or_default());
    let who = app.logged_in("natural_person", &r.login_name, &r.password).await;
    service.reply(&[Reply::Verdict("match")]);
    let body = json!({ "real_name": name, "document_type": "resident_id", "document_number": r.resident_id });
    let (status, part) = json_of(app.put_as(&who, "/api/my-info/person", &body).await).await;
    assert_eq!((status, part["state"].as_str()), (200, Some("passed")), "{part}");
    (r, who)
}

/// A legal entity whose basic info and legal representative passed.
async fn verified_organization(app: &TestApp, service: &ScriptedIdentityService) -> (Registered, LoggedIn) {
    let r = app.register_legal_entity().await;
    let who = app.logged_in("legal_entity", &r.login_name, &r.password).await;
    service.reply(&[Reply::Verdict("match"), Reply::Verdict("match")]);
    let representative = json!({
        "legal_representative_type": "mainland", "legal_representative_name": "王大明",
        "legal_representative_document_type": "resident_id", "legal_representative_document_number": "11010519491231002X",
    });
    let (status, part) = json_of(app.put_as(&who, "/api/my-info/legal_representative", &representative).await).await;
    assert_eq!((status, part["state"].as_str()), (200, Some("passed")), "{part}");
    let basic = json!({
        "org_name": r.org_name, "uscc": r.uscc, "registered_address": "北京市朝阳区建国路 88 号",
        "organization_type": "enterprise", "contact_phone": "010-65001234",
    });
    let (status, part) = json_of(app.put_as(&who, "/api/my-info/basic_info", &basic).await).await;
    assert_eq!((status, part["state"].as_str()), (200, Some("passed")), "{part}");
    (r, who)
}

/// The first entry at the work-permit entry, approved by a reviewer.
async fn onboard(app: &TestApp, org: &LoggedIn, reviewer: &LoggedIn) {
    let form = json!({
        "unit_type": "enterprise", "industry": "information_technology",
        "registered_address": "北京市朝阳区建国路 88 号", "office_address": "北京市朝阳区建国路 88 号 10 层",
        "contact_person": "李小红", "contact_phone": "010-65001234", "contact_email": "hr@example.cn",
        "description": "一家聘用外国专家的测试科技公司。",
    });
    let (status, body) = json_of(app.post_as(org, "/api/entry/work_permit/onboarding", &form).await).await;
    assert!(status == 200 || status == 201, "{status} {body}");
    let (_, queue) = json_of(app.get_as(reviewer, "/api/review/items?state=open").await).await;
    let item = queue["items"].as_array().unwrap().iter().find(|i| i["kind"] == "onboarding").expect("an onboarding item").clone();
    let id = item["id"].as_i64().unwrap();
    let res = app.post_as(reviewer, &format!("/api/review/items/{id}/decision"), &json!({ "decision": "approve" })).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap_or_default());
}

async fn reviewer(app: &TestApp) -> LoggedIn {
    app.reviewer(REVIEWER_NAME, REVIEWER_PASSWORD).await
}

async fn send(app: &TestApp, who: &LoggedIn, method: Method, path: &str, body: Option<&Value>) -> (u16, Value) {
    let mut req = app.as_page(who, method, path);
    if let Some(b) = body {
        req = req.json(b);
    }
    json_of(req.send().await.expect("request")).await
}

async fn grant(app: &TestApp, by: &LoggedIn, org: i64, person: i64, roles: &[&str], expires_at: Option<&str>) -> (u16, Value) {
    let body = json!({ "person_id": person, "roles": roles, "expires_at": expires_at });
    send(app, by, Method::POST, &format!("/api/grants/organizations/{org}/grants"), Some(&body)).await
}

async fn grants_of(app: &TestApp, by: &LoggedIn, org: i64) -> Vec<Value> {
    let (status, body) = json_of(app.get_as(by, &format!("/api/grants/organizations/{org}")).await).await;
    assert_eq!(status, 200, "{body}");
    body["grants"].as_array().unwrap().clone()
}

async fn grant_of(app: &TestApp, by: &LoggedIn, org: i64, person: i64) -> Value {
    grants_of(app, by, org).await.into_iter().find(|g| g["person"]["id"] == person).expect("the person's grant")
}

fn code(body: &Value) -> Option<&str> {
    body["error"]["code"].as_str()
}

// ------------------------------------------------------------ the matrix

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Actor {
    Anonymous,
    /// The organization's legal entity, on its own path, before onboarding.
    LegalEntityBeforeOnboarding,
    /// The onboarded organization's legal entity.
    LegalEntity,
    /// Another onboarded organization's legal entity, on this one's path.
    OtherLegalEntity,
    /// A natural person holding business and grant_admin.
    AdminWithEveryRole,
    /// A natural person holding grant_admin only.
    AdminWithoutBusiness,
    /// A natural person holding business only.
    BusinessOnly,
    /// A natural person whose grant_admin was revoked.
    RevokedAdmin,
    /// A natural person whose grant_admin expired.
    ExpiredAdmin,
    Reviewer,
}

const ACTORS: [Actor; 10] = [
    Actor::Anonymous,
    Actor::LegalEntityBeforeOnboarding,
    Actor::LegalEntity,
    Actor::OtherLegalEntity,
    Actor::AdminWithEveryRole,
    Actor::AdminWithoutBusiness,
    Actor::BusinessOnly,
    Actor::RevokedAdmin,
    Actor::ExpiredAdmin,
    Actor::Reviewer,
];

/// The answer each actor gets from each endpoint: the status and, for a
/// refusal, the error code. The requests are built so that a permitted
/// actor changes nothing (a grant to a person granted already, a change
/// to the state the grant has, a revocation of a stale version).
fn expected(actor: Actor, route: GrantsRoute) -> (u16, &'static str) {
    use Actor::*;
    const NOT_LOGGED_IN: (u16, &str) = (401, "auth.not_logged_in");
    const NOT_ONBOARDED: (u16, &str) = (403, "grants.organization_not_onboarded");
    const NOT_ADMIN: (u16, &str) = (403, "grants.not_administrator");
    let administers = |permitted: (u16, &'static str)| match actor {
        Anonymous | Reviewer => NOT_LOGGED_IN,
        LegalEntityBeforeOnboarding => NOT_ONBOARDED,
        LegalEntity | AdminWithEveryRole | AdminWithoutBusiness => permitted,
        OtherLegalEntity | BusinessOnly | RevokedAdmin | ExpiredAdmin => NOT_ADMIN,
    };
    match route {
        GrantsRoute::Roles => (200, ""),
        // Another organization administers its own organization.
        GrantsRoute::Administered if actor == OtherLegalEntity => (200, ""),
        GrantsRoute::Administered => administers((200, "")),
        GrantsRoute::Organization | GrantsRoute::Search | GrantsRoute::Change => administers((200, "")),
        GrantsRoute::Grant => administers((409, "grants.already_granted")),
        GrantsRoute::Revoke => administers((409, "grants.changed_meanwhile")),
        GrantsRoute::Mine => match actor {
            Anonymous | Reviewer => NOT_LOGGED_IN,
            LegalEntityBeforeOnboarding | LegalEntity | OtherLegalEntity => (403, "grants.natural_persons_only"),
            _ => (200, ""),
        },
    }
}

struct Matrix {
    app: TestApp,
    org: i64,
    not_onboarded: i64,
    target: (i64, String),
    target_grant: Value,
    sessions: Vec<(Actor, Option<LoggedIn>)>,
}

async fn matrix_world() -> Matrix {
    let service = ScriptedIdentityService::start().await;
    let app = app_with(&service).spawn().await;
    let rev = reviewer(&app).await;
    let (o, org) = verified_organization(&app, &service).await;
    onboard(&app, &org, &rev).await;
    let (b, other) = verified_organization(&app, &service).await;
    onboard(&app, &other, &rev).await;
    let n = app.register_legal_entity().await;
    let mut people = Vec::new();
    for (name, roles, expiry) in [
        ("周一", &["business", "grant_admin"][..], None),
        ("吴二", &["grant_admin"][..], None),
        ("郑三", &["business"][..], None),
        ("冯四", &["grant_admin"][..], None),
        ("陈五", &["grant_admin"][..], Some("2026-11-27")),
        ("目标人", &["business"][..], None),
    ] {
        let (r, who) = verified_person(&app, &service, name).await;
        let (status, body) = grant(&app, &org, id_of(&org), id_of(&who), roles, expiry).await;
        assert_eq!(status, 201, "{body}");
        people.push((r, who));
    }
    let org_id = id_of(&org);
    // 冯四 loses grant_admin; 陈五's ends with today.
    let revoked = grant_of(&app, &org, org_id, id_of(&people[3].1)).await;
    let (status, body) = send(
        &app,
        &org,
        Method::DELETE,
        &format!("/api/grants/organizations/{org_id}/grants/{}", revoked["id"]),
        Some(&json!({ "version": revoked["version"] })),
    )
    .await;
    assert_eq!((status, body["revoked"].as_bool()), (200, Some(true)), "{body}");
    // The next morning (sessions from yesterday have ended: log in again).
    app.advance(16 * 3600);
    let login = |r: &Registered, kind: &'static str| {
        let (app, r) = (&app, r.clone());
        async move { app.logged_in(kind, &r.login_name, &r.password).await }
    };
    let org = login(&o, "legal_entity").await;
    let target = (id_of(&people[5].1), "目标人".to_owned());
    let target_grant = grant_of(&app, &org, org_id, target.0).await;
    let mut sessions = vec![
        (Actor::Anonymous, None),
        (Actor::LegalEntityBeforeOnboarding, Some(login(&n, "legal_entity").await)),
        (Actor::OtherLegalEntity, Some(login(&b, "legal_entity").await)),
        (Actor::AdminWithEveryRole, Some(login(&people[0].0, "natural_person").await)),
        (Actor::AdminWithoutBusiness, Some(login(&people[1].0, "natural_person").await)),
        (Actor::BusinessOnly, Some(login(&people[2].0, "natural_person").await)),
        (Actor::RevokedAdmin, Some(login(&people[3].0, "natural_person").await)),
        (Actor::ExpiredAdmin, Some(login(&people[4].0, "natural_person").await)),
        (Actor::Reviewer, Some(reviewer(&app).await)),
    ];
    let not_onboarded = id_of(sessions[1].1.as_ref().unwrap());
    sessions.push((Actor::LegalEntity, Some(org)));
    Matrix { app, org: org_id, not_onboarded, target, target_grant, sessions }
}

/// The concrete request an actor sends to a route.
fn request_for(m: &Matrix, actor: Actor, method: &str, pattern: &str, route: GrantsRoute) -> (Method, String, Option<Value>) {
    let org = if actor == Actor::LegalEntityBeforeOnboarding { m.not_onboarded } else { m.org };
    let path = pattern.replace("{org}", &org.to_string()).replace("{grant}", &m.target_grant["id"].to_string());
    let g = &m.target_grant;
    let roles: Vec<&str> = g["roles"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap()).collect();
    let (path, body) = match route {
        GrantsRoute::Roles | GrantsRoute::Administered | GrantsRoute::Organization | GrantsRoute::Mine => (path, None),
        GrantsRoute::Search => (format!("{path}?real_name={}", m.target.1), None),
        GrantsRoute::Grant => (path, Some(json!({ "person_id": m.target.0, "roles": ["grant_admin"] }))),
        GrantsRoute::Change => (path, Some(json!({ "version": g["version"], "roles": roles, "effective_from": g["effective_from"], "expires_at": g["expires_at"] }))),
        GrantsRoute::Revoke => (path, Some(json!({ "version": 0 }))),
    };
    (Method::from_bytes(method.as_bytes()).unwrap(), path, body)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_authorization_matrix_every_endpoint_against_every_actor() {
    let m = matrix_world().await;
    let anonymous = reqwest::Client::builder().cookie_store(false).build().unwrap();
    let routes = router();
    let mut cells = 0;
    let mut wrong = Vec::new();
    for entry in routes.routes() {
        for actor in ACTORS {
            let (method, path, body) = request_for(&m, actor, entry.method, entry.pattern, entry.target);
            let (status, answer) = match m.sessions.iter().find(|(a, _)| *a == actor).and_then(|(_, s)| s.as_ref()) {
                Some(who) => send(&m.app, who, method.clone(), &path, body.as_ref()).await,
                None => {
                    let mut req = anonymous.request(method.clone(), m.app.url(&path)).header("origin", m.app.origin());
                    if let Some(b) = &body {
                        req = req.json(b);
                    }
                    json_of(req.send().await.unwrap()).await
                }
            };
            let (want_status, want_code) = expected(actor, entry.target);
            let got_code = code(&answer).unwrap_or("");
            if (status, got_code) != (want_status, want_code) {
                wrong.push(format!("{actor:?} {method} {path}: got {status} {got_code:?}, want {want_status} {want_code:?}"));
            }
            cells += 1;
        }
    }
    assert!(wrong.is_empty(), "cells with the wrong answer:\n{}", wrong.join("\n"));
    assert_eq!(cells, routes.routes().len() * ACTORS.len());
    assert_eq!(routes.routes().len(), 8, "every route of the component is in the table");
    // Nobody changed anything: the target's grant is as it was.
    let now = grant_of(&m.app, &m.sessions.last().unwrap().1.as_ref().unwrap(), m.org, m.target.0).await;
    assert_eq!(now["version"], m.target_grant["version"]);
    // Every refused grant, change and revocation of a logged-in account was
    // audited: five refused actors on the three, and the permitted ones'
    // 409s on grant and revoke (no session: nobody to name, 401 only).
    let refused = m.app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'grants.refused'");
    assert_eq!(refused, 5 * 3 + 3 * 2);
}

// ------------------------------------------------------------ the rules

struct World {
    app: TestApp,
    service: ScriptedIdentityService,
    rev: LoggedIn,
    org_r: Registered,
    org: LoggedIn,
    org_id: i64,
}

async fn world() -> World {
    let service = ScriptedIdentityService::start().await;
    let app = app_with(&service).spawn().await;
    let rev = reviewer(&app).await;
    let (org_r, org) = verified_organization(&app, &service).await;
    let org_id = id_of(&org);
    World { app, service, rev, org_r, org, org_id }
}

#[tokio::test(flavor = "multi_thread")]
async fn faq_4_4_then_4_1_the_legal_entity_grants_once_onboarded_and_the_person_enters() {
    let w = world().await;
    let (zr, zhou) = verified_person(&w.app, &w.service, "周一").await;
    // Before onboarding: FAQ 4.4's next step, on the API and its grant page's call.
    let (status, body) = grant(&w.app, &w.org, w.org_id, id_of(&zhou), &["business"], None).await;
    assert_eq!((status, code(&body)), (403, Some("grants.organization_not_onboarded")));
    assert_eq!(body["error"]["details"]["guidance"]["actions"][0]["href"], "/entry/work-permit");
    let (status, body) = json_of(w.app.get_as(&w.org, "/api/grants/organizations").await).await;
    assert_eq!((status, code(&body)), (403, Some("grants.organization_not_onboarded")));
    onboard(&w.app, &w.org, &w.rev).await;
    let (_, admin) = json_of(w.app.get_as(&w.org, "/api/grants/organizations").await).await;
    assert_eq!(admin["organizations"][0]["roles"].as_array().unwrap().len(), 2, "the legal entity holds every role");
    // Search by real name (FAQ 4.3), then grant with an expiry date.
    let (status, found) = json_of(w.app.get_as(&w.org, &format!("/api/grants/organizations/{}/persons?real_name=%E5%91%A8%E4%B8%80", w.org_id)).await).await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["persons"][0]["id"], id_of(&zhou));
    assert!(found["persons"][0]["document_masked"].as_str().unwrap().contains('*'));
    let (status, g) = grant(&w.app, &w.org, w.org_id, id_of(&zhou), &["business", "grant_admin"], Some("2026-11-28")).await;
    assert_eq!(status, 201, "{g}");
    assert_eq!((g["expires_at"].as_str(), g["state"].as_str()), (Some("2026-11-28"), Some("in_force")));
    // The person sees it under my info and enters the work-permit entry for the organization.
    let (_, mine) = json_of(w.app.get_as(&zhou, "/api/grants/mine").await).await;
    assert_eq!(mine["organizations"][0]["organization"]["id"], w.org_id);
    assert_eq!((mine["organizations"][0]["onboarded"].as_bool(), mine["organizations"][0]["can_edit_organization"].as_bool()), (Some(true), Some(true)));
    let (status, at_entry) = json_of(w.app.get_as(&zhou, &format!("/api/entry/work_permit?organization={}", w.org_id)).await).await;
    assert_eq!((status, at_entry["entry_state"].as_str()), (200, Some("open")), "{at_entry}");
    // A grant from tomorrow does not count yet (the host's clock: 2026-11-27).
    let (wr, wang) = verified_person(&w.app, &w.service, "王五").await;
    let body = json!({ "person_id": id_of(&wang), "roles": ["business"], "effective_from": "2026-11-28" });
    let (status, g) = send(&w.app, &w.org, Method::POST, &format!("/api/grants/organizations/{}/grants", w.org_id), Some(&body)).await;
    assert_eq!((status, g["state"].as_str()), (201, Some("not_yet_effective")), "{g}");
    let (_, at_entry) = json_of(w.app.get_as(&wang, &format!("/api/entry/work_permit?organization={}", w.org_id)).await).await;
    assert_ne!(at_entry["entry_state"], "open", "{at_entry}");
    // After its last day the grant stops at once: the entry, the administration, the list.
    w.app.advance(2 * 86_400);
    let wang = w.app.logged_in("natural_person", &wr.login_name, &wr.password).await;
    let (_, at_entry) = json_of(w.app.get_as(&wang, &format!("/api/entry/work_permit?organization={}", w.org_id)).await).await;
    assert_eq!(at_entry["entry_state"], "open", "in force from its effective date: {at_entry}");
    let zhou = w.app.logged_in("natural_person", &zr.login_name, &zr.password).await;
    let (_, at_entry) = json_of(w.app.get_as(&zhou, &format!("/api/entry/work_permit?organization={}", w.org_id)).await).await;
    assert_ne!(at_entry["entry_state"], "open", "{at_entry}");
    let (status, body) = json_of(w.app.get_as(&zhou, "/api/grants/organizations").await).await;
    assert_eq!((status, code(&body)), (403, Some("grants.not_administrator")));
    let (_, mine) = json_of(w.app.get_as(&zhou, "/api/grants/mine").await).await;
    assert_eq!(mine["organizations"][0]["state"], "expired", "still listed, as expired");
    let org = w.app.logged_in("legal_entity", &w.org_r.login_name, &w.org_r.password).await;
    assert_eq!(grants_of(&w.app, &org, w.org_id).await[0]["state"], "expired");
    assert_eq!(w.app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'grants.granted'"), 2);
    assert!(w.app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'grants.refused'") >= 1, "the attempt before onboarding");
}

/// A verified organization onboarded through the entry and review.
async fn onboarded_world() -> World {
    let w = world().await;
    onboard(&w.app, &w.org, &w.rev).await;
    w
}

async fn change(app: &TestApp, by: &LoggedIn, org: i64, g: &Value, roles: &[&str], expires_at: Option<&str>) -> (u16, Value) {
    let body = json!({ "version": g["version"], "roles": roles, "effective_from": g["effective_from"], "expires_at": expires_at });
    send(app, by, Method::PUT, &format!("/api/grants/organizations/{org}/grants/{}", g["id"]), Some(&body)).await
}

async fn revoke(app: &TestApp, by: &LoggedIn, org: i64, g: &Value) -> (u16, Value) {
    send(app, by, Method::DELETE, &format!("/api/grants/organizations/{org}/grants/{}", g["id"]), Some(&json!({ "version": g["version"] }))).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_natural_person_administrator_touches_only_the_roles_it_holds() {
    let w = onboarded_world().await;
    let (_, wu) = verified_person(&w.app, &w.service, "吴二").await;
    let (_, zheng) = verified_person(&w.app, &w.service, "郑三").await;
    let (_, feng) = verified_person(&w.app, &w.service, "冯四").await;
    assert_eq!(grant(&w.app, &w.org, w.org_id, id_of(&wu), &["grant_admin"], None).await.0, 201);
    assert_eq!(grant(&w.app, &w.org, w.org_id, id_of(&feng), &["business", "grant_admin"], None).await.0, 201);
    let audits = || w.app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'grants.refused'");
    let before = audits();
    // Granting a role it lacks; to itself.
    let (status, body) = grant(&w.app, &wu, w.org_id, id_of(&zheng), &["business"], None).await;
    assert_eq!((status, code(&body), body["error"]["field"].as_str()), (403, Some("grants.role_not_held"), Some("roles")));
    assert_eq!(body["error"]["details"]["role"], "business");
    assert_eq!(code(&grant(&w.app, &wu, w.org_id, id_of(&wu), &["grant_admin"], None).await.1), Some("grants.self_grant"));
    // Removing, or changing the dates of, a grant with a role it lacks; its own grant.
    let fg = grant_of(&w.app, &w.org, w.org_id, id_of(&feng)).await;
    assert_eq!(code(&change(&w.app, &wu, w.org_id, &fg, &["grant_admin"], None).await.1), Some("grants.role_not_held"));
    assert_eq!(code(&change(&w.app, &wu, w.org_id, &fg, &["business", "grant_admin"], Some("2027-01-31")).await.1), Some("grants.dates_need_every_role"));
    let own = grant_of(&w.app, &w.org, w.org_id, id_of(&wu)).await;
    assert_eq!(code(&change(&w.app, &wu, w.org_id, &own, &["grant_admin", "business"], None).await.1), Some("grants.own_grant"));
    assert_eq!(code(&revoke(&w.app, &wu, w.org_id, &own).await.1), Some("grants.own_grant"));
    // Bad dates.
    let body = json!({ "person_id": id_of(&zheng), "roles": ["grant_admin"], "effective_from": "2027-02-01", "expires_at": "2027-01-01" });
    let (status, body) = send(&w.app, &wu, Method::POST, &format!("/api/grants/organizations/{}/grants", w.org_id), Some(&body)).await;
    assert_eq!((status, code(&body), body["error"]["field"].as_str()), (400, Some("grants.expiry_before_effective"), Some("expires_at")));
    let (status, body) = grant(&w.app, &wu, w.org_id, id_of(&zheng), &["grant_admin"], Some("31/01/2027")).await;
    assert_eq!((status, code(&body), body["error"]["field"].as_str()), (400, Some("grants.date_invalid"), Some("expires_at")));
    assert_eq!(audits() - before, 8, "every refused attempt is audited");
    assert_eq!(grant_of(&w.app, &w.org, w.org_id, id_of(&feng)).await["version"], 1, "nothing changed");
    // Revoking a grant with a role it lacks removes only its own role.
    let (status, out) = revoke(&w.app, &wu, w.org_id, &fg).await;
    assert_eq!((status, out["revoked"].as_bool(), out["removed_roles"].clone()), (200, Some(false), json!(["grant_admin"])));
    assert_eq!(out["grant"]["roles"][0]["code"], "business");
    let audit: String = w.app.db().query_row("SELECT detail FROM audit_log WHERE action = 'grants.roles_removed'", [], |r| r.get(0)).unwrap();
    let audit: Value = serde_json::from_str(&audit).unwrap();
    assert_eq!((audit["roles_before"].clone(), audit["roles_after"].clone()), (json!(["business", "grant_admin"]), json!(["business"])));
    // It grants what it holds.
    let (status, g) = grant(&w.app, &wu, w.org_id, id_of(&zheng), &["grant_admin"], Some("2027-01-31")).await;
    assert_eq!(status, 201, "{g}");
}

#[tokio::test(flavor = "multi_thread")]
async fn two_administrators_change_one_grant_and_the_second_gets_the_current_state() {
    let w = onboarded_world().await;
    let (_, zhou) = verified_person(&w.app, &w.service, "周一").await;
    let (_, zheng) = verified_person(&w.app, &w.service, "郑三").await;
    grant(&w.app, &w.org, w.org_id, id_of(&zhou), &["business", "grant_admin"], None).await;
    grant(&w.app, &w.org, w.org_id, id_of(&zheng), &["business"], None).await;
    let read_by_both = grant_of(&w.app, &w.org, w.org_id, id_of(&zheng)).await;
    let (status, _) = change(&w.app, &w.org, w.org_id, &read_by_both, &["business", "grant_admin"], None).await;
    assert_eq!(status, 200);
    let (status, body) = change(&w.app, &zhou, w.org_id, &read_by_both, &["business"], Some("2027-06-30")).await;
    assert_eq!((status, code(&body)), (409, Some("grants.changed_meanwhile")));
    let current = &body["error"]["details"]["current"];
    assert_eq!((current["version"].as_i64(), current["roles"].as_array().unwrap().len()), (Some(2), 2));
    let now = grant_of(&w.app, &w.org, w.org_id, id_of(&zheng)).await;
    assert_eq!((now["version"].as_i64(), now["expires_at"].is_null()), (Some(2), true), "no lost update");
    assert_eq!(code(&revoke(&w.app, &zhou, w.org_id, &read_by_both).await.1), Some("grants.changed_meanwhile"));
    // At the same moment: exactly one of two changes of one version wins.
    let g = grant_of(&w.app, &w.org, w.org_id, id_of(&zheng)).await;
    let (a, b) = tokio::join!(
        change(&w.app, &w.org, w.org_id, &g, &["business"], None),
        change(&w.app, &zhou, w.org_id, &g, &["business", "grant_admin"], Some("2027-06-30")),
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{a:?} {b:?}");
    let loser = if a.0 == 409 { &a.1 } else { &b.1 };
    assert_eq!(code(loser), Some("grants.changed_meanwhile"));
    assert_eq!(loser["error"]["details"]["current"]["version"], g["version"].as_i64().unwrap() + 1, "the winner's state");
    assert_eq!(w.app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'grants.changed'"), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn revocation_takes_effect_on_the_next_request_and_the_grants_it_made_stay() {
    let w = onboarded_world().await;
    let (_, zhou) = verified_person(&w.app, &w.service, "周一").await;
    let (_, zheng) = verified_person(&w.app, &w.service, "郑三").await;
    grant(&w.app, &w.org, w.org_id, id_of(&zhou), &["business", "grant_admin"], None).await;
    assert_eq!(grant(&w.app, &zhou, w.org_id, id_of(&zheng), &["business"], None).await.0, 201);
    let zg = grant_of(&w.app, &w.org, w.org_id, id_of(&zhou)).await;
    assert_eq!(revoke(&w.app, &w.org, w.org_id, &zg).await.0, 200);
    // The same session, its next request.
    let (status, body) = json_of(w.app.get_as(&zhou, &format!("/api/grants/organizations/{}", w.org_id)).await).await;
    assert_eq!((status, code(&body)), (403, Some("grants.not_administrator")));
    let (_, at_entry) = json_of(w.app.get_as(&zhou, &format!("/api/entry/work_permit?organization={}", w.org_id)).await).await;
    assert_ne!(at_entry["entry_state"], "open");
    let kept = grant_of(&w.app, &w.org, w.org_id, id_of(&zheng)).await;
    assert_eq!((kept["granted_by"].as_i64(), kept["state"].as_str()), (Some(id_of(&zhou)), Some("in_force")), "grants belong to the organization");
}

#[tokio::test(flavor = "multi_thread")]
async fn another_organization_cannot_reach_these_grants_by_id() {
    let w = onboarded_world().await;
    let (_, zhou) = verified_person(&w.app, &w.service, "周一").await;
    grant(&w.app, &w.org, w.org_id, id_of(&zhou), &["business"], None).await;
    let g = grant_of(&w.app, &w.org, w.org_id, id_of(&zhou)).await;
    let (_, other) = verified_organization(&w.app, &w.service).await;
    onboard(&w.app, &other, &w.rev).await;
    let other_id = id_of(&other);
    let (status, body) = revoke(&w.app, &other, other_id, &g).await;
    assert_eq!((status, code(&body)), (404, Some("grants.grant_not_found")), "its own path, our grant's id");
    let (status, body) = change(&w.app, &other, other_id, &g, &["business", "grant_admin"], None).await;
    assert_eq!((status, code(&body)), (404, Some("grants.grant_not_found")));
    let (status, body) = revoke(&w.app, &other, w.org_id, &g).await;
    assert_eq!((status, code(&body)), (403, Some("grants.not_administrator")), "our path");
    assert_eq!(grant_of(&w.app, &w.org, w.org_id, id_of(&zhou)).await["version"], 1);
    assert_eq!(w.app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'grants.refused'"), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn faq_4_3_the_search_says_its_rules_refuses_login_names_and_is_limited() {
    let service = ScriptedIdentityService::start().await;
    let app = app_with(&service).variable("grant_searches_per_account_per_hour", "5").spawn().await;
    let rev = reviewer(&app).await;
    let (_, org) = verified_organization(&app, &service).await;
    onboard(&app, &org, &rev).await;
    let org_id = id_of(&org);
    let (zr, _) = verified_person(&app, &service, "Anna Schmidt").await;
    let search = |q: String| {
        let (app, org) = (&app, &org);
        async move { json_of(app.get_as(org, &format!("/api/grants/organizations/{org_id}/persons?{q}")).await).await }
    };
    let (status, found) = search("real_name=%EF%BC%A1nna%20%20Schmidt".into()).await;
    assert_eq!((status, found["persons"].as_array().map(Vec::len)), (200, Some(1)), "full width and spaces normalized: {found}");
    assert_eq!(found["rules"][1]["message_zh"], "请填写自然人姓名，而不是登录名");
    let (_, none) = search(format!("real_name={}", zr.login_name)).await;
    assert!(none["persons"].as_array().unwrap().is_empty(), "never by login name");
    assert!(none["empty_message_zh"].as_str().unwrap().contains("只能搜索已完成实名认证的自然人"));
    let (status, body) = search(format!("login_name={}", zr.login_name)).await;
    assert_eq!((status, code(&body)), (400, Some("grants.search_by_login_name")));
    // A registered but unverified person is not found.
    app.register_natural_person().await;
    let (_, none) = search("real_name=%E5%BC%A0%E4%B8%89".into()).await;
    assert!(none["persons"].as_array().unwrap().is_empty());
    for _ in 0..2 {
        search("real_name=Anna%20Schmidt".into()).await;
    }
    let (status, _) = search("real_name=Anna%20Schmidt".into()).await;
    assert_eq!(status, 429, "the per-account limit");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'grants.search'"), 7);
}

#[tokio::test(flavor = "multi_thread")]
async fn faq_7_a_grant_admin_completes_the_organizations_info_and_business_only_reads_it() {
    let w = onboarded_world().await;
    let (_, zhou) = verified_person(&w.app, &w.service, "周一").await;
    let (_, zheng) = verified_person(&w.app, &w.service, "郑三").await;
    grant(&w.app, &w.org, w.org_id, id_of(&zhou), &["business", "grant_admin"], None).await;
    grant(&w.app, &w.org, w.org_id, id_of(&zheng), &["business"], None).await;
    let path = format!("/api/my-info/organizations/{}", w.org_id);
    let (status, info) = json_of(w.app.get_as(&zheng, &path).await).await;
    assert_eq!((status, info["editable"].as_bool()), (200, Some(false)), "{info}");
    let agent = json!({
        "main_agent_name": "周一", "main_agent_document_type": "resident_id",
        "main_agent_document_number": integration::resident_id_for(integration::unique()), "main_agent_mobile": "13912345678",
    });
    let (status, body) = send(&w.app, &zheng, Method::PUT, &format!("{path}/authorization_info"), Some(&agent)).await;
    assert_eq!((status, code(&body)), (403, Some("grants.organization_info_read_only")));
    let (_, info) = json_of(w.app.get_as(&zhou, &path).await).await;
    assert_eq!(info["editable"], true);
    w.service.reply(&[Reply::Verdict("match")]);
    let (status, part) = send(&w.app, &zhou, Method::PUT, &format!("{path}/authorization_info"), Some(&agent)).await;
    assert_eq!((status, part["state"].as_str()), (200, Some("passed")), "{part}");
    let actor: String = w
        .app
        .db()
        .query_row("SELECT actor FROM audit_log WHERE action = 'verification.saved' ORDER BY id DESC LIMIT 1", [], |r| r.get(0))
        .unwrap();
    assert_eq!(actor, format!("account:{}", id_of(&zhou)), "the person is the actor");
    let (_, own) = json_of(w.app.get_as(&w.org, "/api/my-info/authorization_info").await).await;
    assert_eq!(own["state"], "passed", "it is the organization's info");
    // A part that goes to manual review takes its scans from the person too.
    let foreign = json!({
        "legal_representative_type": "other", "legal_representative_name": "Hans Weber",
        "legal_representative_document_type": "passport", "legal_representative_document_number": "C01X00T47",
        "legal_representative_continent": "europe", "legal_representative_country": "DEU",
    });
    let (status, part) = send(&w.app, &zhou, Method::PUT, &format!("{path}/legal_representative"), Some(&foreign)).await;
    assert_eq!((status, part["state"].as_str()), (200, Some("manual_review_required")), "{part}");
    let files: Vec<_> = ["representative_document_front", "representative_document_back"]
        .iter()
        .map(|f| (*f, "scan.pdf", "application/pdf", integration::pdf_scan()))
        .collect();
    let (ct, body) = integration::multipart(&[], &files);
    let upload = format!("{path}/legal_representative/documents");
    let (status, body_of) = json_of(w.app.as_page(&zheng, Method::POST, &upload).header("content-type", &ct).body(body.clone()).send().await.unwrap()).await;
    assert_eq!((status, code(&body_of)), (403, Some("grants.organization_info_read_only")));
    let (status, part) = json_of(w.app.post_multipart_as(&zhou, &upload, &ct, body).await).await;
    assert_eq!((status, part["state"].as_str()), (200, Some("under_review")), "{part}");
    let actor: String = w
        .app
        .db()
        .query_row("SELECT actor FROM audit_log WHERE action = 'verification.documents_submitted'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(actor, format!("account:{}", id_of(&zhou)));
    // Without any grant: pointed to registering the organization (FAQ 7(2)).
    let (_, nobody) = verified_person(&w.app, &w.service, "王五").await;
    let (_, mine) = json_of(w.app.get_as(&nobody, "/api/grants/mine").await).await;
    assert_eq!(mine["guidance"]["actions"][0]["href"], "/register/legal-entity");
    let (status, body) = json_of(w.app.get_as(&nobody, &path).await).await;
    assert_eq!((status, code(&body)), (404, Some("grants.not_authorized_by_organization")));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_grant_expiring_within_seven_days_is_noticed_once_by_sms_and_on_the_grant_page() {
    let w = onboarded_world().await;
    let (zr, zhou) = verified_person(&w.app, &w.service, "周一").await;
    let (_, wang) = verified_person(&w.app, &w.service, "王五").await;
    // The host's clock: 2026-11-27 09:00 Beijing time; the last day in force: 2026-12-10.
    let (status, g) = grant(&w.app, &w.org, w.org_id, id_of(&zhou), &["business", "grant_admin"], Some("2026-12-10")).await;
    assert_eq!(status, 201, "{g}");
    assert!(g["expiry_notice"].is_null(), "{g}");
    let (status, _) = grant(&w.app, &w.org, w.org_id, id_of(&wang), &["business"], None).await;
    assert_eq!(status, 201);
    let expiring = |app: &TestApp| {
        app.count(&format!("SELECT COUNT(*) FROM sms_outbox WHERE template = 'grant_expiring' AND recipient = '{}'", zr.mobile))
    };
    w.app.tick().await.unwrap();
    assert_eq!((w.app.last_tick()["grant_expiry"]["grants"].as_i64(), expiring(&w.app)), (Some(0), 0), "13 days ahead: not yet");

    // 2026-12-04 09:00: six days before the last day (the grant ends 12-11 00:00).
    w.app.advance(7 * 86_400);
    w.app.tick().await.unwrap();
    let report = w.app.last_tick();
    assert_eq!(report["grant_expiry"], json!({ "grants": 1, "sms_queued": 1, "no_mobile": 0, "more": false }), "{report}");
    assert_eq!(expiring(&w.app), 1, "one SMS to the person");
    assert_eq!(w.app.count("SELECT COUNT(*) FROM sms_outbox WHERE template = 'grant_expiring'"), 1, "none for the grant without expiry");
    let params: String = w
        .app
        .db()
        .query_row("SELECT params FROM sms_outbox WHERE template = 'grant_expiring'", [], |r| r.get(0))
        .unwrap();
    let params: Value = serde_json::from_str(&params).unwrap();
    assert_eq!((params["organization"].as_str(), params["roles"].as_str(), params["last_day"].as_str()), (Some(w.org_r.org_name.as_str()), Some("办理业务、授权管理员"), Some("2026-12-10")));
    let org = w.app.logged_in("legal_entity", &w.org_r.login_name, &w.org_r.password).await;
    let g = grant_of(&w.app, &org, w.org_id, id_of(&zhou)).await;
    let notice = &g["expiry_notice"];
    assert_eq!((notice["last_day"].as_str(), notice["noticed_at"].as_i64()), (Some("2026-12-10"), Some(w.app.now_millis())), "{g}");
    assert!(notice["label_zh"].as_str().unwrap().contains("2026-12-10") && notice["label_en"].as_str().unwrap().contains("2026-12-10"), "{notice}");
    assert!(grant_of(&w.app, &org, w.org_id, id_of(&wang)).await["expiry_notice"].is_null());

    // A second tick: nothing more.
    w.app.advance(60);
    w.app.tick().await.unwrap();
    assert_eq!(w.app.last_tick()["grant_expiry"]["grants"], 0);
    assert_eq!(expiring(&w.app), 1);
    assert_eq!(w.app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'grants.expiry_noticed'"), 1);
}
