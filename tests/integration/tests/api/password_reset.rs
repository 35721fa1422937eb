//! Password reset by login name (FAQ 1(1)) through HTTP.

use integration::{TestApp, app, spawn_app, unique};
use serde_json::{Value, json};

use crate::auth::assert_logged_out;

async fn reset_code(app: &TestApp, login_name: &str, mobile: &str) -> String {
    let res = app.post_json("/api/password-reset/codes", &json!({ "login_name": login_name })).await;
    assert_eq!(res.status(), 202, "{}", res.text().await.unwrap_or_default());
    let (template, params) = app.last_sms(mobile).unwrap();
    assert_eq!(template, "password_reset_code");
    params["code"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reset_replaces_the_password_revokes_sessions_and_tells_the_account() {
    let app = spawn_app().await;
    let r = app.register_legal_entity().await;
    let before = app.logged_in("legal_entity", &r.login_name, &r.password).await;

    let res = app.post_json("/api/password-reset/codes", &json!({ "login_name": r.login_name.to_uppercase() })).await;
    assert_eq!(res.status(), 202);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["mobile_masked"], format!("{}****{}", &r.mobile[..3], &r.mobile[7..]));
    let code = app.last_sms(&r.mobile).unwrap().1["code"].as_str().unwrap().to_owned();

    let new_password = format!("Brand new words {}", unique());
    let res = app
        .post_json("/api/password-reset/confirmations", &json!({ "login_name": r.login_name, "sms_code": code, "new_password": new_password }))
        .await;
    assert_eq!(res.status(), 200);
    assert_logged_out(&app, &before).await; // every session was revoked
    assert_eq!(app.login("legal_entity", &r.login_name, &r.password).await.status(), 401);
    assert_eq!(app.login("legal_entity", &r.login_name, &new_password).await.status(), 200);
    assert_eq!(app.last_sms(&r.mobile).unwrap().0, "password_changed");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'password_reset.password_changed'"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn no_reserved_mobile_leads_to_the_appeal_of_the_accounts_kind() {
    let app = app().variable("legacy_import_token", "t0ken-for-tests").spawn().await;
    let n = unique();
    let lines = format!(
        "{}\n{}\n",
        json!({"old_login_name": format!("pm{n}"), "kind": "natural_person", "real_name": "王五",
               "document_type": "passport", "document_number": format!("G{:08}", n), "nationality": "GBR"}),
        json!({"old_login_name": format!("le{n}"), "kind": "legal_entity", "org_name": format!("无手机单位{n}"),
               "uscc": integration::uscc_for(n)}),
    );
    let res = app
        .client
        .post(app.url("/api/registration/legacy-imports"))
        .header("authorization", "Bearer t0ken-for-tests")
        .body(lines)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    for (name, href) in [(format!("pm{n}"), "/appeal/natural-person"), (format!("WPle{n}"), "/appeal/legal-entity")] {
        let res = app.post_json("/api/password-reset/codes", &json!({ "login_name": name })).await;
        assert_eq!(res.status(), 409, "{name}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "password_reset.no_reserved_mobile");
        assert_eq!(body["error"]["details"]["guidance"]["actions"][0]["href"], href);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM sms_outbox"), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_login_name_says_so_and_links_the_registration_check() {
    let app = spawn_app().await;
    let res = app.post_json("/api/password-reset/codes", &json!({ "login_name": "nobody-at-all" })).await;
    assert_eq!(res.status(), 404);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "password_reset.unknown_login_name");
    assert_eq!(body["error"]["details"]["guidance"]["actions"][0]["href"], "/register?login_name=nobody-at-all");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_codes_and_weak_passwords_change_nothing() {
    let app = spawn_app().await;
    let r = app.register_natural_person().await;
    let code = reset_code(&app, &r.login_name, &r.mobile).await;

    // A weak password is refused before the code is looked at.
    let res = app
        .post_json("/api/password-reset/confirmations", &json!({ "login_name": r.login_name, "sms_code": code, "new_password": "password1" }))
        .await;
    let body: Value = res.json().await.unwrap();
    assert_eq!((body["error"]["code"].as_str(), body["error"]["field"].as_str()), (Some("password.common"), Some("new_password")));

    // A wrong code counts and changes nothing.
    let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
    let good = format!("Another fine phrase {}", unique());
    let res = app
        .post_json("/api/password-reset/confirmations", &json!({ "login_name": r.login_name, "sms_code": wrong, "new_password": good }))
        .await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "sms.code_wrong");
    assert_eq!(app.login("natural_person", &r.login_name, &r.password).await.status(), 200, "old password still works");

    // Expired after 10 minutes.
    app.advance(601);
    let res = app
        .post_json("/api/password-reset/confirmations", &json!({ "login_name": r.login_name, "sms_code": code, "new_password": good }))
        .await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "sms.code_expired");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'password_reset.password_changed'"), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reset_re_enables_a_disabled_password() {
    let app = spawn_app().await;
    let r = app.register_legal_entity().await;
    app.db().execute("UPDATE accounts SET failed_logins = 100, password_disabled = 1 WHERE login_name = ?", [&r.login_name]).unwrap();
    assert_eq!(app.login("legal_entity", &r.login_name, &r.password).await.status(), 403);
    let code = reset_code(&app, &r.login_name, &r.mobile).await;
    let new_password = format!("Fresh start phrase {}", unique());
    let res = app
        .post_json("/api/password-reset/confirmations", &json!({ "login_name": r.login_name, "sms_code": code, "new_password": new_password }))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(app.login("legal_entity", &r.login_name, &new_password).await.status(), 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn code_rules_resend_interval_carried_failures_and_the_hourly_cap() {
    let app = spawn_app().await;
    let r = app.register_natural_person().await;
    let confirm = |code: String| {
        json!({ "login_name": r.login_name, "sms_code": code, "new_password": format!("Steady hands {}", unique()) })
    };
    let first = reset_code(&app, &r.login_name, &r.mobile).await;
    // Resend too soon.
    let res = app.post_json("/api/password-reset/codes", &json!({ "login_name": r.login_name })).await;
    assert_eq!(res.status(), 429);
    assert_eq!(res.headers()["retry-after"], "60");
    // Three wrong tries, then a new code: the failures carry over.
    let wrong = |c: &str| format!("{:06}", (c.parse::<u32>().unwrap() + 1) % 1_000_000);
    for _ in 0..3 {
        app.post_json("/api/password-reset/confirmations", &confirm(wrong(&first))).await;
    }
    app.advance(60);
    let second = reset_code(&app, &r.login_name, &r.mobile).await;
    let body: Value = app.post_json("/api/password-reset/confirmations", &confirm(wrong(&second))).await.json().await.unwrap();
    assert_eq!(body["error"]["details"]["tries_left"], 1);
    let body: Value = app.post_json("/api/password-reset/confirmations", &confirm(wrong(&second))).await.json().await.unwrap();
    assert_eq!(body["error"]["code"], "sms.code_locked");
    let body: Value = app.post_json("/api/password-reset/confirmations", &confirm(second.clone())).await.json().await.unwrap();
    assert_eq!(body["error"]["code"], "sms.code_locked", "even the right code: a new one is needed");
    // Registration code + 2 codes so far; two more make five in the hour; the sixth waits.
    for _ in 0..2 {
        app.advance(60);
        reset_code(&app, &r.login_name, &r.mobile).await;
    }
    app.advance(60);
    let res = app.post_json("/api/password-reset/codes", &json!({ "login_name": r.login_name })).await;
    assert_eq!(res.status(), 429);
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "sms.hourly_cap");
    // The locked code's successor works.
    app.advance(3600);
    let fresh = reset_code(&app, &r.login_name, &r.mobile).await;
    assert_eq!(app.post_json("/api/password-reset/confirmations", &confirm(fresh)).await.status(), 200);
}
