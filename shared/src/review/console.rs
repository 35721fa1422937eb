//! The review console (flow 8's back office, with flow 9's reminders):
//! the queue with its filters (kind, state, SLA) and search, the counts
//! per kind, each item's history, the failed SMS with "retry now", the last
//! ticks, and what a lead may do beyond a reviewer (release anyone's
//! claim). Generic over the kinds of review: what an item is about comes
//! from its kind's summary ([`super::ReviewKindEffects::summaries`]), and
//! the search looks in it.

use super::queue::{self, Filter, ReviewItem, ReviewKind, ReviewState};
use super::reviewer::{self, Reviewer};
use super::{kind, notifications};
use crate::clock::{Clock, Timestamp};
use crate::error::{AppError, AppResult};
use crate::identity::CivilDate;
use crate::ids::ReviewItemId;
use crate::store::{Database, Store, StoreError, in_transaction};
use crate::workday;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Where an item stands against its due time (China dates).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sla {
    /// Open past its due time.
    Overdue,
    /// Open, due later today.
    DueToday,
    /// Open, due after today.
    Later,
}

impl Sla {
    pub fn as_str(self) -> &'static str {
        match self {
            Sla::Overdue => "overdue",
            Sla::DueToday => "due_today",
            Sla::Later => "later",
        }
    }

    /// An open item's SLA state at `now`; `None` once decided.
    pub fn of(item: &ReviewItem, now: Timestamp) -> Option<Sla> {
        if item.state != ReviewState::Open {
            return None;
        }
        Some(if now > item.due_at {
            Sla::Overdue
        } else if item.due_at <= workday::end_of_day_china(CivilDate::from_timestamp_china(now)) {
            Sla::DueToday
        } else {
            Sla::Later
        })
    }

    /// The query parameter `sla`: `overdue`, `due_today`, `later`; absent
    /// or empty: any.
    pub fn parse_field(s: Option<&str>) -> AppResult<Option<Sla>> {
        match s.map(str::trim).unwrap_or("") {
            "" => Ok(None),
            "overdue" => Ok(Some(Sla::Overdue)),
            "due_today" => Ok(Some(Sla::DueToday)),
            "later" => Ok(Some(Sla::Later)),
            _ => Err(AppError::new(
                "review.sla_unknown",
                400,
                "sla 应为 overdue（已超时）、due_today（今日到期）或 later（未到期）。",
                "sla must be overdue, due_today or later.",
            )
            .with_field("sla")),
        }
    }
}

/// The longest search text, in characters.
pub const FIND_MAX_LEN: usize = 100;

/// What the queue shows: a state filter, and optionally a kind, an SLA
/// state and a search text (an appeal number, an organization, a USCC, a
/// person's name; matched in the kind's summary, ignoring case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueQuery {
    pub state: Filter,
    pub kind: Option<ReviewKind>,
    pub sla: Option<Sla>,
    pub find: Option<String>,
}

impl QueueQuery {
    /// The query parameters `state`, `kind`, `sla`, `q`, each checked with
    /// its field named.
    pub fn parse(state: Option<&str>, kind: Option<&str>, sla: Option<&str>, find: Option<&str>) -> AppResult<QueueQuery> {
        let kind = match kind.map(str::trim).filter(|k| !k.is_empty()) {
            None => None,
            Some(k) => Some(ReviewKind::parse(k).ok_or_else(|| {
                let known: Vec<&str> = ReviewKind::ALL.iter().map(|k| k.as_str()).collect();
                AppError::new(
                    "review.kind_unknown",
                    400,
                    format!("kind 应为以下之一：{}。", known.join("、")),
                    format!("kind must be one of: {}.", known.join(", ")),
                )
                .with_field("kind")
            })?),
        };
        let find = find.map(str::trim).filter(|f| !f.is_empty()).map(str::to_owned);
        if let Some(f) = &find
            && f.chars().count() > FIND_MAX_LEN
        {
            return Err(AppError::new(
                "review.find_too_long",
                400,
                format!("搜索内容最多 {FIND_MAX_LEN} 个字。"),
                format!("Search for at most {FIND_MAX_LEN} characters."),
            )
            .with_field("q"));
        }
        Ok(QueueQuery { state: Filter::parse(state)?, kind, sla: Sla::parse_field(sla)?, find })
    }
}

/// Whether `needle` (lowercase) is in any text of `v`.
fn mentions(v: &Value, needle: &str) -> bool {
    match v {
        Value::String(s) => s.to_lowercase().contains(needle),
        Value::Array(a) => a.iter().any(|x| mentions(x, needle)),
        Value::Object(o) => o.values().any(|x| mentions(x, needle)),
        _ => false,
    }
}

/// The queue as the console shows it to `me`: the matching items (by due
/// time, with their summary, SLA state and claimer), the open items'
/// counts per kind (all of them, whatever the filter), the reviewers'
/// names, the notifications `me` sees, and whether `me` is a lead.
pub async fn queue_view<S: Store>(store: &S, query: &QueueQuery, now: Timestamp, me: &Reviewer) -> AppResult<Value> {
    let items = queue::list(store, query.state, queue::LIST_MAX).await?;
    let subjects: Vec<_> = items.iter().map(|i| i.subject).collect();
    let summaries = kind::summaries(store, &subjects).await?;
    let needle = query.find.as_ref().map(|f| f.to_lowercase());
    let shown: Vec<Value> = items
        .iter()
        .filter(|i| query.kind.is_none_or(|k| i.kind == k))
        .filter(|i| query.sla.is_none_or(|s| Sla::of(i, now) == Some(s)))
        .filter_map(|i| {
            let summary = summaries.get(&i.subject).cloned().unwrap_or(Value::Null);
            if let Some(n) = &needle
                && !(mentions(&summary, n) || i.id.to_string() == *n || format!("#{}", i.id) == *n)
            {
                return None;
            }
            let mut v = i.to_json(now);
            v["summary"] = summary;
            v["sla"] = json!(Sla::of(i, now).map(Sla::as_str));
            v["reminded_at"] = json!(i.reminded_at.map(Timestamp::millis));
            v["escalated_at"] = json!(i.escalated_at.map(Timestamp::millis));
            Some(v)
        })
        .collect();
    Ok(json!({
        "items": shown,
        "counts": counts(store, now).await?,
        "reviewers": reviewer_names(store).await?,
        "notifications": notifications::recent(store, me.is_lead(), 20).await?,
        "me": { "id": me.id, "lead": me.is_lead() },
    }))
}

/// The open items per kind: how many, and how many of them overdue or due
/// today (every kind listed, zeros included).
async fn counts<S: Store>(store: &S, now: Timestamp) -> Result<Value, StoreError> {
    let today_end = workday::end_of_day_china(CivilDate::from_timestamp_china(now));
    let rows = store
        .execute(
            "SELECT kind, COUNT(*) AS open, SUM(due_at < ?1) AS overdue, SUM(due_at >= ?1 AND due_at <= ?2) AS due_today
               FROM review_items WHERE state = 'open' GROUP BY kind",
            &[now.millis().into(), today_end.millis().into()],
        )
        .await?;
    let mut by_kind: BTreeMap<&str, Value> = BTreeMap::new();
    for k in ReviewKind::ALL {
        let (zh, en) = k.label();
        by_kind.insert(k.as_str(), json!({ "kind": k.as_str(), "label_zh": zh, "label_en": en, "open": 0, "overdue": 0, "due_today": 0 }));
    }
    for r in rows.iter() {
        if let Some(entry) = by_kind.get_mut(r.text("kind")?) {
            entry["open"] = json!(r.int("open")?);
            entry["overdue"] = json!(r.opt_int("overdue")?.unwrap_or(0));
            entry["due_today"] = json!(r.opt_int("due_today")?.unwrap_or(0));
        }
    }
    Ok(Value::Array(ReviewKind::ALL.iter().map(|k| by_kind[k.as_str()].clone()).collect()))
}

async fn reviewer_names<S: Store>(store: &S) -> Result<serde_json::Map<String, Value>, StoreError> {
    Ok(reviewer::list(store).await?.into_iter().map(|r| (r.id.to_string(), json!(r.login_name))).collect())
}

/// An item's history from the audit log, oldest first: submitted, claimed,
/// released, reminded, escalated, decided, each with who (a reviewer's
/// name, or the system) and when.
pub async fn history<S: Store>(store: &S, id: ReviewItemId) -> Result<Vec<Value>, StoreError> {
    let rows = store
        .execute("SELECT at, actor, action FROM audit_log WHERE subject = ? ORDER BY id", &[id.audit_subject().into()])
        .await?;
    let names = reviewer_names(store).await?;
    rows.iter()
        .map(|r| {
            let actor = r.text("actor")?;
            let event = r.text("action")?.strip_prefix("review.").unwrap_or(r.text("action")?).to_owned();
            let reviewer_id = actor.strip_prefix("reviewer:").and_then(|id| id.parse::<i64>().ok());
            Ok(json!({
                "event": event,
                "at": r.int("at")?,
                "reviewer_id": reviewer_id,
                "by": reviewer_id.and_then(|id| names.get(&id.to_string()).cloned()).unwrap_or(json!(null)),
                "system": actor == "system",
            }))
        })
        .collect()
}

/// An item as the console shows it: [`super::item_view`] with its history
/// and SLA state.
pub async fn item_view<S: Store>(store: &S, id: ReviewItemId, now: Timestamp) -> AppResult<Value> {
    let mut view = super::item_view(store, id, now).await?;
    let item = queue::get(store, id).await?.ok_or_else(queue::not_found)?;
    view["history"] = json!(history(store, id).await?);
    view["item"]["sla"] = json!(Sla::of(&item, now).map(Sla::as_str));
    view["item"]["reminded_at"] = json!(item.reminded_at.map(Timestamp::millis));
    view["item"]["escalated_at"] = json!(item.escalated_at.map(Timestamp::millis));
    Ok(view)
}

/// Gives a claimed item back to the queue: its claimer can, and a lead can
/// release anyone's claim (audited with the lead and the claimer).
pub async fn release<S: Store>(store: &S, clock: &dyn Clock, id: ReviewItemId, me: &Reviewer) -> AppResult<ReviewItem> {
    if me.is_lead() { queue::release_by_lead(store, clock, id, me.id).await } else { queue::release(store, clock, id, me.id).await }
}

/// The messages given up (the console's failed-SMS list, newest first):
/// template, the number masked, attempts, last error, why given up, and
/// whether "retry now" can work (not for an expired code).
pub async fn failed_sms<S: Store>(store: &S, now: Timestamp) -> Result<Value, StoreError> {
    let messages: Vec<Value> = crate::sms::failed(store, 200)
        .await?
        .iter()
        .map(|m| {
            let mut v = m.to_json();
            if let Some(o) = v.as_object_mut() {
                o.remove("params");
                o.remove("recipient");
            }
            v["recipient_masked"] = json!(crate::account::mask_mobile(&m.recipient));
            v["retryable"] = json!(m.expires_at.is_none_or(|e| e > now.millis()));
            v
        })
        .collect();
    Ok(json!({ "messages": messages }))
}

/// "Retry now" on a failed message: its attempts start again and it is
/// delivered after the commit (audited `sms.retry_requested` with the
/// reviewer). See [`crate::sms::retry_now`] for the refusals.
pub async fn retry_sms<D: Database>(db: &D, clock: &dyn Clock, me: &Reviewer, id: &str) -> AppResult<Value> {
    let id: i64 = id.parse().ok().filter(|n: &i64| *n > 0).ok_or_else(|| {
        AppError::new("sms.not_failed", 404, "没有这条发送失败的短信。", "There is no such failed message.")
    })?;
    in_transaction(db, async |tx| {
        let m = crate::sms::retry_now(tx, clock.now(), id).await?;
        crate::audit::record(tx, clock, &crate::audit::Actor::Reviewer(me.id), "sms.retry_requested", Some(&format!("sms:{id}")), json!({})).await?;
        Ok(json!({ "id": m.id, "attempts": m.attempts }))
    })
    .await
}

/// The last ticks of the scheduled work (when each job last ran and what
/// it did), newest first.
pub async fn schedule_view<S: Store>(store: &S) -> Result<Value, StoreError> {
    Ok(json!({ "ticks": crate::schedule::recent_ticks(store, 20).await? }))
}

/// Every reviewer for the console's management list (leads see the
/// disable button; everyone can reset another's password).
pub async fn reviewers_view<S: Store>(store: &S) -> Result<Value, StoreError> {
    Ok(json!({ "reviewers": reviewer::list(store).await?.iter().map(Reviewer::to_json).collect::<Vec<_>>() }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FixedClock;
    use crate::ids::AppealId;
    use crate::random::SeqRandom;
    use crate::review::Subject;
    use crate::review::reviewer::{NewReviewer, Role};
    use crate::store::NativeStore;
    use crate::store::native::block_on;
    use crate::test_support;
    use crate::workday::start_of_day_china;

    /// `hour`:00 Beijing time on a day of March 2026 (the 13th is a Friday).
    fn march(day: u8, hour: i64) -> Timestamp {
        Timestamp(start_of_day_china(CivilDate::new(2026, 3, day).unwrap()).millis() + hour * 3_600_000)
    }

    fn setup() -> (NativeStore, FixedClock, Reviewer, Reviewer) {
        let db = test_support::store();
        let clock = FixedClock::at(march(13, 10));
        let random = SeqRandom::new(5);
        let new = |name, role| NewReviewer { login_name: name, password: "a long reviewer passphrase 7", mobile: None, role };
        let lead = block_on(test_support::create_reviewer_with(&db, &clock, &random, new("chief", Role::Lead))).unwrap();
        let plain = block_on(test_support::create_reviewer_with(&db, &clock, &random, new("anna", Role::Reviewer))).unwrap();
        let get = |id| block_on(reviewer::find_by_id(&db, id)).unwrap().unwrap();
        let (lead, plain) = (get(lead), get(plain));
        (db, clock, lead, plain)
    }

    fn submit(db: &NativeStore, clock: &FixedClock, kind: ReviewKind, n: i64) -> ReviewItem {
        block_on(in_transaction(db, async |tx| queue::submit(tx, clock, kind, Subject::Appeal(AppealId(n))).await)).unwrap()
    }

    fn ids(v: &Value) -> Vec<i64> {
        v["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect()
    }

    #[test]
    fn sla_states_by_china_dates() {
        let (db, clock, _, _) = setup();
        let item = submit(&db, &clock, ReviewKind::AppealLegalEntity, 1);
        assert_eq!(Sla::of(&item, march(13, 10)), Some(Sla::Later), "Friday: due Monday");
        assert_eq!(Sla::of(&item, march(16, 8)), Some(Sla::DueToday), "Monday morning");
        assert_eq!(Sla::of(&item, march(16, 11)), Some(Sla::Overdue));
        assert_eq!(Sla::parse_field(Some("x")).unwrap_err().field.as_deref(), Some("sla"));
        assert_eq!(Sla::parse_field(None).unwrap(), None);
    }

    #[test]
    fn the_queue_filters_by_kind_sla_and_search_and_counts_per_kind() {
        let (db, clock, lead, _) = setup();
        let a = submit(&db, &clock, ReviewKind::AppealLegalEntity, 1);
        clock.advance_seconds(3 * 86_400);
        let b = submit(&db, &clock, ReviewKind::AppealNaturalPerson, 2);
        let now = march(16, 11);
        let all = block_on(queue_view(&db, &QueueQuery::parse(None, None, None, None).unwrap(), now, &lead)).unwrap();
        assert_eq!(ids(&all), vec![a.id.get(), b.id.get()]);
        assert_eq!(all["items"][0]["sla"], "overdue");
        assert_eq!(all["items"][1]["sla"], "later");
        let counts = all["counts"].as_array().unwrap();
        assert_eq!(counts.len(), ReviewKind::ALL.len(), "every kind, zeros included");
        assert_eq!((counts[0]["open"].as_i64(), counts[0]["overdue"].as_i64()), (Some(1), Some(1)));
        assert_eq!(all["me"]["lead"], true);
        let q = |kind, sla, find| QueueQuery::parse(None, kind, sla, find).unwrap();
        let view = |q| block_on(queue_view(&db, &q, now, &lead)).unwrap();
        assert_eq!(ids(&view(q(Some("appeal_natural_person"), None, None))), vec![b.id.get()]);
        assert_eq!(ids(&view(q(None, Some("overdue"), None))), vec![a.id.get()]);
        assert_eq!(ids(&view(q(None, Some("due_today"), None))), Vec::<i64>::new());
        assert_eq!(ids(&view(q(None, None, Some(&format!("#{}", b.id))))), vec![b.id.get()]);
        let e = QueueQuery::parse(None, Some("appeal"), None, None).unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), ("review.kind_unknown", Some("kind")));
        let e = QueueQuery::parse(None, None, None, Some(&"x".repeat(101))).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("q"));
        assert!(mentions(&json!({ "uscc": "91110105MA01ABCD1X", "name": "北京测试" }), "ma01abcd"));
        assert!(mentions(&json!({ "name": "北京测试" }), "测试"));
        assert!(!mentions(&json!({ "n": 5 }), "5"));
    }

    #[test]
    fn history_says_who_and_when_and_a_lead_releases_anyones_claim() {
        let (db, clock, lead, plain) = setup();
        let item = submit(&db, &clock, ReviewKind::AppealLegalEntity, 1);
        clock.advance_seconds(3600);
        block_on(queue::claim(&db, &clock, item.id, plain.id)).unwrap();
        clock.advance_seconds(3600);
        let e = block_on(release(&db, &clock, item.id, &block_on(reviewer::find_by_id(&db, plain.id)).unwrap().unwrap())).map(|_| ());
        assert!(e.is_ok(), "its claimer releases it");
        block_on(queue::claim(&db, &clock, item.id, plain.id)).unwrap();
        let released = block_on(release(&db, &clock, item.id, &lead)).unwrap();
        assert_eq!(released.claimed_by, None, "a lead releases another's claim");
        block_on(queue::claim(&db, &clock, item.id, lead.id)).unwrap();
        let e = block_on(release(&db, &clock, item.id, &plain)).unwrap_err();
        assert_eq!(e.code, "review.claimed_by_other", "a reviewer cannot release a lead's claim");
        let h = block_on(history(&db, item.id)).unwrap();
        let events: Vec<&str> = h.iter().map(|e| e["event"].as_str().unwrap()).collect();
        assert_eq!(events, vec!["submitted", "claimed", "released", "claimed", "released", "claimed"]);
        assert_eq!(h[0]["system"], true);
        assert_eq!(h[1]["by"], "anna");
        assert_eq!(h[1]["at"], march(13, 11).millis());
        assert_eq!(h[4]["by"], "chief", "the lead released it");
    }

    #[test]
    fn failed_sms_are_listed_masked_and_retried() {
        let (db, clock, lead, _) = setup();
        let to = crate::identity::Mobile::parse("13800138000").unwrap();
        let id = block_on(in_transaction(&db, async |tx| {
            crate::sms::enqueue(tx, &clock, &to, crate::sms::Template::PasswordChanged, json!({ "login_name": "x" })).await
        }))
        .unwrap();
        let _ = db.take_committed_messages();
        block_on(crate::sms::mark_failed(&db, &clock, id, "gateway answered 500")).unwrap();
        assert_eq!(block_on(crate::sms::give_up(&db, clock.now(), 1, 10)).unwrap(), 1);
        let list = block_on(failed_sms(&db, clock.now())).unwrap();
        assert_eq!(list["messages"][0]["recipient_masked"], "138****8000");
        assert!(list["messages"][0].get("params").is_none() && list["messages"][0].get("recipient").is_none());
        assert_eq!(list["messages"][0]["retryable"], true);
        block_on(retry_sms(&db, &clock, &lead, &id.to_string())).unwrap();
        assert_eq!(db.take_committed_messages(), vec![id], "delivered after the commit");
        assert_eq!(block_on(retry_sms(&db, &clock, &lead, "abc")).unwrap_err().code, "sms.not_failed");
    }
}
