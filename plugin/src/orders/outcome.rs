//! The result of mapping one order, and the rule that turns issues into a status.

use crate::orders::owapi::SalesOrder;
use crate::shared::issues::{Code, Issue, Severity};

/// What the platform should do with the order (mirrors the WIT `status` enum).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ready,
    Review,
    Rejected,
}

/// Mirrors the WIT `outcome` record; the sales order is still typed here and
/// becomes JSON text only at the boundary.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub status: Status,
    pub order_key: Option<String>,
    pub sales_order: Option<SalesOrder>,
    pub issues: Vec<Issue>,
}

impl Outcome {
    /// The status rule (docs/operating-model.md):
    /// - any `PAYLOAD_INVALID` error: `rejected`, no draft, only the payload issues
    ///   (the source must resend; everything else is judged on the resent payload);
    /// - otherwise any error: `review`, with the draft and every issue;
    /// - otherwise (warnings and info only): `ready`.
    pub fn decide(order_key: Option<String>, draft: Option<SalesOrder>, issues: Vec<Issue>) -> Self {
        let is_error = |i: &&Issue| i.severity == Severity::Error;
        let unusable = draft.is_none() || issues.iter().filter(is_error).any(|i| i.code == Code::PAYLOAD_INVALID);
        let status = if unusable {
            Status::Rejected
        } else if issues.iter().any(|i| i.severity == Severity::Error) {
            Status::Review
        } else {
            Status::Ready
        };
        // A rejected payload is re-read in full when the source resends it: the
        // findings built on a broken read (totals, say) would only mislead.
        let issues = if status == Status::Rejected {
            issues.into_iter().filter(|i| i.code == Code::PAYLOAD_INVALID).collect()
        } else {
            issues
        };
        Outcome { status, order_key, sales_order: if status == Status::Rejected { None } else { draft }, issues }
    }

    /// The outcome for a payload that could not be read at all.
    pub fn rejected(order_key: Option<String>, issues: Vec<Issue>) -> Self {
        Outcome::decide(order_key, None, issues)
    }
}
