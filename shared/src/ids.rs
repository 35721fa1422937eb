//! Typed row ids: an appeal id cannot be passed where an account id is
//! meant. Each wraps the table's `INTEGER PRIMARY KEY`; the store reads and
//! writes them as integers, JSON shows them as numbers, and the audit log
//! names them as `<table>:<id>` ([`AccountId::audit_subject`]).

use crate::store::Value;
use std::fmt;

macro_rules! row_id {
    ($(#[$doc:meta])* $name:ident, $subject:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            pub fn get(self) -> i64 {
                self.0
            }

            /// A path parameter: digits only, else `None` (the caller's 404).
            pub fn parse(s: &str) -> Option<$name> {
                if s.is_empty() || s.len() > 18 || !s.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                s.parse().ok().map($name)
            }

            /// How the audit log names it: `<table>:<id>`.
            pub fn audit_subject(self) -> String {
                format!(concat!($subject, ":{}"), self.0)
            }
        }

        impl From<$name> for Value {
            fn from(id: $name) -> Value {
                Value::Integer(id.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

row_id!(
    /// `accounts.id`: a legal-entity or natural-person account.
    AccountId,
    "account"
);
row_id!(
    /// `reviewers.id`: a back-office reviewer.
    ReviewerId,
    "reviewer"
);
row_id!(
    /// `appeals.id`: a recovery appeal.
    AppealId,
    "appeal"
);
row_id!(
    /// `review_items.id`: an item in the review queue.
    ReviewItemId,
    "review_item"
);
row_id!(
    /// `uploads.id`: an uploaded document.
    UploadId,
    "upload"
);
row_id!(
    /// `verifications.id`: one real-name verification of a part of "my
    /// info" (a claim, its check, its documents and review).
    VerificationId,
    "verification"
);
row_id!(
    /// `grants.id`: one natural person's grant in one organization (its
    /// roles and dates).
    GrantId,
    "grant"
);
row_id!(
    /// `onboardings.id`: one first-entry submission at an entry of the
    /// foreign-work system (flow 7).
    OnboardingId,
    "onboarding"
);
row_id!(
    /// `legacy_records.id`: a business record of the old system.
    LegacyRecordId,
    "legacy_record"
);
row_id!(
    /// `legacy_data_requests.id`: a request to link legacy records.
    LegacyDataRequestId,
    "legacy_data_request"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_digits_only_and_name_their_table() {
        assert_eq!(AccountId::parse("42"), Some(AccountId(42)));
        for bad in ["", "-1", "4 2", "0x10", "1e3", "99999999999999999999"] {
            assert_eq!(AppealId::parse(bad), None, "{bad}");
        }
        assert_eq!(AppealId(7).audit_subject(), "appeal:7");
        assert_eq!(ReviewItemId(3).audit_subject(), "review_item:3");
        assert_eq!(VerificationId(4).audit_subject(), "verification:4");
        assert_eq!(OnboardingId(5).audit_subject(), "onboarding:5");
        assert_eq!(LegacyDataRequestId(6).audit_subject(), "legacy_data_request:6");
        assert_eq!(LegacyRecordId(7).audit_subject(), "legacy_record:7");
        assert_eq!(serde_json::to_value(AccountId(5)).unwrap(), serde_json::json!(5));
        assert_eq!(Value::from(ReviewerId(2)), Value::Integer(2));
    }
}
