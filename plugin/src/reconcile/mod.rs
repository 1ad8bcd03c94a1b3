//! The month-end reconciliation: SparkLayer's orders, the bridge's outcomes
//! and OrderWise's export, compared order by order and per VAT rate, with a
//! finding for everything that is not "matched and equal", each owned.
//!
//! The same plain-Rust core as the orders flow: the harness (and the
//! platform) run it natively today; a WIT interface can expose it later.
//! Pure: no clock (age is measured to the `as-of` instant given), no files.
//!
//! - `inputs/`: reading the three inputs, a bad row a `BadRow` with its line;
//! - `period.rs`: the period cut in the tenant's time zone;
//! - `matching.rs`: pairing orders with rows, and by which rule;
//! - `findings.rs`: the rules, one function each, with what they prevent;
//! - `totals.rs`: per currency and VAT rate, both sides;
//! - `report.rs`: the result as JSON (for the platform) and CSV (for spreadsheets);
//! - `settings.rs`: the profile's optional `reconcile` section.
//! - `queue.rs`: the operations view of a batch or a day of outcomes.

pub mod findings;
pub mod inputs;
pub mod matching;
pub mod period;
pub mod queue;
pub mod report;
pub mod settings;
pub mod totals;

use crate::reconcile::findings::{Credits, Finding};
use crate::reconcile::inputs::export::ExportRow;
use crate::reconcile::inputs::orders::SparkOrder;
use crate::reconcile::inputs::outcomes::{supersedes, BridgeOutcome};
use crate::reconcile::inputs::BadRow;
use crate::reconcile::matching::{RowState, Rule};
use crate::reconcile::period::Period;
use crate::reconcile::settings::Settings;
use crate::reconcile::totals::{CurrencyTotal, RateTotal, Totals};
use crate::shared::issues::{Code, Owner};
use crate::shared::time::{self, Instant};
use std::collections::HashMap;

/// Everything read from the three inputs.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub orders: Vec<SparkOrder>,
    pub outcomes: Vec<BridgeOutcome>,
    pub rows: Vec<ExportRow>,
    pub bad: Vec<BadRow>,
}

/// Counts that say what was read and where each row went: nothing is left out unseen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub orders_read: u64,
    pub orders_in_period: u64,
    /// Orders placed outside the period: read for matching only.
    pub orders_other_period: u64,
    /// Payloads recorded more than once (a redelivered webhook): the later one counts.
    pub orders_recorded_again: u64,
    /// Orders of the period that are not sales (cancelled, test, draft): not in SparkLayer's totals.
    pub orders_not_sales: u64,
    pub outcomes_read: u64,
    /// Outcomes superseded by a later one for the same order.
    pub outcomes_superseded: u64,
    /// Outcomes for orders not in the orders file (or of another flow: stock, catalog).
    pub outcomes_without_order: u64,
    pub rows_read: u64,
    /// Sales-order rows of the period (paired with a period order, duplicates, or unpaired and dated in it).
    pub rows_in_period: u64,
    /// Rows of another period: paired with an order placed outside it, or unpaired and dated outside it.
    pub rows_other_period: u64,
    pub credit_notes: u64,
    pub matched_by_key: u64,
    pub matched_by_po: u64,
    /// Matched and equal on currency, net, VAT, gross and PO.
    pub matched_equal: u64,
    pub bad_rows: u64,
    pub exceptions: u64,
    pub exceptions_by_owner: Vec<(Owner, u64)>,
    pub findings_by_code: Vec<(Code, u64)>,
}

#[derive(Debug, Clone)]
pub struct Reconciliation {
    pub period: Period,
    pub as_of: Instant,
    pub settings: Settings,
    pub summary: Summary,
    pub by_currency: Vec<CurrencyTotal>,
    pub by_rate: Vec<RateTotal>,
    /// Every finding, "matched and equal" included, sorted by owner, code, age (oldest first), key.
    pub findings: Vec<Finding>,
}

/// The export's rows with a document listed twice figure for figure (an
/// export definition joined to a table with a row per something else) kept
/// once; each repeat is a bad row (`RECON_INPUT_INVALID`) that lost nothing.
///
/// Prevents: a sales order or credit note counted twice in OrderWise's
/// totals, and its repeat reported as a duplicate import for operations to
/// cancel, when OrderWise holds it once.
fn once_each(rows: Vec<ExportRow>, bad: &mut Vec<BadRow>) -> Vec<ExportRow> {
    let mut of_number: HashMap<(bool, String), Vec<usize>> = HashMap::with_capacity(rows.len());
    let mut kept: Vec<ExportRow> = Vec::with_capacity(rows.len());
    for row in rows {
        let number = (row.kind == inputs::export::RowKind::Credit, row.order_number.clone());
        let earlier = of_number.get(&number).into_iter().flatten().map(|&k| &kept[k]);
        let repeated = earlier.clone().find(|e| ExportRow { line: e.line, ..row.clone() } == **e);
        if let Some(earlier) = repeated {
            let why = format!(
                "repeats line {} ({}) figure for figure: the same document listed twice, counted once; check the export definition",
                earlier.line, row.order_number
            );
            bad.push(BadRow::new(inputs::Input::Export, row.line, why).losing(inputs::Lost::Nothing));
            continue;
        }
        of_number.entry(number).or_default().push(kept.len());
        kept.push(row);
    }
    kept
}

pub fn reconcile(settings: &Settings, inputs: Inputs, period: Period, as_of: Instant) -> Reconciliation {
    let Inputs { orders: recorded, outcomes, rows, mut bad } = inputs;
    let rows = once_each(rows, &mut bad);
    let mut summary =
        Summary { orders_read: recorded.len() as u64, outcomes_read: outcomes.len() as u64, ..Summary::default() };

    // A payload recorded twice is one order: the later recording counts.
    let mut orders: Vec<SparkOrder> = Vec::with_capacity(recorded.len());
    let mut index: HashMap<String, usize> = HashMap::with_capacity(recorded.len());
    let mut by_line: HashMap<u64, usize> = HashMap::with_capacity(recorded.len());
    for order in recorded {
        match index.get(&order.key) {
            Some(&i) => {
                summary.orders_recorded_again += 1;
                by_line.insert(order.line, i);
                orders[i] = order;
            }
            None => {
                index.insert(order.key.clone(), orders.len());
                by_line.insert(order.line, orders.len());
                orders.push(order);
            }
        }
    }

    // The outcome that counts for each order: the latest.
    let mut latest: Vec<Option<BridgeOutcome>> = vec![None; orders.len()];
    for outcome in outcomes {
        // A stock or catalog outcome in the same log is no order's.
        if outcome.flow != inputs::outcomes::Flow::Orders {
            summary.outcomes_without_order += 1;
            continue;
        }
        let at = match (&outcome.key, outcome.payload_line) {
            (Some(key), _) => index.get(key).copied(),
            (None, Some(line)) => by_line.get(&line).copied(),
            (None, None) => None,
        };
        let Some(i) = at else {
            summary.outcomes_without_order += 1;
            continue;
        };
        match &latest[i] {
            Some(old) if !supersedes(&outcome, old) => summary.outcomes_superseded += 1,
            Some(_) => {
                summary.outcomes_superseded += 1;
                latest[i] = Some(outcome);
            }
            None => latest[i] = Some(outcome),
        }
    }

    let matching = matching::pair(&orders, &rows);
    let in_period: Vec<bool> = orders.iter().map(|o| period.contains(o.placed)).collect();
    let mut findings: Vec<Finding> = bad.iter().map(findings::bad_row).collect();
    // "Not in OrderWise" is only as sure as the export is readable.
    let export_gaps = findings::ExportGaps::of(&bad);
    summary.bad_rows = bad.len() as u64;
    let mut totals = Totals::default();
    // The credit notes that carry each order's key, for orders refunded or
    // edited down after posting (`findings::compare`).
    let mut credits: HashMap<usize, Credits> = HashMap::new();
    for (r, state) in matching.of_row.iter().enumerate() {
        if let RowState::Credit(Some(o)) = state {
            credits.entry(*o).or_default().add(&rows[r]);
        }
    }

    for (i, order) in orders.iter().enumerate() {
        if !in_period[i] {
            summary.orders_other_period += 1;
            continue;
        }
        summary.orders_in_period += 1;
        if let Some(why) = &order.not_a_sale {
            // Never posted, so not a sale of the period; an OrderWise row paired
            // with it still counts on OrderWise's side, where it is the exception.
            summary.orders_not_sales += 1;
            let row = matching.of_order[i].map(|(r, rule)| (&rows[r], rule));
            findings.push(findings::not_a_sale(order, why, row, credits.get(&i), settings.tolerance, as_of));
            continue;
        }
        totals.add_order(order);
        let Some((r, rule)) = matching.of_order[i] else {
            let mut f = findings::missing(order, latest[i].as_ref(), settings.stalled_after_hours, as_of);
            export_gaps.caveat(&mut f);
            findings.push(f);
            continue;
        };
        let row = &rows[r];
        match rule {
            Rule::Key => summary.matched_by_key += 1,
            Rule::PoAndCustomer => summary.matched_by_po += 1,
        }
        let credited = credits.get(&i).filter(|_| order.current);
        let equal = findings::compare(order, row, credited, rule, settings.tolerance, as_of, &mut findings);
        let same_po = findings::po(order, row, rule, as_of, &mut findings);
        let same_key = findings::key(order, row, rule, as_of, &mut findings);
        let same_account = findings::account(order, row, rule, as_of, &mut findings);
        findings::invoiced(order, row, rule, &period, as_of, &mut findings);
        if equal && same_po && same_key && same_account {
            summary.matched_equal += 1;
            findings.push(findings::matched(order, row, credited, rule, settings.tolerance, as_of));
        }
    }

    summary.rows_read = rows.len() as u64;
    for (r, row) in rows.iter().enumerate() {
        match &matching.of_row[r] {
            RowState::Paired(o, rule) => {
                if in_period[*o] {
                    summary.rows_in_period += 1;
                    totals.add_row(row, Some(&orders[*o]));
                    continue;
                }
                summary.rows_other_period += 1;
                // An earlier month's order that reached OrderWise in this one:
                // its month's run, made before the import, saw it as in flight
                // and compared nothing, so its figures are compared here (its
                // totals stay with its month).
                let order = &orders[*o];
                let imported_now = row.order_date.is_some_and(|d| period.holds(d));
                if imported_now && order.placed < period.start && order.not_a_sale.is_none() {
                    let credited = credits.get(o).filter(|_| order.current);
                    let from = findings.len();
                    findings::compare(order, row, credited, *rule, settings.tolerance, as_of, &mut findings);
                    findings::po(order, row, *rule, as_of, &mut findings);
                    findings::key(order, row, *rule, as_of, &mut findings);
                    findings::account(order, row, *rule, as_of, &mut findings);
                    for f in &mut findings[from..] {
                        f.message.push_str(&format!(
                            "; the order was placed in an earlier month ({}) and reached OrderWise in this one, so it is compared here",
                            time::format_utc(order.placed)
                        ));
                    }
                }
            }
            RowState::Duplicate { order, first, rule } => {
                // A copy belongs to the month it is dated in (its order may be an
                // earlier month's, whose run, closed before the copy was made,
                // could not see it: reported here, or never); undated, to its order's.
                let belongs = match row.order_date {
                    Some(d) => period.holds(d),
                    None => in_period[*order],
                };
                if belongs {
                    summary.rows_in_period += 1;
                    totals.add_row(row, Some(&orders[*order]));
                    findings.push(findings::duplicate(Some(&orders[*order]), row, &rows[*first], *rule, as_of));
                } else {
                    summary.rows_other_period += 1;
                }
            }
            RowState::Unpaired(why) => {
                if row.order_date.is_some_and(|d| !period.holds(d)) {
                    summary.rows_other_period += 1;
                    continue;
                }
                summary.rows_in_period += 1;
                totals.add_row(row, None);
                findings.push(findings::not_in_sparklayer(row, why, &period, as_of));
            }
            RowState::Credit(order) => {
                let dated_in = row.order_date.or(row.invoice_date).is_none_or(|d| period.holds(d));
                if !dated_in {
                    summary.rows_other_period += 1;
                    continue;
                }
                summary.credit_notes += 1;
                totals.add_credit(row);
                findings.push(findings::credit_note(row, order.map(|o| &orders[o]), &period, as_of));
            }
        }
    }

    findings.sort_by(|a, b| {
        (a.owner, a.code, std::cmp::Reverse(a.age_hours), &a.key, a.source).cmp(&(
            b.owner,
            b.code,
            std::cmp::Reverse(b.age_hours),
            &b.key,
            b.source,
        ))
    });
    let mut by_owner: Vec<(Owner, u64)> = Vec::new();
    let mut by_code: Vec<(Code, u64)> = Vec::new();
    for f in &findings {
        if f.is_exception() {
            summary.exceptions += 1;
            bump(&mut by_owner, f.owner);
        }
        bump(&mut by_code, f.code);
    }
    by_owner.sort();
    by_code.sort();
    (summary.exceptions_by_owner, summary.findings_by_code) = (by_owner, by_code);

    Reconciliation {
        period,
        as_of,
        settings: settings.clone(),
        summary,
        by_currency: totals.by_currency(),
        by_rate: totals.by_rate(),
        findings,
    }
}

fn bump<K: PartialEq>(counts: &mut Vec<(K, u64)>, key: K) {
    match counts.iter_mut().find(|(k, _)| *k == key) {
        Some((_, n)) => *n += 1,
        None => counts.push((key, 1)),
    }
}
