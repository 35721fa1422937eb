//! Finding the person to grant (FAQ 4.3): natural persons by their real
//! name, exact after normalizing spaces and full-width characters (as a
//! name is stored: [`PersonName`]), only among persons whose real-name
//! verification passed; never by login name. A result shows what lets the
//! administrator pick the right person and no more: the masked document
//! number, the document type, the nationality. The search is an oracle for
//! "is this person on the platform": it needs an administrator, is limited
//! per account and per client (settings), and every search is audited.

use super::admin::administrator;
use super::manage::person_json;
use crate::account::{self, Account};
use crate::audit::{self, Actor};
use crate::clock::Clock;
use crate::error::{AppError, AppResult};
use crate::identity::PersonName;
use crate::ids::AccountId;
use crate::rate_limit::{self, Limit};
use crate::settings::{self, ClientLimit, Settings};
use crate::store::Database;
use serde_json::{Value, json};

/// Searches one client address may make per hour.
pub const SEARCHES_PER_CLIENT: ClientLimit =
    ClientLimit { setting: &settings::GRANT_SEARCHES_PER_CLIENT, bucket: "grants.search.client", window_secs: 3600 };

/// Searches one account may make per hour.
pub fn searches_per_account(settings: &Settings) -> Limit {
    Limit { bucket: "grants.search.account", max: settings.number(&settings::GRANT_SEARCHES_PER_ACCOUNT), window_secs: 3600 }
}

/// At most this many persons of one name are shown.
pub const RESULTS_SHOWN: i64 = 20;

/// The two rules, said where the search box is and again with an empty
/// result (FAQ 4.3).
pub fn rules_json() -> Value {
    json!([
        { "code": "verified_only", "message_zh": "只能搜索已完成实名认证的自然人", "message_en": "Only natural persons whose real-name verification passed can be found" },
        { "code": "real_name_not_login_name", "message_zh": "请填写自然人姓名，而不是登录名", "message_en": "Enter the person's real name, not their login name" },
    ])
}

fn by_login_name_refused() -> AppError {
    AppError::new(
        "grants.search_by_login_name",
        400,
        "不能按登录名搜索：请填写自然人姓名，而不是登录名；只能搜索已完成实名认证的自然人。",
        "Searching by login name is not possible: enter the person's real name, not their login name; only verified natural persons can be found.",
    )
    .with_field("login_name")
    .with_details(json!({ "rules": rules_json() }))
}

/// The search as the endpoint runs it: `real_name` from the query; a
/// `login_name` is refused.
pub struct Search<'a> {
    pub real_name: Option<&'a str>,
    pub login_name: Option<&'a str>,
    pub client: &'a str,
}

pub async fn search<D: Database>(
    db: &D,
    clock: &dyn Clock,
    settings: &Settings,
    actor: &Account,
    organization: AccountId,
    q: &Search<'_>,
) -> AppResult<Value> {
    let subject = organization.audit_subject();
    let result = run(db, clock, settings, actor, organization, q).await;
    let detail = match &result {
        Ok(v) => json!({ "organization": subject, "real_name": q.real_name, "results": v["persons"].as_array().map_or(0, Vec::len) }),
        Err(e) if e.status < 500 => json!({ "organization": subject, "real_name": q.real_name, "refused": e.code }),
        Err(_) => return result,
    };
    audit::record(db, clock, &Actor::Account(actor.id), "grants.search", Some(&subject), detail).await?;
    result
}

async fn run<D: Database>(
    db: &D,
    clock: &dyn Clock,
    settings: &Settings,
    actor: &Account,
    organization: AccountId,
    q: &Search<'_>,
) -> AppResult<Value> {
    let now = clock.now();
    administrator(db, actor, organization, now).await?;
    if q.login_name.is_some() {
        return Err(by_login_name_refused());
    }
    let name = PersonName::parse(q.real_name.unwrap_or("")).map_err(|e| e.with_field("real_name"))?;
    rate_limit::hit(db, clock, SEARCHES_PER_CLIENT.limit(settings), q.client).await?;
    rate_limit::hit(db, clock, searches_per_account(settings), &actor.id.to_string()).await?;
    let mut persons = Vec::new();
    for p in account::verified_persons_named(db, &name, RESULTS_SHOWN).await? {
        let mut v = person_json(&p);
        v["you"] = json!(p.id == actor.id);
        v["grant_id"] = json!(super::of_pair(db, organization, p.id).await?.map(|g| g.id));
        persons.push(v);
    }
    let mut body = json!({ "real_name": name.as_str(), "persons": persons, "rules": rules_json() });
    if persons_empty(&body) {
        body["empty_message_zh"] = json!("没有找到。只能搜索已完成实名认证的自然人；请填写自然人姓名，而不是登录名。");
        body["empty_message_en"] =
            json!("Nobody found. Only natural persons whose real-name verification passed can be found; enter the real name, not the login name.");
    }
    Ok(body)
}

fn persons_empty(body: &Value) -> bool {
    body["persons"].as_array().is_none_or(Vec::is_empty)
}
