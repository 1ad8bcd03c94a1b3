//! The part of an export one call covers.
//!
//! Prevents: a paged export reporting every variant of the other pages as
//! "no stock row" (and, with send-zero on, zeroing them). The host splits a
//! large export by OrderWise variant code and tells each call its range; a
//! call judges only the variants inside it.

/// Variant codes from `first` (inclusive) up to `before` (exclusive), in byte
/// order; an absent bound is open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SkuRange {
    pub first: Option<String>,
    pub before: Option<String>,
}

impl SkuRange {
    /// The whole export.
    pub fn all() -> Self {
        SkuRange::default()
    }

    pub fn contains(&self, code: &str) -> bool {
        self.first.as_deref().is_none_or(|f| code.as_bytes() >= f.as_bytes())
            && self.before.as_deref().is_none_or(|b| code.as_bytes() < b.as_bytes())
    }

    /// `[A, B)`, `[A, …)`, `(…, B)` or `all`, for messages.
    pub fn describe(&self) -> String {
        match (&self.first, &self.before) {
            (None, None) => "all variants".to_owned(),
            (Some(f), None) => format!("variants from {f}"),
            (None, Some(b)) => format!("variants before {b}"),
            (Some(f), Some(b)) => format!("variants from {f} up to {b}"),
        }
    }
}
