//! 法定代表人 legal representative of a legal entity (FAQ 3.5-3.7): the type
//! decides which documents and which country choices are allowed.

use super::country::{Continent, Country, country};
use super::date::CivilDate;
use super::document::{Document, DocumentType};
use super::normalize_input;
use super::person_name::PersonName;
use crate::error::AppError;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// 法定代表人类型.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalRepresentativeType {
    /// 中华人民共和国大陆地区: a resident ID card.
    Mainland,
    /// 港澳台地区: one of the HK/Macao/Taiwan permits or the residence permit.
    HkMoTw,
    /// 其他 (foreign): a passport or a permanent resident ID card, with
    /// continent and country.
    Other,
}

impl LegalRepresentativeType {
    pub const ALL: [LegalRepresentativeType; 3] = [
        LegalRepresentativeType::Mainland,
        LegalRepresentativeType::HkMoTw,
        LegalRepresentativeType::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            LegalRepresentativeType::Mainland => "mainland",
            LegalRepresentativeType::HkMoTw => "hk_mo_tw",
            LegalRepresentativeType::Other => "other",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            LegalRepresentativeType::Mainland => "中华人民共和国大陆地区",
            LegalRepresentativeType::HkMoTw => "港澳台地区",
            LegalRepresentativeType::Other => "其他",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            LegalRepresentativeType::Mainland => "Mainland of the People's Republic of China",
            LegalRepresentativeType::HkMoTw => "Hong Kong, Macao or Taiwan",
            LegalRepresentativeType::Other => "Other (foreign nationals)",
        }
    }

    /// The document types this type of representative identifies with.
    pub fn allowed_documents(self) -> &'static [DocumentType] {
        match self {
            LegalRepresentativeType::Mainland => &[DocumentType::ResidentId],
            LegalRepresentativeType::HkMoTw => &[
                DocumentType::HkMoPermit,
                DocumentType::TwPermit,
                DocumentType::HkMoTwResidencePermit,
            ],
            LegalRepresentativeType::Other => &[DocumentType::Passport, DocumentType::PermanentResidentId],
        }
    }

    /// Whether continent and country are asked for (only under `other`).
    pub fn asks_country(self) -> bool {
        self == LegalRepresentativeType::Other
    }
}

/// The legal-representative part of the legal-entity form, as submitted.
#[derive(Debug, Clone, Copy, Default)]
pub struct LegalRepresentativeForm<'a> {
    pub rep_type: Option<&'a str>,
    pub name: &'a str,
    pub document_type: Option<&'a str>,
    pub document_number: &'a str,
    /// Only under `other`.
    pub continent: Option<&'a str>,
    /// ISO 3166-1 alpha-3; only under `other`.
    pub country: Option<&'a str>,
}

/// A valid legal representative.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegalRepresentative {
    pub rep_type: LegalRepresentativeType,
    pub name: PersonName,
    pub document: Document,
    /// CHN for `mainland`; HKG/MAC/TWN (from the document) for `hk_mo_tw`;
    /// the chosen country for `other`.
    pub country: &'static Country,
}

const TYPE_FIELD: &str = "legal_representative_type";
const NAME_FIELD: &str = "legal_representative_name";
const DOC_TYPE_FIELD: &str = "legal_representative_document_type";
const CONTINENT_FIELD: &str = "legal_representative_continent";
const COUNTRY_FIELD: &str = "legal_representative_country";

impl LegalRepresentative {
    /// Checks, in the order of the form: type, name, document type,
    /// continent and country (under `other`), document number. The first
    /// failing rule is the error. `today` is the date in China.
    pub fn parse(form: &LegalRepresentativeForm<'_>, today: CivilDate) -> Result<LegalRepresentative, AppError> {
        let rep_type = parse_type(form.rep_type)?;
        let name = PersonName::parse(form.name).map_err(|e| e.with_field(NAME_FIELD))?;

        let doc_type = match form.document_type.map(normalize_input).filter(|s| !s.is_empty()) {
            None => {
                return Err(doc_type_error(
                    rep_type,
                    "legal_representative.document_type_required",
                    None,
                ));
            }
            Some(s) => DocumentType::parse(&s).map_err(|e| e.with_field(DOC_TYPE_FIELD))?,
        };
        if !rep_type.allowed_documents().contains(&doc_type) {
            return Err(doc_type_error(
                rep_type,
                "legal_representative.document_type_not_allowed",
                Some(doc_type),
            ));
        }

        let chosen = if rep_type.asks_country() {
            Some(parse_country(form.continent, form.country)?)
        } else {
            None
        };

        let document = Document::parse(doc_type, form.document_number, chosen.map(|c| c.code), today)?;
        let country = match (rep_type, chosen) {
            (_, Some(c)) => c,
            (LegalRepresentativeType::Mainland, None) => country("CHN").ok_or_else(AppError::internal)?,
            (_, None) => document.nationality().ok_or_else(AppError::internal)?,
        };
        Ok(LegalRepresentative {
            rep_type,
            name,
            document,
            country,
        })
    }
}

fn choices_zh() -> String {
    "“中华人民共和国大陆地区”（使用居民身份证）、“港澳台地区”（使用港澳居民来往内地通行证、台湾居民来往大陆通行证或港澳台居民居住证）或“其他”（外国籍，使用普通护照或外国人永久居留身份证，并选择所属大洲和国家）".to_owned()
}

fn choices_en() -> String {
    "“Mainland of the People's Republic of China” (resident ID card), “Hong Kong, Macao or Taiwan” (Home Return Permit, Mainland Travel Permit for Taiwan residents, or the residence permit) or “Other” (foreign nationals: passport or foreign permanent resident ID card, with continent and country)".to_owned()
}

fn parse_type(input: Option<&str>) -> Result<LegalRepresentativeType, AppError> {
    let s = input
        .map(|s| normalize_input(s).to_ascii_lowercase())
        .unwrap_or_default();
    if let Some(t) = LegalRepresentativeType::ALL.into_iter().find(|t| t.code() == s) {
        return Ok(t);
    }
    let (code, zh, en) = if s.is_empty() {
        (
            "legal_representative.type_required",
            "法定代表人类型不能为空，请在“法定代表人信息 → 类型”中选择：",
            "The legal representative's type is required; choose it under “Legal representative → Type”: ",
        )
    } else {
        (
            "legal_representative.type_unknown",
            "没有这种法定代表人类型，请选择：",
            "There is no such legal representative type; choose ",
        )
    };
    Err(AppError::new(
        code,
        400,
        format!("{zh}{}。", choices_zh()),
        format!("{en}{}.", choices_en()),
    )
    .with_field(TYPE_FIELD)
    .with_details(json!({ "allowed": LegalRepresentativeType::ALL.map(LegalRepresentativeType::code) })))
}

fn doc_type_error(rep_type: LegalRepresentativeType, code: &'static str, chosen: Option<DocumentType>) -> AppError {
    let allowed = rep_type.allowed_documents();
    let zh_list: Vec<&str> = allowed.iter().map(|t| t.label_zh()).collect();
    let en_list: Vec<&str> = allowed.iter().map(|t| t.label_en()).collect();
    let (zh_head, en_head) = match chosen {
        None => (
            "请选择法定代表人的证件类型。".to_owned(),
            "Please choose the legal representative's document type.".to_owned(),
        ),
        Some(t) => (
            format!("法定代表人类型为“{}”时不能使用{}。", rep_type.label_zh(), t.label_zh()),
            format!(
                "A {} cannot be used when the legal representative's type is “{}”.",
                t.label_en(),
                rep_type.label_en()
            ),
        ),
    };
    let mut zh = format!(
        "{zh_head}类型“{}”可用的证件：{}。",
        rep_type.label_zh(),
        zh_list.join("、")
    );
    let mut en = format!(
        "{en_head} For “{}” the documents are: {}.",
        rep_type.label_en(),
        en_list.join("; ")
    );
    if chosen.is_some() {
        zh.push_str("如证件类型无误，请检查法定代表人类型是否选对。");
        en.push_str(" If the document type is right, check the legal representative's type.");
    }
    AppError::new(code, 400, zh, en)
        .with_field(DOC_TYPE_FIELD)
        .with_details(json!({ "allowed": allowed.iter().map(|t| t.code()).collect::<Vec<_>>() }))
}

fn parse_country(continent: Option<&str>, code: Option<&str>) -> Result<&'static Country, AppError> {
    let continent_in = continent.map(normalize_input).filter(|s| !s.is_empty());
    let code_in = code.map(normalize_input).filter(|s| !s.is_empty());
    // China first: whichever continent was picked, the fix is the type (FAQ 3.6).
    if let Some(c) = code_in.as_deref().and_then(country) {
        if c.code == "CHN" {
            return Err(AppError::new(
                "legal_representative.china_under_other",
                400,
                "法定代表人为中国大陆居民时，类型请选择“中华人民共和国大陆地区”（使用居民身份证），而不是在“其他”中选择中国。",
                "For a legal representative from mainland China, choose the type “中华人民共和国大陆地区” (Mainland of the People's Republic of China, with the resident ID card) instead of China under “Other”.",
            )
            .with_field(TYPE_FIELD)
            .with_details(json!({ "choose_type": "mainland" })));
        }
        if c.is_china_or_region() {
            return Err(AppError::new(
                "legal_representative.region_under_other",
                400,
                format!("法定代表人为{}居民时，类型请选择“港澳台地区”（使用通行证或港澳台居民居住证），而不是“其他”。", c.zh),
                format!("For a legal representative from {}, choose the type “Hong Kong, Macao or Taiwan” (with the permit or the residence permit) instead of “Other”.", c.en),
            )
            .with_field(TYPE_FIELD)
            .with_details(json!({ "choose_type": "hk_mo_tw" })));
        }
    }
    let names_zh: Vec<String> = Continent::ALL.iter().map(|c| c.label_zh().to_owned()).collect();
    let Some(continent_s) = continent_in else {
        return Err(AppError::new(
            "legal_representative.continent_required",
            400,
            format!(
                "法定代表人类型为“其他”时，请选择所属大洲（{}），再选择国家。",
                names_zh.join("、")
            ),
            "With the type “Other”, choose the continent, then the country.",
        )
        .with_field(CONTINENT_FIELD));
    };
    let Some(continent) = Continent::from_code(&continent_s) else {
        return Err(AppError::new(
            "legal_representative.continent_unknown",
            400,
            format!("没有这个大洲，请从列表中选择（{}）。", names_zh.join("、")),
            format!(
                "There is no such continent; choose one of: {}.",
                Continent::ALL.map(Continent::code).join(", ")
            ),
        )
        .with_field(CONTINENT_FIELD));
    };
    let Some(code_s) = code_in else {
        return Err(AppError::new(
            "legal_representative.country_required",
            400,
            format!("请选择法定代表人的国籍（{}的国家或地区）。", continent.label_zh()),
            format!(
                "Please choose the legal representative's country (in {}).",
                continent.label_en()
            ),
        )
        .with_field(COUNTRY_FIELD));
    };
    let Some(c) = country(&code_s) else {
        return Err(AppError::new(
            "legal_representative.country_unknown",
            400,
            format!(
                "“{code_s}”不是有效的国家代码，请从{}的国家列表中选择。",
                continent.label_zh()
            ),
            format!(
                "“{code_s}” is not a country code; choose from the countries of {}.",
                continent.label_en()
            ),
        )
        .with_field(COUNTRY_FIELD));
    };
    if c.continent != continent {
        return Err(AppError::new(
            "legal_representative.country_not_in_continent",
            400,
            format!(
                "{}属于{}，不属于{}：请把大洲改为“{}”。",
                c.zh,
                c.continent.label_zh(),
                continent.label_zh(),
                c.continent.label_zh()
            ),
            format!(
                "{} is in {}, not {}: change the continent to “{}”.",
                c.en,
                c.continent.label_en(),
                continent.label_en(),
                c.continent.label_en()
            ),
        )
        .with_field(COUNTRY_FIELD)
        .with_details(json!({ "continent": c.continent.code() })));
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::resident_id::tests::today;
    use crate::identity::{HkMoTwResidencePermit, PermanentResidentId};

    fn form<'a>(t: Option<&'a str>, doc: &'a str, number: &'a str) -> LegalRepresentativeForm<'a> {
        LegalRepresentativeForm {
            rep_type: t,
            name: "张三",
            document_type: Some(doc),
            document_number: number,
            continent: None,
            country: None,
        }
    }

    fn foreign<'a>(doc: &'a str, number: &'a str, continent: &'a str, country: &'a str) -> LegalRepresentativeForm<'a> {
        LegalRepresentativeForm {
            rep_type: Some("other"),
            name: "John  Smith",
            document_type: Some(doc),
            document_number: number,
            continent: Some(continent),
            country: Some(country),
        }
    }

    fn code(f: &LegalRepresentativeForm<'_>) -> &'static str {
        LegalRepresentative::parse(f, today()).unwrap_err().code
    }

    #[test]
    fn the_three_types() {
        let r =
            LegalRepresentative::parse(&form(Some("mainland"), "resident_id", "11010519491231002X"), today()).unwrap();
        assert_eq!(
            (r.rep_type, r.country.code, r.name.as_str()),
            (LegalRepresentativeType::Mainland, "CHN", "张三")
        );
        let r = LegalRepresentative::parse(&form(Some("hk_mo_tw"), "hk_mo_permit", "H12345678"), today()).unwrap();
        assert_eq!(r.country.code, "HKG");
        let rp = HkMoTwResidencePermit::with_check("82000019900101001").unwrap();
        let r = LegalRepresentative::parse(
            &form(Some("hk_mo_tw"), "hk_mo_tw_residence_permit", rp.as_str()),
            today(),
        )
        .unwrap();
        assert_eq!(r.country.code, "MAC");
        let r = LegalRepresentative::parse(&foreign("passport", "c01x00t47", "europe", "deu"), today()).unwrap();
        assert_eq!(
            (r.country.code, r.name.as_str(), r.document.number()),
            ("DEU", "John Smith", "C01X00T47")
        );
        assert_eq!(r.document.nationality().unwrap().code, "DEU");
        let pr = PermanentResidentId::with_check("93110084019900101").unwrap();
        assert!(
            LegalRepresentative::parse(
                &foreign("permanent_resident_id", pr.as_str(), "north_america", "USA"),
                today()
            )
            .is_ok()
        );
        assert_eq!(
            serde_json::to_value(LegalRepresentativeType::HkMoTw).unwrap(),
            "hk_mo_tw"
        );
    }

    #[test]
    fn faq_3_5_the_type_is_required_and_the_error_explains_the_choices() {
        for missing in [None, Some(""), Some("  ")] {
            let e =
                LegalRepresentative::parse(&form(missing, "resident_id", "11010519491231002X"), today()).unwrap_err();
            assert_eq!(
                (e.code, e.field.as_deref()),
                ("legal_representative.type_required", Some("legal_representative_type"))
            );
            assert!(
                e.message.zh.contains("中华人民共和国大陆地区")
                    && e.message.zh.contains("港澳台地区")
                    && e.message.zh.contains("其他")
            );
            assert!(e.message.en.contains("Other") && e.message.en.contains("passport"));
            assert!(e.message.zh.contains("“法定代表人信息 → 类型”"), "says where the type is: {}", e.message.zh);
            assert!(e.message.en.contains("“Legal representative → Type”"), "{}", e.message.en);
        }
        assert_eq!(
            code(&form(Some("foreign"), "passport", "E1")),
            "legal_representative.type_unknown"
        );
    }

    #[test]
    fn faq_3_6_china_under_other_says_choose_mainland() {
        let e = LegalRepresentative::parse(&foreign("passport", "E12345678", "asia", "CHN"), today()).unwrap_err();
        assert_eq!(e.code, "legal_representative.china_under_other");
        assert!(e.message.zh.contains("中华人民共和国大陆地区"), "{}", e.message.zh);
        assert!(e.message.en.contains("中华人民共和国大陆地区"), "{}", e.message.en);
        assert_eq!(
            code(&foreign("passport", "E12345678", "", "chn")),
            "legal_representative.china_under_other"
        );
        assert_eq!(
            code(&foreign("passport", "E12345678", "asia", "TWN")),
            "legal_representative.region_under_other"
        );
    }

    #[test]
    fn faq_3_7_passport_number_under_permanent_resident() {
        let e = LegalRepresentative::parse(&foreign("permanent_resident_id", "E12345678", "europe", "GBR"), today())
            .unwrap_err();
        assert_eq!(e.code, "document.wrong_format");
        assert_eq!(e.details.unwrap()["likely_type"], "passport");
    }

    #[test]
    fn document_type_must_fit_the_representative_type() {
        let e = LegalRepresentative::parse(&form(Some("mainland"), "passport", "E12345678"), today()).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (
                "legal_representative.document_type_not_allowed",
                Some("legal_representative_document_type")
            )
        );
        assert!(e.message.zh.contains("居民身份证"), "{}", e.message.zh);
        assert_eq!(e.details.unwrap()["allowed"], json!(["resident_id"]));
        let e = LegalRepresentative::parse(&foreign("resident_id", "11010519491231002X", "asia", "JPN"), today())
            .unwrap_err();
        assert!(
            e.message.zh.contains("普通护照") && e.message.zh.contains("外国人永久居留身份证"),
            "{}",
            e.message.zh
        );
        assert_eq!(
            code(&form(Some("hk_mo_tw"), "resident_id", "11010519491231002X")),
            "legal_representative.document_type_not_allowed"
        );
        let mut f = form(Some("mainland"), "", "11010519491231002X");
        assert_eq!(code(&f), "legal_representative.document_type_required");
        f.document_type = Some("id_card");
        assert_eq!(code(&f), "document.type_unknown");
    }

    #[test]
    fn country_rules_under_other() {
        assert_eq!(
            code(&foreign("passport", "E12345678", "", "DEU")),
            "legal_representative.continent_required"
        );
        assert_eq!(
            code(&foreign("passport", "E12345678", "atlantis", "DEU")),
            "legal_representative.continent_unknown"
        );
        assert_eq!(
            code(&foreign("passport", "E12345678", "europe", "")),
            "legal_representative.country_required"
        );
        assert_eq!(
            code(&foreign("passport", "E12345678", "europe", "XYZ")),
            "legal_representative.country_unknown"
        );
        let e = LegalRepresentative::parse(&foreign("passport", "E12345678", "asia", "DEU"), today()).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (
                "legal_representative.country_not_in_continent",
                Some("legal_representative_country")
            )
        );
        assert!(e.message.zh.contains("德国属于欧洲"), "{}", e.message.zh);
        // The permanent resident ID's letters must agree with the country.
        assert_eq!(
            code(&foreign("permanent_resident_id", "USA110090010150", "europe", "DEU")),
            "document.nationality_mismatch"
        );
    }

    #[test]
    fn name_rules() {
        let mut f = form(Some("mainland"), "resident_id", "11010519491231002X");
        f.name = " ";
        let e = LegalRepresentative::parse(&f, today()).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            ("person_name.empty", Some("legal_representative_name"))
        );
        f.name = "张";
        assert_eq!(code(&f), "person_name.too_short");
        f.name = "<b>张三</b>";
        assert_eq!(code(&f), "person_name.invalid_character");
        assert_eq!(
            PersonName::parse("Ｊｏｈｎ\u{3000}Ｓｍｉｔｈ").unwrap().as_str(),
            "John Smith"
        );
    }
}
