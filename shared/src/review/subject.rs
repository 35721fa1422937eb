//! What a review item is about, typed: `Subject::Appeal(AppealId)`,
//! `Subject::Verification(VerificationId)`, `Subject::Onboarding(OnboardingId)`,
//! `Subject::LegacyDataRequest(LegacyDataRequestId)`, never
//! a string built or parsed by hand. In the store (`review_items.subject`,
//! `uploads.owner`) and in JSON it is written `<table>:<id>`, as the audit
//! log names rows.

use crate::ids::{AppealId, LegacyDataRequestId, OnboardingId, VerificationId};
use crate::store::StoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subject {
    /// A recovery appeal (flow 4).
    Appeal(AppealId),
    /// A real-name verification's uploaded documents (flow 5).
    Verification(VerificationId),
    /// A first-entry submission at an entry of the foreign-work system (flow 7).
    Onboarding(OnboardingId),
    /// A request to link legacy business records (flow 7, FAQ 8).
    LegacyDataRequest(LegacyDataRequestId),
}

impl Subject {
    /// `appeal:12`.
    pub fn to_db(self) -> String {
        match self {
            Subject::Appeal(id) => id.audit_subject(),
            Subject::Verification(id) => id.audit_subject(),
            Subject::Onboarding(id) => id.audit_subject(),
            Subject::LegacyDataRequest(id) => id.audit_subject(),
        }
    }

    /// Reads a stored subject; anything else is a corrupt row.
    pub fn from_db(s: &str) -> Result<Subject, StoreError> {
        let bad = || StoreError::Other(format!("not a review subject: {s:?}"));
        let (table, id) = s.split_once(':').ok_or_else(bad)?;
        match table {
            "appeal" => AppealId::parse(id).map(Subject::Appeal).ok_or_else(bad),
            "verification" => VerificationId::parse(id).map(Subject::Verification).ok_or_else(bad),
            "onboarding" => OnboardingId::parse(id).map(Subject::Onboarding).ok_or_else(bad),
            "legacy_data_request" => LegacyDataRequestId::parse(id).map(Subject::LegacyDataRequest).ok_or_else(bad),
            _ => Err(bad()),
        }
    }
}

impl serde::Serialize for Subject {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_db())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_round_trip_through_the_store_form() {
        let s = Subject::Appeal(AppealId(12));
        assert_eq!(s.to_db(), "appeal:12");
        assert_eq!(Subject::from_db("appeal:12").unwrap(), s);
        assert_eq!(serde_json::to_value(s).unwrap(), serde_json::json!("appeal:12"));
        let v = Subject::Verification(VerificationId(3));
        assert_eq!(Subject::from_db(&v.to_db()).unwrap(), v);
        assert_eq!(v.to_db(), "verification:3");
        for s in [Subject::Onboarding(OnboardingId(4)), Subject::LegacyDataRequest(LegacyDataRequestId(5))] {
            assert_eq!(Subject::from_db(&s.to_db()).unwrap(), s);
        }
        assert_eq!(Subject::LegacyDataRequest(LegacyDataRequestId(5)).to_db(), "legacy_data_request:5");
        for bad in ["appeal", "appeal:", "appeal:x", "account:3", ":1", "appeal:-1", "verification:", "verification:x", "onboarding:", "legacy_data_request:x", "legacy_record:1"] {
            assert!(Subject::from_db(bad).is_err(), "{bad}");
        }
    }
}
