//! The appeal's kind of review ([`ReviewKindEffects`]): what the reviewer
//! sees, the queue line, and the decision's effects.

use super::not_found;
use crate::account::{self, find_by_id};
use crate::audit::{self, Actor};
use crate::auth::revoke_all_for;
use crate::error::{AppError, AppResult};
use crate::identity::Mobile;
use crate::ids::{AccountId, AppealId};
use crate::review::{Decided, ReviewKindEffects, ReviewState};
use crate::sms::{self, Purpose, Template};
use crate::store::{Database, Store, StoreError, Transaction};
use serde_json::{Value, json};
use std::collections::HashMap;

/// Legal-entity and natural-person recovery appeals.
pub struct AppealReview;

impl ReviewKindEffects for AppealReview {
    type Id = AppealId;

    /// The submitted fields (with full document numbers, to compare with
    /// the scans) and the account the appeal targets.
    async fn details<S: Store>(store: &S, appeal_id: AppealId) -> AppResult<Value> {
        let rows = store
            .execute("SELECT number, kind, account_id, new_mobile, form, created_at FROM appeals WHERE id = ?", &[appeal_id.into()])
            .await?;
        let row = rows.first().ok_or_else(not_found)?;
        let account = find_by_id(store, AccountId(row.int("account_id")?)).await?.ok_or_else(AppError::internal)?;
        Ok(json!({
            "number": row.text("number")?,
            "kind": row.text("kind")?,
            "new_mobile": row.text("new_mobile")?,
            "form": serde_json::from_str::<Value>(row.text("form")?).unwrap_or(Value::Null),
            "account": account.to_json(),
            "filed_at": row.int("created_at")?,
        }))
    }

    /// The appeal number and who it is about (organization or person).
    async fn summaries<S: Store>(store: &S, appeal_ids: &[AppealId]) -> Result<HashMap<AppealId, Value>, StoreError> {
        if appeal_ids.is_empty() {
            return Ok(HashMap::new());
        }
        let marks = vec!["?"; appeal_ids.len()].join(", ");
        let params: Vec<_> = appeal_ids.iter().map(|i| (*i).into()).collect();
        let rows = store.execute(&format!("SELECT id, number, kind, form FROM appeals WHERE id IN ({marks})"), &params).await?;
        rows.iter()
            .map(|r| {
                let form: Value = serde_json::from_str(r.text("form")?).unwrap_or(Value::Null);
                let who = form.get("org_name").or_else(|| form.get("real_name")).cloned().unwrap_or(Value::Null);
                // The console finds an item by any of these (number, organization, USCC, person).
                let summary = json!({
                    "number": r.text("number")?,
                    "kind": r.text("kind")?,
                    "name": who,
                    "uscc": form.get("uscc"),
                    "person": form.get("applicant_name").or_else(|| form.get("real_name")),
                });
                Ok((AppealId(r.int("id")?), summary))
            })
            .collect()
    }

    /// Approved: the reserved mobile becomes the new one, failed-login state
    /// is cleared, every session revoked, and an SMS brings the login name
    /// and a set-password code (24 h). Rejected: an SMS gives the reason.
    async fn apply<D: Database>(tx: &Transaction<'_, D>, decided: &Decided<'_>, appeal_id: AppealId) -> AppResult<()> {
        let clock = decided.clock;
        let reviewer = Actor::Reviewer(decided.item.decided_by.ok_or_else(AppError::internal)?);
        let rows = tx.execute("SELECT number, account_id, new_mobile FROM appeals WHERE id = ?", &[appeal_id.into()]).await?;
        let row = rows.first().ok_or_else(not_found)?;
        let number = row.text("number")?.to_owned();
        let account_id = AccountId(row.int("account_id")?);
        let mobile =
            Mobile::parse(row.text("new_mobile")?).map_err(|_| StoreError::Other("appeals.new_mobile does not parse".into()))?;
        let subject = appeal_id.audit_subject();
        if decided.item.state != ReviewState::Approved {
            let reason = decided.item.reason.as_deref();
            sms::enqueue(tx, clock, &mobile, Template::AppealRejected, json!({ "appeal_number": number, "reason": reason.unwrap_or("") }))
                .await?;
            audit::record(tx, clock, &reviewer, "appeal.rejected", Some(&subject), json!({ "reason": reason })).await?;
            return Ok(());
        }
        let account = find_by_id(tx, account_id).await?.ok_or_else(AppError::internal)?;
        account::replace_mobile(tx, account_id, &mobile).await?;
        let revoked = revoke_all_for(tx, clock, account_id).await?;
        let code = sms::issue_system_code(tx, clock, decided.random, Purpose::SetPassword, &mobile).await?;
        sms::enqueue(
            tx,
            clock,
            &mobile,
            Template::AppealApproved,
            json!({ "appeal_number": number, "login_name": account.login_name, "code": code.code }),
        )
        .await?;
        audit::record(
            tx,
            clock,
            &reviewer,
            "appeal.approved",
            Some(&subject),
            json!({ "account": account_id, "sessions_revoked": revoked, "reserved_mobile_replaced": true }),
        )
        .await?;
        Ok(())
    }
}
