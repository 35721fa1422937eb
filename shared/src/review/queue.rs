//! The review queue: one table (`review_items`) for every kind of review.
//!
//! An item is submitted `open` with its due time (submission + 1 working
//! day, [`crate::workday::due_at`]), may be claimed by one reviewer, and is
//! decided once: approved, or rejected with a reason. The first decision
//! stands; the SQL guards it (`WHERE state = 'open'`), so two racing
//! decisions cannot both win.
//!
//! [`submit`] and [`decide`] take the caller's transaction: the flow that
//! submits creates the subject (an appeal) in the same one, and
//! [`super::decide`] applies the decision's effects (the kind's
//! [`super::ReviewKindEffects`]) in the decision's.

use super::Subject;
use super::reviewer_actor;
use crate::audit;
use crate::clock::{Clock, Timestamp};
use crate::error::{AppError, AppResult};
use crate::ids::{ReviewItemId, ReviewerId};
use crate::store::{Database, Row, Store, StoreError, Transaction};
use crate::workday;
use serde_json::{Value, json};

/// The longest rejection reason, in characters.
pub const REASON_MAX_LEN: usize = 500;
/// The most items one [`list`] returns.
pub const LIST_MAX: u32 = 500;

/// What is being reviewed. A new kind of review is one variant here (and
/// one line in each match below).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReviewKind {
    /// 法人申诉找回: a legal-entity recovery appeal (flow 4).
    AppealLegalEntity,
    /// 自然人申诉找回: a natural-person recovery appeal (flow 4).
    AppealNaturalPerson,
    /// 实名认证: uploaded documents after a failed automatic check (flow 5).
    Verification,
    /// 首次进入: first entry into the foreign-work system (flow 7).
    Onboarding,
    /// 关联数据: a legacy-data association request (flow 7).
    LegacyData,
}

impl ReviewKind {
    pub const ALL: [ReviewKind; 5] = [
        ReviewKind::AppealLegalEntity,
        ReviewKind::AppealNaturalPerson,
        ReviewKind::Verification,
        ReviewKind::Onboarding,
        ReviewKind::LegacyData,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewKind::AppealLegalEntity => "appeal_legal_entity",
            ReviewKind::AppealNaturalPerson => "appeal_natural_person",
            ReviewKind::Verification => "verification",
            ReviewKind::Onboarding => "onboarding",
            ReviewKind::LegacyData => "legacy_data",
        }
    }

    pub fn parse(s: &str) -> Option<ReviewKind> {
        ReviewKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// (zh, en)
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            ReviewKind::AppealLegalEntity => ("法人申诉找回", "Legal-entity recovery appeal"),
            ReviewKind::AppealNaturalPerson => ("自然人申诉找回", "Natural-person recovery appeal"),
            ReviewKind::Verification => ("实名认证材料审核", "Real-name verification documents"),
            ReviewKind::Onboarding => ("首次进入审核", "First entry into the foreign-work system"),
            ReviewKind::LegacyData => ("关联数据申请", "Legacy data association request"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReviewState {
    Open,
    Approved,
    Rejected,
}

impl ReviewState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewState::Open => "open",
            ReviewState::Approved => "approved",
            ReviewState::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<ReviewState> {
        match s {
            "open" => Some(ReviewState::Open),
            "approved" => Some(ReviewState::Approved),
            "rejected" => Some(ReviewState::Rejected),
            _ => None,
        }
    }

    /// (zh, en)
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            ReviewState::Open => ("待审核", "awaiting review"),
            ReviewState::Approved => ("已通过", "approved"),
            ReviewState::Rejected => ("未通过", "rejected"),
        }
    }
}

/// What a kind of review takes with an approval besides the decision
/// itself (a legacy-data request: the records the reviewer confirms), by
/// field name; the kind checks it ([`super::ReviewKindEffects::DECISION_FIELDS`]
/// and its `apply`).
pub type Payload = serde_json::Map<String, Value>;

/// A reviewer's decision.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// With the kind's own fields, if it takes any.
    Approve { payload: Payload },
    /// The reason is shown to the applicant: required, at most
    /// [`REASON_MAX_LEN`] characters.
    Reject { reason: String },
}

/// Which items [`list`] returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    Open,
    Decided,
    All,
}

impl Filter {
    /// `open`, `decided`, `all` (the query parameter `state`); none given
    /// means `open`.
    pub fn parse(s: Option<&str>) -> AppResult<Filter> {
        match s.map(str::trim).unwrap_or("open") {
            "open" | "" => Ok(Filter::Open),
            "decided" => Ok(Filter::Decided),
            "all" => Ok(Filter::All),
            _ => Err(AppError::new(
                "review.filter_unknown",
                400,
                "state 应为 open、decided 或 all。",
                "state must be open, decided or all.",
            )
            .with_field("state")),
        }
    }
}

impl Decision {
    /// An approval with nothing besides.
    pub fn approve() -> Decision {
        Decision::Approve { payload: Payload::new() }
    }

    /// The decision form, a JSON object: `decision` (`approve` or
    /// `reject`), `reason` (a rejection's, checked by [`check_reason`] when
    /// the decision is taken), and with an approval the kind's own fields
    /// (the rest of the object, checked by the kind). A rejection takes
    /// nothing else.
    pub fn parse(form: &Value) -> AppResult<Decision> {
        let Value::Object(map) = form else {
            return Err(AppError::new("request.invalid_json", 400, "请求内容应为 JSON 对象。", "The request body must be a JSON object.")
                .with_field("body"));
        };
        let text = |name: &str| match map.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(AppError::new(
                "request.field_invalid_type",
                400,
                format!("字段 {name} 应为文字。"),
                format!("The field `{name}` must be a string."),
            )
            .with_field(name)),
        };
        let decision = text("decision")?.ok_or_else(|| AppError::missing_field("decision"))?;
        let reason = text("reason")?.unwrap_or("");
        let rest: Payload = map.iter().filter(|(k, _)| !matches!(k.as_str(), "decision" | "reason")).map(|(k, v)| (k.clone(), v.clone())).collect();
        match decision.trim() {
            "approve" => Ok(Decision::Approve { payload: rest }),
            "reject" => match rest.keys().next() {
                None => Ok(Decision::Reject { reason: reason.to_owned() }),
                Some(field) => Err(AppError::new(
                    "review.field_not_for_reject",
                    400,
                    format!("驳回时只需填写原因，不需要 {field}。"),
                    format!("A rejection takes only its reason, not `{field}`."),
                )
                .with_field(field.as_str())),
            },
            _ => Err(AppError::new(
                "review.decision_unknown",
                400,
                "decision 应为 approve（通过）或 reject（驳回）。",
                "decision must be approve or reject.",
            )
            .with_field("decision")),
        }
    }

    /// The kind's own fields of an approval (none for a rejection).
    pub fn payload(&self) -> Option<&Payload> {
        match self {
            Decision::Approve { payload } => Some(payload),
            Decision::Reject { .. } => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewItem {
    pub id: ReviewItemId,
    pub kind: ReviewKind,
    /// What is reviewed.
    pub subject: Subject,
    pub state: ReviewState,
    pub submitted_at: Timestamp,
    pub due_at: Timestamp,
    pub claimed_by: Option<ReviewerId>,
    pub claimed_at: Option<Timestamp>,
    pub decided_by: Option<ReviewerId>,
    pub decided_at: Option<Timestamp>,
    pub reason: Option<String>,
    pub reminded_at: Option<Timestamp>,
    pub escalated_at: Option<Timestamp>,
}

impl ReviewItem {
    /// Still open after its due time.
    pub fn overdue(&self, now: Timestamp) -> bool {
        self.state == ReviewState::Open && now > self.due_at
    }

    pub fn to_json(&self, now: Timestamp) -> Value {
        let (kind_zh, kind_en) = self.kind.label();
        let (state_zh, state_en) = self.state.label();
        json!({
            "id": self.id,
            "kind": self.kind.as_str(),
            "kind_label_zh": kind_zh,
            "kind_label_en": kind_en,
            "subject": self.subject,
            "state": self.state.as_str(),
            "state_label_zh": state_zh,
            "state_label_en": state_en,
            "submitted_at": self.submitted_at.millis(),
            "due_at": self.due_at.millis(),
            "overdue": self.overdue(now),
            "claimed_by": self.claimed_by,
            "claimed_at": self.claimed_at.map(Timestamp::millis),
            "decided_by": self.decided_by,
            "decided_at": self.decided_at.map(Timestamp::millis),
            "reason": self.reason,
        })
    }

    fn from_row(row: Row<'_>) -> Result<ReviewItem, StoreError> {
        let kind = row.text("kind")?;
        let state = row.text("state")?;
        let ts = |c: &str| row.opt_int(c).map(|v| v.map(Timestamp));
        Ok(ReviewItem {
            id: ReviewItemId(row.int("id")?),
            kind: ReviewKind::parse(kind).ok_or_else(|| StoreError::Other(format!("review_items: unknown kind {kind:?}")))?,
            subject: Subject::from_db(row.text("subject")?)?,
            state: ReviewState::parse(state).ok_or_else(|| StoreError::Other(format!("review_items: unknown state {state:?}")))?,
            submitted_at: Timestamp(row.int("submitted_at")?),
            due_at: Timestamp(row.int("due_at")?),
            claimed_by: row.opt_int("claimed_by")?.map(ReviewerId),
            claimed_at: ts("claimed_at")?,
            decided_by: row.opt_int("decided_by")?.map(ReviewerId),
            decided_at: ts("decided_at")?,
            reason: row.opt_text("reason")?.map(str::to_owned),
            reminded_at: ts("reminded_at")?,
            escalated_at: ts("escalated_at")?,
        })
    }
}

const COLUMNS: &str =
    "id, kind, subject, state, submitted_at, due_at, claimed_by, claimed_at, decided_by, decided_at, reason, reminded_at, escalated_at";

fn first_item(rows: &crate::store::Rows) -> Result<Option<ReviewItem>, StoreError> {
    rows.first().map(ReviewItem::from_row).transpose()
}

pub fn not_found() -> AppError {
    AppError::new("review.not_found", 404, "没有这个审核事项。", "There is no such review item.")
}

fn already_open(subject: Subject) -> AppError {
    AppError::new(
        "review.already_open",
        409,
        "该事项已在审核中，请等待审核结果。",
        "This is already awaiting review; please wait for the outcome.",
    )
    .with_details(json!({ "subject": subject }))
}

fn already_decided(item: &ReviewItem) -> AppError {
    AppError::new(
        "review.already_decided",
        409,
        format!("该事项已审核（{}），以第一次审核结果为准。", item.state.label().0),
        format!("This item has already been decided ({}); the first decision stands.", item.state.label().1),
    )
    .with_details(json!({ "state": item.state.as_str(), "decided_by": item.decided_by }))
}

fn claimed_by_other(item: &ReviewItem) -> AppError {
    AppError::new(
        "review.claimed_by_other",
        409,
        "该事项已由其他审核员领取。",
        "Another reviewer has claimed this item.",
    )
    .with_details(json!({ "claimed_by": item.claimed_by }))
}

/// Puts an item in the queue, open, due one working day after now, in the
/// transaction that creates its subject. One subject has at most one open
/// item (`review.already_open`, 409).
pub async fn submit<D: Database>(
    store: &Transaction<'_, D>,
    clock: &dyn Clock,
    kind: ReviewKind,
    subject: Subject,
) -> Result<ReviewItem, AppError> {
    let now = clock.now();
    let due = workday::due_at(store, now).await?;
    let rows = store
        .execute(
            &format!(
                "INSERT INTO review_items (kind, subject, state, submitted_at, due_at) VALUES (?, ?, 'open', ?, ?)
                 RETURNING {COLUMNS}"
            ),
            &[kind.as_str().into(), subject.to_db().into(), now.millis().into(), due.millis().into()],
        )
        .await
        .map_err(|e| if e.is_unique_on("review_items.subject") { already_open(subject) } else { e.into() })?;
    let item = first_item(&rows)?.ok_or_else(|| StoreError::Other("INSERT ... RETURNING gave no row".into()))?;
    audit::record(
        store,
        clock,
        &audit::Actor::System,
        "review.submitted",
        Some(&item.id.audit_subject()),
        json!({ "kind": kind.as_str(), "subject": subject, "due_at": due.millis() }),
    )
    .await?;
    Ok(item)
}

pub async fn get<S: Store>(store: &S, id: ReviewItemId) -> Result<Option<ReviewItem>, StoreError> {
    let rows = store.execute(&format!("SELECT {COLUMNS} FROM review_items WHERE id = ?"), &[id.into()]).await?;
    first_item(&rows)
}

/// The open item of a subject, if any.
pub async fn open_for_subject<S: Store>(store: &S, subject: Subject) -> Result<Option<ReviewItem>, StoreError> {
    let rows = store
        .execute(&format!("SELECT {COLUMNS} FROM review_items WHERE subject = ? AND state = 'open'"), &[subject.to_db().into()])
        .await?;
    first_item(&rows)
}

/// Items by due time (the most urgent first), at most `limit` (1..=500).
pub async fn list<S: Store>(store: &S, filter: Filter, limit: u32) -> Result<Vec<ReviewItem>, StoreError> {
    let condition = match filter {
        Filter::Open => "WHERE state = 'open'",
        Filter::Decided => "WHERE state <> 'open'",
        Filter::All => "",
    };
    let rows = store
        .execute(
            &format!("SELECT {COLUMNS} FROM review_items {condition} ORDER BY due_at, id LIMIT ?"),
            &[i64::from(limit.clamp(1, LIST_MAX)).into()],
        )
        .await?;
    rows.iter().map(ReviewItem::from_row).collect()
}

/// Explains why a guarded update matched nothing.
async fn refusal<S: Store>(store: &S, id: ReviewItemId) -> AppError {
    match get(store, id).await {
        Err(e) => e.into(),
        Ok(None) => not_found(),
        Ok(Some(item)) if item.state != ReviewState::Open => already_decided(&item),
        Ok(Some(item)) => claimed_by_other(&item),
    }
}

/// A reviewer takes an open item: allowed when it is unclaimed or already
/// theirs (idempotent: the first claim time is kept). Claimed by another
/// reviewer: `review.claimed_by_other` (409); decided:
/// `review.already_decided` (409); unknown: `review.not_found` (404).
pub async fn claim<S: Store>(store: &S, clock: &dyn Clock, id: ReviewItemId, reviewer_id: ReviewerId) -> Result<ReviewItem, AppError> {
    let now = clock.now().millis();
    let rows = store
        .execute(
            &format!(
                "UPDATE review_items SET claimed_by = ?1, claimed_at = COALESCE(claimed_at, ?2)
                  WHERE id = ?3 AND state = 'open' AND (claimed_by IS NULL OR claimed_by = ?1)
                 RETURNING {COLUMNS}"
            ),
            &[reviewer_id.into(), now.into(), id.into()],
        )
        .await?;
    let Some(item) = first_item(&rows)? else {
        return Err(refusal(store, id).await);
    };
    audit::record(store, clock, &reviewer_actor(reviewer_id), "review.claimed", Some(&id.audit_subject()), json!({ "reviewer_id": reviewer_id }))
        .await?;
    Ok(item)
}

/// Gives a claimed item back to the queue (only its claimer can).
pub async fn release<S: Store>(store: &S, clock: &dyn Clock, id: ReviewItemId, reviewer_id: ReviewerId) -> Result<ReviewItem, AppError> {
    let rows = store
        .execute(
            &format!(
                "UPDATE review_items SET claimed_by = NULL, claimed_at = NULL
                  WHERE id = ?1 AND state = 'open' AND (claimed_by IS NULL OR claimed_by = ?2)
                 RETURNING {COLUMNS}"
            ),
            &[id.into(), reviewer_id.into()],
        )
        .await?;
    let Some(item) = first_item(&rows)? else {
        return Err(refusal(store, id).await);
    };
    audit::record(store, clock, &reviewer_actor(reviewer_id), "review.released", Some(&id.audit_subject()), json!({ "reviewer_id": reviewer_id }))
        .await?;
    Ok(item)
}

/// A lead gives anyone's claim back to the queue (an open item; unclaimed
/// already: unchanged). Audited `review.released` with the lead and the
/// claimer.
pub async fn release_by_lead<S: Store>(store: &S, clock: &dyn Clock, id: ReviewItemId, lead: ReviewerId) -> Result<ReviewItem, AppError> {
    let before = get(store, id).await?.ok_or_else(not_found)?;
    let rows = store
        .execute(
            &format!("UPDATE review_items SET claimed_by = NULL, claimed_at = NULL WHERE id = ? AND state = 'open' RETURNING {COLUMNS}"),
            &[id.into()],
        )
        .await?;
    let Some(item) = first_item(&rows)? else {
        return Err(refusal(store, id).await);
    };
    audit::record(
        store,
        clock,
        &reviewer_actor(lead),
        "review.released",
        Some(&id.audit_subject()),
        json!({ "reviewer_id": lead, "claimed_by": before.claimed_by }),
    )
    .await?;
    Ok(item)
}

/// Checks a rejection reason: trimmed, non-empty, at most 500 characters.
pub fn check_reason(reason: &str) -> Result<String, AppError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::new(
            "review.reason_required",
            400,
            "不通过时请填写原因，申请人会看到它。",
            "A rejection needs a reason; the applicant will see it.",
        )
        .with_field("reason"));
    }
    let n = reason.chars().count();
    if n > REASON_MAX_LEN {
        return Err(AppError::new(
            "review.reason_too_long",
            400,
            format!("原因最多 {REASON_MAX_LEN} 个字，现在是 {n} 个。"),
            format!("A reason has at most {REASON_MAX_LEN} characters; this one has {n}."),
        )
        .with_field("reason")
        .with_details(json!({ "max_len": REASON_MAX_LEN, "length": n })));
    }
    Ok(reason.to_owned())
}

/// Decides an open item, once. The item must be unclaimed or claimed by
/// this reviewer (it becomes theirs). Already decided:
/// `review.already_decided` (409) and the first decision stands; a reject
/// without a reason: `review.reason_required` (400, field `reason`). In the
/// decision's transaction, which also applies its effects
/// ([`super::decide`]).
pub async fn decide<D: Database>(
    store: &Transaction<'_, D>,
    clock: &dyn Clock,
    id: ReviewItemId,
    reviewer_id: ReviewerId,
    decision: &Decision,
) -> Result<ReviewItem, AppError> {
    let (state, reason) = match decision {
        Decision::Approve { .. } => (ReviewState::Approved, None),
        Decision::Reject { reason } => (ReviewState::Rejected, Some(check_reason(reason)?)),
    };
    let now = clock.now().millis();
    let rows = store
        .execute(
            &format!(
                "UPDATE review_items
                    SET state = ?1, decided_by = ?2, decided_at = ?3, reason = ?4,
                        claimed_by = COALESCE(claimed_by, ?2), claimed_at = COALESCE(claimed_at, ?3)
                  WHERE id = ?5 AND state = 'open' AND (claimed_by IS NULL OR claimed_by = ?2)
                 RETURNING {COLUMNS}"
            ),
            &[state.as_str().into(), reviewer_id.into(), now.into(), reason.clone().into(), id.into()],
        )
        .await?;
    let Some(item) = first_item(&rows)? else {
        return Err(refusal(store, id).await);
    };
    audit::record(
        store,
        clock,
        &reviewer_actor(reviewer_id),
        if state == ReviewState::Approved { "review.approved" } else { "review.rejected" },
        Some(&id.audit_subject()),
        json!({ "reviewer_id": reviewer_id, "kind": item.kind.as_str(), "subject": item.subject, "reason": reason }),
    )
    .await?;
    Ok(item)
}

/// Open items past their due time at `now` and not reminded yet, the most
/// overdue first, at most `limit` (the reminder job's batch).
pub async fn reminder_due<S: Store>(store: &S, now: Timestamp, limit: u32) -> Result<Vec<ReviewItem>, StoreError> {
    let rows = store
        .execute(
            &format!("SELECT {COLUMNS} FROM review_items WHERE state = 'open' AND reminded_at IS NULL AND due_at < ? ORDER BY due_at, id LIMIT ?"),
            &[now.millis().into(), i64::from(limit).into()],
        )
        .await?;
    rows.iter().map(ReviewItem::from_row).collect()
}

/// Open items past their due time and not escalated yet, the most overdue
/// first, at most `limit`: the escalation job checks each one's deadline.
pub async fn escalation_candidates<S: Store>(store: &S, now: Timestamp, limit: u32) -> Result<Vec<ReviewItem>, StoreError> {
    let rows = store
        .execute(
            &format!("SELECT {COLUMNS} FROM review_items WHERE state = 'open' AND escalated_at IS NULL AND due_at < ? ORDER BY due_at, id LIMIT ?"),
            &[now.millis().into(), i64::from(limit).into()],
        )
        .await?;
    rows.iter().map(ReviewItem::from_row).collect()
}

/// Records the reminder on an open, not yet reminded item (the guarded
/// update that makes a reminder happen once, however many ticks run):
/// `None` when another tick did it first, or the item was decided.
pub async fn mark_reminded<D: Database>(tx: &Transaction<'_, D>, clock: &dyn Clock, id: ReviewItemId) -> Result<Option<ReviewItem>, StoreError> {
    mark_once(tx, clock, id, "reminded_at", "review.reminded").await
}

/// Records the escalation on an open, not yet escalated item, once (as
/// [`mark_reminded`]).
pub async fn mark_escalated<D: Database>(tx: &Transaction<'_, D>, clock: &dyn Clock, id: ReviewItemId) -> Result<Option<ReviewItem>, StoreError> {
    mark_once(tx, clock, id, "escalated_at", "review.escalated").await
}

async fn mark_once<D: Database>(
    tx: &Transaction<'_, D>,
    clock: &dyn Clock,
    id: ReviewItemId,
    column: &'static str,
    action: &str,
) -> Result<Option<ReviewItem>, StoreError> {
    let rows = tx
        .execute(
            &format!("UPDATE review_items SET {column} = ? WHERE id = ? AND state = 'open' AND {column} IS NULL RETURNING {COLUMNS}"),
            &[clock.now().millis().into(), id.into()],
        )
        .await?;
    let Some(item) = first_item(&rows)? else { return Ok(None) };
    audit::record(tx, clock, &audit::Actor::System, action, Some(&id.audit_subject()), json!({ "due_at": item.due_at.millis() })).await?;
    Ok(Some(item))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FixedClock;
    use crate::identity::CivilDate;
    use crate::store::native::block_on;
    use crate::ids::AppealId;
    use crate::store::{NativeStore, in_transaction, migrate};
    use crate::workday::{DayKind, set_day, start_of_day_china};

    /// Tuesday 2026-03-10 10:00 in Beijing.
    fn tuesday_10h() -> Timestamp {
        Timestamp(start_of_day_china(CivilDate::new(2026, 3, 10).unwrap()).millis() + 10 * 3_600_000)
    }

    fn setup() -> (NativeStore, FixedClock, ReviewerId, ReviewerId) {
        let store = NativeStore::in_memory().unwrap();
        let clock = FixedClock::at(tuesday_10h());
        block_on(migrate(&store, &clock)).unwrap();
        let mut ids = Vec::new();
        for name in ["alice", "bob"] {
            let rows = block_on(store.execute(
                "INSERT INTO reviewers (login_name, login_name_key, password_hash, created_at) VALUES (?, ?, 'x', 0) RETURNING id",
                &[name.into(), name.into()],
            ))
            .unwrap();
            ids.push(ReviewerId(rows.first().unwrap().int("id").unwrap()));
        }
        (store, clock, ids[0], ids[1])
    }

    fn appeal(n: i64) -> Subject {
        Subject::Appeal(AppealId(n))
    }

    fn try_submit(store: &NativeStore, clock: &FixedClock, subject: Subject) -> AppResult<ReviewItem> {
        block_on(in_transaction(store, async |tx| submit(tx, clock, ReviewKind::AppealLegalEntity, subject).await))
    }

    fn submit_one(store: &NativeStore, clock: &FixedClock, n: i64) -> ReviewItem {
        try_submit(store, clock, appeal(n)).unwrap()
    }

    fn decide_now(store: &NativeStore, clock: &FixedClock, id: ReviewItemId, who: ReviewerId, d: &Decision) -> AppResult<ReviewItem> {
        block_on(in_transaction(store, async |tx| decide(tx, clock, id, who, d).await))
    }

    fn reject(reason: &str) -> Decision {
        Decision::Reject { reason: reason.into() }
    }

    #[test]
    fn kinds_round_trip_and_have_labels() {
        for k in ReviewKind::ALL {
            assert_eq!(ReviewKind::parse(k.as_str()), Some(k));
            assert!(!k.label().0.is_empty() && !k.label().1.is_empty());
        }
        assert_eq!(ReviewKind::parse("appeal"), None);
        assert_eq!(Filter::parse(None).unwrap(), Filter::Open);
        assert_eq!(Filter::parse(Some("decided")).unwrap(), Filter::Decided);
        let e = Filter::parse(Some("x")).unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), ("review.filter_unknown", Some("state")));
        assert_eq!(Decision::parse(&json!({ "decision": "approve" })).unwrap(), Decision::approve());
        assert_eq!(Decision::parse(&json!({ "decision": "reject", "reason": "why" })).unwrap(), Decision::Reject { reason: "why".into() });
        let e = Decision::parse(&json!({ "decision": "maybe" })).unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), ("review.decision_unknown", Some("decision")));
        // An approval carries the kind's own fields; a rejection takes only its reason.
        let d = Decision::parse(&json!({ "decision": "approve", "reason": "", "confirm": [3, 4] })).unwrap();
        assert_eq!(d.payload().unwrap()["confirm"], json!([3, 4]));
        assert_eq!(d.payload().unwrap().len(), 1, "decision and reason are not the kind's");
        let e = Decision::parse(&json!({ "decision": "reject", "reason": "no", "confirm": [3] })).unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), ("review.field_not_for_reject", Some("confirm")));
        for (form, field) in [(json!({}), "decision"), (json!({ "decision": 1 }), "decision"), (json!({ "decision": "reject", "reason": 5 }), "reason")] {
            assert_eq!(Decision::parse(&form).unwrap_err().field.as_deref(), Some(field), "{form}");
        }
        assert_eq!(Decision::parse(&json!([])).unwrap_err().field.as_deref(), Some("body"));
    }

    #[test]
    fn an_approval_field_its_kind_does_not_take_is_refused_and_nothing_is_decided() {
        let (store, clock, alice, _) = setup();
        let item = submit_one(&store, &clock, 1);
        let d = Decision::parse(&json!({ "decision": "approve", "confirm": [1] })).unwrap();
        let e = block_on(crate::review::decide(&store, &clock, &crate::random::SeqRandom::new(1), item.id, alice, &d)).unwrap_err();
        assert_eq!((e.code, e.status, e.field.as_deref()), ("review.decision_field_unknown", 400, Some("confirm")));
        assert_eq!(block_on(get(&store, item.id)).unwrap().unwrap().state, ReviewState::Open, "the decision rolled back");
    }

    #[test]
    fn a_submission_is_open_and_due_one_working_day_later() {
        let (store, clock, _, _) = setup();
        let item = submit_one(&store, &clock, 1);
        assert_eq!(item.state, ReviewState::Open);
        assert_eq!(item.kind, ReviewKind::AppealLegalEntity);
        assert_eq!(item.submitted_at, tuesday_10h());
        assert_eq!(item.due_at, tuesday_10h().plus_seconds(86_400), "Wednesday 10:00");
        assert_eq!(block_on(get(&store, item.id)).unwrap(), Some(item.clone()));
        assert_eq!(block_on(open_for_subject(&store, appeal(1))).unwrap(), Some(item.clone()));
        let audit = block_on(store.execute("SELECT action, subject FROM audit_log WHERE action = 'review.submitted'", &[])).unwrap();
        assert_eq!(audit.first().unwrap().text("subject").unwrap(), format!("review_item:{}", item.id));
    }

    #[test]
    fn the_due_time_skips_a_configured_holiday() {
        let (store, clock, _, _) = setup();
        block_on(set_day(&store, CivilDate::new(2026, 3, 11).unwrap(), Some(DayKind::Holiday), "test")).unwrap();
        let item = submit_one(&store, &clock, 1);
        assert_eq!(item.due_at, tuesday_10h().plus_seconds(2 * 86_400), "Thursday 10:00");
    }

    #[test]
    fn one_subject_has_at_most_one_open_item() {
        let (store, clock, alice, _) = setup();
        let first = submit_one(&store, &clock, 1);
        let e = try_submit(&store, &clock, appeal(1)).unwrap_err();
        assert_eq!((e.code, e.status), ("review.already_open", 409));
        decide_now(&store, &clock, first.id, alice, &reject("unreadable scans")).unwrap();
        assert!(try_submit(&store, &clock, appeal(1)).is_ok(), "again after a decision");
    }

    #[test]
    fn list_filters_and_orders_by_due_time() {
        let (store, clock, alice, _) = setup();
        let a = submit_one(&store, &clock, 1);
        clock.advance_seconds(-3600);
        let b = submit_one(&store, &clock, 2);
        clock.advance_seconds(7200);
        let c = submit_one(&store, &clock, 3);
        decide_now(&store, &clock, a.id, alice, &Decision::approve()).unwrap();
        let ids = |f, n| block_on(list(&store, f, n)).unwrap().iter().map(|i| i.id).collect::<Vec<_>>();
        assert_eq!(ids(Filter::Open, 10), vec![b.id, c.id]);
        assert_eq!(ids(Filter::Decided, 10), vec![a.id]);
        assert_eq!(ids(Filter::All, 10), vec![b.id, a.id, c.id]);
        assert_eq!(ids(Filter::All, 1), vec![b.id]);
        assert_eq!(ids(Filter::All, 0), vec![b.id], "the limit is at least 1");
    }

    #[test]
    fn overdue_only_while_open_and_past_due() {
        let (store, clock, alice, _) = setup();
        let item = submit_one(&store, &clock, 1);
        assert!(!item.overdue(item.due_at));
        assert!(item.overdue(Timestamp(item.due_at.millis() + 1)));
        assert_eq!(item.to_json(Timestamp(item.due_at.millis() + 1))["overdue"], true);
        clock.advance_seconds(2 * 86_400);
        let decided = decide_now(&store, &clock, item.id, alice, &Decision::approve()).unwrap();
        assert!(!decided.overdue(clock.now()));
        let j = decided.to_json(clock.now());
        assert_eq!(j["state"], "approved");
        assert_eq!(j["kind"], "appeal_legal_entity");
        assert_eq!(j["decided_by"], alice.get());
        assert_eq!(j["subject"], "appeal:1");
    }

    #[test]
    fn claims_are_exclusive_and_idempotent() {
        let (store, clock, alice, bob) = setup();
        let item = submit_one(&store, &clock, 1);
        let claimed = block_on(claim(&store, &clock, item.id, alice)).unwrap();
        assert_eq!((claimed.claimed_by, claimed.claimed_at), (Some(alice), Some(clock.now())));
        clock.advance_seconds(60);
        let again = block_on(claim(&store, &clock, item.id, alice)).unwrap();
        assert_eq!(again.claimed_at, claimed.claimed_at, "the first claim time is kept");
        let e = block_on(claim(&store, &clock, item.id, bob)).unwrap_err();
        assert_eq!((e.code, e.status), ("review.claimed_by_other", 409));
        let e = decide_now(&store, &clock, item.id, bob, &Decision::approve()).unwrap_err();
        assert_eq!(e.code, "review.claimed_by_other", "another's claim also guards the decision");
        assert_eq!(block_on(release(&store, &clock, item.id, bob)).unwrap_err().code, "review.claimed_by_other");
        block_on(release(&store, &clock, item.id, alice)).unwrap();
        assert_eq!(block_on(claim(&store, &clock, item.id, bob)).unwrap().claimed_by, Some(bob));
        assert_eq!(block_on(claim(&store, &clock, ReviewItemId(999), bob)).unwrap_err().code, "review.not_found");
    }

    #[test]
    fn the_first_decision_stands() {
        let (store, clock, alice, bob) = setup();
        let item = submit_one(&store, &clock, 1);
        let approved = decide_now(&store, &clock, item.id, alice, &Decision::approve()).unwrap();
        assert_eq!((approved.state, approved.decided_by, approved.claimed_by), (ReviewState::Approved, Some(alice), Some(alice)));
        assert_eq!(approved.reason, None);
        for (who, d) in [(alice, reject("changed my mind")), (bob, Decision::approve())] {
            let e = decide_now(&store, &clock, item.id, who, &d).unwrap_err();
            assert_eq!((e.code, e.status), ("review.already_decided", 409));
        }
        assert_eq!(block_on(claim(&store, &clock, item.id, bob)).unwrap_err().code, "review.already_decided");
        assert_eq!(block_on(get(&store, item.id)).unwrap().unwrap().state, ReviewState::Approved);
        assert_eq!(decide_now(&store, &clock, ReviewItemId(999), alice, &Decision::approve()).unwrap_err().code, "review.not_found");
    }

    #[test]
    fn two_racing_decisions_cannot_both_win() {
        let dir = std::env::temp_dir().join(format!("review-race-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("race.db");
        let _ = std::fs::remove_file(&path);
        let (id, reviewers) = {
            let store = NativeStore::open(&path).unwrap();
            let clock = FixedClock::at(tuesday_10h());
            block_on(migrate(&store, &clock)).unwrap();
            let mut reviewers = Vec::new();
            for n in 0..4 {
                let rows = block_on(store.execute(
                    "INSERT INTO reviewers (login_name, login_name_key, password_hash, created_at) VALUES (?1, ?1, 'x', 0) RETURNING id",
                    &[format!("r{n}").into()],
                ))
                .unwrap();
                reviewers.push(ReviewerId(rows.first().unwrap().int("id").unwrap()));
            }
            (submit_one(&store, &clock, 1).id, reviewers)
        };
        let handles: Vec<_> = reviewers
            .into_iter()
            .enumerate()
            .map(|(n, reviewer)| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let store = NativeStore::open(&path).unwrap();
                    let clock = FixedClock::at(tuesday_10h());
                    let d = if n % 2 == 0 { Decision::approve() } else { reject("no") };
                    decide_now(&store, &clock, id, reviewer, &d)
                })
            })
            .collect();
        let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
        for r in results.iter().filter_map(|r| r.as_ref().err()) {
            assert!(matches!(r.code, "review.already_decided" | "review.claimed_by_other"), "{r:?}");
        }
        let store = NativeStore::open(&path).unwrap();
        let winner = results.iter().find_map(|r| r.as_ref().ok()).unwrap();
        assert_eq!(block_on(get(&store, id)).unwrap().unwrap(), *winner);
        let n = block_on(store.execute("SELECT COUNT(*) AS n FROM audit_log WHERE action IN ('review.approved', 'review.rejected')", &[]))
            .unwrap();
        assert_eq!(n.first().unwrap().int("n").unwrap(), 1);
        drop(store);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_rejection_needs_a_reason_of_at_most_500_characters() {
        let (store, clock, alice, _) = setup();
        let item = submit_one(&store, &clock, 1);
        for blank in ["", "   "] {
            let e = decide_now(&store, &clock, item.id, alice, &reject(blank)).unwrap_err();
            assert_eq!((e.code, e.status, e.field.as_deref()), ("review.reason_required", 400, Some("reason")));
        }
        let e = decide_now(&store, &clock, item.id, alice, &reject(&"字".repeat(501))).unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), ("review.reason_too_long", Some("reason")));
        assert_eq!(block_on(get(&store, item.id)).unwrap().unwrap().state, ReviewState::Open, "nothing decided");
        let rejected = decide_now(&store, &clock, item.id, alice, &reject(&format!(" {} ", "字".repeat(500)))).unwrap();
        assert_eq!(rejected.state, ReviewState::Rejected);
        assert_eq!(rejected.reason.unwrap().chars().count(), 500, "trimmed");
    }
}
