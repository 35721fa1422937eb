//! The `uploads` table: every query on it. An upload belongs to a review
//! [`Subject`] (its owner sees it, and reviewers); it is stored with its
//! SHA-256, size, detected and declared types, and the bytes.

use super::ValidUpload;
use crate::clock::{Clock, Timestamp};
use crate::ids::UploadId;
use crate::review::Subject;
use crate::store::{Row, Store, StoreError, Value};
use serde_json::json;

/// An upload as listed: everything but the bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadInfo {
    pub id: UploadId,
    pub purpose: String,
    pub label: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: i64,
}

impl UploadInfo {
    pub fn to_json(&self) -> serde_json::Value {
        json!({
            "id": self.id,
            "purpose": self.purpose,
            "label": self.label,
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
            "created_at": self.created_at,
        })
    }

    fn from_row(row: &Row<'_>) -> Result<UploadInfo, StoreError> {
        Ok(UploadInfo {
            id: UploadId(row.int("id")?),
            purpose: row.text("purpose")?.to_owned(),
            label: row.text("label")?.to_owned(),
            content_type: row.text("content_type")?.to_owned(),
            size: row.int("size")?,
            sha256: row.text("sha256")?.to_owned(),
            created_at: row.int("created_at")?,
        })
    }
}

/// An upload with its owner and bytes, for serving.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredUpload {
    pub info: UploadInfo,
    /// The review subject it belongs to: its owner sees it, and reviewers.
    pub owner: Subject,
    pub declared_type: Option<String>,
    pub data: Vec<u8>,
}

/// Stores a validated upload for `owner`; returns its id.
pub async fn store_upload<S: Store>(store: &S, clock: &dyn Clock, owner: Subject, u: &ValidUpload) -> Result<UploadId, StoreError> {
    let now: Timestamp = clock.now();
    let rows = store
        .execute(
            "INSERT INTO uploads (owner, purpose, label, content_type, declared_type, size, sha256, data, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            &[
                owner.to_db().into(),
                u.purpose.as_str().into(),
                u.label.as_str().into(),
                u.content_type.as_str().into(),
                u.declared_type.clone().into(),
                (u.size as i64).into(),
                u.sha256.as_str().into(),
                Value::Blob(u.data.clone()),
                now.millis().into(),
            ],
        )
        .await?;
    Ok(UploadId(rows.first().ok_or_else(|| StoreError::Other("INSERT ... RETURNING id returned no row".into()))?.int("id")?))
}

/// The uploads of `owner`, oldest first, without their bytes.
pub async fn list_for<S: Store>(store: &S, owner: Subject) -> Result<Vec<UploadInfo>, StoreError> {
    let rows = store
        .execute(
            "SELECT id, purpose, label, content_type, size, sha256, created_at FROM uploads WHERE owner = ? ORDER BY id",
            &[owner.to_db().into()],
        )
        .await?;
    rows.iter().map(|r| UploadInfo::from_row(&r)).collect()
}

/// One upload with its owner and bytes; `None` when there is no such id,
/// or its bytes were deleted ([`purge_rejected`]).
pub async fn fetch<S: Store>(store: &S, id: UploadId) -> Result<Option<StoredUpload>, StoreError> {
    let rows = store
        .execute(
            "SELECT id, owner, purpose, label, content_type, declared_type, size, sha256, data, created_at FROM uploads
              WHERE id = ? AND purged_at IS NULL",
            &[id.into()],
        )
        .await?;
    let Some(row) = rows.first() else { return Ok(None) };
    let data = match row.get("data")? {
        Value::Blob(b) => b.clone(),
        other => return Err(StoreError::Other(format!("column `data` is {other:?}, not a blob"))),
    };
    Ok(Some(StoredUpload {
        info: UploadInfo::from_row(&row)?,
        owner: Subject::from_db(row.text("owner")?)?,
        declared_type: row.opt_text("declared_type")?.map(str::to_owned),
        data,
    }))
}

/// Deletes the bytes of the uploads of rejected submissions, at most
/// `limit` at a time: those whose owner (a review subject: an appeal, a
/// verification) has a review item rejected more than `retention_secs`
/// before `now`, and no item still open or approved. The row stays (type,
/// size, SHA-256, `purged_at`) for the record; the upload is no longer
/// served. Returns how many uploads.
pub async fn purge_rejected<S: Store>(store: &S, now: i64, retention_secs: i64, limit: u32) -> Result<u64, StoreError> {
    let rows = store
        .execute(
            "UPDATE uploads SET data = X'', purged_at = ?1
              WHERE id IN (SELECT u.id FROM review_items r JOIN uploads u ON u.owner = r.subject
                            WHERE r.state = 'rejected' AND r.decided_at < ?2
                              AND u.purged_at IS NULL
                              AND NOT EXISTS (SELECT 1 FROM review_items o WHERE o.subject = u.owner AND o.state <> 'rejected')
                            LIMIT ?3)
             RETURNING id",
            &[now.into(), (now - retention_secs * 1000).into(), i64::from(limit).into()],
        )
        .await?;
    Ok(rows.len() as u64)
}
