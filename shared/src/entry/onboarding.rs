//! First entry (首次进入): the information an owner submits at its first
//! entry, for review (kind `onboarding`).
//!
//! - work-permit entry, legal entity: unit type, industry, registered and
//!   office address, contact person, contact phone and e-mail, a short
//!   description; prefilled from "my info" where it repeats (the verified
//!   organization's type, registered address, contact phone);
//! - R-visa entry, natural person: passport number and nationality, visa
//!   number, employer; prefilled from the verified document when it is a
//!   passport.
//!
//! A submission needs the entry's state to be `needs_onboarding` or
//! `onboarding_rejected` (a corrected resubmission is a submission of its
//! own); while one waits it is refused (409) with the state; the database's
//! unique index decides a race.

use super::Entry;
use super::state::{self, EntryState};
use super::store::{self, Fields};
use crate::account::{Account, AccountKind};
use crate::audit::{self, Actor};
use crate::clock::Clock;
use crate::error::{AppError, AppResult};
use crate::identity::{CivilDate, Document, DocumentType, collapse_whitespace, fold_full_width, is_refused, normalize_input};
use crate::review::{ReviewKind, Subject};
use crate::store::{Database, Store, in_transaction};
use crate::validate::Form;
use crate::verification::parts::{OrganizationType, contact_phone};
use crate::verification::standing::{verified_organization, verified_person};
use serde_json::{Value, json};

/// The industries the foreign-work system files organizations under.
pub const INDUSTRIES: &[(&str, &str, &str)] = &[
    ("information_technology", "信息传输、软件和信息技术服务业", "Information technology and software"),
    ("manufacturing", "制造业", "Manufacturing"),
    ("research", "科学研究和技术服务业", "Scientific research and technical services"),
    ("education", "教育", "Education"),
    ("finance", "金融业", "Finance"),
    ("health", "卫生和社会工作", "Health and social work"),
    ("commerce", "批发和零售业", "Wholesale and retail"),
    ("culture", "文化、体育和娱乐业", "Culture, sports and entertainment"),
    ("other", "其他行业", "Other"),
];

/// One field of a first-entry form.
#[derive(Debug, Clone, Copy)]
pub struct FieldSpec {
    pub name: &'static str,
    pub label_zh: &'static str,
    pub label_en: &'static str,
    pub required: bool,
}

const fn f(name: &'static str, label_zh: &'static str, label_en: &'static str, required: bool) -> FieldSpec {
    FieldSpec { name, label_zh, label_en, required }
}

const WORK_PERMIT_FIELDS: &[FieldSpec] = &[
    f("unit_type", "单位类型", "Unit type", true),
    f("industry", "所属行业", "Industry", true),
    f("registered_address", "注册地址", "Registered address", true),
    f("office_address", "办公地址", "Office address", true),
    f("contact_person", "联系人", "Contact person", true),
    f("contact_phone", "联系电话", "Contact phone", true),
    f("contact_email", "联系邮箱", "Contact e-mail", true),
    f("description", "单位简介", "Short description", true),
];

const R_VISA_FIELDS: &[FieldSpec] = &[
    f("passport_number", "护照号码", "Passport number", true),
    f("nationality", "国籍", "Nationality", true),
    f("visa_number", "R字签证号码", "R visa number", true),
    f("employer", "工作单位", "Employer", true),
];

/// The fields of the entry's first-entry form, in order.
pub fn fields(entry: Entry) -> &'static [FieldSpec] {
    match entry {
        Entry::WorkPermit => WORK_PERMIT_FIELDS,
        Entry::RVisa => R_VISA_FIELDS,
    }
}

/// (zh, en) of a field of either form.
pub fn field_label(name: &str) -> (&'static str, &'static str) {
    WORK_PERMIT_FIELDS.iter().chain(R_VISA_FIELDS).find(|s| s.name == name).map_or(("", ""), |s| (s.label_zh, s.label_en))
}

/// (zh, en) of a value: the option's label where the field has options.
pub fn value_label(name: &str, value: &str) -> (String, String) {
    match name {
        "unit_type" => OrganizationType::parse(value).map(|t| t.label()).map_or((value.into(), value.into()), |(z, e)| (z.into(), e.into())),
        "industry" => INDUSTRIES.iter().find(|i| i.0 == value).map_or((value.into(), value.into()), |i| (i.1.into(), i.2.into())),
        _ => (value.into(), value.into()),
    }
}

fn options(name: &str) -> Option<Value> {
    match name {
        "unit_type" => Some(
            OrganizationType::ALL.iter().map(|t| json!({ "value": t.code(), "label_zh": t.label().0, "label_en": t.label().1 })).collect(),
        ),
        "industry" => Some(INDUSTRIES.iter().map(|(v, zh, en)| json!({ "value": v, "label_zh": zh, "label_en": en })).collect()),
        _ => None,
    }
}

/// The form as the page renders it: each field with its label, options
/// and starting value.
pub fn form_json(entry: Entry, prefill: Option<&Fields>) -> Value {
    let fields: Vec<Value> = fields(entry)
        .iter()
        .map(|s| {
            json!({
                "name": s.name, "label_zh": s.label_zh, "label_en": s.label_en, "required": s.required,
                "value": prefill.and_then(|p| p.get(s.name)).cloned().unwrap_or_default(),
                "options": options(s.name),
                "multiline": s.name == "description",
            })
        })
        .collect();
    json!({ "action": format!("/api/entry/{}/onboarding", entry.code()), "fields": fields })
}

/// What "my info" already says that the form repeats.
pub async fn prefill<S: Store>(store: &S, clock: &dyn Clock, account: &Account, entry: Entry) -> AppResult<Fields> {
    let mut out = Fields::new();
    match entry {
        Entry::WorkPermit => {
            if let Some(org) = verified_organization(store, clock, account.id).await? {
                out.insert("unit_type".into(), org.organization_type.code().into());
                out.insert("registered_address".into(), org.registered_address.clone());
                out.insert("contact_phone".into(), org.contact_phone.clone());
            }
        }
        Entry::RVisa => {
            if let Some(person) = verified_person(store, clock, account.id).await?
                && let Document::Passport { number, nationality } = &person.document
            {
                out.insert("passport_number".into(), number.as_str().into());
                out.insert("nationality".into(), nationality.code.into());
            }
        }
    }
    Ok(out)
}

fn field_error(name: &'static str, what: &str, zh: String, en: String) -> AppError {
    let (label_zh, label_en) = field_label(name);
    let code: &'static str = match what {
        "required" => "onboarding.field_required",
        "length" => "onboarding.field_length",
        "character" => "onboarding.field_invalid_character",
        _ => "onboarding.field_invalid",
    };
    AppError::new(code, 400, format!("{label_zh}：{zh}"), format!("{label_en}: {en}")).with_field(name)
}

/// A free text field: `min..=max` characters, no control, invisible or
/// angle-bracket characters.
fn text(name: &'static str, input: &str, min: usize, max: usize) -> AppResult<String> {
    let s = collapse_whitespace(&fold_full_width(input));
    if s.is_empty() {
        return Err(field_error(name, "required", "请填写。".into(), "required.".into()));
    }
    if let Some(bad) = s.chars().find(|c| is_refused(*c)) {
        return Err(field_error(
            name,
            "character",
            format!("不能包含 U+{:04X}（尖括号、控制字符或不可见字符）。", bad as u32),
            format!("cannot contain U+{:04X} (angle brackets, control or invisible characters).", bad as u32),
        ));
    }
    let n = s.chars().count();
    if !(min..=max).contains(&n) {
        return Err(field_error(name, "length", format!("应为 {min}–{max} 个字，现在是 {n} 个。"), format!("{min}-{max} characters; this has {n}.")));
    }
    Ok(s)
}

fn email(input: &str) -> AppResult<String> {
    let s = normalize_input(input).to_ascii_lowercase();
    if s.is_empty() {
        return Err(field_error("contact_email", "required", "请填写。".into(), "required.".into()));
    }
    let ok = s.len() <= 100
        && s.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.starts_with('.')
                && domain.contains('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && s.chars().all(|c| c.is_ascii_alphanumeric() || "@._-+".contains(c))
        });
    if !ok {
        return Err(field_error(
            "contact_email",
            "invalid",
            format!("“{s}”不是有效的电子邮箱，例如 hr@example.com。"),
            format!("“{s}” is not a valid e-mail address, e.g. hr@example.com."),
        ));
    }
    Ok(s)
}

fn visa_number(input: &str) -> AppResult<String> {
    let s = normalize_input(input).to_ascii_uppercase();
    if s.is_empty() {
        return Err(field_error("visa_number", "required", "请填写。".into(), "required.".into()));
    }
    if !(6..=16).contains(&s.len()) || !s.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(field_error(
            "visa_number",
            "invalid",
            format!("“{s}”不是有效的签证号码：应为签证页上的 6–16 位字母或数字。"),
            format!("“{s}” is not a visa number: the 6-16 letters or digits on the visa page."),
        ));
    }
    Ok(s)
}

fn choice(name: &'static str, input: &str, known: &[&str]) -> AppResult<String> {
    let s = normalize_input(input);
    if s.is_empty() {
        return Err(field_error(name, "required", "请选择。".into(), "please choose one.".into()));
    }
    if !known.contains(&s.as_str()) {
        return Err(field_error(name, "invalid", "请从列表中选择。".into(), "choose one from the list.".into()));
    }
    Ok(s)
}

/// Parses a first-entry form (a JSON object of strings), every field
/// error at once; the result is the stored, normalized form.
pub fn parse_form(entry: Entry, body: &Value, today: CivilDate) -> AppResult<Fields> {
    let Value::Object(map) = body else {
        return Err(AppError::new("request.invalid_json", 400, "请求内容应为 JSON 对象。", "The request body must be a JSON object.").with_field("body"));
    };
    let specs = fields(entry);
    if let Some(unknown) = map.keys().find(|k| !specs.iter().any(|s| s.name == k.as_str())) {
        return Err(AppError::new(
            "onboarding.field_unknown",
            400,
            format!("首次进入信息没有“{unknown}”这一项。"),
            format!("The first-entry form has no field `{unknown}`."),
        )
        .with_field(unknown.as_str()));
    }
    let get = |name: &str| map.get(name).and_then(Value::as_str).unwrap_or("").to_owned();
    let mut form = Form::new();
    let mut out = Fields::new();
    let mut put = |name: &str, v: Option<String>| {
        if let Some(v) = v {
            out.insert(name.to_owned(), v);
        }
    };
    match entry {
        Entry::WorkPermit => {
            let types: Vec<&str> = OrganizationType::ALL.iter().map(|t| t.code()).collect();
            let industries: Vec<&str> = INDUSTRIES.iter().map(|i| i.0).collect();
            put("unit_type", form.field(choice("unit_type", &get("unit_type"), &types)));
            put("industry", form.field(choice("industry", &get("industry"), &industries)));
            put("registered_address", form.field(text("registered_address", &get("registered_address"), 5, 200)));
            put("office_address", form.field(text("office_address", &get("office_address"), 5, 200)));
            put("contact_person", form.field(text("contact_person", &get("contact_person"), 2, 50)));
            put("contact_phone", form.field(contact_phone(&get("contact_phone"))));
            put("contact_email", form.field(email(&get("contact_email"))));
            put("description", form.field(text("description", &get("description"), 10, 500)));
        }
        Entry::RVisa => {
            let nationality = get("nationality");
            let passport = form.field(
                Document::parse(DocumentType::Passport, &get("passport_number"), Some(&nationality), today).map_err(|e| {
                    let field = if e.field.as_deref() == Some("nationality") { "nationality" } else { "passport_number" };
                    e.with_field(field)
                }),
            );
            if let Some(Document::Passport { number, nationality }) = &passport {
                put("passport_number", Some(number.as_str().to_owned()));
                put("nationality", Some(nationality.code.to_owned()));
            }
            put("visa_number", form.field(visa_number(&get("visa_number"))));
            put("employer", form.field(text("employer", &get("employer"), 2, 100)));
        }
    }
    form.finish()?;
    Ok(out)
}

fn refused_in_state(s: &state::Standing) -> AppError {
    let details = json!({ "entry_state": s.state.code(), "due_at": s.due_at.map(crate::clock::Timestamp::millis), "next_action": s.next_action.as_ref().map(state::Action::to_json) });
    match s.state {
        EntryState::OnboardingUnderReview => AppError::new(
            "entry.onboarding_under_review",
            409,
            "首次进入信息正在审核中，审核结束前不能再次提交；结果将以短信通知。",
            "Your first-entry information is under review; it cannot be submitted again before the decision, which comes by SMS.",
        ),
        EntryState::Open => AppError::new("entry.already_onboarded", 409, "首次进入已审核通过，可直接进入业务首页。", "Your first entry was approved; open the business home."),
        EntryState::NeedsVerification => AppError::new(
            "entry.needs_verification",
            409,
            "请先在“我的信息”中完成实名认证，再提交首次进入信息。",
            "Complete real-name verification in My info before submitting the first-entry information.",
        ),
        _ => AppError::new("entry.onboarding_not_open", 409, "现在不能提交首次进入信息。", "The first-entry information cannot be submitted now."),
    }
    .with_details(details)
}

/// `POST /api/entry/{entry}/onboarding`: submits (or, after a rejection,
/// resubmits) the first-entry information; answers where the user stands
/// then (`onboarding_under_review`).
pub async fn submit<D: Database>(db: &D, clock: &dyn Clock, account: &Account, entry: Entry, body: &Value) -> AppResult<Value> {
    if entry == Entry::WorkPermit && account.kind == AccountKind::NaturalPerson {
        return Err(AppError::new(
            "entry.onboarding_for_organizations",
            403,
            "外国人来华工作许可办理业务入口的首次进入由单位（法人账号）提交；自然人由单位的授权管理员授权后进入。",
            "At the work-permit entry the first entry is submitted by the organization (legal-entity account); natural persons enter once its grant administrator authorizes them.",
        ));
    }
    let before = state::stand(db, clock, account, entry, None).await?;
    if !matches!(before.state, EntryState::NeedsOnboarding | EntryState::OnboardingRejected) {
        return Err(refused_in_state(&before));
    }
    let form = parse_form(entry, body, CivilDate::today_in_china(clock))?;
    let now = clock.now();
    in_transaction(db, async |tx| {
        let id = store::insert_onboarding(tx, entry, account.id, &form, now).await.map_err(|e| {
            if e.is_unique_on("onboardings.account_id") || e.is_unique_on("onboardings.entry") {
                AppError::new(
                    "entry.onboarding_under_review",
                    409,
                    "首次进入信息正在审核中，审核结束前不能再次提交；结果将以短信通知。",
                    "Your first-entry information is under review; it cannot be submitted again before the decision, which comes by SMS.",
                )
                .with_details(json!({ "entry_state": EntryState::OnboardingUnderReview.code() }))
            } else {
                e.into()
            }
        })?;
        let item = crate::review::submit(tx, clock, ReviewKind::Onboarding, Subject::Onboarding(id)).await?;
        store::set_onboarding_item(tx, id, item.id).await?;
        audit::record(
            tx,
            clock,
            &Actor::Account(account.id),
            "onboarding.submitted",
            Some(&id.audit_subject()),
            json!({ "entry": entry.code(), "resubmission": before.state == EntryState::OnboardingRejected, "review_item": item.id }),
        )
        .await?;
        Ok::<_, AppError>(())
    })
    .await?;
    Ok(state::stand(db, clock, account, entry, None).await?.to_json())
}
