//! 证件: a document type and its number, parsed together. When a number does
//! not fit the chosen type, the error says which type it probably is (FAQ
//! 3.7: a passport number typed into the permanent-resident field).

use super::country::{Country, country};
use super::date::CivilDate;
use super::permits::Region;
use super::{
    HkMoPermit, HkMoTwResidencePermit, Passport, PermanentResidentId, ResidentId, TwPermit, normalize_code,
    normalize_input, passport, permanent_resident_id, permits, resident_id,
};
use crate::error::AppError;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

const FIELD: &str = "document_number";

/// The document types a person can identify with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentType {
    ResidentId,
    PermanentResidentId,
    Passport,
    HkMoPermit,
    TwPermit,
    HkMoTwResidencePermit,
}

impl DocumentType {
    pub const ALL: [DocumentType; 6] = [
        DocumentType::ResidentId,
        DocumentType::PermanentResidentId,
        DocumentType::Passport,
        DocumentType::HkMoPermit,
        DocumentType::TwPermit,
        DocumentType::HkMoTwResidencePermit,
    ];

    /// The snake_case API name (`hk_mo_permit`), the same as serde's.
    pub fn code(self) -> &'static str {
        match self {
            DocumentType::ResidentId => "resident_id",
            DocumentType::PermanentResidentId => "permanent_resident_id",
            DocumentType::Passport => "passport",
            DocumentType::HkMoPermit => "hk_mo_permit",
            DocumentType::TwPermit => "tw_permit",
            DocumentType::HkMoTwResidencePermit => "hk_mo_tw_residence_permit",
        }
    }

    /// Parses the API name; the error lists the names.
    pub fn parse(input: &str) -> Result<DocumentType, AppError> {
        let s = normalize_input(input).to_ascii_lowercase();
        if let Some(t) = DocumentType::ALL.into_iter().find(|t| t.code() == s) {
            return Ok(t);
        }
        let zh: Vec<String> = DocumentType::ALL
            .iter()
            .map(|t| format!("{}（{}）", t.label_zh(), t.code()))
            .collect();
        let en: Vec<String> = DocumentType::ALL
            .iter()
            .map(|t| format!("{} ({})", t.label_en(), t.code()))
            .collect();
        let (code, zh_head, en_head) = if s.is_empty() {
            (
                "document.type_required",
                "请选择证件类型",
                "Please choose a document type",
            )
        } else {
            (
                "document.type_unknown",
                "没有这种证件类型",
                "There is no such document type",
            )
        };
        Err(AppError::new(
            code,
            400,
            format!("{zh_head}，可选：{}。", zh.join("、")),
            format!("{en_head}; the types are: {}.", en.join(", ")),
        )
        .with_field("document_type")
        .with_details(json!({ "allowed": DocumentType::ALL.map(DocumentType::code) })))
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            DocumentType::ResidentId => "居民身份证",
            DocumentType::PermanentResidentId => "外国人永久居留身份证",
            DocumentType::Passport => "普通护照",
            DocumentType::HkMoPermit => "港澳居民来往内地通行证",
            DocumentType::TwPermit => "台湾居民来往大陆通行证",
            DocumentType::HkMoTwResidencePermit => "港澳台居民居住证",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            DocumentType::ResidentId => "Resident ID card",
            DocumentType::PermanentResidentId => "Foreign permanent resident ID card",
            DocumentType::Passport => "Passport",
            DocumentType::HkMoPermit => "Home Return Permit (Hong Kong/Macao residents)",
            DocumentType::TwPermit => "Mainland Travel Permit for Taiwan residents",
            DocumentType::HkMoTwResidencePermit => "Residence permit for Hong Kong, Macao and Taiwan residents",
        }
    }

    /// The expected number format, in zh.
    pub fn format_zh(self) -> String {
        match self {
            DocumentType::ResidentId => resident_id::format_zh().to_owned(),
            DocumentType::PermanentResidentId => permanent_resident_id::format_zh().to_owned(),
            DocumentType::Passport => passport::format_zh(),
            DocumentType::HkMoPermit => permits::hk_mo_format_zh().to_owned(),
            DocumentType::TwPermit => permits::tw_format_zh().to_owned(),
            DocumentType::HkMoTwResidencePermit => permits::residence_format_zh().to_owned(),
        }
    }

    /// The expected number format, in en.
    pub fn format_en(self) -> String {
        match self {
            DocumentType::ResidentId => resident_id::format_en().to_owned(),
            DocumentType::PermanentResidentId => permanent_resident_id::format_en().to_owned(),
            DocumentType::Passport => passport::format_en(),
            DocumentType::HkMoPermit => permits::hk_mo_format_en().to_owned(),
            DocumentType::TwPermit => permits::tw_format_en().to_owned(),
            DocumentType::HkMoTwResidencePermit => permits::residence_format_en().to_owned(),
        }
    }
}

/// A valid document: its type, number and, where the type has one, the
/// holder's nationality.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Document {
    ResidentId(ResidentId),
    /// The nationality is the old design's letters, else the one given.
    PermanentResidentId {
        id: PermanentResidentId,
        nationality: Option<&'static Country>,
    },
    Passport {
        number: Passport,
        nationality: &'static Country,
    },
    HkMoPermit(HkMoPermit),
    TwPermit(TwPermit),
    HkMoTwResidencePermit(HkMoTwResidencePermit),
}

impl Document {
    /// Parses `number` as a document of `doc_type`. `nationality` (ISO
    /// 3166-1 alpha-3) is required for a passport; `today` (the date in
    /// China) bounds a resident ID's date of birth.
    ///
    /// A number that does not fit its type: `document.wrong_format` naming
    /// the expected format and, in `details.likely_type`, the type it
    /// probably is; when no other type fits, the type's own error (such as
    /// `resident_id.check_mismatch`), with the field `document_number`.
    pub fn parse(
        doc_type: DocumentType,
        number: &str,
        nationality: Option<&str>,
        today: CivilDate,
    ) -> Result<Document, AppError> {
        let doc = match parse_number(doc_type, number, today) {
            Ok(doc) => doc,
            Err(own) => return Err(explain(doc_type, number, today, own)),
        };
        let given = nationality.map(normalize_input).filter(|n| !n.is_empty());
        let given = match given {
            None => None,
            Some(code) => Some(country(&code).ok_or_else(|| {
                AppError::new(
                    "document.nationality_unknown",
                    400,
                    format!("“{code}”不是有效的国籍代码，请从列表中选择国籍（ISO 3166-1 三位字母代码，如 USA）。"),
                    format!("“{code}” is not a nationality code; choose the nationality from the list (ISO 3166-1 alpha-3, such as USA)."),
                )
                .with_field("nationality")
            })?),
        };
        Ok(match doc {
            Parsed::Passport(number) => {
                let Some(nationality) = given else {
                    return Err(AppError::new(
                        "document.nationality_required",
                        400,
                        "使用普通护照时请选择国籍（签发护照的国家）。",
                        "With a passport, please choose the nationality (the country that issued it).",
                    )
                    .with_field("nationality"));
                };
                Document::Passport { number, nationality }
            }
            Parsed::PermanentResidentId(id) => {
                let in_number = id.nationality();
                if let (Some(n), Some(g)) = (in_number, given)
                    && n.code != g.code
                {
                    return Err(AppError::new(
                        "document.nationality_mismatch",
                        400,
                        format!("永久居留身份证号码前 3 位表示国籍 {}（{}），与所选国籍 {}（{}）不一致，请核对。", n.zh, n.code, g.zh, g.code),
                        format!("The first 3 letters of the number say the nationality is {} ({}), not the chosen {} ({}); please check.", n.en, n.code, g.en, g.code),
                    )
                    .with_field("nationality")
                    .with_details(json!({ "in_number": n.code, "chosen": g.code })));
                }
                Document::PermanentResidentId {
                    nationality: in_number.or(given),
                    id,
                }
            }
            Parsed::ResidentId(id) => Document::ResidentId(id),
            Parsed::HkMoPermit(p) => Document::HkMoPermit(p),
            Parsed::TwPermit(p) => Document::TwPermit(p),
            Parsed::HkMoTwResidencePermit(p) => Document::HkMoTwResidencePermit(p),
        })
    }

    pub fn doc_type(&self) -> DocumentType {
        match self {
            Document::ResidentId(_) => DocumentType::ResidentId,
            Document::PermanentResidentId { .. } => DocumentType::PermanentResidentId,
            Document::Passport { .. } => DocumentType::Passport,
            Document::HkMoPermit(_) => DocumentType::HkMoPermit,
            Document::TwPermit(_) => DocumentType::TwPermit,
            Document::HkMoTwResidencePermit(_) => DocumentType::HkMoTwResidencePermit,
        }
    }

    /// The normalized number (uppercase, half-width).
    pub fn number(&self) -> &str {
        match self {
            Document::ResidentId(d) => d.as_str(),
            Document::PermanentResidentId { id, .. } => id.as_str(),
            Document::Passport { number, .. } => number.as_str(),
            Document::HkMoPermit(d) => d.as_str(),
            Document::TwPermit(d) => d.as_str(),
            Document::HkMoTwResidencePermit(d) => d.as_str(),
        }
    }

    /// The number with its middle hidden, for lists shown to other people.
    pub fn masked(&self) -> String {
        match self {
            Document::ResidentId(d) => d.masked(),
            Document::PermanentResidentId { id, .. } => id.masked(),
            Document::Passport { number, .. } => number.masked(),
            Document::HkMoPermit(d) => d.masked(),
            Document::TwPermit(d) => d.masked(),
            Document::HkMoTwResidencePermit(d) => d.masked(),
        }
    }

    /// The holder's nationality or region where the document shows it:
    /// CHN for a resident ID, HKG/MAC/TWN for the permits, the chosen
    /// country for a passport.
    pub fn nationality(&self) -> Option<&'static Country> {
        match self {
            Document::ResidentId(_) => country("CHN"),
            Document::PermanentResidentId { nationality, .. } => *nationality,
            Document::Passport { nationality, .. } => Some(nationality),
            Document::HkMoPermit(p) => region_country(p.region()),
            Document::TwPermit(_) => country("TWN"),
            Document::HkMoTwResidencePermit(p) => region_country(p.region()),
        }
    }

    /// The key two accounts may not share: type and number.
    pub fn key(&self) -> String {
        format!("{}:{}", self.doc_type().code(), self.number())
    }
}

fn region_country(r: Region) -> Option<&'static Country> {
    country(match r {
        Region::HongKong => "HKG",
        Region::Macao => "MAC",
        Region::Taiwan => "TWN",
    })
}

enum Parsed {
    ResidentId(ResidentId),
    PermanentResidentId(PermanentResidentId),
    Passport(Passport),
    HkMoPermit(HkMoPermit),
    TwPermit(TwPermit),
    HkMoTwResidencePermit(HkMoTwResidencePermit),
}

fn parse_number(t: DocumentType, number: &str, today: CivilDate) -> Result<Parsed, AppError> {
    Ok(match t {
        DocumentType::ResidentId => Parsed::ResidentId(ResidentId::parse(number, today)?),
        DocumentType::PermanentResidentId => Parsed::PermanentResidentId(PermanentResidentId::parse(number)?),
        DocumentType::Passport => Parsed::Passport(Passport::parse(number)?),
        DocumentType::HkMoPermit => Parsed::HkMoPermit(HkMoPermit::parse(number)?),
        DocumentType::TwPermit => Parsed::TwPermit(TwPermit::parse(number)?),
        DocumentType::HkMoTwResidencePermit => Parsed::HkMoTwResidencePermit(HkMoTwResidencePermit::parse(number)?),
    })
}

/// The document type a number probably is, other than `not`: the first
/// type, most specific first, whose parser accepts it. A passport is only
/// guessed for numbers with letters that no other type has, so that a
/// mistyped ID number is never called a passport.
pub(crate) fn likely_type(number: &str, today: CivilDate, not: DocumentType) -> Option<DocumentType> {
    const ORDER: [DocumentType; 5] = [
        DocumentType::HkMoTwResidencePermit,
        DocumentType::PermanentResidentId,
        DocumentType::ResidentId,
        DocumentType::HkMoPermit,
        DocumentType::TwPermit,
    ];
    if let Some(t) = ORDER
        .into_iter()
        .filter(|t| *t != not)
        .find(|t| parse_number(*t, number, today).is_ok())
    {
        return Some(t);
    }
    let s = normalize_code(number);
    let tail_digits = s.get(1..).is_some_and(|t| t.bytes().all(|b| b.is_ascii_digit()));
    let id_like = s.bytes().all(|b| b.is_ascii_digit()) || (s.starts_with(['H', 'M']) && tail_digits);
    if not != DocumentType::Passport && !id_like && Passport::parse(&s).is_ok() {
        return Some(DocumentType::Passport);
    }
    None
}

fn explain(doc_type: DocumentType, number: &str, today: CivilDate, own: AppError) -> AppError {
    if !own.code.ends_with(".empty")
        && let Some(likely) = likely_type(number, today, doc_type)
    {
        let (label, likely_label) = (doc_type.label_zh(), likely.label_zh());
        return AppError::new(
            "document.wrong_format",
            400,
            format!(
                "这个号码不是{label}号码。{}这个号码看起来是{likely_label}号码：如果是，请把证件类型改为“{likely_label}”。",
                doc_type.format_zh()
            ),
            format!(
                "This is not a {} number. {} It looks like a {} number: if it is, change the document type to “{}”.",
                doc_type.label_en(),
                doc_type.format_en(),
                likely.label_en(),
                likely.label_en()
            ),
        )
        .with_field(FIELD)
        .with_details(json!({
            "document_type": doc_type.code(),
            "expected_format": { "zh": doc_type.format_zh(), "en": doc_type.format_en() },
            "likely_type": likely.code(),
        }));
    }
    let mut details = match own.details.clone() {
        Some(Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    details.insert("document_type".into(), json!(doc_type.code()));
    details.insert(
        "expected_format".into(),
        json!({ "zh": doc_type.format_zh(), "en": doc_type.format_en() }),
    );
    details.insert("likely_type".into(), Value::Null);
    own.with_field(FIELD).with_details(Value::Object(details))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::resident_id::tests::today;
    use crate::identity::tests::hostile_inputs;
    use proptest::prelude::*;

    fn parse(t: DocumentType, n: &str) -> Result<Document, AppError> {
        Document::parse(t, n, None, today())
    }

    #[test]
    fn type_names_are_snake_case_with_labels() {
        for t in DocumentType::ALL {
            assert_eq!(serde_json::to_value(t).unwrap(), t.code());
            assert_eq!(DocumentType::parse(t.code()).unwrap(), t);
            assert!(!t.label_zh().is_empty() && !t.label_en().is_empty());
        }
        assert_eq!(DocumentType::parse(" PASSPORT ").unwrap(), DocumentType::Passport);
        let e = DocumentType::parse("id_card").unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            ("document.type_unknown", Some("document_type"))
        );
        assert!(e.message.zh.contains("普通护照（passport）"), "{}", e.message.zh);
        assert_eq!(DocumentType::parse("").unwrap_err().code, "document.type_required");
        let t: DocumentType = serde_json::from_str("\"hk_mo_tw_residence_permit\"").unwrap();
        assert_eq!(t, DocumentType::HkMoTwResidencePermit);
    }

    #[test]
    fn parses_each_type() {
        let d = parse(DocumentType::ResidentId, "11010519491231002x").unwrap();
        assert_eq!(
            (d.doc_type(), d.number()),
            (DocumentType::ResidentId, "11010519491231002X")
        );
        assert_eq!(d.nationality().unwrap().code, "CHN");
        assert_eq!(d.key(), "resident_id:11010519491231002X");
        let d = Document::parse(DocumentType::Passport, "e12345678", Some("deu"), today()).unwrap();
        assert_eq!(d.nationality().unwrap().code, "DEU");
        assert_eq!(d.masked(), "E1****678");
        assert_eq!(
            parse(DocumentType::HkMoPermit, "M12345678")
                .unwrap()
                .nationality()
                .unwrap()
                .code,
            "MAC"
        );
        assert_eq!(
            parse(DocumentType::TwPermit, "12345678")
                .unwrap()
                .nationality()
                .unwrap()
                .code,
            "TWN"
        );
        let old = Document::parse(
            DocumentType::PermanentResidentId,
            "USA110090010150",
            Some("USA"),
            today(),
        )
        .unwrap();
        assert_eq!(old.nationality().unwrap().code, "USA");
        let new = PermanentResidentId::with_check("93110084019900101").unwrap();
        let d = Document::parse(DocumentType::PermanentResidentId, new.as_str(), Some("FRA"), today()).unwrap();
        assert_eq!(d.nationality().unwrap().code, "FRA");
        let rp = HkMoTwResidencePermit::with_check("83000019900101001").unwrap();
        assert_eq!(
            parse(DocumentType::HkMoTwResidencePermit, rp.as_str())
                .unwrap()
                .nationality()
                .unwrap()
                .code,
            "TWN"
        );
    }

    #[test]
    fn nationality_rules() {
        let e = parse(DocumentType::Passport, "E12345678").unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            ("document.nationality_required", Some("nationality"))
        );
        assert_eq!(
            Document::parse(DocumentType::Passport, "E12345678", Some("XYZ"), today())
                .unwrap_err()
                .code,
            "document.nationality_unknown"
        );
        let e = Document::parse(
            DocumentType::PermanentResidentId,
            "USA110090010150",
            Some("DEU"),
            today(),
        )
        .unwrap_err();
        assert_eq!(e.code, "document.nationality_mismatch");
    }

    #[test]
    fn faq_3_7_a_passport_number_in_the_permanent_resident_field() {
        let e = Document::parse(DocumentType::PermanentResidentId, "E12345678", Some("USA"), today()).unwrap_err();
        assert_eq!(e.code, "document.wrong_format");
        assert_eq!(e.field.as_deref(), Some("document_number"));
        let d = e.details.unwrap();
        assert_eq!(d["likely_type"], "passport");
        assert_eq!(d["document_type"], "permanent_resident_id");
        assert!(d["expected_format"]["zh"].as_str().unwrap().contains("以 9 开头"));
        assert!(
            e.message.zh.contains("普通护照") && e.message.zh.contains("以 9 开头"),
            "{}",
            e.message.zh
        );
        assert!(!e.message.zh.contains("格式不正确"));
        assert!(
            e.message.en.contains("Passport") && e.message.en.contains("beginning with 9"),
            "{}",
            e.message.en
        );
    }

    #[test]
    fn guesses_the_other_types() {
        let guess = |t, n: &str| {
            parse(t, n).unwrap_err().details.unwrap()["likely_type"]
                .as_str()
                .map(str::to_owned)
        };
        let rp = HkMoTwResidencePermit::with_check("81000019900101001").unwrap();
        let pr = PermanentResidentId::with_check("93110084019900101").unwrap();
        assert_eq!(
            guess(DocumentType::ResidentId, rp.as_str()).as_deref(),
            Some("hk_mo_tw_residence_permit")
        );
        assert_eq!(
            guess(DocumentType::ResidentId, pr.as_str()).as_deref(),
            Some("permanent_resident_id")
        );
        assert_eq!(
            guess(DocumentType::ResidentId, "H12345678").as_deref(),
            Some("hk_mo_permit")
        );
        assert_eq!(
            guess(DocumentType::ResidentId, "12345678").as_deref(),
            Some("tw_permit")
        );
        assert_eq!(
            guess(DocumentType::PermanentResidentId, "11010519491231002X").as_deref(),
            Some("resident_id")
        );
        assert_eq!(
            guess(DocumentType::HkMoPermit, "G12345678").as_deref(),
            Some("passport")
        );
        // A mistyped resident ID is not called anything else: its own error stands.
        let e = parse(DocumentType::ResidentId, "110105194912310021").unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            ("resident_id.check_mismatch", Some("document_number"))
        );
        assert_eq!(e.details.unwrap()["likely_type"], Value::Null);
        assert_eq!(guess(DocumentType::TwPermit, "123456789"), None);
        assert_eq!(guess(DocumentType::HkMoPermit, "H1234567"), None);
        // An empty number is just that.
        assert_eq!(parse(DocumentType::Passport, " ").unwrap_err().code, "passport.empty");
    }

    #[test]
    fn hostile_input_is_refused_for_every_type() {
        for s in hostile_inputs() {
            for t in DocumentType::ALL {
                let e = Document::parse(t, &s, Some("USA"), today()).unwrap_err();
                assert_eq!(e.field.as_deref(), Some("document_number"), "{t:?} {}", e.code);
            }
        }
    }

    proptest! {
        #[test]
        fn never_panics(s in ".{0,40}", t in 0usize..6, n in proptest::option::of("[A-Za-z]{3}")) {
            let _ = Document::parse(DocumentType::ALL[t], &s, n.as_deref(), today());
        }
    }
}
