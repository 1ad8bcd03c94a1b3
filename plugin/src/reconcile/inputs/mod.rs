//! The reconciliation's three inputs, each read row by row so that a bad row
//! is a coded finding with its line number and the rest is still read:
//! - `orders.rs`: the period's SparkLayer orders (recorded payloads, JSONL);
//! - `outcomes.rs`: the bridge's outcomes for them (the JSONL `batch` writes,
//!   or the platform's log in the same shape);
//! - `export.rs` (with `csv.rs`): the OrderWise export of sales orders,
//!   invoices and credit notes, as CSV or JSON.

pub mod csv;
pub mod export;
pub mod orders;
pub mod outcomes;

/// Which input a row came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Input {
    Orders,
    Outcomes,
    /// The stock flow's outcomes (`batch --flow stock`), read for the queue page.
    Stock,
    Export,
}

impl Input {
    pub fn name(self) -> &'static str {
        match self {
            Input::Orders => "orders",
            Input::Outcomes => "outcomes",
            Input::Stock => "stock outcomes",
            Input::Export => "orderwise",
        }
    }
}

/// A row that could not be read: where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    pub input: Input,
    /// 1-based line in its file (for a CSV record spanning lines, its first line).
    pub line: u64,
    pub message: String,
    /// What of the input went unread because of it.
    pub lost: Lost,
}

/// What a bad row cost the input: how sure "not in OrderWise" can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lost {
    /// This row.
    Row,
    /// Nothing: a note (a column not read, text not UTF-8); the rows were read.
    Nothing,
    /// Every row from here on (a header that cannot be used, the JSON broken off).
    Rest,
}

impl BadRow {
    pub fn new(input: Input, line: u64, message: impl Into<String>) -> Self {
        BadRow { input, line, message: message.into(), lost: Lost::Row }
    }

    pub fn losing(mut self, lost: Lost) -> Self {
        self.lost = lost;
        self
    }
}

/// The 1-based line of byte `offset` in `text`, counting from `from` (the
/// line of byte `start`): lets a reader walking forwards count each newline once.
pub fn line_at(text: &str, start: usize, from: u64, offset: usize) -> u64 {
    let end = offset.min(text.len());
    if end <= start {
        return from;
    }
    from + text.as_bytes()[start..end].iter().filter(|&&b| b == b'\n').count() as u64
}
