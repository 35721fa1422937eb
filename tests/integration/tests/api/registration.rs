//! Registration of both account kinds (FAQ 2) through HTTP: SMS codes,
//! field errors, uniqueness under races, the organization check, SMS
//! delivery to the gateway.

use integration::{Registered, app, spawn_app, uscc_for, unique};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread")]
async fn a_legal_entity_registers_with_an_sms_code() {
    let app = spawn_app().await;
    let r = Registered::legal_entity();
    let code = app.registration_code(&r.mobile).await;
    let res = app.post_json("/api/registration/legal-entities", &r.legal_entity_form(&code)).await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    let account = &body["account"];
    assert_eq!(account["kind"], "legal_entity");
    assert_eq!(account["login_name"], r.login_name.as_str());
    assert_eq!(account["uscc"], r.uscc.as_str());
    assert_eq!(account["mobile_masked"], format!("{}****{}", &r.mobile[..3], &r.mobile[7..]));
    assert!(account.get("password_hash").is_none());

    let (hash, mobile): (String, String) = app
        .db()
        .query_row("SELECT password_hash, reserved_mobile FROM accounts WHERE login_name = ?", [&r.login_name], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .unwrap();
    assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
    assert!(!hash.contains(&r.password));
    assert_eq!(mobile, r.mobile);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'registration.account_created'"), 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM sms_codes WHERE consumed_at IS NOT NULL"), 1);

    // The check now says the name and the organization are taken.
    let check: Value = app.get(&format!("/api/registration/login-names/{}", r.login_name)).await.json().await.unwrap();
    assert_eq!(check["registered"], true);
    let org: Value = app.get(&format!("/api/registration/organizations?uscc={}", r.uscc)).await.json().await.unwrap();
    assert_eq!(org["uscc"]["registered"], true);
    assert_eq!(org["guidance"]["code"], "registration.organization_registered");
    assert!(org["guidance"]["actions"].as_array().unwrap().iter().any(|a| a["href"] == "/appeal/legal-entity"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_natural_person_registers_and_the_document_is_then_bound() {
    let app = spawn_app().await;
    let r = app.register_natural_person().await;
    let stored: String = app
        .db()
        .query_row("SELECT document_number FROM accounts WHERE login_name = ?", [&r.login_name], |row| row.get(0))
        .unwrap();
    assert_eq!(stored, r.resident_id);

    // The same document again: 409 leading to the natural-person appeal (FAQ 3.3).
    let mut again = Registered::natural_person();
    again.resident_id = r.resident_id.clone();
    let code = app.registration_code(&again.mobile).await;
    let res = app.post_json("/api/registration/natural-persons", &again.natural_person_form(&code)).await;
    assert_eq!(res.status(), 409);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "registration.document_taken");
    assert_eq!(body["error"]["field"], "document_number");
    assert_eq!(body["error"]["details"]["guidance"]["actions"][0]["href"], "/appeal/natural-person");
    // The code was not used up by the refused registration.
    assert_eq!(app.count("SELECT COUNT(*) FROM sms_codes WHERE consumed_at IS NULL"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_organization_check_guides_to_registration_when_nothing_exists() {
    let app = spawn_app().await;
    let uscc = uscc_for(unique());
    let body: Value = app
        .get(&format!("/api/registration/organizations?org_name=%E6%96%B0%E5%85%AC%E5%8F%B8&uscc={uscc}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["org_name"]["registered"], false);
    assert_eq!(body["uscc"]["registered"], false);
    assert_eq!(body["guidance"]["code"], "registration.organization_available");

    let res = app.get("/api/registration/organizations").await;
    assert_eq!(res.status(), 400);
    let res = app.get_en("/api/registration/organizations?uscc=91350100M000100Y44").await;
    let body: Value = res.json().await.unwrap();
    assert_eq!((body["error"]["code"].as_str(), body["error"]["field"].as_str()), (Some("uscc.check_mismatch"), Some("uscc")));
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_gets_a_clear_400_with_every_field_and_nothing_is_stored() {
    let app = spawn_app().await;
    let long = "x".repeat(10_000);
    let r = Registered::legal_entity();
    let code = app.registration_code(&r.mobile).await;

    // Several wrong fields at once: the first is the error, all are listed.
    let mut form = r.legal_entity_form(&code);
    form["uscc"] = json!("91350100M000100Y44");
    form["org_name"] = json!("<script>");
    form["password"] = json!("password");
    let res = app.post_json("/api/registration/legal-entities", &form).await;
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    let fields: Vec<&str> =
        body["error"]["details"]["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["org_name", "uscc", "password"]);

    let cases: Vec<(Value, &str, &str)> = vec![
        (json!({"login_name": "ab"}), "login_name.too_short", "login_name"),
        (json!({"login_name": long}), "login_name.too_long", "login_name"),
        (json!({"login_name": "a'; DROP TABLE accounts;--"}), "login_name.invalid_character", "login_name"),
        (json!({"uscc": "91350100M000100Y4"}), "uscc.wrong_length", "uscc"),
        (json!({"uscc": "91350100M000100I43"}), "uscc.forbidden_letter", "uscc"),
        (json!({"mobile": "12345"}), "mobile.invalid_mainland", "mobile"),
        (json!({"org_name": ""}), "org_name.empty", "org_name"),
        (json!({"password": "short"}), "password.too_short", "password"),
        (json!({"password": r.login_name.clone() + "!!"}), "password.contains_identity", "password"),
        (json!({"sms_code": ""}), "sms.code_required", "sms_code"),
        (json!({"login_name": 42}), "request.field_invalid_type", "login_name"),
        (json!({"uscc": null}), "request.field_invalid_type", "uscc"),
    ];
    for (patch, code_expected, field) in cases {
        let mut form = r.legal_entity_form(&code);
        for (k, v) in patch.as_object().unwrap() {
            form[k] = v.clone();
        }
        let res = app.post_json("/api/registration/legal-entities", &form).await;
        assert_eq!(res.status(), 400, "{patch}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], code_expected, "{patch}: {body}");
        assert_eq!(body["error"]["field"], field, "{patch}");
        assert!(!body["error"]["message_zh"].as_str().unwrap().is_empty());
    }
    let mut missing = r.legal_entity_form(&code);
    missing.as_object_mut().unwrap().remove("uscc");
    let body: Value = app.post_json("/api/registration/legal-entities", &missing).await.json().await.unwrap();
    assert_eq!((body["error"]["code"].as_str(), body["error"]["field"].as_str()), (Some("request.field_missing"), Some("uscc")));

    let text = app
        .client
        .post(app.url("/api/registration/legal-entities"))
        .header("origin", app.origin())
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(text.status(), 415);
    let broken = app
        .client
        .post(app.url("/api/registration/legal-entities"))
        .header("origin", app.origin())
        .header("content-type", "application/json")
        .body("{\"login_name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(broken.status(), 400);

    assert_eq!(app.count("SELECT COUNT(*) FROM accounts"), 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM sms_codes WHERE consumed_at IS NULL"), 1, "the code is still usable");
    // Full-width and spaced input is folded, not refused.
    let mut wide = r.legal_entity_form(&code);
    wide["uscc"] = json!(format!(" {} ", r.uscc.to_lowercase()));
    let res = app.post_json("/api/registration/legal-entities", &wide).await;
    assert_eq!(res.status(), 201);
}

#[tokio::test(flavor = "multi_thread")]
async fn sms_code_rules_hold_through_http() {
    let app = spawn_app().await;
    let r = Registered::legal_entity();
    let code = app.registration_code(&r.mobile).await;

    // Resend too soon: 429 with Retry-After.
    let again = app.post_json("/api/registration/sms-codes", &json!({ "mobile": r.mobile })).await;
    assert_eq!(again.status(), 429);
    assert_eq!(again.headers()["retry-after"], "60");

    // A wrong code counts (the failed try survives the refused request).
    let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
    let res = app.post_json("/api/registration/legal-entities", &r.legal_entity_form(&wrong)).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "sms.code_wrong");
    assert_eq!(body["error"]["details"]["tries_left"], 4);
    assert_eq!(app.count("SELECT failed_attempts FROM sms_codes"), 1);

    // Past 10 minutes the code is expired.
    app.advance(601);
    let res = app.post_json("/api/registration/legal-entities", &r.legal_entity_form(&code)).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "sms.code_expired");

    // A new code works; the old one is not the newest any more.
    let fresh = app.registration_code(&r.mobile).await;
    let res = app.post_json("/api/registration/legal-entities", &r.legal_entity_form(&fresh)).await;
    assert_eq!(res.status(), 201);
}

#[tokio::test(flavor = "multi_thread")]
async fn fifty_racing_registrations_of_one_uscc_make_exactly_one_account() {
    let app = app().variable("sms_codes_per_client_per_hour", "1000").spawn().await;
    let uscc = uscc_for(unique());
    let mut forms = Vec::new();
    for _ in 0..50 {
        let mut r = Registered::legal_entity();
        r.uscc = uscc.clone();
        let code = app.registration_code(&r.mobile).await;
        forms.push(r.legal_entity_form(&code));
    }
    let tasks: Vec<_> = forms
        .into_iter()
        .map(|form| {
            let client = app.client.clone();
            let url = app.url("/api/registration/legal-entities");
            let origin = app.origin();
            tokio::spawn(async move {
                let res = client.post(url).header("origin", origin).json(&form).send().await.unwrap();
                let status = res.status().as_u16();
                let body: Value = res.json().await.unwrap();
                (status, body)
            })
        })
        .collect();
    let mut created = 0;
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status {
            201 => created += 1,
            409 => {
                assert_eq!(body["error"]["code"], "registration.uscc_taken");
                assert_eq!(body["error"]["details"]["guidance"]["code"], "registration.organization_registered");
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(created, 1);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM accounts WHERE uscc = '{uscc}'")), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn registration_needs_the_sites_own_origin() {
    let app = spawn_app().await;
    let r = Registered::legal_entity();
    for origin in [None, Some("https://evil.example")] {
        let mut req = app.client.post(app.url("/api/registration/sms-codes")).json(&json!({ "mobile": r.mobile }));
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 403, "{origin:?}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "request.cross_origin");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM sms_outbox"), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dev_outbox_is_off_unless_turned_on() {
    let off = spawn_app().await;
    assert_eq!(off.get("/api/registration/dev/outbox?mobile=13900000000").await.status(), 404);

    let on = app().variable("dev_outbox", "true").spawn().await;
    let r = Registered::legal_entity();
    let code = on.registration_code(&r.mobile).await;
    let body: Value = on.get(&format!("/api/registration/dev/outbox?mobile={}", r.mobile)).await.json().await.unwrap();
    assert_eq!(body["messages"][0]["params"]["code"], code.as_str());
}

/// A stand-in SMS gateway on 127.0.0.1: records each request, answers 200.
async fn fake_gateway() -> (String, tokio::sync::mpsc::UnboundedReceiver<(String, String)>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let n = match tokio::time::timeout(std::time::Duration::from_secs(10), sock.read(&mut chunk)).await {
                        Ok(Ok(n)) if n > 0 => n,
                        _ => return,
                    };
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf).to_string();
                    if let Some((head, body)) = text.split_once("\r\n\r\n") {
                        let lower = head.to_ascii_lowercase();
                        let complete = if lower.contains("transfer-encoding: chunked") {
                            body.ends_with("0\r\n\r\n").then(|| dechunk(body))
                        } else {
                            let len = lower
                                .lines()
                                .find_map(|l| l.strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap()))
                                .unwrap_or(0);
                            (body.len() >= len).then(|| body.to_owned())
                        };
                        if let Some(body) = complete {
                            let _ = tx.send((head.to_owned(), body));
                            let _ = sock.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").await;
                            return;
                        }
                    }
                }
            });
        }
    });
    (origin, rx)
}

/// Decodes an HTTP/1.1 chunked body.
fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        body = &rest[n + 2..];
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn codes_are_delivered_to_the_configured_gateway_and_marked_sent() {
    let (origin, mut received) = fake_gateway().await;
    let app = app()
        .variable("sms_gateway_url", &format!("{origin}/send"))
        .variable("sms_gateway_origin", &origin)
        .variable("sms_gateway_token", "gateway-secret")
        .spawn()
        .await;
    let r = Registered::legal_entity();
    let res = app.post_json("/api/registration/sms-codes", &json!({ "mobile": r.mobile })).await;
    assert_eq!(res.status(), 202);
    let (head, body) = tokio::time::timeout(std::time::Duration::from_secs(10), received.recv()).await.unwrap().unwrap();
    assert!(head.starts_with("POST /send "), "{head}");
    assert!(head.to_ascii_lowercase().contains("authorization: bearer gateway-secret"), "{head}");
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["to"], format!("+86{}", r.mobile));
    assert_eq!(body["template"], "registration_code");
    let code = body["params"]["code"].as_str().unwrap();
    assert!(body["text"].as_str().unwrap().contains(code));
    assert_eq!(app.count("SELECT COUNT(*) FROM sms_outbox WHERE sent_at IS NOT NULL AND attempts = 1"), 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM sms_outbox WHERE json_extract(params, '$.code') IS NOT NULL"), 0, "no copy kept");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dead_gateway_leaves_the_message_in_the_outbox_for_retry() {
    // A port nobody listens on (bound, then closed).
    let dead = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap();
    let origin = format!("http://{dead}");
    let app = app().variable("sms_gateway_url", &format!("{origin}/send")).variable("sms_gateway_origin", &origin).spawn().await;
    let r = Registered::legal_entity();
    let res = app.post_json("/api/registration/sms-codes", &json!({ "mobile": r.mobile })).await;
    assert_eq!(res.status(), 202, "the code was issued; the message waits in the outbox");
    let (sent, attempts, error): (Option<i64>, i64, Option<String>) = app
        .db()
        .query_row("SELECT sent_at, attempts, last_error FROM sms_outbox", [], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .unwrap();
    assert_eq!((sent, attempts), (None, 1));
    assert!(error.unwrap().contains("unreachable"));
}

#[tokio::test(flavor = "multi_thread")]
async fn wp_names_are_reserved_for_migrated_accounts_and_the_import_reports_who_holds_a_name() {
    const TOKEN: &str = "import-token-for-wp-tests";
    let app = app().variable("legacy_import_token", TOKEN).spawn().await;
    let n = unique();

    // The check says a free WP name is reserved, and leads to login and reset, not registration.
    let check: Value = app.get_en(&format!("/api/registration/login-names/WPsomename{n}")).await.json().await.unwrap();
    assert_eq!((check["registered"].as_bool(), check["reserved"].as_bool()), (Some(false), Some(true)), "{check}");
    assert_eq!(check["guidance"]["code"], "registration.login_name_reserved");
    assert!(check["guidance"]["message"].as_str().unwrap().contains("reserved for accounts migrated"), "{check}");
    let hrefs: Vec<&str> = check["guidance"]["actions"].as_array().unwrap().iter().map(|a| a["href"].as_str().unwrap()).collect();
    assert_eq!(hrefs, ["/login", "/password-reset"]);
    let plain: Value = app.get(&format!("/api/registration/login-names/somename{n}")).await.json().await.unwrap();
    assert_eq!(plain["reserved"], false);

    // Registration refuses it in any case and width, with the field and the way out.
    let r = Registered::legal_entity();
    let code = app.registration_code(&r.mobile).await;
    for name in [format!("WPsomename{n}"), format!("wPsomename{n}"), format!("ｗｐsomename{n}")] {
        let mut form = r.legal_entity_form(&code);
        form["login_name"] = json!(name);
        let res = app.post_json("/api/registration/legal-entities", &form).await;
        assert_eq!(res.status(), 400, "{name}");
        let body: Value = res.json().await.unwrap();
        assert_eq!((body["error"]["code"].as_str(), body["error"]["field"].as_str()), (Some("registration.login_name_reserved"), Some("login_name")));
        assert!(body["error"]["message_zh"].as_str().unwrap().contains("迁移"), "{body}");
        assert_eq!(body["error"]["details"]["guidance"]["actions"][0]["href"], "/login");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts"), 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM sms_codes WHERE consumed_at IS NULL"), 1, "the code is still usable");

    // An account that holds WP + old name (made before the rule) is a conflict, never "skipped".
    app.db()
        .execute(
            "INSERT INTO accounts (kind, login_name, login_name_key, created_at) VALUES ('natural_person', ?1, lower(?1), 0)",
            [format!("WPsquat{n}")],
        )
        .unwrap();
    // A new user holds the old name itself.
    let holder = app.register_legal_entity().await;
    let old_org = |old: &str, k: u64| {
        json!({"old_login_name": old, "kind": "legal_entity", "org_name": format!("旧系统单位{n}-{k}"), "uscc": uscc_for(n + k)})
    };
    let lines = [old_org(&format!("squat{n}"), 1), old_org(&holder.login_name, 2), old_org(&format!("fresh{n}"), 3)];
    let report = app.legacy_import(TOKEN, &lines).await;
    assert_eq!((report["created"].as_i64(), report["skipped"].as_i64()), (Some(1), Some(0)), "{report}");
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{report}");
    assert_eq!((errors[0]["line"].as_i64(), errors[0]["code"].as_str()), (Some(1), Some("legacy.login_name_conflict")));
    assert_eq!(errors[0]["details"]["held_by"], format!("WPsquat{n}"));
    assert!(errors[0]["message_en"].as_str().unwrap().contains(&format!("WPsquat{n}")), "{report}");
    assert_eq!((errors[1]["line"].as_i64(), errors[1]["code"].as_str()), (Some(2), Some("legacy.old_login_name_conflict")));
    assert_eq!(errors[1]["details"]["held_by"], holder.login_name.as_str());
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM accounts WHERE legacy_old_name = 'squat{n}'")), 0);

    // The same import again: the account it created is skipped; the conflicts stay conflicts.
    let again = app.legacy_import(TOKEN, &lines).await;
    assert_eq!((again["created"].as_i64(), again["skipped"].as_i64()), (Some(0), Some(1)), "{again}");
    assert_eq!(again["accounts"][0], json!({"line": 3, "result": "skipped_existing", "login_name": format!("WPfresh{n}")}));
    assert_eq!(again["errors"].as_array().unwrap().len(), 2);
}
