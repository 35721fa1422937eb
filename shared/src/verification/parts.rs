//! The parts of "my info" (我的信息) and their forms: a natural person has
//! one part, `person`; a legal entity has the three the FAQ names (3.5):
//! `basic_info` (法人单位基本信息), `authorization_info` (法人授权信息: the
//! main agent 主代办人) and `legal_representative` (法定代表人信息).
//!
//! A part's form is a flat object of strings, parsed into a [`Claim`] with
//! every field error at once. The rules are the identity rules of
//! `crate::identity` (FAQ 3.5-3.7 for the legal representative: the type is
//! required, no China under "other", a wrong number names the format and
//! the type it probably is); the field names are the part's own, so one page
//! can hold all three parts and every error points at its input. The stored
//! claim is the same object, normalized: parsing it again gives the same
//! claim.
//!
//! Which fields are the *identity* ([`Part::identity_fields`]) matters: a
//! change to them is a new verification (the identity in force stays until
//! it passes); the others (an address, a phone) are details, updated in
//! place.

use crate::account::AccountKind;
use crate::error::{AppError, AppResult};
use crate::identity::{
    CivilDate, Continent, Document, DocumentType, LegalRepresentative, LegalRepresentativeForm, LegalRepresentativeType,
    Mobile, OrgName, PermanentResidentIdVersion, PersonName, Uscc, collapse_whitespace, country, fold_full_width,
    is_refused, normalize_input,
};
use crate::upload::DocumentSlot;
use crate::validate::Form;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// A part's fields by name, as strings (the form, and the stored claim).
pub type Fields = BTreeMap<String, String>;

/// A part of "my info".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Part {
    /// 自然人信息: a natural person's own identity.
    Person,
    /// 法人单位基本信息: the organization.
    BasicInfo,
    /// 法人授权信息: the main agent (主代办人) who handles its business.
    AuthorizationInfo,
    /// 法定代表人信息.
    LegalRepresentative,
}

impl Part {
    pub const ALL: [Part; 4] = [Part::Person, Part::BasicInfo, Part::AuthorizationInfo, Part::LegalRepresentative];

    pub fn code(self) -> &'static str {
        match self {
            Part::Person => "person",
            Part::BasicInfo => "basic_info",
            Part::AuthorizationInfo => "authorization_info",
            Part::LegalRepresentative => "legal_representative",
        }
    }

    pub fn parse(s: &str) -> Option<Part> {
        Part::ALL.into_iter().find(|p| p.code() == s)
    }

    /// (zh, en), as the FAQ names them.
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Part::Person => ("自然人信息", "Personal information"),
            Part::BasicInfo => ("法人单位基本信息", "Organization basic information"),
            Part::AuthorizationInfo => ("法人授权信息", "Authorization information (main agent)"),
            Part::LegalRepresentative => ("法定代表人信息", "Legal representative"),
        }
    }

    /// The parts of an account of `kind`, in the order the page shows them.
    pub fn of_kind(kind: AccountKind) -> &'static [Part] {
        match kind {
            AccountKind::NaturalPerson => &[Part::Person],
            AccountKind::LegalEntity => &[Part::BasicInfo, Part::AuthorizationInfo, Part::LegalRepresentative],
        }
    }

    /// The account's own identity (kept on the account row once verified:
    /// other flows find verified persons and organizations there).
    pub fn is_account_identity(self) -> bool {
        matches!(self, Part::Person | Part::BasicInfo)
    }

    /// The fields of its form, in the page's order.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Part::Person => &["real_name", "document_type", "document_number", "nationality", "birth_date"],
            Part::BasicInfo => &["org_name", "uscc", "registered_address", "organization_type", "contact_phone"],
            Part::AuthorizationInfo => &[
                "main_agent_name",
                "main_agent_document_type",
                "main_agent_document_number",
                "main_agent_nationality",
                "main_agent_mobile",
            ],
            Part::LegalRepresentative => &[
                "legal_representative_type",
                "legal_representative_name",
                "legal_representative_document_type",
                "legal_representative_document_number",
                "legal_representative_continent",
                "legal_representative_country",
            ],
        }
    }

    /// The fields whose change is a new verification. Every field of a
    /// person's, the main agent's and the legal representative's part is
    /// checked (the main agent's mobile is a factor of the three-factor
    /// check); of the organization, its name and USCC.
    pub fn identity_fields(self) -> &'static [&'static str] {
        match self {
            Part::BasicInfo => &["org_name", "uscc"],
            other => other.fields(),
        }
    }

    /// Fields shown to the owner only masked (document numbers, mobiles).
    pub fn masked_fields(self) -> &'static [&'static str] {
        match self {
            Part::Person => &["document_number"],
            Part::BasicInfo => &[],
            Part::AuthorizationInfo => &["main_agent_document_number", "main_agent_mobile"],
            Part::LegalRepresentative => &["legal_representative_document_number"],
        }
    }
}

/// 单位类型: the organization types of the basic info.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrganizationType {
    Enterprise,
    PublicInstitution,
    SocialOrganization,
    PrivateNonEnterprise,
    GovernmentAgency,
    Other,
}

impl OrganizationType {
    pub const ALL: [OrganizationType; 6] = [
        OrganizationType::Enterprise,
        OrganizationType::PublicInstitution,
        OrganizationType::SocialOrganization,
        OrganizationType::PrivateNonEnterprise,
        OrganizationType::GovernmentAgency,
        OrganizationType::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            OrganizationType::Enterprise => "enterprise",
            OrganizationType::PublicInstitution => "public_institution",
            OrganizationType::SocialOrganization => "social_organization",
            OrganizationType::PrivateNonEnterprise => "private_non_enterprise",
            OrganizationType::GovernmentAgency => "government_agency",
            OrganizationType::Other => "other",
        }
    }

    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            OrganizationType::Enterprise => ("企业", "Enterprise"),
            OrganizationType::PublicInstitution => ("事业单位", "Public institution"),
            OrganizationType::SocialOrganization => ("社会团体", "Social organization"),
            OrganizationType::PrivateNonEnterprise => ("民办非企业单位", "Private non-enterprise unit"),
            OrganizationType::GovernmentAgency => ("机关", "Government agency"),
            OrganizationType::Other => ("其他组织", "Other organization"),
        }
    }

    /// A chosen type (its code); the error, on `organization_type`, lists them.
    pub fn parse(input: &str) -> AppResult<OrganizationType> {
        let s = normalize_input(input).to_ascii_lowercase();
        OrganizationType::ALL.into_iter().find(|t| t.code() == s).ok_or_else(|| {
            let zh: Vec<&str> = OrganizationType::ALL.iter().map(|t| t.label().0).collect();
            let en: Vec<&str> = OrganizationType::ALL.iter().map(|t| t.label().1).collect();
            AppError::new(
                if s.is_empty() { "verification.organization_type_required" } else { "verification.organization_type_unknown" },
                400,
                format!("请选择单位类型：{}。", zh.join("、")),
                format!("Choose the organization type: {}.", en.join(", ")),
            )
            .with_field("organization_type")
            .with_details(json!({ "allowed": OrganizationType::ALL.map(OrganizationType::code) }))
        })
    }
}

/// A part's form once every rule passed.
#[derive(Debug, Clone, PartialEq)]
pub enum Claim {
    Person { name: PersonName, document: Document, birth_date: CivilDate },
    BasicInfo { org_name: OrgName, uscc: Uscc, registered_address: String, organization_type: OrganizationType, contact_phone: String },
    AuthorizationInfo { name: PersonName, document: Document, mobile: Mobile },
    LegalRepresentative(LegalRepresentative),
}

/// Reads a part's form from a JSON object: each of the part's fields a
/// string (or absent / null: empty). Other keys are ignored.
pub fn fields_from_json(part: Part, body: &Map<String, Value>) -> AppResult<Fields> {
    let mut fields = Fields::new();
    let mut errors = Vec::new();
    for name in part.fields() {
        match body.get(*name) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => {
                fields.insert((*name).to_owned(), s.clone());
            }
            Some(_) => errors.push(
                AppError::new(
                    "request.field_invalid_type",
                    400,
                    format!("字段 {name} 应为文字。"),
                    format!("The field `{name}` must be a string."),
                )
                .with_field(*name),
            ),
        }
    }
    match AppError::combine(errors) {
        Some(e) => Err(e),
        None => Ok(fields),
    }
}

/// Re-fields an error of a shared parser (`document_number`, `name`, ...)
/// onto the part's own field names.
fn refield(e: AppError, map: &[(&str, &str)]) -> AppError {
    let to = e.field.as_deref().and_then(|f| map.iter().find(|(from, _)| *from == f)).map(|(_, to)| *to);
    match to {
        Some(to) => e.with_field(to),
        None => e,
    }
}

impl Claim {
    /// Parses a part's form (or a stored claim): every field error at once.
    /// `today` is the date in China (dates of birth are not in the future).
    pub fn parse(part: Part, f: &Fields, today: CivilDate) -> AppResult<Claim> {
        let get = |name: &str| f.get(name).map(String::as_str).unwrap_or("");
        let opt = |name: &str| f.get(name).map(|s| s.as_str()).filter(|s| !s.trim().is_empty());
        let mut form = Form::new();
        match part {
            Part::Person => {
                let name = form.field(PersonName::parse(get("real_name")).map_err(|e| e.with_field("real_name")));
                let document = form
                    .field(DocumentType::parse(get("document_type")))
                    .and_then(|t| form.field(Document::parse(t, get("document_number"), opt("nationality"), today)));
                let birth_date = match &document {
                    Some(doc) => form.field(birth_date(doc, opt("birth_date"), today)),
                    None => None,
                };
                form.finish()?;
                let (Some(name), Some(document), Some(birth_date)) = (name, document, birth_date) else {
                    return Err(AppError::internal());
                };
                Ok(Claim::Person { name, document, birth_date })
            }
            Part::BasicInfo => {
                let org_name = form.field(OrgName::parse(get("org_name")));
                let uscc = form.field(Uscc::parse(get("uscc")));
                let registered_address = form.field(address(get("registered_address")));
                let organization_type = form.field(OrganizationType::parse(get("organization_type")));
                let contact_phone = form.field(contact_phone(get("contact_phone")));
                form.finish()?;
                let (Some(org_name), Some(uscc), Some(registered_address), Some(organization_type), Some(contact_phone)) =
                    (org_name, uscc, registered_address, organization_type, contact_phone)
                else {
                    return Err(AppError::internal());
                };
                Ok(Claim::BasicInfo { org_name, uscc, registered_address, organization_type, contact_phone })
            }
            Part::AuthorizationInfo => {
                const MAP: [(&str, &str); 4] = [
                    ("name", "main_agent_name"),
                    ("document_type", "main_agent_document_type"),
                    ("document_number", "main_agent_document_number"),
                    ("nationality", "main_agent_nationality"),
                ];
                let name = form.field(PersonName::parse(get("main_agent_name")).map_err(|e| refield(e, &MAP)));
                let document = form
                    .field(DocumentType::parse(get("main_agent_document_type")).map_err(|e| refield(e, &MAP)))
                    .and_then(|t| {
                        form.field(
                            Document::parse(t, get("main_agent_document_number"), opt("main_agent_nationality"), today)
                                .map_err(|e| refield(e, &MAP)),
                        )
                    });
                let mobile = form.field(Mobile::parse(get("main_agent_mobile")).map_err(|e| e.with_field("main_agent_mobile")));
                form.finish()?;
                let (Some(name), Some(document), Some(mobile)) = (name, document, mobile) else {
                    return Err(AppError::internal());
                };
                Ok(Claim::AuthorizationInfo { name, document, mobile })
            }
            Part::LegalRepresentative => {
                const MAP: [(&str, &str); 3] = [
                    ("document_number", "legal_representative_document_number"),
                    ("nationality", "legal_representative_country"),
                    ("document_type", "legal_representative_document_type"),
                ];
                let rep = LegalRepresentative::parse(
                    &LegalRepresentativeForm {
                        rep_type: opt("legal_representative_type"),
                        name: get("legal_representative_name"),
                        document_type: opt("legal_representative_document_type"),
                        document_number: get("legal_representative_document_number"),
                        continent: opt("legal_representative_continent"),
                        country: opt("legal_representative_country"),
                    },
                    today,
                )
                .map_err(|e| refield(e, &MAP))?;
                Ok(Claim::LegalRepresentative(rep))
            }
        }
    }

    pub fn part(&self) -> Part {
        match self {
            Claim::Person { .. } => Part::Person,
            Claim::BasicInfo { .. } => Part::BasicInfo,
            Claim::AuthorizationInfo { .. } => Part::AuthorizationInfo,
            Claim::LegalRepresentative(_) => Part::LegalRepresentative,
        }
    }

    /// The claim as its fields, normalized ([`Claim::parse`] of them gives
    /// the claim back): what is stored.
    pub fn to_fields(&self) -> Fields {
        let mut f = Fields::new();
        let mut put = |k: &str, v: &str| {
            if !v.is_empty() {
                f.insert(k.to_owned(), v.to_owned());
            }
        };
        match self {
            Claim::Person { name, document, birth_date } => {
                put("real_name", name.as_str());
                put("document_type", document.doc_type().code());
                put("document_number", document.number());
                if needs_nationality(document.doc_type()) {
                    put("nationality", document.nationality().map_or("", |c| c.code));
                }
                put("birth_date", &birth_date.to_string());
            }
            Claim::BasicInfo { org_name, uscc, registered_address, organization_type, contact_phone } => {
                put("org_name", org_name.as_str());
                put("uscc", uscc.as_str());
                put("registered_address", registered_address);
                put("organization_type", organization_type.code());
                put("contact_phone", contact_phone);
            }
            Claim::AuthorizationInfo { name, document, mobile } => {
                put("main_agent_name", name.as_str());
                put("main_agent_document_type", document.doc_type().code());
                put("main_agent_document_number", document.number());
                if needs_nationality(document.doc_type()) {
                    put("main_agent_nationality", document.nationality().map_or("", |c| c.code));
                }
                put("main_agent_mobile", mobile.as_str());
            }
            Claim::LegalRepresentative(rep) => {
                put("legal_representative_type", rep.rep_type.code());
                put("legal_representative_name", rep.name.as_str());
                put("legal_representative_document_type", rep.document.doc_type().code());
                put("legal_representative_document_number", rep.document.number());
                if rep.rep_type.asks_country() {
                    put("legal_representative_continent", rep.country.continent.code());
                    put("legal_representative_country", rep.country.code);
                }
            }
        }
        f
    }

    /// The identity document the part names (none for the organization).
    pub fn document(&self) -> Option<&Document> {
        match self {
            Claim::Person { document, .. } | Claim::AuthorizationInfo { document, .. } => Some(document),
            Claim::LegalRepresentative(rep) => Some(&rep.document),
            Claim::BasicInfo { .. } => None,
        }
    }

    /// Whom the part is about, in one line (the review queue, SMS).
    pub fn display_name(&self) -> &str {
        match self {
            Claim::Person { name, .. } | Claim::AuthorizationInfo { name, .. } => name.as_str(),
            Claim::BasicInfo { org_name, .. } => org_name.as_str(),
            Claim::LegalRepresentative(rep) => rep.name.as_str(),
        }
    }
}

/// The identity fields of a stored or parsed claim (what a change of is a
/// new verification).
pub fn identity_of(part: Part, fields: &Fields) -> Fields {
    fields.iter().filter(|(k, _)| part.identity_fields().contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// Documents whose number does not say the holder's nationality: the form
/// asks for it (the passport, the permanent resident ID).
pub fn needs_nationality(t: DocumentType) -> bool {
    matches!(t, DocumentType::Passport | DocumentType::PermanentResidentId)
}

/// Whether the identity service can check a document online: the mainland
/// resident ID, the 2023 permanent resident ID (18 digits starting with 9)
/// and the HK/Macao/Taiwan residence permit. Passports and the entry
/// permits cannot: they go to manual review.
pub fn checkable_online(document: &Document) -> bool {
    match document {
        Document::ResidentId(_) | Document::HkMoTwResidencePermit(_) => true,
        Document::PermanentResidentId { id, .. } => id.version() == PermanentResidentIdVersion::V2023,
        Document::Passport { .. } | Document::HkMoPermit(_) | Document::TwPermit(_) => false,
    }
}

/// What the page says about a document type before saving: `yes` (checked
/// online), `no` (upload and manual review) or `2023_version` (the 2023
/// permanent resident ID is, the older one is not).
pub fn online_check_of(t: DocumentType) -> &'static str {
    match t {
        DocumentType::ResidentId | DocumentType::HkMoTwResidencePermit => "yes",
        DocumentType::PermanentResidentId => "2023_version",
        DocumentType::Passport | DocumentType::HkMoPermit | DocumentType::TwPermit => "no",
    }
}

/// The date of birth: the resident ID's own (a date typed as well must
/// agree with it); for any other document it must be given, as on the
/// document, and not in the future.
fn birth_date(doc: &Document, typed: Option<&str>, today: CivilDate) -> AppResult<CivilDate> {
    let typed = match typed {
        None => None,
        Some(s) => Some(parse_date(s, today)?),
    };
    match (doc, typed) {
        (Document::ResidentId(id), None) => Ok(id.birth_date()),
        (Document::ResidentId(id), Some(d)) if d != id.birth_date() => Err(AppError::new(
            "verification.birth_date_mismatch",
            400,
            format!("居民身份证号码中的出生日期是 {}，与填写的 {d} 不一致：请核对证件号码或出生日期。", id.birth_date()),
            format!("The resident ID number says the date of birth is {}, not {d}: check the number or the date.", id.birth_date()),
        )
        .with_field("birth_date")
        .with_details(json!({ "in_number": id.birth_date().to_string() }))),
        (_, Some(d)) => Ok(d),
        (_, None) => Err(AppError::new(
            "verification.birth_date_required",
            400,
            "请填写出生日期（与证件一致），格式 YYYY-MM-DD，例如 1990-01-31。",
            "Please enter the date of birth as on the document, as YYYY-MM-DD, e.g. 1990-01-31.",
        )
        .with_field("birth_date")),
    }
}

fn parse_date(input: &str, today: CivilDate) -> AppResult<CivilDate> {
    let s = normalize_input(input);
    let parts: Vec<&str> = s.split(['-', '/', '.']).collect();
    let date = match parts.as_slice() {
        [y, m, d] if y.len() == 4 && (1..=2).contains(&m.len()) && (1..=2).contains(&d.len()) => {
            CivilDate::from_yyyymmdd(&format!("{y}{m:0>2}{d:0>2}"))
        }
        [one] => CivilDate::from_yyyymmdd(one),
        _ => None,
    };
    let Some(date) = date.filter(|d| d.year() >= 1900) else {
        return Err(AppError::new(
            "verification.birth_date_format",
            400,
            format!("“{s}”不是有效的出生日期。格式 YYYY-MM-DD，例如 1990-01-31（1900 年以后的真实日期）。"),
            format!("“{s}” is not a valid date of birth. Format YYYY-MM-DD, e.g. 1990-01-31 (a real date after 1900)."),
        )
        .with_field("birth_date"));
    };
    if date > today {
        return Err(AppError::new(
            "verification.birth_date_in_future",
            400,
            format!("出生日期 {date} 晚于今天（{today}），请按证件填写。"),
            format!("The date of birth {date} is after today ({today}); enter it as on the document."),
        )
        .with_field("birth_date"));
    }
    Ok(date)
}

/// 注册地址: as on the business licence; 5-200 characters, no control or
/// invisible characters, no angle brackets (errors on `registered_address`).
pub fn address(input: &str) -> AppResult<String> {
    let s = collapse_whitespace(&fold_full_width(input));
    let err = |code, zh: String, en: String| Err(AppError::new(code, 400, zh, en).with_field("registered_address"));
    let fmt_zh = "格式：与营业执照一致的住所（注册地址），5–200 个字。";
    let fmt_en = "Format: the registered address as on the business licence, 5-200 characters.";
    if s.is_empty() {
        return err("verification.address_required", format!("请填写注册地址。{fmt_zh}"), format!("Please enter the registered address. {fmt_en}"));
    }
    if let Some(bad) = s.chars().find(|c| is_refused(*c)) {
        return err(
            "verification.address_invalid_character",
            format!("注册地址不能包含 U+{:04X}（尖括号、控制字符或不可见字符）。{fmt_zh}", bad as u32),
            format!("The address cannot contain U+{:04X} (angle brackets, control or invisible characters). {fmt_en}", bad as u32),
        );
    }
    let n = s.chars().count();
    if !(5..=200).contains(&n) {
        return err(
            "verification.address_length",
            format!("注册地址应为 5–200 个字，现在是 {n} 个。{fmt_zh}"),
            format!("The address has 5-200 characters; this one has {n}. {fmt_en}"),
        );
    }
    Ok(s)
}

/// 联系电话: a landline with its area code (010-12345678, extension with
/// `-`) or a mobile; stored as typed without spaces (errors on `contact_phone`).
pub fn contact_phone(input: &str) -> AppResult<String> {
    let s: String = fold_full_width(input).chars().filter(|c| !c.is_whitespace()).collect();
    let fmt_zh = "格式：固定电话带区号，例如 010-12345678 或 0591-87654321-801；或手机号码，例如 13812341234。";
    let fmt_en = "Format: a landline with its area code, e.g. 010-12345678 or 0591-87654321-801, or a mobile, e.g. 13812341234.";
    if s.is_empty() {
        return Err(AppError::new("verification.contact_phone_required", 400, format!("请填写联系电话。{fmt_zh}"), format!("Please enter a contact phone. {fmt_en}"))
            .with_field("contact_phone"));
    }
    let body = s.strip_prefix('+').unwrap_or(&s);
    let digits = body.chars().filter(char::is_ascii_digit).count();
    let shape_ok = body.chars().all(|c| c.is_ascii_digit() || matches!(c, '-' | '(' | ')'))
        && body.starts_with(|c: char| c.is_ascii_digit() || c == '(')
        && !body.contains("--");
    if !shape_ok || !(7..=20).contains(&digits) {
        return Err(AppError::new(
            "verification.contact_phone_invalid",
            400,
            format!("“{s}”不是有效的联系电话。{fmt_zh}"),
            format!("“{s}” is not a valid contact phone. {fmt_en}"),
        )
        .with_field("contact_phone"));
    }
    Ok(s)
}

/// The scans a part takes at upload (the reviewer compares them with the
/// claim): a document's front and back (a passport: its photo page; the
/// back is then optional), the business licence for the organization, the
/// main agent's document and, if there is one, the authorization letter.
pub fn documents_for(claim: &Claim) -> Vec<DocumentSlot<'static>> {
    let two_sided = |doc: &Document| doc.doc_type() != DocumentType::Passport;
    match claim {
        Claim::Person { document, .. } => vec![
            DocumentSlot {
                field: "document_front",
                label_zh: if two_sided(document) { "证件正面" } else { "护照个人资料页" },
                label_en: if two_sided(document) { "document front" } else { "passport photo page" },
                required: true,
            },
            DocumentSlot { field: "document_back", label_zh: "证件反面", label_en: "document back", required: two_sided(document) },
        ],
        Claim::BasicInfo { .. } => vec![DocumentSlot {
            field: "business_licence",
            label_zh: "营业执照（或登记证书）",
            label_en: "business licence (or registration certificate)",
            required: true,
        }],
        Claim::AuthorizationInfo { document, .. } => vec![
            DocumentSlot {
                field: "agent_document_front",
                label_zh: "主代办人证件正面",
                label_en: "main agent's document front",
                required: true,
            },
            DocumentSlot {
                field: "agent_document_back",
                label_zh: "主代办人证件反面",
                label_en: "main agent's document back",
                required: two_sided(document),
            },
            DocumentSlot {
                field: "authorization_letter",
                label_zh: "法人授权书（加盖公章）",
                label_en: "authorization letter (with the official seal)",
                required: false,
            },
        ],
        Claim::LegalRepresentative(rep) => vec![
            DocumentSlot {
                field: "representative_document_front",
                label_zh: "法定代表人证件正面",
                label_en: "legal representative's document front",
                required: true,
            },
            DocumentSlot {
                field: "representative_document_back",
                label_zh: "法定代表人证件反面",
                label_en: "legal representative's document back",
                required: two_sided(&rep.document),
            },
        ],
    }
}

/// How a field is named to a reviewer (zh, en).
pub fn field_label(name: &str) -> (&'static str, &'static str) {
    match name {
        "real_name" => ("姓名", "Full name"),
        "document_type" => ("证件类型", "Document type"),
        "document_number" => ("证件号码", "Document number"),
        "nationality" => ("国籍", "Nationality"),
        "birth_date" => ("出生日期", "Date of birth"),
        "org_name" => ("法人单位名称", "Organization name"),
        "uscc" => ("统一社会信用代码", "USCC"),
        "registered_address" => ("注册地址", "Registered address"),
        "organization_type" => ("单位类型", "Organization type"),
        "contact_phone" => ("联系电话", "Contact phone"),
        "main_agent_name" => ("主代办人姓名", "Main agent's name"),
        "main_agent_document_type" => ("主代办人证件类型", "Main agent's document type"),
        "main_agent_document_number" => ("主代办人证件号码", "Main agent's document number"),
        "main_agent_nationality" => ("主代办人国籍", "Main agent's nationality"),
        "main_agent_mobile" => ("主代办人手机号码", "Main agent's mobile"),
        "legal_representative_type" => ("法定代表人类型", "Legal representative type"),
        "legal_representative_name" => ("法定代表人姓名", "Legal representative's name"),
        "legal_representative_document_type" => ("法定代表人证件类型", "Legal representative's document type"),
        "legal_representative_document_number" => ("法定代表人证件号码", "Legal representative's document number"),
        "legal_representative_continent" => ("所属大洲", "Continent"),
        "legal_representative_country" => ("国家", "Country"),
        _ => ("", ""),
    }
}

/// A stored value as a person reads it (zh, en): document types, the
/// organization and representative types, continents and countries by
/// their names; anything else as it is.
pub fn value_label(name: &str, value: &str) -> (String, String) {
    let both = |(zh, en): (&str, &str)| (zh.to_owned(), en.to_owned());
    if name.ends_with("document_type")
        && let Ok(t) = DocumentType::parse(value)
    {
        return both((t.label_zh(), t.label_en()));
    }
    if name == "organization_type"
        && let Some(t) = OrganizationType::ALL.into_iter().find(|t| t.code() == value)
    {
        return both(t.label());
    }
    if name == "legal_representative_type"
        && let Some(t) = LegalRepresentativeType::ALL.into_iter().find(|t| t.code() == value)
    {
        return both((t.label_zh(), t.label_en()));
    }
    if name == "legal_representative_continent"
        && let Some(c) = Continent::from_code(value)
    {
        return both((c.label_zh(), c.label_en()));
    }
    if (name.ends_with("nationality") || name == "legal_representative_country")
        && let Some(c) = country(value)
    {
        return (format!("{}（{}）", c.zh, c.code), format!("{} ({})", c.en, c.code));
    }
    (value.to_owned(), value.to_owned())
}

/// The claim's fields as the owner sees them: document numbers and mobiles
/// masked (`<field>_masked`), the rest as stored.
pub fn masked_fields(part: Part, fields: &Fields) -> Value {
    let mut out = Map::new();
    for (k, v) in fields {
        if part.masked_fields().contains(&k.as_str()) {
            out.insert(format!("{k}_masked"), json!(mask(k, v)));
        } else {
            out.insert(k.clone(), json!(v));
        }
    }
    Value::Object(out)
}

fn mask(field: &str, value: &str) -> String {
    if field.ends_with("mobile") {
        crate::account::mask_mobile(value)
    } else {
        crate::account::mask_middle(value)
    }
}
