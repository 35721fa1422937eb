//! A part's verification state and what moves it (FAQ 3.1, 3.2).
//!
//! ```text
//!                  save (check)            upload            approve
//! not_submitted ──────────────> passed                            
//!       │                       failed ──────┐                    
//!       │                       check_unavailable ──┼──> under_review ──> passed
//!       │                       manual_review_required ┘        │
//!       │                                              reject   v
//!       └─ (save again from any state but under_review)       rejected ──upload──> under_review
//! ```
//!
//! Saving runs the automatic check and lands in `passed`, `failed`,
//! `check_unavailable` (no verdict: the upload is offered at once) or
//! `manual_review_required` (the document cannot be checked online, or no
//! identity service is configured). Uploading the scans puts the part
//! `under_review` (a review item, due one working day later); the reviewer
//! approves (`passed`) or rejects with a reason (`rejected`; the user may
//! upload again or change the data). Nothing changes a part while it is
//! under review.

use crate::error::AppError;
use crate::i18n::Text;
use serde_json::json;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    NotSubmitted,
    Passed,
    Failed,
    CheckUnavailable,
    ManualReviewRequired,
    UnderReview,
    Rejected,
}

/// What the page offers next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextAction {
    /// Fill in and save the part.
    Save,
    /// Upload the documents for manual review.
    Upload,
    /// Wait for the review (by the due time).
    Wait,
    /// Nothing to do (it may still be edited).
    None,
}

impl NextAction {
    pub fn code(self) -> &'static str {
        match self {
            NextAction::Save => "save",
            NextAction::Upload => "upload",
            NextAction::Wait => "wait",
            NextAction::None => "none",
        }
    }
}

impl State {
    pub const ALL: [State; 7] = [
        State::NotSubmitted,
        State::Passed,
        State::Failed,
        State::CheckUnavailable,
        State::ManualReviewRequired,
        State::UnderReview,
        State::Rejected,
    ];

    pub fn code(self) -> &'static str {
        match self {
            State::NotSubmitted => "not_submitted",
            State::Passed => "passed",
            State::Failed => "failed",
            State::CheckUnavailable => "check_unavailable",
            State::ManualReviewRequired => "manual_review_required",
            State::UnderReview => "under_review",
            State::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        State::ALL.into_iter().find(|x| x.code() == s)
    }

    /// Whether documents may be uploaded now.
    pub fn accepts_upload(self) -> bool {
        matches!(self, State::Failed | State::CheckUnavailable | State::ManualReviewRequired | State::Rejected)
    }

    /// Whether the part may be saved (changed) now.
    pub fn accepts_save(self) -> bool {
        self != State::UnderReview
    }

    pub fn next_action(self) -> NextAction {
        match self {
            State::NotSubmitted => NextAction::Save,
            State::Passed => NextAction::None,
            State::UnderReview => NextAction::Wait,
            State::Failed | State::CheckUnavailable | State::ManualReviewRequired | State::Rejected => NextAction::Upload,
        }
    }

    /// The state line the page shows for a part (FAQ 3.1's words: "xxx
    /// 已通过", "xxx 失败", "实名认证审核中"), with what to do next.
    pub fn message(self, part: (&str, &str)) -> Text {
        let (zh, en) = part;
        match self {
            State::NotSubmitted => Text::new(
                format!("{zh} 未提交：请补充完整并保存，保存后自动进行实名核验。"),
                format!("{en}: not submitted. Complete it and save; it is then verified automatically."),
            ),
            State::Passed => Text::new(format!("{zh} 已通过"), format!("{en}: verified")),
            State::Failed => Text::new(
                format!("{zh} 失败：填写的信息未通过实名核验。请核对后重新保存，或上传证件，转人工审核。"),
                format!("{en}: verification failed. The details did not pass the real-name check. Check them and save again, or upload the documents for manual review."),
            ),
            State::CheckUnavailable => Text::new(
                format!("{zh}：自动核验暂时无法给出结果，请直接上传证件，转人工审核（也可以稍后重新保存）。"),
                format!("{en}: the automatic check could not give a result. Upload the documents for manual review now (or save again later)."),
            ),
            State::ManualReviewRequired => Text::new(
                format!("{zh}：该证件不能在线核验，请上传证件，转人工审核。"),
                format!("{en}: this document cannot be checked online. Upload the documents for manual review."),
            ),
            State::UnderReview => Text::new(
                "实名认证审核中：请等待后台审核，审核结果会以短信通知。".to_owned(),
                "Real-name verification under review: please wait for the back office; the result comes by SMS.".to_owned(),
            ),
            State::Rejected => Text::new(
                format!("{zh} 审核未通过：请按原因修改信息或重新上传证件后再次提交。"),
                format!("{en}: rejected at review. Correct the details or upload the documents again as the reason says, then resubmit."),
            ),
        }
    }
}

/// What happened last to a verification, as the owner is told (its
/// history's result codes). Which field did not match is never said, and a
/// mismatch and "no record" are one result: the check is an oracle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// The identity service answered "match" for exactly what was sent.
    CheckPassed,
    /// It answered mismatch or no record.
    CheckFailed,
    /// No verdict (timeout, an error, a malformed or unknown answer, busy).
    CheckUnavailable,
    /// The per-account or per-client limit of automatic checks was reached.
    CheckLimitReached,
    /// The document cannot be checked online.
    NotCheckableOnline,
    /// No identity service is configured: formats and check characters
    /// were checked, nothing more.
    FormatCheckedOnly,
    /// The saved identity is the one already in force (verified before).
    IdentityInForce,
    /// Only details (address, phone, type) changed.
    DetailsUpdated,
    /// The documents were uploaded for review.
    DocumentsSubmitted,
    ReviewApproved,
    ReviewRejected,
}

impl Outcome {
    pub const ALL: [Outcome; 11] = [
        Outcome::CheckPassed,
        Outcome::CheckFailed,
        Outcome::CheckUnavailable,
        Outcome::CheckLimitReached,
        Outcome::NotCheckableOnline,
        Outcome::FormatCheckedOnly,
        Outcome::IdentityInForce,
        Outcome::DetailsUpdated,
        Outcome::DocumentsSubmitted,
        Outcome::ReviewApproved,
        Outcome::ReviewRejected,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Outcome::CheckPassed => "check_passed",
            Outcome::CheckFailed => "check_failed",
            Outcome::CheckUnavailable => "check_unavailable",
            Outcome::CheckLimitReached => "check_limit_reached",
            Outcome::NotCheckableOnline => "not_checkable_online",
            Outcome::FormatCheckedOnly => "format_checked_only",
            Outcome::IdentityInForce => "identity_in_force",
            Outcome::DetailsUpdated => "details_updated",
            Outcome::DocumentsSubmitted => "documents_submitted",
            Outcome::ReviewApproved => "review_approved",
            Outcome::ReviewRejected => "review_rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.code() == s)
    }

    /// The state a save with this outcome leaves the part in (`None` for
    /// the outcomes that are not a save's).
    pub fn state_after_save(self) -> Option<State> {
        match self {
            Outcome::CheckPassed | Outcome::IdentityInForce => Some(State::Passed),
            Outcome::CheckFailed => Some(State::Failed),
            Outcome::CheckUnavailable | Outcome::CheckLimitReached => Some(State::CheckUnavailable),
            Outcome::NotCheckableOnline | Outcome::FormatCheckedOnly => Some(State::ManualReviewRequired),
            Outcome::DetailsUpdated | Outcome::DocumentsSubmitted | Outcome::ReviewApproved | Outcome::ReviewRejected => None,
        }
    }
}

/// What may happen to a part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// Saved with a new claim and its check's outcome.
    Saved(Outcome),
    /// Documents uploaded.
    Uploaded,
    Approved,
    Rejected,
}

/// The state after `event`, or why it may not happen now (409s that say
/// what to do instead).
pub fn transition(from: State, event: Event, part: (&str, &str)) -> Result<State, AppError> {
    match (from, event) {
        (State::UnderReview, Event::Saved(_)) => Err(under_review(part)),
        (_, Event::Saved(outcome)) => outcome.state_after_save().ok_or_else(AppError::internal),
        (State::UnderReview, Event::Uploaded) => Err(already_under_review(part)),
        (s, Event::Uploaded) if s.accepts_upload() => Ok(State::UnderReview),
        (s, Event::Uploaded) => Err(upload_not_accepted(s, part)),
        (State::UnderReview, Event::Approved) => Ok(State::Passed),
        (State::UnderReview, Event::Rejected) => Ok(State::Rejected),
        (s, Event::Approved | Event::Rejected) => Err(AppError::new(
            "verification.not_under_review",
            409,
            format!("该实名认证不在审核中（{}），不能审核。", s.code()),
            format!("This verification is not under review ({}); it cannot be decided.", s.code()),
        )),
    }
}

pub fn under_review(part: (&str, &str)) -> AppError {
    AppError::new(
        "verification.under_review",
        409,
        format!("{}正在实名认证审核中，审核完成前不能修改。请等待审核结果（短信通知）。", part.0),
        format!("{} is under review and cannot be changed until the review is done; the result comes by SMS.", part.1),
    )
}

pub fn already_under_review(part: (&str, &str)) -> AppError {
    AppError::new(
        "verification.already_under_review",
        409,
        format!("{}的证件已提交，正在审核中，无需重复上传。请等待审核结果（短信通知）。", part.0),
        format!("The documents for {} were already submitted and are under review; there is no need to upload again.", part.1),
    )
}

pub fn upload_not_accepted(state: State, part: (&str, &str)) -> AppError {
    let (zh, en) = match state {
        State::Passed => (
            format!("{} 已通过实名认证，无需上传证件。", part.0),
            format!("{} is verified; no documents are needed.", part.1),
        ),
        _ => (
            format!("请先填写并保存{}：保存后自动核验，需要时再上传证件。", part.0),
            format!("Save {} first: it is checked automatically, and documents are asked for when needed.", part.1),
        ),
    };
    AppError::new("verification.upload_not_accepted", 409, zh, en).with_details(json!({ "state": state.code() }))
}
