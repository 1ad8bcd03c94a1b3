//! What a stock call and a catalog check produce, and the findings list
//! they share.
//!
//! Prevents: a 50,000-SKU export with a systematic fault (a location column
//! missing from every row) answering with 100,000 issues, past the platform's
//! output cap, so that the good levels are lost with it. Each code keeps its
//! first `CAP` findings; the rest are counted in one closing issue per code.

pub use crate::orders::outcome::Status;
use crate::shared::issues::{Code, Issue, Severity};
use std::collections::BTreeMap;

/// Findings kept per code and call.
pub const CAP: u32 = 50;

/// Issues as rules find them, at most `CAP` of each code.
#[derive(Debug, Default)]
pub struct Findings {
    issues: Vec<Issue>,
    counts: BTreeMap<Code, u32>,
}

impl Findings {
    /// Records a finding of `code`, building it only when it will be kept
    /// (a message costs far more fuel than a row).
    pub fn push_with(&mut self, code: Code, issue: impl FnOnce() -> Issue) {
        let n = self.counts.entry(code).or_default();
        *n += 1;
        if *n <= CAP {
            self.issues.push(issue());
        }
    }

    pub fn push(&mut self, issue: Issue) {
        let n = self.counts.entry(issue.code).or_default();
        *n += 1;
        if *n <= CAP {
            self.issues.push(issue);
        }
    }

    /// Whether any finding of this severity was pushed (kept or counted).
    pub fn any_error(&self) -> bool {
        self.issues.iter().any(|i| i.severity == Severity::Error)
    }

    /// The kept issues, then one per code that had more than `CAP`.
    pub fn finish(mut self) -> Vec<Issue> {
        for (code, n) in self.counts {
            if n > CAP {
                let message = format!(
                    "{} more {} findings in this call are not listed (the first {CAP} are)",
                    n - CAP,
                    code.as_str()
                );
                self.issues.push(Issue::new(code, "", message));
            }
        }
        self.issues
    }
}

/// What one call did at one SparkLayer location (counts of SparkLayer SKU entries).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocationCount {
    pub location: String,
    pub sent: u32,
    pub unchanged: u32,
    pub clamped: u32,
    pub drifted: u32,
    pub missing: u32,
}

/// Mirrors the WIT `stock-outcome`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockOutcome {
    pub status: Status,
    /// `batch-update-stock` request bodies (JSON arrays), in order.
    pub requests: Vec<String>,
    pub rows: u32,
    pub locations: Vec<LocationCount>,
    pub issues: Vec<Issue>,
}

impl StockOutcome {
    /// Nothing is sent: the input could not be read (or the flow is not set up).
    pub fn rejected(rows: u32, issue: Issue) -> Self {
        StockOutcome {
            status: Status::Rejected,
            requests: Vec::new(),
            rows,
            locations: Vec::new(),
            issues: vec![issue],
        }
    }
}

/// Mirrors the WIT `catalog-outcome`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogOutcome {
    pub status: Status,
    pub skus: u32,
    pub packs: u32,
    pub issues: Vec<Issue>,
}
