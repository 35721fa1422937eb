//! The service items (服务事项, FAQ 5): the foreign-work system with its two
//! entries, who may use each and what each needs, so "where is the entry"
//! is answered in one look. Public: no session needed.

use super::Entry;
use crate::grants::roles;
use serde_json::{Value, json};

/// (zh, en) of the foreign-work system.
pub const SYSTEM_LABEL: (&str, &str) = ("外国人来华工作管理服务系统", "Foreign Work Management Service System");

/// One entry as the service items list it.
pub fn entry_json(entry: Entry) -> Value {
    let ((label_zh, label_en), (who_zh, who_en), (needs_zh, needs_en)) = (entry.label(), entry.who(), entry.needs());
    json!({
        "entry": entry.code(),
        "label_zh": label_zh, "label_en": label_en,
        "who_zh": who_zh, "who_en": who_en,
        "needs_zh": needs_zh, "needs_en": needs_en,
        "account_kinds": entry.account_kinds().iter().map(|k| k.as_str()).collect::<Vec<_>>(),
        "href": entry.page(),
        "api": format!("/api/entry/{}", entry.code()),
    })
}

/// `GET /api/services`: the service items.
pub fn services() -> Value {
    json!({
        "services": [{
            "service": "foreign_work",
            "label_zh": SYSTEM_LABEL.0, "label_en": SYSTEM_LABEL.1,
            "entries": Entry::ALL.map(entry_json),
            "roles": roles::catalogue_json(),
        }],
    })
}
