//! Legacy business records (FAQ 8): the old foreign-work system's records,
//! their import, and the automatic link to an onboarded owner.
//!
//! The import takes JSON lines, one record each (flat, unknown keys
//! refused):
//!
//! `{"record_number": "WP2019-000123", "kind": "work_permit_new", "status":
//!   "approved", "submitted_on": "2019-03-01", "decided_on": "2019-03-20",
//!   "foreigner_name": "Anna Schmidt", "foreigner_nationality": "DEU",
//!   "foreigner_document_type": "passport", "foreigner_document_number":
//!   "C01X00T47", "old_login_name": "acme", "old_org_name": "...",
//!   "old_uscc": "..."}`; an R-visa record names its owner by
//! `old_document_type`, `old_document_number` (and `old_document_nationality`
//! for a passport) instead of the organization.
//!
//! Each line is its own transaction: a bad line (an invalid USCC, a record
//! number imported before) is reported with its line number and field, and
//! nothing of it is kept. A record whose link key (the USCC; an R-visa
//! record: the owner's document as `<type>:<number>`) belongs to an owner
//! whose first entry was approved is linked to that owner at once, audited.

use super::Entry;
use super::store::{self, NewRecord};
use crate::account;
use crate::audit::{self, Actor};
use crate::clock::{Clock, Timestamp};
use crate::error::{AppError, AppResult};
use crate::identity::{CivilDate, Document, DocumentType, OrgName, Uscc, normalize_input};
use crate::ids::{AccountId, LegacyRecordId};
use crate::store::{Database, StoreError, Transaction};
use serde::Deserialize;
use serde_json::{Value, json};

/// The most characters of a record number.
pub const RECORD_NUMBER_MAX: usize = 40;

/// What kind of business a record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordKind {
    /// 工作许可新办
    WorkPermitNew,
    /// 工作许可延期
    WorkPermitExtension,
    /// 工作许可变更
    WorkPermitChange,
    /// 工作许可注销
    WorkPermitCancellation,
    /// 持R字签证人员信息更新
    RVisaInfoUpdate,
}

impl RecordKind {
    pub const ALL: [RecordKind; 5] = [
        RecordKind::WorkPermitNew,
        RecordKind::WorkPermitExtension,
        RecordKind::WorkPermitChange,
        RecordKind::WorkPermitCancellation,
        RecordKind::RVisaInfoUpdate,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RecordKind::WorkPermitNew => "work_permit_new",
            RecordKind::WorkPermitExtension => "work_permit_extension",
            RecordKind::WorkPermitChange => "work_permit_change",
            RecordKind::WorkPermitCancellation => "work_permit_cancellation",
            RecordKind::RVisaInfoUpdate => "r_visa_info_update",
        }
    }

    pub fn parse(s: &str) -> Option<RecordKind> {
        RecordKind::ALL.into_iter().find(|k| k.code() == s)
    }

    /// (zh, en)
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            RecordKind::WorkPermitNew => ("工作许可新办", "New work permit"),
            RecordKind::WorkPermitExtension => ("工作许可延期", "Work permit extension"),
            RecordKind::WorkPermitChange => ("工作许可变更", "Work permit change"),
            RecordKind::WorkPermitCancellation => ("工作许可注销", "Work permit cancellation"),
            RecordKind::RVisaInfoUpdate => ("持R字签证人员信息更新", "R-visa holder information update"),
        }
    }

    /// The entry whose business home shows it.
    pub fn entry(self) -> Entry {
        match self {
            RecordKind::RVisaInfoUpdate => Entry::RVisa,
            _ => Entry::WorkPermit,
        }
    }
}

/// Where a record stood in the old system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordStatus {
    Submitted,
    InReview,
    Approved,
    Refused,
    Cancelled,
}

impl RecordStatus {
    pub const ALL: [RecordStatus; 5] =
        [RecordStatus::Submitted, RecordStatus::InReview, RecordStatus::Approved, RecordStatus::Refused, RecordStatus::Cancelled];

    pub fn code(self) -> &'static str {
        match self {
            RecordStatus::Submitted => "submitted",
            RecordStatus::InReview => "in_review",
            RecordStatus::Approved => "approved",
            RecordStatus::Refused => "refused",
            RecordStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<RecordStatus> {
        RecordStatus::ALL.into_iter().find(|k| k.code() == s)
    }

    /// (zh, en)
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            RecordStatus::Submitted => ("已提交", "Submitted"),
            RecordStatus::InReview => ("审查中", "In review"),
            RecordStatus::Approved => ("已批准", "Approved"),
            RecordStatus::Refused => ("不予批准", "Refused"),
            RecordStatus::Cancelled => ("已注销", "Cancelled"),
        }
    }
}

impl store::LegacyRecord {
    /// The record as a business home (and a reviewer) lists it: the
    /// foreigner's document masked.
    pub fn to_json(&self) -> Value {
        let (kind_zh, kind_en) = self.kind.label();
        let (status_zh, status_en) = self.status.label();
        json!({
            "id": self.id,
            "record_number": self.record_number,
            "entry": self.entry.code(),
            "kind": self.kind.code(), "kind_label_zh": kind_zh, "kind_label_en": kind_en,
            "status": self.status.code(), "status_label_zh": status_zh, "status_label_en": status_en,
            "submitted_on": self.submitted_on,
            "decided_on": self.decided_on,
            "foreigner": {
                "name": self.foreigner_name,
                "nationality": self.foreigner_nationality,
                "document_type": self.foreigner_document_type,
                "document_masked": account::mask_middle(&self.foreigner_document_number),
            },
            "linked_at": self.linked_at.map(Timestamp::millis),
            "link_basis": self.link_basis,
        })
    }

    /// What a reviewer compares with a request: the old owner as well.
    pub fn to_review_json(&self) -> Value {
        let mut v = self.to_json();
        v["old_owner"] = json!({
            "login_name": self.old_login_name, "org_name": self.old_org_name, "uscc": self.old_uscc,
            "document_type": self.old_document_type, "document_number": self.old_document_number,
        });
        v
    }
}

/// One line of the import.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportLine {
    pub record_number: String,
    pub kind: String,
    pub status: String,
    pub submitted_on: String,
    #[serde(default)]
    pub decided_on: Option<String>,
    pub foreigner_name: String,
    #[serde(default)]
    pub foreigner_nationality: Option<String>,
    pub foreigner_document_type: String,
    pub foreigner_document_number: String,
    #[serde(default)]
    pub old_login_name: Option<String>,
    #[serde(default)]
    pub old_org_name: Option<String>,
    #[serde(default)]
    pub old_uscc: Option<String>,
    #[serde(default)]
    pub old_document_type: Option<String>,
    #[serde(default)]
    pub old_document_number: Option<String>,
    #[serde(default)]
    pub old_document_nationality: Option<String>,
}

fn bad(code: &'static str, field: &str, zh: String, en: String) -> AppError {
    AppError::new(code, 400, zh, en).with_field(field)
}

fn given(v: &Option<String>) -> Option<String> {
    v.as_deref().map(normalize_input).filter(|s| !s.is_empty())
}

/// A record number: 1 to [`RECORD_NUMBER_MAX`] letters, digits, `-` or `_`
/// (uppercased), as the old system printed them.
pub fn parse_record_number(input: &str, field: &str) -> AppResult<String> {
    let n = normalize_input(input).to_ascii_uppercase();
    if n.is_empty() || n.chars().count() > RECORD_NUMBER_MAX || !n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(bad(
            "legacy_records.record_number_invalid",
            field,
            format!("业务编号“{}”无效：应为 1 至 {RECORD_NUMBER_MAX} 位字母、数字、- 或 _。", input.trim()),
            format!("The record number “{}” is invalid: 1 to {RECORD_NUMBER_MAX} letters, digits, - or _.", input.trim()),
        ));
    }
    Ok(n)
}

fn parse_date(input: &str, field: &str) -> AppResult<CivilDate> {
    let digits: String = input.trim().chars().filter(|c| *c != '-').collect();
    let date = (input.trim().len() == 10).then(|| CivilDate::from_yyyymmdd(&digits)).flatten();
    date.ok_or_else(|| {
        bad("legacy_records.date_invalid", field, format!("日期“{input}”无效，格式为 YYYY-MM-DD。"), format!("The date “{input}” is invalid; use YYYY-MM-DD."))
    })
}

/// The USCC as the import and the requests take it: an invalid one is
/// `legacy_records.uscc_invalid` naming the field.
pub fn parse_old_uscc(input: &str, field: &str) -> AppResult<Uscc> {
    Uscc::parse(input).map_err(|e| {
        AppError::new(
            "legacy_records.uscc_invalid",
            400,
            format!("统一社会信用代码“{}”无效：{}", input.trim(), e.message.zh),
            format!("The USCC “{}” is invalid: {}", input.trim(), e.message.en),
        )
        .with_field(field)
    })
}

/// The key an old organization name is searched by (the name rules'
/// folding; a name today's rules refuse is folded as typed).
pub fn org_name_key(input: &str) -> String {
    OrgName::parse(input).map(|n| n.key()).unwrap_or_else(|_| normalize_input(input).to_lowercase())
}

/// Checks and normalizes one line, every field error at once.
pub fn parse_line(l: &ImportLine, today: CivilDate) -> AppResult<NewRecord> {
    let mut form = crate::validate::Form::new();
    let record_number = form.field(parse_record_number(&l.record_number, "record_number"));
    let kind = form.field(RecordKind::parse(l.kind.trim()).ok_or_else(|| {
        let all: Vec<_> = RecordKind::ALL.iter().map(|k| k.code()).collect();
        bad("legacy_records.kind_invalid", "kind", format!("业务类型“{}”无效，应为：{}。", l.kind, all.join("、")), format!("The kind “{}” is invalid; one of: {}.", l.kind, all.join(", ")))
    }));
    let status = form.field(RecordStatus::parse(l.status.trim()).ok_or_else(|| {
        let all: Vec<_> = RecordStatus::ALL.iter().map(|k| k.code()).collect();
        bad("legacy_records.status_invalid", "status", format!("状态“{}”无效，应为：{}。", l.status, all.join("、")), format!("The status “{}” is invalid; one of: {}.", l.status, all.join(", ")))
    }));
    let submitted = form.field(parse_date(&l.submitted_on, "submitted_on"));
    let decided = match given(&l.decided_on) {
        None => None,
        Some(d) => form.field(parse_date(&d, "decided_on")),
    };
    if let (Some(s), Some(d)) = (submitted, decided)
        && d < s
    {
        form.check(Err(bad("legacy_records.decided_before_submitted", "decided_on", "办结日期早于提交日期。".into(), "The decision date is before the submission date.".into())));
    }
    let foreigner_name = normalize_input(&l.foreigner_name);
    if foreigner_name.is_empty() || foreigner_name.chars().count() > 100 {
        form.check(Err(bad("legacy_records.foreigner_name_invalid", "foreigner_name", "外国人姓名为空或超过 100 个字符。".into(), "The foreigner's name is empty or longer than 100 characters.".into())));
    }
    let foreigner_type = form.field(DocumentType::parse(&l.foreigner_document_type).map_err(|e| e.with_field("foreigner_document_type")));
    let foreigner_number = normalize_input(&l.foreigner_document_number).to_ascii_uppercase();
    if foreigner_number.is_empty() || foreigner_number.chars().count() > 40 {
        form.check(Err(bad("legacy_records.foreigner_document_invalid", "foreigner_document_number", "外国人证件号码为空或过长。".into(), "The foreigner's document number is empty or too long.".into())));
    }
    let old_login_name = given(&l.old_login_name);
    let old_org_name = given(&l.old_org_name);
    let old_uscc = match given(&l.old_uscc) {
        None => None,
        Some(u) => form.field(parse_old_uscc(&u, "old_uscc")),
    };
    let old_document = match (given(&l.old_document_type), given(&l.old_document_number)) {
        (None, None) => None,
        (t, n) => {
            let t = form.field(DocumentType::parse(t.as_deref().unwrap_or("")).map_err(|e| e.with_field("old_document_type")));
            match t {
                Some(t) => form.field(
                    Document::parse(t, n.as_deref().unwrap_or(""), l.old_document_nationality.as_deref(), today).map_err(|e| {
                        let field = if e.field.as_deref() == Some("nationality") { "old_document_nationality" } else { "old_document_number" };
                        e.with_field(field)
                    }),
                ),
                None => None,
            }
        }
    };
    if let Some(kind) = kind {
        let owner_named = match kind.entry() {
            Entry::WorkPermit => old_login_name.is_some() || old_org_name.is_some() || l.old_uscc.as_deref().is_some_and(|u| !u.trim().is_empty()),
            Entry::RVisa => old_login_name.is_some() || l.old_document_number.as_deref().is_some_and(|u| !u.trim().is_empty()),
        };
        if !owner_named {
            form.check(Err(bad(
                "legacy_records.owner_missing",
                "old_login_name",
                "记录未说明原系统中的所属者（原登录名、单位名称、统一社会信用代码，或R字签证人员的证件）。".into(),
                "The record does not name its owner in the old system (old login name, organization name, USCC, or the R-visa holder's document).".into(),
            )));
        }
    }
    form.finish()?;
    let (Some(record_number), Some(kind), Some(status), Some(submitted), Some(foreigner_type)) = (record_number, kind, status, submitted, foreigner_type)
    else {
        return Err(AppError::internal());
    };
    let entry = kind.entry();
    let link_key = match entry {
        Entry::WorkPermit => old_uscc.as_ref().map(|u| u.as_str().to_owned()),
        Entry::RVisa => old_document.as_ref().map(Document::key),
    };
    Ok(NewRecord {
        record_number,
        entry,
        kind,
        status,
        submitted_on: submitted.to_string(),
        decided_on: decided.map(|d| d.to_string()),
        foreigner_name,
        foreigner_nationality: given(&l.foreigner_nationality).map(|n| n.to_ascii_uppercase()),
        foreigner_document_type: foreigner_type.code().to_owned(),
        foreigner_document_number: foreigner_number,
        old_login_key: old_login_name.as_deref().map(account::login_key),
        old_login_name,
        old_org_name_key: old_org_name.as_deref().map(org_name_key),
        old_org_name,
        old_uscc: old_uscc.map(|u| u.as_str().to_owned()),
        old_document_type: old_document.as_ref().map(|d| d.doc_type().code().to_owned()),
        old_document_number: old_document.as_ref().map(|d| d.number().to_owned()),
        link_key,
    })
}

fn duplicate(number: &str) -> AppError {
    AppError::new(
        "legacy_records.duplicate_number",
        409,
        format!("业务编号“{number}”已导入过，本行未导入。同一编号只能导入一次；如原记录有误，请先核实。"),
        format!("The record number “{number}” was imported before; this line was not imported. A number is imported once; check the earlier record first."),
    )
    .with_field("record_number")
}

/// A line's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub id: LegacyRecordId,
    pub record_number: String,
    /// The onboarded owner it linked to at once.
    pub linked_to: Option<AccountId>,
}

#[derive(Debug, Default, Clone)]
pub struct ImportReport {
    pub imported: Vec<(usize, Imported)>,
    pub errors: Vec<(usize, AppError)>,
}

impl ImportReport {
    pub fn to_json(&self) -> Value {
        json!({
            "imported": self.imported.len(),
            "linked": self.imported.iter().filter(|(_, i)| i.linked_to.is_some()).count(),
            "errors": self.errors.iter().map(|(line, e)| json!({
                "line": line, "code": e.code, "field": e.field,
                "message_zh": e.message.zh, "message_en": e.message.en, "details": e.details,
            })).collect::<Vec<_>>(),
            "records": self.imported.iter().map(|(line, i)| json!({
                "line": line, "id": i.id, "record_number": i.record_number, "linked_to": i.linked_to,
            })).collect::<Vec<_>>(),
        })
    }
}

/// The audit entry of one automatic or confirmed link.
pub(crate) async fn audit_link<D: Database>(
    tx: &Transaction<'_, D>,
    clock: &dyn Clock,
    actor: &Actor,
    id: LegacyRecordId,
    number: &str,
    owner: AccountId,
    basis: &str,
    moved_from: Option<AccountId>,
) -> Result<(), StoreError> {
    audit::record(
        tx,
        clock,
        actor,
        "legacy_record.linked",
        Some(&id.audit_subject()),
        json!({ "record_number": number, "owner": owner, "basis": basis, "moved_from": moved_from }),
    )
    .await
}

/// Links every unlinked record of `entry` with `key` to `owner`, audited
/// one by one (an approval of a first entry); returns their numbers.
pub(crate) async fn link_by_key<D: Database>(
    tx: &Transaction<'_, D>,
    clock: &dyn Clock,
    actor: &Actor,
    entry: Entry,
    key: &str,
    owner: AccountId,
    basis: &str,
) -> Result<Vec<String>, StoreError> {
    let linked = store::link_unlinked_by_key(tx, entry, key, owner, basis, clock.now()).await?;
    for (id, number) in &linked {
        audit_link(tx, clock, actor, *id, number, owner, basis, None).await?;
    }
    Ok(linked.into_iter().map(|(_, n)| n).collect())
}

async fn import_one<D: Database>(tx: &Transaction<'_, D>, clock: &dyn Clock, record: &NewRecord) -> AppResult<Imported> {
    if !store::records_by_numbers(tx, std::slice::from_ref(&record.record_number)).await?.is_empty() {
        return Err(duplicate(&record.record_number));
    }
    let now = clock.now();
    let id = store::insert_record(tx, record, now)
        .await
        .map_err(|e| if e.is_unique_on("legacy_records.record_number") { duplicate(&record.record_number) } else { e.into() })?;
    audit::record(tx, clock, &Actor::System, "legacy_record.imported", Some(&id.audit_subject()), json!({ "record_number": record.record_number }))
        .await?;
    let mut linked_to = None;
    if let Some(key) = &record.link_key
        && let Some(owner) = store::onboarded_owner(tx, record.entry, key).await?
    {
        store::link_record(tx, id, owner, "system", "import", now).await?;
        audit_link(tx, clock, &Actor::System, id, &record.record_number, owner, "import", None).await?;
        linked_to = Some(owner);
    }
    Ok(Imported { id, record_number: record.record_number.clone(), linked_to })
}

/// Imports every line, each in its own transaction; lines are numbered
/// from 1. A store failure stops the import (the lines before it stay).
pub async fn import<D: Database>(db: &D, clock: &dyn Clock, body: &str) -> Result<ImportReport, StoreError> {
    let mut report = ImportReport::default();
    let today = CivilDate::today_in_china(clock);
    for (i, line) in body.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let parsed = serde_json::from_str::<ImportLine>(line)
            .map_err(|e| {
                AppError::new("legacy_records.invalid_line", 400, format!("第 {n} 行不是有效的记录：{e}"), format!("Line {n} is not a valid record: {e}"))
            })
            .and_then(|l| parse_line(&l, today));
        let record = match parsed {
            Ok(r) => r,
            Err(e) => {
                report.errors.push((n, e));
                continue;
            }
        };
        let tx = db.begin().await?;
        match import_one(&tx, clock, &record).await {
            Ok(imported) => {
                tx.commit().await?;
                report.imported.push((n, imported));
            }
            Err(e) if e.status >= 500 => return Err(StoreError::Other(format!("legacy record import: {}", e.code))),
            Err(e) => report.errors.push((n, e)),
        }
    }
    Ok(report)
}

/// `POST /api/entry/legacy-records/imports`: the bearer token of the
/// `legacy_import_token` setting (as the account import), then [`import`];
/// the import is in the audit log.
pub async fn import_authorized<D: Database>(
    db: &D,
    clock: &dyn Clock,
    expected_token: Option<&str>,
    authorization: Option<&str>,
    client: &str,
    body: &[u8],
) -> AppResult<ImportReport> {
    let body = crate::registration::legacy::authorize(db, clock, expected_token, authorization, client, body).await?;
    let report = import(db, clock, body).await?;
    audit::record(
        db,
        clock,
        &Actor::System,
        "legacy_records.import",
        None,
        json!({ "imported": report.imported.len(), "errors": report.errors.len() }),
    )
    .await?;
    Ok(report)
}
