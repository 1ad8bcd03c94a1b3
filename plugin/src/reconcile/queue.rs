//! The operations view of a batch or a day of outcomes: the review queue by
//! owner and code, oldest first, with stalled orders and stock drift on top.
//!
//! Prevents: an order that stalls or waits in review, or a stock level that
//! drifts, being found by the customer before anyone here. The latest
//! outcome per order counts (as in the reconciliation); an order held for
//! several reasons is in the queue of each reason's owner. Every stock call
//! counts: each covers its own range of the export.

use crate::reconcile::findings::age_hours;
use crate::reconcile::inputs::orders::SparkOrder;
use crate::reconcile::inputs::outcomes::{supersedes, BridgeOutcome, Flow, Status};
use crate::reconcile::inputs::BadRow;
use crate::shared::issues::{Owner, Severity};
use crate::shared::time::Instant;
use std::collections::{HashMap, HashSet};

/// One entry of the queue: an order (or a stock call) and one reason it waits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The order key; for stock drift, the range of the export the call covered.
    pub key: Option<String>,
    /// Line in the outcomes file.
    pub line: u64,
    /// `ready`, `review`, `rejected` or `stopped`.
    pub status: &'static str,
    pub code: String,
    pub owner: Owner,
    pub message: String,
    /// Hours waiting at the as-of instant: since the platform recorded the
    /// outcome, else since the order was placed (when the orders are given).
    pub age_hours: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct Queue {
    pub as_of: Option<Instant>,
    pub outcomes_read: u64,
    /// Orders with an outcome (the latest each).
    pub orders: u64,
    pub ready: u64,
    pub review: u64,
    pub rejected: u64,
    pub stopped: u64,
    /// Whether stalled orders could be looked for (an OrderWise export was given).
    pub stalled_checked: bool,
    pub stalled_after_hours: u32,
    /// Ready, past the threshold, and not in OrderWise: on top.
    pub stalled: Vec<Entry>,
    /// Stock-flow calls read (catalog checks are not counted: they hold no levels).
    pub stock_outcomes: u64,
    /// Stock calls refused (rejected) or stopped by the platform: their
    /// levels never reached SparkLayer, so it may show stale stock.
    pub stock_refused: u64,
    pub stock_stopped: u64,
    /// `STOCK_DRIFT` issues of the stock calls: next on top.
    pub drift: Vec<Entry>,
    /// Review, rejected and stopped, by owner, code, then oldest first.
    pub waiting: Vec<Entry>,
    pub bad: Vec<BadRow>,
}

/// `in_orderwise`: the keys the OrderWise export holds, when it is given.
pub fn build(
    outcomes: Vec<BridgeOutcome>,
    orders: &[SparkOrder],
    in_orderwise: Option<&HashSet<String>>,
    stalled_after_hours: u32,
    as_of: Option<Instant>,
    bad: Vec<BadRow>,
) -> Queue {
    let placed: HashMap<&str, Instant> = orders.iter().map(|o| (o.key.as_str(), o.placed)).collect();
    let by_line: HashMap<u64, &str> = orders.iter().map(|o| (o.line, o.key.as_str())).collect();
    let mut q = Queue {
        as_of,
        outcomes_read: outcomes.len() as u64,
        stalled_checked: in_orderwise.is_some(),
        stalled_after_hours,
        bad,
        ..Queue::default()
    };
    // The latest outcome per order; outcomes naming no order stand alone.
    let mut latest: HashMap<String, BridgeOutcome> = HashMap::new();
    let mut alone = Vec::new();
    for o in outcomes {
        if o.flow == Flow::Catalog {
            continue;
        }
        if o.flow == Flow::Stock {
            q.stock_outcomes += 1;
            match o.status {
                Status::Rejected => q.stock_refused += 1,
                Status::Stopped(_) => q.stock_stopped += 1,
                Status::Ready | Status::Review => {}
            }
            for i in o.issues.iter().filter(|i| i.code == "STOCK_DRIFT") {
                let age = match (o.recorded_at, as_of) {
                    (Some(s), Some(now)) => Some(age_hours(s, now)),
                    _ => None,
                };
                q.drift.push(Entry {
                    key: o.key.clone(),
                    line: o.line,
                    status: o.status.name(),
                    code: i.code.clone(),
                    owner: i.owner,
                    message: i.message.clone(),
                    age_hours: age,
                });
            }
            continue;
        }
        let key = o.key.clone().or_else(|| o.payload_line.and_then(|l| by_line.get(&l)).map(|k| (*k).to_owned()));
        match key {
            Some(k) => match latest.get(&k) {
                Some(old) if !supersedes(&o, old) => {}
                _ => {
                    latest.insert(k, o);
                }
            },
            None => alone.push(o),
        }
    }
    let mut all: Vec<(Option<String>, BridgeOutcome)> = latest.into_iter().map(|(k, o)| (Some(k), o)).collect();
    all.extend(alone.into_iter().map(|o| (None, o)));
    q.orders = all.len() as u64;
    for (key, o) in all {
        let since = o.recorded_at.or_else(|| key.as_deref().and_then(|k| placed.get(k).copied()));
        let age = match (since, as_of) {
            (Some(s), Some(now)) => Some(age_hours(s, now)),
            _ => None,
        };
        let entry = |status: &'static str, code: &str, owner: Owner, message: String| Entry {
            key: key.clone(),
            line: o.line,
            status,
            code: code.to_owned(),
            owner,
            message,
            age_hours: age,
        };
        match &o.status {
            Status::Ready => {
                q.ready += 1;
                let arrived = key.as_ref().is_some_and(|k| in_orderwise.is_some_and(|keys| keys.contains(k)));
                let old = age.is_some_and(|h| h >= i64::from(stalled_after_hours));
                if in_orderwise.is_some() && !arrived && old {
                    let why = format!("ready {} h ago and not in OrderWise", age.unwrap_or(0));
                    q.stalled.push(entry("ready", "RECON_STALLED", Owner::Integration, why));
                }
            }
            Status::Review => {
                q.review += 1;
                for i in o.issues.iter().filter(|i| i.severity == Severity::Error) {
                    q.waiting.push(entry("review", &i.code, i.owner, i.message.clone()));
                }
            }
            Status::Rejected => {
                q.rejected += 1;
                for i in &o.issues {
                    q.waiting.push(entry("rejected", &i.code, i.owner, i.message.clone()));
                }
            }
            Status::Stopped(kind) => {
                q.stopped += 1;
                let why = format!("the platform stopped the component: {kind}");
                q.waiting.push(entry("stopped", "RECON_REJECTED", Owner::Integration, why));
            }
        }
    }
    let order = |a: &Entry, b: &Entry| {
        (a.owner, &a.code, std::cmp::Reverse(a.age_hours), &a.key, a.line).cmp(&(
            b.owner,
            &b.code,
            std::cmp::Reverse(b.age_hours),
            &b.key,
            b.line,
        ))
    };
    q.stalled.sort_by(order);
    q.drift.sort_by(order);
    q.waiting.sort_by(order);
    q
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reconcile::inputs::outcomes::read;
    use crate::shared::time::TimeZone;

    #[test]
    fn stock_outcomes_in_the_log_are_drift_not_orders() {
        let lines = [
            r#"{"line":1,"outcome":{"status":"review","orderKey":"B2B1","issues":[{"code":"SKU_UNKNOWN","severity":"error","owner":"operations","message":"X is not a variant"}]},"failure":null}"#,
            r#"{"line":1,"outcome":{"status":"ready","range":"all","issues":[{"code":"STOCK_DRIFT","severity":"warning","owner":"operations","message":"A at OW-1: 54 against 48"},{"code":"STOCK_NEGATIVE_CLAMPED","severity":"info","owner":"operations","message":"B sent as 0"}],"stockUpdate":{"rows":2}},"failure":null}"#,
            r#"{"line":2,"outcome":{"status":"rejected","range":"all","issues":[{"code":"STOCK_EXPORT_INVALID","severity":"error","owner":"integration","message":"cut short"}],"stockUpdate":null},"failure":null}"#,
            r#"{"line":1,"outcome":{"status":"review","issues":[{"code":"CATALOG_PACK_UNMAPPED","severity":"error","owner":"operations","message":"no unit"}],"checked":{"skus":1}},"failure":null}"#,
        ];
        let outcomes =
            lines.iter().enumerate().map(|(i, l)| read(l, i as u64 + 1, TimeZone::EuropeLondon).unwrap()).collect();
        let q = build(outcomes, &[], None, 24, None, Vec::new());
        // The stock call at line 1 does not supersede order B2B1's outcome.
        assert_eq!((q.orders, q.review, q.waiting.len()), (1, 1, 1));
        assert_eq!((q.stock_outcomes, q.stock_refused, q.stock_stopped), (2, 1, 0));
        let drift: Vec<&str> = q.drift.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(drift, ["A at OW-1: 54 against 48"]);
    }
}
