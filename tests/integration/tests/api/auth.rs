//! Login and sessions (FAQ preface, 1) through HTTP: both account types,
//! the legacy cases, throttling with a controlled clock, expiry, CSRF.

use integration::{LoggedIn, TestApp, app, spawn_app, uscc_for, unique};
use serde_json::{Value, json};

/// Is `who`'s session still live? `GET /api/session` answers 200 either way:
/// the account, or `{"account": null}` (no 401 noise on every page).
pub async fn logged_in_still(app: &TestApp, who: &LoggedIn) -> bool {
    let res = app.get_as(who, "/api/session").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body: Value = res.json().await.unwrap();
    assert!(body.get("account").is_some(), "{body}");
    !body["account"].is_null()
}

pub async fn assert_logged_out(app: &TestApp, who: &LoggedIn) {
    assert!(!logged_in_still(app, who).await, "the session should have ended");
}

#[tokio::test(flavor = "multi_thread")]
async fn login_session_and_logout() {
    let app = spawn_app().await;
    let r = app.register_legal_entity().await;
    let me = app.logged_in("legal_entity", &r.login_name, &r.password).await;
    for attr in ["__Host-session=", "Path=/", "Secure", "HttpOnly", "SameSite=Lax"] {
        assert!(me.set_cookie.contains(attr), "{}", me.set_cookie);
    }
    assert_eq!(me.body["account"]["org_name"], r.org_name.as_str());
    let token = me.cookie.split('=').nth(1).unwrap();
    assert_eq!(token.len(), 64, "256-bit token");
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM sessions WHERE token_hash = '{token}'")), 0, "only the hash is stored");

    let session: Value = app.get_as(&me, "/api/session").await.json().await.unwrap();
    assert_eq!(session["account"]["login_name"], r.login_name.as_str());
    assert_eq!(session["csrf_token"], me.csrf_token.as_str());

    // Logout needs the CSRF token; without it nothing happens.
    let res = app
        .client
        .post(app.url("/api/auth/logout"))
        .header("cookie", &me.cookie)
        .header("origin", app.origin())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(app.get_as(&me, "/api/session").await.status(), 200);

    let res = app.post_as(&me, "/api/auth/logout", &json!({})).await;
    assert_eq!(res.status(), 204);
    assert!(res.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    assert_logged_out(&app, &me).await;
    // Nobody logged in at all: the same quiet answer.
    let anonymous = app.get("/api/session").await;
    assert_eq!(anonymous.status(), 200);
    assert_eq!(anonymous.json::<Value>().await.unwrap(), json!({ "account": null }));
    for action in ["auth.login_succeeded", "auth.logout"] {
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM audit_log WHERE action = '{action}'")), 1, "{action}");
    }
    // A new login is a new token.
    let again = app.logged_in("legal_entity", &r.login_name.to_uppercase(), &r.password).await;
    assert_ne!(again.cookie, me.cookie);
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_name_and_wrong_password_are_one_answer() {
    let app = spawn_app().await;
    let r = app.register_natural_person().await;
    let unknown: Value = app.login("natural_person", "nobody-here", &r.password).await.json().await.unwrap();
    let wrong: Value = app.login("natural_person", &r.login_name, "not the password").await.json().await.unwrap();
    for field in ["code", "message_zh", "message_en"] {
        assert_eq!(unknown["error"][field], wrong["error"][field], "{field}");
    }
    assert_eq!(unknown["error"]["code"], "auth.invalid_credentials");
    // The FAQ 1 help comes with it: WP+name, natural-person login, check, reset.
    let hrefs: Vec<&str> =
        wrong["error"]["details"]["guidance"]["actions"].as_array().unwrap().iter().map(|a| a["href"].as_str().unwrap()).collect();
    assert_eq!(hrefs, ["/register", "/password-reset"]);
    // In English, the guidance is English too.
    let en: Value = app
        .client
        .post(app.url("/api/auth/login"))
        .header("origin", app.origin())
        .header("accept-language", "en-GB,en;q=0.9")
        .json(&json!({ "account_type": "natural_person", "login_name": r.login_name, "password": "not it" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(en["error"]["message"], en["error"]["message_en"]);
    let guidance = &en["error"]["details"]["guidance"];
    assert_eq!(guidance["message"], guidance["message_en"]);
    assert_eq!(guidance["actions"][0]["label"], guidance["actions"][0]["label_en"]);
    // A wrong password at the wrong type is still just wrong.
    let body: Value = app.login("legal_entity", &r.login_name, "not the password").await.json().await.unwrap();
    assert_eq!(body["error"]["code"], "auth.invalid_credentials");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_right_password_at_the_wrong_login_type_names_the_right_one() {
    let app = spawn_app().await;
    let r = app.register_natural_person().await;
    let res = app.login("legal_entity", &r.login_name, &r.password).await;
    assert_eq!(res.status(), 409);
    assert!(res.headers().get("set-cookie").is_none(), "no session at the wrong type");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "auth.wrong_account_type");
    assert_eq!(body["error"]["details"]["use_account_type"], "natural_person");
}

#[tokio::test(flavor = "multi_thread")]
async fn throttling_delays_an_account_after_five_failures_without_locking_it_out() {
    let app = spawn_app().await;
    let r = app.register_legal_entity().await;
    for _ in 0..5 {
        let res = app.login("legal_entity", &r.login_name, "wrong password!").await;
        assert_eq!(res.status(), 401);
    }
    // The 6th try right away waits 1 s — even with the right password.
    let res = app.login("legal_entity", &r.login_name, &r.password).await;
    assert_eq!(res.status(), 429);
    assert_eq!(res.headers()["retry-after"], "1");
    app.advance(1);
    assert_eq!(app.login("legal_entity", &r.login_name, "wrong password!").await.status(), 401);
    let res = app.login("legal_entity", &r.login_name, &r.password).await;
    assert_eq!(res.headers()["retry-after"], "2", "the delay doubles");
    app.advance(2);
    assert_eq!(app.login("legal_entity", &r.login_name, &r.password).await.status(), 200, "success resets");
    assert_eq!(app.count(&format!("SELECT failed_logins FROM accounts WHERE login_name = '{}'", r.login_name)), 0);
    assert!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.account_throttled'") >= 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn one_hundred_failures_disable_the_password_until_an_sms_reset() {
    let app = spawn_app().await;
    let r = app.register_legal_entity().await;
    // 99 failures so far (the delays are the other test's business).
    app.db()
        .execute("UPDATE accounts SET failed_logins = 99, last_failed_login_at = 0 WHERE login_name = ?", [&r.login_name])
        .unwrap();
    assert_eq!(app.login("legal_entity", &r.login_name, "wrong password!").await.status(), 401);
    let res = app.login("legal_entity", &r.login_name, &r.password).await;
    assert_eq!(res.status(), 403);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "auth.password_disabled");
    assert!(body["error"]["details"]["guidance"]["actions"][0]["href"].as_str().unwrap().starts_with("/password-reset"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_address_is_limited_across_accounts() {
    let app = app().variable("login_limit_per_client_per_five_minutes", "3").spawn().await;
    for i in 0..3 {
        assert_eq!(app.login("natural_person", &format!("someone{i}"), "whatever pw").await.status(), 401);
    }
    let res = app.login("natural_person", "someone9", "whatever pw").await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
    app.advance(300);
    assert_eq!(app.login("natural_person", "someone9", "whatever pw").await.status(), 401);
}

/// Spin passes a client's own `spin-client-addr` header on to the component,
/// before the one it sets itself (`prepare_request_headers` appends), and the
/// test host does the same. A client must not escape its per-address limit
/// by sending one: the address is the *last* `spin-client-addr` value.
#[tokio::test(flavor = "multi_thread")]
async fn a_forged_spin_client_addr_header_does_not_escape_the_limit() {
    let app = app().variable("login_limit_per_client_per_five_minutes", "3").spawn().await;
    let forged_login = |i: u32| {
        app.client
            .post(app.url("/api/auth/login"))
            .header("origin", app.origin())
            .header("spin-client-addr", format!("203.0.113.{i}:4000"))
            .json(&serde_json::json!({ "account_type": "natural_person", "login_name": format!("someone{i}"), "password": "whatever pw" }))
            .send()
    };
    for i in 0..3 {
        assert_eq!(forged_login(i).await.unwrap().status(), 401);
    }
    assert_eq!(forged_login(9).await.unwrap().status(), 429, "the fourth try from 127.0.0.1 is over the limit");
}

#[tokio::test(flavor = "multi_thread")]
async fn sessions_expire_when_idle_and_at_twelve_hours() {
    let app = spawn_app().await;
    let r = app.register_legal_entity().await;
    let me = app.logged_in("legal_entity", &r.login_name, &r.password).await;
    app.advance(29 * 60);
    assert_eq!(app.get_as(&me, "/api/session").await.status(), 200, "use keeps it alive");
    app.advance(30 * 60);
    assert_logged_out(&app, &me).await; // idle 30 minutes

    // Used every 25 minutes, it still ends 12 hours after login.
    let busy = app.logged_in("legal_entity", &r.login_name, &r.password).await;
    let mut minutes = 0;
    while logged_in_still(&app, &busy).await {
        assert!(minutes <= 13 * 60, "the session outlived 12 hours");
        app.advance(25 * 60);
        minutes += 25;
    }
    assert!((12 * 60..12 * 60 + 25).contains(&minutes), "ended after {minutes} minutes");
}

#[tokio::test(flavor = "multi_thread")]
async fn login_refuses_cross_origin_posts() {
    let app = spawn_app().await;
    let r = app.register_legal_entity().await;
    let res = app
        .client
        .post(app.url("/api/auth/login"))
        .header("origin", "https://evil.example")
        .json(&json!({ "account_type": "legal_entity", "login_name": r.login_name, "password": r.password }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(res.headers().get("set-cookie").is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn login_input_errors_name_the_field() {
    let app = spawn_app().await;
    let cases = [
        (json!({"login_name": "a", "password": "b"}), "auth.account_type_required", "account_type"),
        (json!({"account_type": "admin", "login_name": "a", "password": "b"}), "auth.account_type_required", "account_type"),
        (json!({"account_type": "legal_entity", "login_name": "  ", "password": "b"}), "auth.login_name_required", "login_name"),
        (json!({"account_type": "legal_entity", "login_name": "abc", "password": ""}), "auth.password_required", "password"),
        (json!({"account_type": "legal_entity", "password": "b"}), "request.field_missing", "login_name"),
    ];
    for (body, code, field) in cases {
        let res = app.post_json("/api/auth/login", &body).await;
        assert_eq!(res.status(), 400, "{body}");
        let err: Value = res.json().await.unwrap();
        assert_eq!((err["error"]["code"].as_str(), err["error"]["field"].as_str()), (Some(code), Some(field)), "{body}");
    }
}

// ------------------------------------------------------------------ legacy

const IMPORT_TOKEN: &str = "import-secret-for-tests";

async fn import(app: &integration::TestApp, lines: &[Value]) -> Value {
    app.legacy_import(IMPORT_TOKEN, lines).await
}

/// A PBKDF2-SHA256 PHC hash of `password`, as the old system stored them.
fn pbkdf2_phc(password: &str) -> String {
    use pbkdf2::password_hash::{PasswordHasher, SaltString};
    let salt = SaltString::encode_b64(b"legacy-salt-1234").unwrap();
    let params = pbkdf2::Params { rounds: 10_000, output_length: 32 };
    pbkdf2::Pbkdf2
        .hash_password_customized(password.as_bytes(), Some(pbkdf2::Algorithm::Pbkdf2Sha256.ident()), None, params, &salt)
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn legacy_accounts_log_in_by_old_name_and_wp_name_and_converted_ones_are_pointed_to_natural_person_login() {
    let app = app().variable("legacy_import_token", IMPORT_TOKEN).spawn().await;
    // An organization that registered on the new platform already.
    let org = app.register_legal_entity().await;
    let n = unique();
    let own_uscc = uscc_for(n);
    let report = import(
        &app,
        &[
            // A legacy organization without a new account: stays a legal entity.
            json!({"old_login_name": format!("old{n}"), "kind": "legal_entity", "org_name": format!("旧系统单位{n}"),
                   "uscc": own_uscc, "mobile": "13912345678", "password_hash": pbkdf2_phc("Old system pw 1")}),
            // The registered organization's old account: becomes a natural person.
            json!({"old_login_name": format!("conv{n}"), "kind": "legal_entity", "org_name": org.org_name,
                   "uscc": org.uscc, "mobile": "13912345679", "password_hash": pbkdf2_phc("Old system pw 2")}),
            // Without a hash: must reset by SMS first.
            json!({"old_login_name": format!("nohash{n}"), "kind": "natural_person", "real_name": "李四",
                   "document_type": "passport", "document_number": format!("E{:08}", n), "nationality": "USA"}),
            json!({"old_login_name": "", "kind": "legal_entity"}),
        ],
    )
    .await;
    assert_eq!((report["created"].as_i64(), report["converted"].as_i64()), (Some(2), Some(1)));
    assert_eq!(report["errors"][0]["line"], 4);

    // 1. WP + old name and 2. the old name alone both log in (at legal-entity login).
    let wp = app.logged_in("legal_entity", &format!("WPold{n}"), "Old system pw 1").await;
    assert_eq!(wp.body["account"]["login_name"], format!("WPold{n}"));
    let old = app.logged_in("legal_entity", &format!("OLD{n}"), "Old system pw 1").await;
    assert_eq!(old.body["account"]["id"], wp.body["account"]["id"]);
    // The imported PBKDF2 hash was upgraded to Argon2id at the first login.
    let hash: String = app
        .db()
        .query_row("SELECT password_hash FROM accounts WHERE login_name = ?", [format!("WPold{n}")], |r| r.get(0))
        .unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");

    // 3. The converted account at legal-entity login, right password: told to use natural-person login.
    let res = app.login("legal_entity", &format!("conv{n}"), "Old system pw 2").await;
    assert_eq!(res.status(), 409);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "auth.wrong_account_type");
    assert_eq!(body["error"]["details"]["use_account_type"], "natural_person");
    assert!(body["error"]["message_zh"].as_str().unwrap().contains("自然人登录"));
    let person = app.logged_in("natural_person", &format!("conv{n}"), "Old system pw 2").await;
    assert_eq!(person.body["account"]["kind"], "natural_person");
    // ... and holds the organization's grant of the `business` role.
    let mine: serde_json::Value = app.get_as(&person, "/api/grants/mine").await.json().await.unwrap();
    let held = &mine["organizations"][0];
    assert_eq!((held["organization"]["uscc"].as_str(), held["in_force"].as_bool()), (Some(org.uscc.as_str()), Some(true)), "{mine}");
    assert_eq!(held["roles"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap()).collect::<Vec<_>>(), ["business"]);

    // Imported without a hash: reset first.
    let body: Value = app.login("natural_person", &format!("nohash{n}"), "anything at all").await.json().await.unwrap();
    assert_eq!(body["error"]["code"], "auth.password_not_set");

    // Importing again changes nothing.
    let again = import(&app, &[json!({"old_login_name": format!("old{n}"), "kind": "legal_entity",
        "org_name": format!("旧系统单位{n}"), "uscc": own_uscc})]).await;
    assert_eq!(again["skipped"], 1);
    assert!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'legacy.import'") >= 2);

    // The registration check of the old name points at WP + name.
    let check: Value = app.get(&format!("/api/registration/login-names/old{n}")).await.json().await.unwrap();
    assert_eq!(check["registered"], true, "the old name is an alias");
}

/// An Argon2id PHC string made natively by the `argon2` crate.
fn argon2id_phc(password: &str, m_kib: u32, t: u32, tag_len: usize) -> String {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let salt = SaltString::encode_b64(format!("salt-{m_kib}-{t}-{tag_len}").as_bytes()).unwrap();
    let params = argon2::Params::new(m_kib, t, 1, Some(tag_len)).unwrap();
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params).hash_password(password.as_bytes(), &salt).unwrap().to_string()
}

/// Inside Wasm the components hash with their own Argon2id around a
/// `simd128` block function (shared/src/password/argon2id.rs), natively
/// the `argon2` crate: one function. A hash the registration component
/// wrote verifies natively, and hashes the crate made log in through the
/// auth component (ours at our parameters kept as they are; another memory,
/// pass count and tag length upgraded).
#[tokio::test(flavor = "multi_thread")]
async fn the_hash_inside_wasm_and_the_argon2_crate_are_one_function() {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    let app = app().variable("legacy_import_token", IMPORT_TOKEN).spawn().await;
    let stored = |login_name: &str| -> String {
        app.db().query_row("SELECT password_hash FROM accounts WHERE login_name = ?", [login_name], |r| r.get(0)).unwrap()
    };
    let org = app.register_legal_entity().await;
    let written = stored(&org.login_name);
    assert!(written.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{written}");
    let parsed = PasswordHash::new(&written).unwrap();
    assert!(argon2::Argon2::default().verify_password(org.password.as_bytes(), &parsed).is_ok());
    assert!(argon2::Argon2::default().verify_password(b"not the password", &parsed).is_err());

    let n = unique();
    let ours = argon2id_phc("Native pw at our parameters", 19_456, 2, 32);
    let other = argon2id_phc("Native pw, other parameters", 1_031, 3, 20);
    let report = import(
        &app,
        &[
            json!({"old_login_name": format!("ours{n}"), "kind": "legal_entity", "org_name": format!("哈希单位甲{n}"),
                   "uscc": uscc_for(n), "mobile": "13912345670", "password_hash": ours}),
            json!({"old_login_name": format!("other{n}"), "kind": "legal_entity", "org_name": format!("哈希单位乙{n}"),
                   "uscc": uscc_for(n + 1), "mobile": "13912345671", "password_hash": other}),
        ],
    )
    .await;
    assert_eq!(report["created"].as_i64(), Some(2), "{report}");
    let res = app.login("legal_entity", &format!("WPours{n}"), "Native pw at our parameterz").await;
    assert_eq!(res.status(), 401);
    app.logged_in("legal_entity", &format!("WPours{n}"), "Native pw at our parameters").await;
    assert_eq!(stored(&format!("WPours{n}")), ours, "a current hash is kept");
    let res = app.login("legal_entity", &format!("WPother{n}"), "Native pw, other parameterz").await;
    assert_eq!(res.status(), 401);
    app.logged_in("legal_entity", &format!("WPother{n}"), "Native pw, other parameters").await;
    let upgraded = stored(&format!("WPother{n}"));
    assert!(upgraded.starts_with("$argon2id$v=19$m=19456,t=2,p=1$") && upgraded != other, "{upgraded}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_legacy_import_needs_its_token() {
    let off = spawn_app().await;
    let res = off.client.post(off.url("/api/registration/legacy-imports")).body("{}").send().await.unwrap();
    assert_eq!(res.status(), 404, "disabled without a configured token");

    let app = app().variable("legacy_import_token", IMPORT_TOKEN).spawn().await;
    let res = app
        .client
        .post(app.url("/api/registration/legacy-imports"))
        .header("authorization", "Bearer wrong")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'legacy.import_refused'"), 1);
}

/// `n` wrong-password logins for `login_name` at once: each answer's
/// status and error code.
async fn concurrent_wrong_guesses(app: &integration::TestApp, login_name: &str, n: usize) -> Vec<(u16, String)> {
    let guesses: Vec<_> = (0..n)
        .map(|i| {
            let (client, url, origin, name) = (app.client.clone(), app.url("/api/auth/login"), app.origin(), login_name.to_owned());
            tokio::spawn(async move {
                let body = json!({ "account_type": "legal_entity", "login_name": name, "password": format!("guess number {i}") });
                let res = client.post(url).header("origin", origin).json(&body).send().await.unwrap();
                let status = res.status().as_u16();
                let body: Value = res.json().await.unwrap();
                (status, body["error"]["code"].as_str().unwrap_or_default().to_owned())
            })
        })
        .collect();
    let mut answers = Vec::new();
    for g in guesses {
        answers.push(g.await.unwrap());
    }
    answers
}

#[tokio::test(flavor = "multi_thread")]
async fn parallel_wrong_guesses_are_each_counted() {
    let app = spawn_app().await;
    let r = app.register_legal_entity().await;
    let mut wrong = 0;
    for (status, _) in concurrent_wrong_guesses(&app, &r.login_name, 8).await {
        match status {
            401 => wrong += 1,
            429 => {}
            other => panic!("unexpected {other}"),
        }
    }
    let counted = app.count(&format!("SELECT failed_logins FROM accounts WHERE login_name = '{}'", r.login_name));
    assert_eq!(counted, wrong, "every verified wrong guess is counted");
}

#[tokio::test(flavor = "multi_thread")]
async fn twenty_concurrent_wrong_guesses_get_at_most_five_passwords_checked() {
    let app = spawn_app().await;
    let r = app.register_legal_entity().await;
    let answers = concurrent_wrong_guesses(&app, &r.login_name, 20).await;
    let checked = answers.iter().filter(|(s, c)| *s == 401 && c == "auth.invalid_credentials").count();
    let waiting = answers.iter().filter(|(s, c)| *s == 429 && c == "auth.throttled").count();
    assert!(checked <= 5, "{checked} passwords checked before the wait: {answers:?}");
    assert_eq!(checked + waiting, 20, "{answers:?}");
    let counted = app.count(&format!("SELECT failed_logins FROM accounts WHERE login_name = '{}'", r.login_name));
    assert_eq!(counted as usize, checked, "every checked guess is counted, no refused one");
}

/// What a client sees of an answer, with the login name blanked out of the
/// guidance links.
async fn seen(res: reqwest::Response, name: &str) -> (u16, Option<String>, String, String, String) {
    let status = res.status().as_u16();
    let retry = res.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
    let body: Value = res.json().await.unwrap();
    let e = &body["error"];
    let guidance = e["details"]["guidance"].to_string().replace(name, "NAME");
    (status, retry, e["code"].as_str().unwrap().to_owned(), format!("{} | {}", e["message_zh"], e["message_en"]), guidance)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_registered_and_an_unknown_name_get_the_same_answers_in_the_same_order() {
    let app = spawn_app().await;
    let r = app.register_natural_person().await;
    let unknown = format!("ghost{}", unique());
    let mut seq = Vec::new();
    for step in 0..12 {
        let pw = format!("wrong password {step}");
        let real = seen(app.login("natural_person", &r.login_name, &pw).await, &r.login_name).await;
        let ghost = seen(app.login("natural_person", &unknown, &pw).await, &unknown).await;
        assert_eq!(real, ghost, "step {step}");
        seq.push((real.0, real.1, real.2));
        match step {
            6 | 8 => app.advance(1),
            9 => app.advance(2),
            _ => {}
        }
    }
    let statuses: Vec<u16> = seq.iter().map(|s| s.0).collect();
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429, 429, 401, 429, 429, 401, 429]);
    let retries: Vec<Option<&str>> = seq.iter().map(|s| s.1.as_deref()).collect();
    assert_eq!(retries[5..], [Some("1"), Some("1"), None, Some("2"), Some("1"), None, Some("4")]);
    assert_eq!(seq[5].2, "auth.throttled");
    // At 100 consecutive failures both are "disabled", with the same guidance.
    let hour_ago = app.now_millis() - 3_600_000;
    let db = app.db();
    db.execute("UPDATE accounts SET failed_logins = 99, last_failed_login_at = ? WHERE login_name = ?", (hour_ago, &r.login_name)).unwrap();
    db.execute("UPDATE login_name_throttles SET failed_logins = 99, last_failed_login_at = ?", [hour_ago]).unwrap();
    for (pw, status) in [("wrong once more", 401), (r.password.as_str(), 403)] {
        let real = seen(app.login("natural_person", &r.login_name, pw).await, &r.login_name).await;
        let ghost = seen(app.login("natural_person", &unknown, pw).await, &unknown).await;
        assert_eq!(real, ghost);
        assert_eq!(real.0, status);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts"), 1, "no account for the unknown name");
}
