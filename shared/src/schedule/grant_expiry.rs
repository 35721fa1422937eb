//! Job 4, grant-expiry notices: a grant that expires within
//! [`NOTICE_WINDOW_SECS`] (7 days) and has not expired yet gets one notice
//! per expiry date: an SMS to the person's reserved mobile (template
//! `grant_expiring`: the organization, the roles, the last day in force;
//! a person without one gets no SMS, but the notice still counts) and the
//! notice the organization's grant management page shows
//! (`grants.expiry_noticed_at`, audited `grants.expiry_noticed`). Claimed
//! by a guarded update in the same transaction
//! ([`grants::mark_expiry_noticed`]: still that expiry, not yet noticed),
//! so two overlapping ticks notice a grant once; a changed expiry clears
//! the mark ([`grants::update`]) and is noticed again.

use crate::account;
use crate::audit::{self, Actor};
use crate::clock::Clock;
use crate::grants::{self, Grant, dates};
use crate::sms::{self, Template};
use crate::store::{Database, StoreError, in_transaction};
use serde::Serialize;
use serde_json::json;

/// A grant is noticed when it expires at most this long from now.
pub const NOTICE_WINDOW_SECS: i64 = 7 * 86_400;
/// At most this many grants noticed per tick.
pub const GRANT_EXPIRY_BATCH: u32 = 50;

/// What a grant-expiry run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Grants noticed (with or without an SMS).
    pub grants: u64,
    /// SMS queued to the persons.
    pub sms_queued: u64,
    /// Noticed without an SMS: the person has no reserved mobile.
    pub no_mobile: u64,
    /// The batch was full: more may be waiting for the next tick.
    pub more: bool,
}

pub async fn run<D: Database>(db: &D, clock: &dyn Clock) -> Result<Report, StoreError> {
    let now = clock.now();
    let until = now.plus_seconds(NOTICE_WINDOW_SECS);
    let soon = grants::expiring_between(db, now, until, GRANT_EXPIRY_BATCH).await?;
    let mut report = Report { more: soon.len() as u32 == GRANT_EXPIRY_BATCH, ..Report::default() };
    for grant in &soon {
        match notice(db, clock, grant).await? {
            Some(true) => {
                report.grants += 1;
                report.sms_queued += 1;
            }
            Some(false) => {
                report.grants += 1;
                report.no_mobile += 1;
            }
            None => {}
        }
    }
    Ok(report)
}

/// Claims the grant's notice and queues the SMS, in one transaction.
/// `Some(whether an SMS was queued)`; `None`: another tick noticed it
/// first, or it changed or was revoked meanwhile.
async fn notice<D: Database>(db: &D, clock: &dyn Clock, grant: &Grant) -> Result<Option<bool>, StoreError> {
    let Some(expires_at) = grant.expires_at else { return Ok(None) };
    let organization = account::find_by_id(db, grant.organization_id).await?;
    let person = account::find_by_id(db, grant.person_id).await?;
    let org_name = organization.as_ref().and_then(|o| o.organization.as_ref()).map(|o| o.name.as_str().to_owned()).unwrap_or_default();
    let roles = grant.roles.iter().map(|r| r.label().0).collect::<Vec<_>>().join("、");
    let last_day = dates::last_day(Some(expires_at)).map(|d| d.to_string()).unwrap_or_default();
    let mobile = person.and_then(|p| p.reserved_mobile);
    in_transaction(db, async |tx| {
        if !grants::mark_expiry_noticed(tx, grant.id, expires_at, clock.now()).await? {
            return Ok(None);
        }
        if let Some(mobile) = &mobile {
            let params = json!({ "organization": org_name, "roles": roles, "last_day": last_day });
            sms::enqueue(tx, clock, mobile, Template::GrantExpiring, params).await?;
        }
        let detail = json!({
            "organization": grant.organization_id,
            "person": grant.person_id,
            "roles": grant.roles.iter().map(|r| r.code()).collect::<Vec<_>>(),
            "last_day": last_day,
            "sms": mobile.is_some(),
        });
        audit::record(tx, clock, &Actor::System, "grants.expiry_noticed", Some(&grant.id.audit_subject()), detail).await?;
        Ok(Some(mobile.is_some()))
    })
    .await
}
