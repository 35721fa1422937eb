//! Every query on `onboardings`, `legacy_records` and
//! `legacy_data_requests`. Rows are read into typed values; state changes
//! are guarded in SQL (`WHERE state = 'under_review'`), so two racing
//! decisions cannot both apply.

use super::Entry;
use super::legacy::{RecordKind, RecordStatus};
use crate::clock::Timestamp;
use crate::ids::{AccountId, LegacyDataRequestId, LegacyRecordId, OnboardingId, ReviewItemId};
use crate::store::{Database, Row, Rows, Store, StoreError, Transaction, Value};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A form's fields by name (normalized), as stored.
pub type Fields = BTreeMap<String, String>;

fn corrupt(table: &str, what: &str) -> StoreError {
    StoreError::Other(format!("{table}: {what} does not parse"))
}

fn marks(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// The rows of `select` (`SELECT ... FROM t`) whose `column` is one of
/// `values`, then `order`; none for no values.
async fn where_in<S: Store, T>(
    store: &S,
    select: &str,
    column: &str,
    values: Vec<Value>,
    order: &str,
    parse: fn(&Rows) -> Result<Vec<T>, StoreError>,
) -> Result<Vec<T>, StoreError> {
    if values.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!("{select} WHERE {column} IN ({}) {order}", marks(values.len()));
    parse(&store.execute(&sql, &values).await?)
}

fn values<I: Copy + Into<Value>>(ids: &[I]) -> Vec<Value> {
    ids.iter().map(|i| (*i).into()).collect()
}

/// Where a reviewed submission (a first entry, a legacy-data request) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reviewed {
    UnderReview,
    Approved,
    Rejected,
}

impl Reviewed {
    pub fn code(self) -> &'static str {
        match self {
            Reviewed::UnderReview => "under_review",
            Reviewed::Approved => "approved",
            Reviewed::Rejected => "rejected",
        }
    }

    fn from_db(s: &str) -> Option<Reviewed> {
        [Reviewed::UnderReview, Reviewed::Approved, Reviewed::Rejected].into_iter().find(|r| r.code() == s)
    }

    /// (zh, en)
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Reviewed::UnderReview => ("审核中", "under review"),
            Reviewed::Approved => ("已通过", "approved"),
            Reviewed::Rejected => ("未通过", "rejected"),
        }
    }
}

/// What every reviewed submission has: where it is, its review item, the
/// reviewer's reason (a rejection's), when it was made and decided.
#[derive(Debug, Clone, PartialEq)]
pub struct Reviewal {
    pub state: Reviewed,
    pub review_item_id: Option<ReviewItemId>,
    pub reason: Option<String>,
    pub created_at: Timestamp,
    pub decided_at: Option<Timestamp>,
}

impl Reviewal {
    fn from_row(r: Row<'_>, table: &str) -> Result<Reviewal, StoreError> {
        Ok(Reviewal {
            state: Reviewed::from_db(r.text("state")?).ok_or_else(|| corrupt(table, "state"))?,
            review_item_id: r.opt_int("review_item_id")?.map(ReviewItemId),
            reason: r.opt_text("reason")?.map(str::to_owned),
            created_at: Timestamp(r.int("created_at")?),
            decided_at: r.opt_int("decided_at")?.map(Timestamp),
        })
    }
}

// ------------------------------------------------------------ onboardings

/// One first-entry submission.
#[derive(Debug, Clone, PartialEq)]
pub struct Onboarding {
    pub id: OnboardingId,
    pub entry: Entry,
    pub account_id: AccountId,
    pub form: Fields,
    pub link_key: Option<String>,
    pub review: Reviewal,
}

const ONBOARDING_COLUMNS: &str = "id, entry, account_id, form, link_key, state, review_item_id, reason, created_at, decided_at";

fn onboarding_from(r: Row<'_>) -> Result<Onboarding, StoreError> {
    Ok(Onboarding {
        id: OnboardingId(r.int("id")?),
        entry: Entry::from_db(r.text("entry")?)?,
        account_id: AccountId(r.int("account_id")?),
        form: serde_json::from_str(r.text("form")?).map_err(|_| corrupt("onboardings", "form"))?,
        link_key: r.opt_text("link_key")?.map(str::to_owned),
        review: Reviewal::from_row(r, "onboardings")?,
    })
}

fn onboardings(rows: &Rows) -> Result<Vec<Onboarding>, StoreError> {
    rows.iter().map(onboarding_from).collect()
}

fn to_json_text<T: Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Other(format!("to JSON: {e}")))
}

/// A new submission, under review. A second one while one waits is a
/// unique violation on `onboardings.account_id, onboardings.entry`.
pub async fn insert_onboarding<D: Database>(
    tx: &Transaction<'_, D>,
    entry: Entry,
    account: AccountId,
    form: &Fields,
    now: Timestamp,
) -> Result<OnboardingId, StoreError> {
    let rows = tx
        .execute(
            "INSERT INTO onboardings (entry, account_id, form, state, created_at) VALUES (?, ?, ?, 'under_review', ?) RETURNING id",
            &[entry.code().into(), account.into(), to_json_text(form)?.into(), now.millis().into()],
        )
        .await?;
    Ok(OnboardingId(rows.first().ok_or_else(|| StoreError::Other("INSERT returned no id".into()))?.int("id")?))
}

pub async fn set_onboarding_item<D: Database>(tx: &Transaction<'_, D>, id: OnboardingId, item: ReviewItemId) -> Result<(), StoreError> {
    tx.execute("UPDATE onboardings SET review_item_id = ? WHERE id = ?", &[item.into(), id.into()]).await.map(drop)
}

/// The account's newest submission at the entry.
pub async fn current_onboarding<S: Store>(store: &S, account: AccountId, entry: Entry) -> Result<Option<Onboarding>, StoreError> {
    let rows = store
        .execute(
            &format!("SELECT {ONBOARDING_COLUMNS} FROM onboardings WHERE account_id = ? AND entry = ? ORDER BY id DESC LIMIT 1"),
            &[account.into(), entry.code().into()],
        )
        .await?;
    Ok(onboardings(&rows)?.into_iter().next())
}

/// Whether the account's first entry at `entry` was approved.
pub async fn onboarded<S: Store>(store: &S, account: AccountId, entry: Entry) -> Result<bool, StoreError> {
    let rows = store
        .execute(
            "SELECT EXISTS (SELECT 1 FROM onboardings WHERE account_id = ? AND entry = ? AND state = 'approved') AS e",
            &[account.into(), entry.code().into()],
        )
        .await?;
    Ok(rows.first().map(|r| r.int("e")).transpose()?.unwrap_or(0) != 0)
}

pub async fn get_onboarding<S: Store>(store: &S, id: OnboardingId) -> Result<Option<Onboarding>, StoreError> {
    let rows = store.execute(&format!("SELECT {ONBOARDING_COLUMNS} FROM onboardings WHERE id = ?"), &[id.into()]).await?;
    Ok(onboardings(&rows)?.into_iter().next())
}

pub async fn get_onboardings<S: Store>(store: &S, ids: &[OnboardingId]) -> Result<Vec<Onboarding>, StoreError> {
    where_in(store, &format!("SELECT {ONBOARDING_COLUMNS} FROM onboardings"), "id", values(ids), "", onboardings).await
}

/// Decides a waiting submission: `false` when it was not waiting.
pub async fn decide_onboarding<D: Database>(
    tx: &Transaction<'_, D>,
    id: OnboardingId,
    state: Reviewed,
    reason: Option<&str>,
    link_key: Option<&str>,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let rows = tx
        .execute(
            "UPDATE onboardings SET state = ?, reason = ?, link_key = ?, decided_at = ? WHERE id = ? AND state = 'under_review' RETURNING id",
            &[state.code().into(), reason.map(str::to_owned).into(), link_key.map(str::to_owned).into(), now.millis().into(), id.into()],
        )
        .await?;
    Ok(!rows.is_empty())
}

/// The onboarded owner whose link key (verified USCC or document) is `key`.
pub async fn onboarded_owner<S: Store>(store: &S, entry: Entry, key: &str) -> Result<Option<AccountId>, StoreError> {
    let rows = store
        .execute(
            "SELECT account_id FROM onboardings WHERE entry = ? AND link_key = ? AND state = 'approved' ORDER BY id LIMIT 1",
            &[entry.code().into(), key.into()],
        )
        .await?;
    rows.first().map(|r| r.int("account_id").map(AccountId)).transpose()
}

// --------------------------------------------------------- legacy records

/// A business record of the old system.
#[derive(Debug, Clone, PartialEq)]
pub struct LegacyRecord {
    pub id: LegacyRecordId,
    pub record_number: String,
    pub entry: Entry,
    pub kind: RecordKind,
    pub status: RecordStatus,
    pub submitted_on: String,
    pub decided_on: Option<String>,
    pub foreigner_name: String,
    pub foreigner_nationality: Option<String>,
    pub foreigner_document_type: String,
    pub foreigner_document_number: String,
    pub old_login_name: Option<String>,
    pub old_org_name: Option<String>,
    pub old_uscc: Option<String>,
    pub old_document_type: Option<String>,
    pub old_document_number: Option<String>,
    /// The account whose business home shows it, once linked.
    pub owner: Option<AccountId>,
    pub linked_at: Option<Timestamp>,
    /// `system` or `reviewer:<id>`.
    pub linked_by: Option<String>,
    /// `onboarding`, `import` or `request:<id>`.
    pub link_basis: Option<String>,
    pub imported_at: Timestamp,
}

const RECORD_COLUMNS: &str = "id, record_number, entry, kind, status, submitted_on, decided_on, foreigner_name, foreigner_nationality, \
    foreigner_document_type, foreigner_document_number, old_login_name, old_org_name, old_uscc, old_document_type, old_document_number, \
    owner_account_id, linked_at, linked_by, link_basis, imported_at";

fn record_from(r: Row<'_>) -> Result<LegacyRecord, StoreError> {
    let text = |c: &str| r.opt_text(c).map(|v| v.map(str::to_owned));
    Ok(LegacyRecord {
        id: LegacyRecordId(r.int("id")?),
        record_number: r.text("record_number")?.to_owned(),
        entry: Entry::from_db(r.text("entry")?)?,
        kind: RecordKind::parse(r.text("kind")?).ok_or_else(|| corrupt("legacy_records", "kind"))?,
        status: RecordStatus::parse(r.text("status")?).ok_or_else(|| corrupt("legacy_records", "status"))?,
        submitted_on: r.text("submitted_on")?.to_owned(),
        decided_on: text("decided_on")?,
        foreigner_name: r.text("foreigner_name")?.to_owned(),
        foreigner_nationality: text("foreigner_nationality")?,
        foreigner_document_type: r.text("foreigner_document_type")?.to_owned(),
        foreigner_document_number: r.text("foreigner_document_number")?.to_owned(),
        old_login_name: text("old_login_name")?,
        old_org_name: text("old_org_name")?,
        old_uscc: text("old_uscc")?,
        old_document_type: text("old_document_type")?,
        old_document_number: text("old_document_number")?,
        owner: r.opt_int("owner_account_id")?.map(AccountId),
        linked_at: r.opt_int("linked_at")?.map(Timestamp),
        linked_by: text("linked_by")?,
        link_basis: text("link_basis")?,
        imported_at: Timestamp(r.int("imported_at")?),
    })
}

fn records(rows: &Rows) -> Result<Vec<LegacyRecord>, StoreError> {
    rows.iter().map(record_from).collect()
}

/// What a record is imported with (already parsed and normalized).
#[derive(Debug, Clone)]
pub struct NewRecord {
    pub record_number: String,
    pub entry: Entry,
    pub kind: RecordKind,
    pub status: RecordStatus,
    pub submitted_on: String,
    pub decided_on: Option<String>,
    pub foreigner_name: String,
    pub foreigner_nationality: Option<String>,
    pub foreigner_document_type: String,
    pub foreigner_document_number: String,
    pub old_login_name: Option<String>,
    pub old_login_key: Option<String>,
    pub old_org_name: Option<String>,
    pub old_org_name_key: Option<String>,
    pub old_uscc: Option<String>,
    pub old_document_type: Option<String>,
    pub old_document_number: Option<String>,
    pub link_key: Option<String>,
}

/// Inserts a record, not linked. A number already imported is a unique
/// violation on `legacy_records.record_number`.
pub async fn insert_record<D: Database>(tx: &Transaction<'_, D>, r: &NewRecord, now: Timestamp) -> Result<LegacyRecordId, StoreError> {
    let rows = tx
        .execute(
            "INSERT INTO legacy_records (record_number, entry, kind, status, submitted_on, decided_on, foreigner_name, foreigner_nationality,
                 foreigner_document_type, foreigner_document_number, old_login_name, old_login_key, old_org_name, old_org_name_key, old_uscc,
                 old_document_type, old_document_number, link_key, imported_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            &[
                r.record_number.as_str().into(),
                r.entry.code().into(),
                r.kind.code().into(),
                r.status.code().into(),
                r.submitted_on.as_str().into(),
                r.decided_on.clone().into(),
                r.foreigner_name.as_str().into(),
                r.foreigner_nationality.clone().into(),
                r.foreigner_document_type.as_str().into(),
                r.foreigner_document_number.as_str().into(),
                r.old_login_name.clone().into(),
                r.old_login_key.clone().into(),
                r.old_org_name.clone().into(),
                r.old_org_name_key.clone().into(),
                r.old_uscc.clone().into(),
                r.old_document_type.clone().into(),
                r.old_document_number.clone().into(),
                r.link_key.clone().into(),
                now.millis().into(),
            ],
        )
        .await?;
    Ok(LegacyRecordId(rows.first().ok_or_else(|| StoreError::Other("INSERT returned no id".into()))?.int("id")?))
}

/// The records with these numbers (any entry), by number.
pub async fn records_by_numbers<S: Store>(store: &S, numbers: &[String]) -> Result<Vec<LegacyRecord>, StoreError> {
    let numbers = numbers.iter().map(|n| n.as_str().into()).collect();
    where_in(store, &format!("SELECT {RECORD_COLUMNS} FROM legacy_records"), "record_number", numbers, "ORDER BY record_number", records).await
}

/// An owner's records at an entry, the newest first.
pub async fn records_of<S: Store>(store: &S, owner: AccountId, entry: Entry) -> Result<Vec<LegacyRecord>, StoreError> {
    let sql = format!(
        "SELECT {RECORD_COLUMNS} FROM legacy_records WHERE owner_account_id = ? AND entry = ? ORDER BY submitted_on DESC, record_number"
    );
    records(&store.execute(&sql, &[owner.into(), entry.code().into()]).await?)
}

/// The records of an entry with this link key (linked or not).
pub async fn records_with_key<S: Store>(store: &S, entry: Entry, key: &str) -> Result<Vec<LegacyRecord>, StoreError> {
    let sql = format!("SELECT {RECORD_COLUMNS} FROM legacy_records WHERE entry = ? AND link_key = ? ORDER BY record_number");
    records(&store.execute(&sql, &[entry.code().into(), key.into()]).await?)
}

/// Links every record of the entry with this key that is linked to nobody
/// yet (a record linked to another owner stays where it is); returns the
/// linked records' ids and numbers.
pub async fn link_unlinked_by_key<D: Database>(
    tx: &Transaction<'_, D>,
    entry: Entry,
    key: &str,
    owner: AccountId,
    basis: &str,
    now: Timestamp,
) -> Result<Vec<(LegacyRecordId, String)>, StoreError> {
    let rows = tx
        .execute(
            "UPDATE legacy_records SET owner_account_id = ?, linked_at = ?, linked_by = 'system', link_basis = ?
              WHERE entry = ? AND link_key = ? AND owner_account_id IS NULL
             RETURNING id, record_number",
            &[owner.into(), now.millis().into(), basis.into(), entry.code().into(), key.into()],
        )
        .await?;
    let mut linked: Vec<_> =
        rows.iter().map(|r| Ok((LegacyRecordId(r.int("id")?), r.text("record_number")?.to_owned()))).collect::<Result<_, StoreError>>()?;
    linked.sort();
    Ok(linked)
}

/// Links one record to `owner`, whoever held it (a reviewer confirmed it).
pub async fn link_record<D: Database>(
    tx: &Transaction<'_, D>,
    id: LegacyRecordId,
    owner: AccountId,
    linked_by: &str,
    basis: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE legacy_records SET owner_account_id = ?, linked_at = ?, linked_by = ?, link_basis = ? WHERE id = ?",
        &[owner.into(), now.millis().into(), linked_by.into(), basis.into(), id.into()],
    )
    .await
    .map(drop)
}

/// What a legacy-data request says it knows, as the candidates' search
/// uses it (keys folded as stored).
#[derive(Debug, Clone, Default)]
pub struct Search {
    pub record_numbers: Vec<String>,
    pub old_login_key: Option<String>,
    pub old_org_name_key: Option<String>,
    pub old_uscc: Option<String>,
    pub old_document_number: Option<String>,
}

/// The records of an entry that match any of what is known, except the
/// ones `owner` holds already; at most `limit`, by number.
pub async fn search<S: Store>(store: &S, entry: Entry, owner: AccountId, s: &Search, limit: i64) -> Result<Vec<LegacyRecord>, StoreError> {
    let mut conditions = Vec::new();
    let mut params: Vec<Value> = vec![entry.code().into(), owner.into()];
    if !s.record_numbers.is_empty() {
        conditions.push(format!("record_number IN ({})", marks(s.record_numbers.len())));
        params.extend(s.record_numbers.iter().map(|n| n.as_str().into()));
    }
    for (column, value) in [
        ("old_login_key", &s.old_login_key),
        ("old_org_name_key", &s.old_org_name_key),
        ("old_uscc", &s.old_uscc),
        ("old_document_number", &s.old_document_number),
    ] {
        if let Some(v) = value {
            conditions.push(format!("{column} = ?"));
            params.push(v.as_str().into());
        }
    }
    if conditions.is_empty() {
        return Ok(Vec::new());
    }
    params.push(limit.into());
    let sql = format!(
        "SELECT {RECORD_COLUMNS} FROM legacy_records
          WHERE entry = ? AND owner_account_id IS NOT ? AND ({}) ORDER BY record_number LIMIT ?",
        conditions.join(" OR ")
    );
    records(&store.execute(&sql, &params).await?)
}

// --------------------------------------------------- legacy-data requests

/// What a legacy-data request says it knows of the old owner.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_login_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_org_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_uscc: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_document_number: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub record_numbers: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LegacyDataRequest {
    pub id: LegacyDataRequestId,
    pub entry: Entry,
    /// Whose business home the records go to.
    pub owner: AccountId,
    pub filed_by: AccountId,
    pub claims: Claims,
    /// The record numbers linked at approval.
    pub linked: Vec<String>,
    pub review: Reviewal,
}

const REQUEST_COLUMNS: &str = "id, entry, owner_account_id, filed_by, claims, linked, state, review_item_id, reason, created_at, decided_at";

fn request_from(r: Row<'_>) -> Result<LegacyDataRequest, StoreError> {
    Ok(LegacyDataRequest {
        id: LegacyDataRequestId(r.int("id")?),
        entry: Entry::from_db(r.text("entry")?)?,
        owner: AccountId(r.int("owner_account_id")?),
        filed_by: AccountId(r.int("filed_by")?),
        claims: serde_json::from_str(r.text("claims")?).map_err(|_| corrupt("legacy_data_requests", "claims"))?,
        linked: serde_json::from_str(r.text("linked")?).map_err(|_| corrupt("legacy_data_requests", "linked"))?,
        review: Reviewal::from_row(r, "legacy_data_requests")?,
    })
}

fn requests(rows: &Rows) -> Result<Vec<LegacyDataRequest>, StoreError> {
    rows.iter().map(request_from).collect()
}

/// A new request, under review. A second one for the same owner and entry
/// while one waits is a unique violation on
/// `legacy_data_requests.owner_account_id, legacy_data_requests.entry`.
pub async fn insert_request<D: Database>(
    tx: &Transaction<'_, D>,
    entry: Entry,
    owner: AccountId,
    filed_by: AccountId,
    claims: &Claims,
    now: Timestamp,
) -> Result<LegacyDataRequestId, StoreError> {
    let rows = tx
        .execute(
            "INSERT INTO legacy_data_requests (entry, owner_account_id, filed_by, claims, state, created_at)
             VALUES (?, ?, ?, ?, 'under_review', ?) RETURNING id",
            &[entry.code().into(), owner.into(), filed_by.into(), to_json_text(claims)?.into(), now.millis().into()],
        )
        .await?;
    Ok(LegacyDataRequestId(rows.first().ok_or_else(|| StoreError::Other("INSERT returned no id".into()))?.int("id")?))
}

pub async fn set_request_item<D: Database>(tx: &Transaction<'_, D>, id: LegacyDataRequestId, item: ReviewItemId) -> Result<(), StoreError> {
    tx.execute("UPDATE legacy_data_requests SET review_item_id = ? WHERE id = ?", &[item.into(), id.into()]).await.map(drop)
}

pub async fn get_request<S: Store>(store: &S, id: LegacyDataRequestId) -> Result<Option<LegacyDataRequest>, StoreError> {
    let rows = store.execute(&format!("SELECT {REQUEST_COLUMNS} FROM legacy_data_requests WHERE id = ?"), &[id.into()]).await?;
    Ok(requests(&rows)?.into_iter().next())
}

pub async fn get_requests<S: Store>(store: &S, ids: &[LegacyDataRequestId]) -> Result<Vec<LegacyDataRequest>, StoreError> {
    where_in(store, &format!("SELECT {REQUEST_COLUMNS} FROM legacy_data_requests"), "id", values(ids), "", requests).await
}

/// An owner's requests at an entry, the newest first, at most `limit`.
pub async fn requests_of<S: Store>(store: &S, owner: AccountId, entry: Entry, limit: i64) -> Result<Vec<LegacyDataRequest>, StoreError> {
    let sql =
        format!("SELECT {REQUEST_COLUMNS} FROM legacy_data_requests WHERE owner_account_id = ? AND entry = ? ORDER BY id DESC LIMIT ?");
    requests(&store.execute(&sql, &[owner.into(), entry.code().into(), limit.into()]).await?)
}

/// Decides a waiting request: `false` when it was not waiting.
pub async fn decide_request<D: Database>(
    tx: &Transaction<'_, D>,
    id: LegacyDataRequestId,
    state: Reviewed,
    reason: Option<&str>,
    linked: &[String],
    now: Timestamp,
) -> Result<bool, StoreError> {
    let rows = tx
        .execute(
            "UPDATE legacy_data_requests SET state = ?, reason = ?, linked = ?, decided_at = ? WHERE id = ? AND state = 'under_review' RETURNING id",
            &[state.code().into(), reason.map(str::to_owned).into(), to_json_text(&linked)?.into(), now.millis().into(), id.into()],
        )
        .await?;
    Ok(!rows.is_empty())
}
