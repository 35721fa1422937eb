//! Every query on `verifications` and `verification_history`.
//!
//! A part's current verification is its newest row; the identity in force
//! is its newest `passed` row. Rows are never deleted: a new claim is a new
//! row, so the history of a part is its rows and their transitions.

use super::parts::{Fields, Part};
use super::state::{Outcome, State};
use crate::audit::Actor;
use crate::clock::Timestamp;
use crate::ids::{AccountId, ReviewItemId, VerificationId};
use crate::store::{Database, Row, Store, StoreError, Transaction};

/// One verification of a part.
#[derive(Debug, Clone, PartialEq)]
pub struct Verification {
    pub id: VerificationId,
    pub account_id: AccountId,
    pub part: Part,
    pub claim: Fields,
    pub state: State,
    /// `person_2`, `person_3`, `enterprise_3`, `builtin`, `offline` or
    /// `in_force` (how its state was reached at save).
    pub check_kind: String,
    /// The save's outcome (how the automatic check went), kept as it was.
    pub check_result: Outcome,
    /// What happened last.
    pub result: Outcome,
    pub review_item_id: Option<ReviewItemId>,
    pub reason: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// One transition of a part.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    pub verification_id: VerificationId,
    pub at: Timestamp,
    /// `account:<id>`, `reviewer:<id>` or `system`.
    pub actor: String,
    pub state: State,
    pub result: Outcome,
}

const COLUMNS: &str =
    "id, account_id, part, claim, state, check_kind, check_result, result, review_item_id, reason, created_at, updated_at";

fn corrupt(what: &str) -> StoreError {
    StoreError::Other(format!("verifications: {what} does not parse"))
}

fn from_row(r: Row<'_>) -> Result<Verification, StoreError> {
    let claim: Fields = serde_json::from_str(r.text("claim")?).map_err(|_| corrupt("claim"))?;
    Ok(Verification {
        id: VerificationId(r.int("id")?),
        account_id: AccountId(r.int("account_id")?),
        part: Part::parse(r.text("part")?).ok_or_else(|| corrupt("part"))?,
        claim,
        state: State::parse(r.text("state")?).ok_or_else(|| corrupt("state"))?,
        check_kind: r.text("check_kind")?.to_owned(),
        check_result: Outcome::parse(r.text("check_result")?).ok_or_else(|| corrupt("check_result"))?,
        result: Outcome::parse(r.text("result")?).ok_or_else(|| corrupt("result"))?,
        review_item_id: r.opt_int("review_item_id")?.map(ReviewItemId),
        reason: r.opt_text("reason")?.map(str::to_owned),
        created_at: Timestamp(r.int("created_at")?),
        updated_at: Timestamp(r.int("updated_at")?),
    })
}

fn first(rows: &crate::store::Rows) -> Result<Option<Verification>, StoreError> {
    rows.first().map(from_row).transpose()
}

/// The part's newest verification.
pub async fn current<S: Store>(store: &S, account: AccountId, part: Part) -> Result<Option<Verification>, StoreError> {
    let rows = store
        .execute(
            &format!("SELECT {COLUMNS} FROM verifications WHERE account_id = ? AND part = ? ORDER BY id DESC LIMIT 1"),
            &[account.into(), part.code().into()],
        )
        .await?;
    first(&rows)
}

/// The part's newest passed verification: the identity in force.
pub async fn in_force<S: Store>(store: &S, account: AccountId, part: Part) -> Result<Option<Verification>, StoreError> {
    let rows = store
        .execute(
            &format!(
                "SELECT {COLUMNS} FROM verifications WHERE account_id = ? AND part = ? AND state = 'passed' ORDER BY id DESC LIMIT 1"
            ),
            &[account.into(), part.code().into()],
        )
        .await?;
    first(&rows)
}

pub async fn get<S: Store>(store: &S, id: VerificationId) -> Result<Option<Verification>, StoreError> {
    let rows = store.execute(&format!("SELECT {COLUMNS} FROM verifications WHERE id = ?"), &[id.into()]).await?;
    first(&rows)
}

/// Several verifications at once (the review queue's lines).
pub async fn get_many<S: Store>(store: &S, ids: &[VerificationId]) -> Result<Vec<Verification>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; ids.len()].join(", ");
    let params: Vec<_> = ids.iter().map(|i| (*i).into()).collect();
    let rows = store.execute(&format!("SELECT {COLUMNS} FROM verifications WHERE id IN ({marks})"), &params).await?;
    rows.iter().map(from_row).collect()
}

/// What a new verification is created with.
#[derive(Debug, Clone)]
pub struct NewVerification<'a> {
    pub account_id: AccountId,
    pub part: Part,
    pub claim: &'a Fields,
    pub state: State,
    pub check_kind: &'a str,
    /// The save's outcome: the first `result` too.
    pub check_result: Outcome,
}

pub async fn insert<D: Database>(tx: &Transaction<'_, D>, new: &NewVerification<'_>, now: Timestamp) -> Result<VerificationId, StoreError> {
    let claim = serde_json::to_string(new.claim).map_err(|e| StoreError::Other(format!("claim: {e}")))?;
    let rows = tx
        .execute(
            "INSERT INTO verifications (account_id, part, claim, state, check_kind, check_result, result, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            &[
                new.account_id.into(),
                new.part.code().into(),
                claim.into(),
                new.state.code().into(),
                new.check_kind.into(),
                new.check_result.code().into(),
                new.check_result.code().into(),
                now.millis().into(),
                now.millis().into(),
            ],
        )
        .await?;
    Ok(VerificationId(rows.first().ok_or_else(|| StoreError::Other("INSERT returned no id".into()))?.int("id")?))
}

/// Moves a verification from one of `from` to `to`, guarded in SQL: `false`
/// when it was in none of them (someone else moved it first).
#[allow(clippy::too_many_arguments)]
pub async fn move_state<D: Database>(
    tx: &Transaction<'_, D>,
    id: VerificationId,
    from: &[State],
    to: State,
    result: Outcome,
    review_item: Option<ReviewItemId>,
    reason: Option<&str>,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let marks = vec!["?"; from.len()].join(", ");
    let mut params = vec![
        to.code().into(),
        result.code().into(),
        review_item.into(),
        reason.map(str::to_owned).into(),
        now.millis().into(),
        id.into(),
    ];
    params.extend(from.iter().map(|s| s.code().into()));
    let rows = tx
        .execute(
            &format!(
                "UPDATE verifications SET state = ?, result = ?, review_item_id = COALESCE(?, review_item_id), reason = ?, updated_at = ?
                  WHERE id = ? AND state IN ({marks}) RETURNING id"
            ),
            &params,
        )
        .await?;
    Ok(!rows.is_empty())
}

/// New details (only fields outside the identity changed): the claim and
/// its last result (`details_updated`); the state stays.
pub async fn update_details<D: Database>(tx: &Transaction<'_, D>, id: VerificationId, claim: &Fields, now: Timestamp) -> Result<(), StoreError> {
    let claim = serde_json::to_string(claim).map_err(|e| StoreError::Other(format!("claim: {e}")))?;
    tx.execute(
        "UPDATE verifications SET claim = ?, result = ?, updated_at = ? WHERE id = ?",
        &[claim.into(), Outcome::DetailsUpdated.code().into(), now.millis().into(), id.into()],
    )
    .await
    .map(drop)
}

/// Records a transition in the part's history.
pub async fn record<D: Database>(
    tx: &Transaction<'_, D>,
    v: (VerificationId, AccountId, Part),
    actor: &Actor,
    state: State,
    result: Outcome,
    now: Timestamp,
) -> Result<(), StoreError> {
    let (id, account, part) = v;
    let actor = match actor {
        Actor::Account(a) => a.audit_subject(),
        Actor::Reviewer(r) => r.audit_subject(),
        Actor::Client(_) | Actor::System => "system".to_owned(),
    };
    tx.execute(
        "INSERT INTO verification_history (verification_id, account_id, part, at, actor, state, result) VALUES (?, ?, ?, ?, ?, ?, ?)",
        &[id.into(), account.into(), part.code().into(), now.millis().into(), actor.into(), state.code().into(), result.code().into()],
    )
    .await
    .map(drop)
}

/// A part's history, newest first, at most `limit` entries.
pub async fn history<S: Store>(store: &S, account: AccountId, part: Part, limit: i64) -> Result<Vec<HistoryEntry>, StoreError> {
    let rows = store
        .execute(
            "SELECT verification_id, at, actor, state, result FROM verification_history
              WHERE account_id = ? AND part = ? ORDER BY id DESC LIMIT ?",
            &[account.into(), part.code().into(), limit.into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(HistoryEntry {
                verification_id: VerificationId(r.int("verification_id")?),
                at: Timestamp(r.int("at")?),
                actor: r.text("actor")?.to_owned(),
                state: State::parse(r.text("state")?).ok_or_else(|| corrupt("history state"))?,
                result: Outcome::parse(r.text("result")?).ok_or_else(|| corrupt("history result"))?,
            })
        })
        .collect()
}
