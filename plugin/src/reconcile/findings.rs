//! Findings: what the reconciliation says about each order and row, each
//! with both figures, its age, its owner and the rule that paired it.
//! Codes, severities and owners are in the one `codes!` table
//! (`shared/issues.rs`); what the owner does is in docs/issue-codes.md.

use crate::reconcile::inputs::export::ExportRow;
use crate::reconcile::inputs::orders::SparkOrder;
use crate::reconcile::inputs::outcomes::{BridgeOutcome, Status};
use crate::reconcile::inputs::{BadRow, Input, Lost};
use crate::reconcile::matching::{key_form, Rule};
use crate::reconcile::period::Period;
use crate::shared::issues::{Code, Owner, Severity};
use crate::shared::money::show;
use crate::shared::time::{format_date, format_utc, Instant};
use rust_decimal::Decimal;

/// Which of an order's figures a finding's two figures are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Figure {
    Net,
    Vat,
    Gross,
}

impl Figure {
    pub fn as_str(self) -> &'static str {
        match self {
            Figure::Net => "net",
            Figure::Vat => "vat",
            Figure::Gross => "gross",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    pub owner: Owner,
    /// The SparkLayer order key (or, for an OrderWise row with no order, its eCommerceOrderNumber).
    pub key: Option<String>,
    /// The OrderWise sales order (or credit note) number.
    pub orderwise_number: Option<String>,
    pub po: Option<String>,
    /// The OrderWise customer account.
    pub account: Option<String>,
    pub currency: Option<String>,
    /// Which figure `sparklayer` and `orderwise` are.
    pub figure: Figure,
    pub sparklayer: Option<Decimal>,
    pub orderwise: Option<Decimal>,
    /// The rule that paired the order and the row.
    pub rule: Option<Rule>,
    /// Hours from the order (or row) to the as-of instant, whole hours.
    pub age_hours: Option<i64>,
    /// The input line the finding is about.
    pub source: Option<(Input, u64)>,
    pub message: String,
}

impl Finding {
    fn new(code: Code, message: String) -> Self {
        Finding {
            code,
            severity: code.default_severity(),
            owner: code.owner(),
            key: None,
            orderwise_number: None,
            po: None,
            account: None,
            currency: None,
            figure: Figure::Gross,
            sparklayer: None,
            orderwise: None,
            rule: None,
            age_hours: None,
            source: None,
            message,
        }
    }

    /// OrderWise's figure less SparkLayer's, when both are there.
    pub fn difference(&self) -> Option<Decimal> {
        Some(self.orderwise? - self.sparklayer?)
    }

    /// An exception is any finding but "matched and equal".
    pub fn is_exception(&self) -> bool {
        self.code != Code::RECON_MATCHED
    }
}

/// Whole hours from `from` to `as_of` (never negative: an order placed after
/// the as-of instant is 0 hours old).
pub fn age_hours(from: Instant, as_of: Instant) -> i64 {
    (as_of - from).max(0) / 3600
}

fn for_order(code: Code, order: &SparkOrder, as_of: Instant, message: String) -> Finding {
    let mut f = Finding::new(code, message);
    f.key = Some(order.key.clone());
    f.po = order.po.clone();
    f.account = order.account.clone();
    f.currency = Some(order.currency.clone());
    f.sparklayer = Some(order.gross);
    f.age_hours = Some(age_hours(order.placed, as_of));
    f.source = Some((Input::Orders, order.line));
    f
}

fn with_row(mut f: Finding, row: &ExportRow, rule: Option<Rule>) -> Finding {
    f.orderwise_number = Some(row.order_number.clone());
    f.orderwise = Some(row.gross);
    f.rule = rule;
    f.source = Some((Input::Export, row.line));
    f
}

/// The credit notes that carry one order's key: what they take off its sales
/// order, whichever sign the export gives them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Credits {
    pub net: Decimal,
    pub vat: Decimal,
    pub gross: Decimal,
    pub numbers: Vec<String>,
    /// Credit notes in more than one currency: not netted.
    mixed_currency: bool,
    currency: Option<String>,
}

impl Credits {
    pub fn add(&mut self, row: &ExportRow) {
        match &self.currency {
            Some(c) if *c != row.currency => {
                self.mixed_currency = true;
                return;
            }
            Some(_) => {}
            None => self.currency = Some(row.currency.clone()),
        }
        let off = |v: Decimal| -v.abs();
        self.net += off(row.net);
        self.vat += off(row.vat);
        self.gross += off(row.gross);
        self.numbers.push(row.order_number.clone());
    }

    /// Whether they can be netted against `row`: all in its currency.
    fn apply_to(&self, row: &ExportRow) -> bool {
        !self.mixed_currency && self.currency.as_deref() == Some(row.currency.as_str())
    }

    /// Whether `row` less these credit notes equals the order's (current)
    /// totals within `tolerance`, net, VAT and gross.
    pub fn explain(&self, order: &SparkOrder, row: &ExportRow, tolerance: Decimal) -> bool {
        order.currency == row.currency && self.leave(row, [order.net, order.vat, order.gross], tolerance)
    }

    /// Whether `row` less these credit notes leaves `[net, vat, gross]`
    /// within `tolerance` (credit notes in another currency never do).
    fn leave(&self, row: &ExportRow, figures: [Decimal; 3], tolerance: Decimal) -> bool {
        let left = [row.net + self.net, row.vat + self.vat, row.gross + self.gross];
        self.apply_to(row) && left.iter().zip(figures).all(|(l, f)| (*l - f).abs() <= tolerance)
    }

    fn describe(&self) -> String {
        format!(
            "the sales order less credit note{} {}",
            if self.numbers.len() == 1 { "" } else { "s" },
            self.numbers.join(", ")
        )
    }
}

/// Prevents: journals that drift from SparkLayer's invoices unnoticed. A
/// paired order and row compared on net and VAT, and on gross only when net
/// and VAT each pass (a gross difference then is the two rounding apart).
/// Currencies first: figures in two currencies are never compared.
///
/// An order with its current totals (refunded or edited) and credit notes
/// carrying its key (`credited`) is equal when its sales order less those
/// credit notes is: the credit explains the gap, and advice to "raise a
/// credit" would credit the customer twice. Otherwise it is compared with the
/// sales order alone, as any order (it may have been edited before it was
/// posted, and credited in OrderWise only); `matched` says which held.
pub fn compare(
    order: &SparkOrder,
    row: &ExportRow,
    credited: Option<&Credits>,
    rule: Rule,
    tolerance: Decimal,
    as_of: Instant,
    out: &mut Vec<Finding>,
) -> bool {
    if credited.is_some_and(|c| c.explain(order, row, tolerance)) {
        return true;
    }
    if order.currency != row.currency {
        let why = format!(
            "SparkLayer booked {} {} but OrderWise holds {} {}: the figures are not compared, and each sits in its own currency's totals",
            order.currency,
            show(order.gross),
            row.currency,
            show(row.gross)
        );
        out.push(with_row(for_order(Code::RECON_CURRENCY_DIFFERS, order, as_of, why), row, Some(rule)));
        return false;
    }
    let mut equal = true;
    // An order refunded in Shopify (a refund of money alone is posted as
    // placed: edits.rs) is brought down to SparkLayer's figures by a credit
    // note; with none carrying its key, that is the likeliest gap.
    let no_credit_note = order.current && credited.is_none();
    let mut differ = |code: Code, figure: Figure, ours: Decimal, theirs: Decimal, out: &mut Vec<Finding>| {
        let diff = theirs - ours;
        if diff.abs() <= tolerance {
            return false;
        }
        equal = false;
        let mut why = format!(
            "{} differs by {} (SparkLayer {}, OrderWise {}), beyond the tolerance of {}",
            figure.as_str(),
            show(diff),
            show(ours),
            show(theirs),
            show(tolerance)
        );
        if no_credit_note && diff > Decimal::ZERO {
            why.push_str("; SparkLayer's figures are after a refund or edit, and no credit note carries the order's key: raise one if the refund was made in Shopify alone");
        }
        let mut f = with_row(for_order(code, order, as_of, why), row, Some(rule));
        (f.figure, f.sparklayer, f.orderwise) = (figure, Some(ours), Some(theirs));
        out.push(f);
        true
    };
    let net_off = differ(Code::RECON_NET_DIFFERS, Figure::Net, order.net, row.net, out);
    let vat_off = differ(Code::RECON_VAT_DIFFERS, Figure::Vat, order.vat, row.vat, out);
    if !net_off && !vat_off {
        differ(Code::RECON_GROSS_DIFFERS, Figure::Gross, order.gross, row.gross, out);
    }
    equal
}

/// Prevents: a sales order booked to another customer's account passing as
/// matched (its invoice goes to the wrong customer, and the right one's
/// credit is never used). Only for rows paired by key, and only where both
/// sides name an account: a row paired by PO and customer has the order's
/// by construction.
pub fn account(order: &SparkOrder, row: &ExportRow, rule: Rule, as_of: Instant, out: &mut Vec<Finding>) -> bool {
    let (Some(ours), Some(theirs)) = (order.account.as_deref(), row.account.as_deref()) else {
        return true;
    };
    if rule != Rule::Key || ours.trim() == theirs.trim() {
        return true;
    }
    let why = format!(
        "SparkLayer order {} is customer account {ours} (the profile's orderwiseId) but OrderWise {} is booked to account {theirs}",
        order.key, row.order_number
    );
    out.push(with_row(for_order(Code::RECON_ACCOUNT_DIFFERS, order, as_of, why), row, Some(rule)));
    false
}

/// Prevents: a lost order reported as matched. A row paired by PO and
/// customer may carry a key that no order in the file has: a key typed by
/// hand, or the key of another order (an earlier month's, with the same
/// standing PO) which this order is not. Paired all the same, the pairing
/// is for finance to confirm, never counted as matched.
pub fn key(order: &SparkOrder, row: &ExportRow, rule: Rule, as_of: Instant, out: &mut Vec<Finding>) -> bool {
    let differs = |k: &&str| rule == Rule::PoAndCustomer && key_form(k) != key_form(&order.key);
    let Some(other) = row.key.as_deref().filter(differs) else {
        return true;
    };
    let why = format!(
        "OrderWise {} was paired with this order by PO and customer, but it carries eCommerceOrderNumber {other}, which is no order in this month's file: confirm it is this order's (an order of another month with the same PO would be paired wrongly, and this one would then be missing)",
        row.order_number
    );
    out.push(with_row(for_order(Code::RECON_KEY_DIFFERS, order, as_of, why), row, Some(rule)));
    false
}

/// Prevents: invoices the customer cannot match to their PO. Only for rows
/// paired by key (a row paired by PO has the order's PO by construction).
/// Compared as matching compares them (`matching::po_form`: trimmed, ASCII case
/// ignored), so a PO that pairs a keyed-by-hand row is never also "differs".
pub fn po(order: &SparkOrder, row: &ExportRow, rule: Rule, as_of: Instant, out: &mut Vec<Finding>) -> bool {
    let same = match (&order.po, &row.po) {
        (Some(a), Some(b)) => a.trim().eq_ignore_ascii_case(b.trim()),
        (None, None) => true,
        _ => false,
    };
    if same || rule != Rule::Key {
        return true;
    }
    let show_po = |p: &Option<String>| p.as_deref().map_or("no PO".to_owned(), |p| format!("{p:?}"));
    let why = format!(
        "SparkLayer order {} carries {} but OrderWise {} has {}",
        order.key,
        show_po(&order.po),
        row.order_number,
        show_po(&row.po)
    );
    out.push(with_row(for_order(Code::RECON_PO_DIFFERS, order, as_of, why), row, Some(rule)));
    false
}

/// Prevents: revenue for goods shipped but never invoiced slipping a month.
pub fn invoiced(
    order: &SparkOrder,
    row: &ExportRow,
    rule: Rule,
    period: &Period,
    as_of: Instant,
    out: &mut Vec<Finding>,
) {
    let invoiced_on = row.invoice_date.map(|d| period.day_of(d));
    let why = match (&row.invoice_number, invoiced_on) {
        (Some(_), Some(day)) if day <= period.last => return,
        (Some(n), Some(day)) => {
            format!(
                "invoice {n} is dated {}, after the period's last day {}",
                format_date(day),
                format_date(period.last)
            )
        }
        (Some(n), None) => format!("invoice {n} has no invoice date"),
        (None, _) => format!(
            "OrderWise {} (status {:?}) has no invoice at the end of {}",
            row.order_number,
            row.status,
            format_date(period.last)
        ),
    };
    out.push(with_row(for_order(Code::RECON_NOT_INVOICED, order, as_of, why), row, Some(rule)));
}

pub fn matched(
    order: &SparkOrder,
    row: &ExportRow,
    credited: Option<&Credits>,
    rule: Rule,
    tolerance: Decimal,
    as_of: Instant,
) -> Finding {
    let with = credited
        .filter(|c| c.explain(order, row, tolerance))
        .map_or(String::new(), |c| format!(" ({}, after the order's refund or edit)", c.describe()));
    let why = format!("matched by {} and equal: {} {}{with}", rule.as_str(), order.currency, show(order.gross));
    with_row(for_order(Code::RECON_MATCHED, order, as_of, why), row, Some(rule))
}

/// Prevents: a cancelled, test or draft order counted as a sale of the month,
/// and advice to post it. Not in OrderWise: listed for the record. In
/// OrderWise: a sale on the books that SparkLayer undid (or never made).
pub fn not_a_sale(
    order: &SparkOrder,
    why: &str,
    row: Option<(&ExportRow, Rule)>,
    credited: Option<&Credits>,
    tolerance: Decimal,
    as_of: Instant,
) -> Finding {
    // Posted, then credited in full: the books already agree that it is no sale.
    let cleared = |row: &ExportRow, c: &Credits| c.leave(row, [Decimal::ZERO; 3], tolerance);
    match row {
        Some((row, rule)) if credited.is_some_and(|c| cleared(row, c)) => {
            let text = format!(
                "not a sale ({why}); OrderWise holds it as sales order {}, credited in full by {}: nothing to do",
                row.order_number,
                credited.map(|c| c.numbers.join(", ")).unwrap_or_default()
            );
            with_row(for_order(Code::RECON_NOT_A_SALE, order, as_of, text), row, Some(rule))
        }
        None => {
            let text = format!("not a sale, left out of SparkLayer's totals and rightly not in OrderWise ({why})");
            for_order(Code::RECON_NOT_A_SALE, order, as_of, text)
        }
        Some((row, rule)) => {
            let text = format!(
                "not a sale in SparkLayer ({why}), but OrderWise holds it as sales order {}: cancel it before it ships, or credit it if invoiced",
                row.order_number
            );
            with_row(for_order(Code::RECON_NOT_A_SALE_IN_ORDERWISE, order, as_of, text), row, Some(rule))
        }
    }
}

/// What of the OrderWise export went unread: rows, and the line from which
/// nothing was read (a header that cannot be used, JSON broken off).
#[derive(Debug, Clone, Copy, Default)]
pub struct ExportGaps {
    rows: usize,
    rest_from: Option<u64>,
}

impl ExportGaps {
    pub fn of(bad: &[BadRow]) -> ExportGaps {
        let mut gaps = ExportGaps::default();
        for b in bad.iter().filter(|b| b.input == Input::Export) {
            match b.lost {
                Lost::Row => gaps.rows += 1,
                Lost::Nothing => {}
                Lost::Rest => gaps.rest_from = Some(gaps.rest_from.map_or(b.line, |l| l.min(b.line))),
            }
        }
        gaps
    }

    /// Prevents: an order re-posted (and so booked twice: OrderWise's own
    /// de-duplication is unknown) because its row was among the export's
    /// unread ones. A "not in OrderWise" finding says how sure it is.
    pub fn caveat(&self, f: &mut Finding) {
        let said = match (self.rest_from, self.rows) {
            (Some(line), _) => format!(
                "; but the OrderWise export could not be read from line {line} on (RECON_INPUT_INVALID): whether it holds this order is unknown; fix the export and run again before re-posting or replaying anything"
            ),
            (None, 0) => return,
            (None, 1) => "; but the OrderWise export has 1 row that could not be read (RECON_INPUT_INVALID): make sure it is not this order before re-posting or replaying it".to_owned(),
            (None, n) => format!(
                "; but the OrderWise export has {n} rows that could not be read (RECON_INPUT_INVALID): make sure none is this order before re-posting or replaying it"
            ),
        };
        f.message.push_str(&said);
    }
}

/// Prevents: an order that never reached OrderWise going unnoticed until the
/// customer chases it. What the bridge last said about it decides who acts.
pub fn missing(
    order: &SparkOrder,
    outcome: Option<&BridgeOutcome>,
    stalled_after_hours: u32,
    as_of: Instant,
) -> Finding {
    let Some(outcome) = outcome else {
        let why = format!(
            "SparkLayer order {} placed {} has no outcome from the bridge and is not in OrderWise: the webhook was lost or never processed",
            order.key,
            format_utc(order.placed)
        );
        return for_order(Code::RECON_NEVER_PROCESSED, order, as_of, why);
    };
    match &outcome.status {
        Status::Review => {
            let codes: Vec<String> = outcome
                .issues
                .iter()
                .filter(|i| i.severity == Severity::Error)
                .map(|i| format!("{} ({})", i.code, owner_name(i.owner)))
                .collect();
            let why = format!(
                "held for review by the bridge: {}",
                if codes.is_empty() { "no error issue recorded".to_owned() } else { codes.join(", ") }
            );
            let mut f = for_order(Code::RECON_HELD_FOR_REVIEW, order, as_of, why);
            // The owner of the first error holds the key to releasing it.
            if let Some(first) = outcome.issues.iter().find(|i| i.severity == Severity::Error) {
                f.owner = first.owner;
            }
            f
        }
        Status::Rejected => {
            let codes: Vec<&str> = outcome.issues.iter().map(|i| i.code.as_str()).collect();
            let why = format!("rejected by the bridge ({}): the source must resend it", codes.join(", "));
            for_order(Code::RECON_REJECTED, order, as_of, why)
        }
        Status::Stopped(kind) => {
            let why = format!("stopped by the platform ({kind}) while mapping: no outcome, not in OrderWise");
            for_order(Code::RECON_REJECTED, order, as_of, why)
        }
        Status::Ready => {
            let since = outcome.recorded_at.unwrap_or(order.placed);
            let hours = age_hours(since, as_of);
            let when = match outcome.recorded_at {
                Some(t) => format!("ready since {}", format_utc(t)),
                None => format!("ready (no time recorded; placed {})", format_utc(order.placed)),
            };
            let (code, why) = if hours >= i64::from(stalled_after_hours) {
                (
                    Code::RECON_STALLED,
                    format!("{when}, {hours} h, and not in OrderWise: stalled (threshold {stalled_after_hours} h)"),
                )
            } else {
                (
                    Code::RECON_IN_FLIGHT,
                    format!("{when}, {hours} h, not in OrderWise yet (stalled after {stalled_after_hours} h)"),
                )
            };
            let mut f = for_order(code, order, as_of, why);
            f.age_hours = Some(hours);
            f
        }
    }
}

/// Prevents: one order billed twice (a retried post, or a hand-keyed copy of an imported order).
pub fn duplicate(
    order: Option<&SparkOrder>,
    row: &ExportRow,
    first: &ExportRow,
    rule: Rule,
    as_of: Instant,
) -> Finding {
    let copy = match rule {
        Rule::Key => format!("a second import of eCommerceOrderNumber {}", row.key.as_deref().unwrap_or("")),
        Rule::PoAndCustomer => "a copy keyed by hand (same PO and customer account)".to_owned(),
    };
    let why = format!(
        "OrderWise {} is {copy} of the order already in OrderWise as {} ({} {}): the same SparkLayer order twice",
        row.order_number,
        first.order_number,
        first.currency,
        show(first.gross)
    );
    let mut f = match order {
        Some(o) => for_order(Code::RECON_DUPLICATE_IMPORT, o, as_of, why),
        None => Finding::new(Code::RECON_DUPLICATE_IMPORT, why),
    };
    f.currency = Some(row.currency.clone());
    with_row(f, row, Some(rule))
}

/// Prevents: a sale OrderWise holds that no SparkLayer order explains (keyed
/// in error, or from another channel) passing into the month unexamined.
pub fn not_in_sparklayer(row: &ExportRow, why: &str, period: &Period, as_of: Instant) -> Finding {
    let message =
        format!("OrderWise {} {} {} has no SparkLayer order: {why}", row.order_number, row.currency, show(row.gross));
    let mut f = with_row(Finding::new(Code::RECON_NOT_IN_SPARKLAYER, message), row, None);
    row_facts(&mut f, row, period, as_of);
    f
}

/// Credit notes are listed on their own, never as duplicates or differences.
pub fn credit_note(row: &ExportRow, order: Option<&SparkOrder>, period: &Period, as_of: Instant) -> Finding {
    let of = match order {
        Some(o) => format!(" against SparkLayer order {}", o.key),
        None => String::new(),
    };
    let message = format!("credit note {} {} {}{of}", row.order_number, row.currency, show(row.gross));
    let mut f = with_row(Finding::new(Code::RECON_CREDIT_NOTE, message), row, None);
    row_facts(&mut f, row, period, as_of);
    if let Some(o) = order {
        f.key = Some(o.key.clone());
    }
    f
}

fn row_facts(f: &mut Finding, row: &ExportRow, period: &Period, as_of: Instant) {
    f.key = row.key.clone();
    f.po = row.po.clone();
    f.account = row.account.clone();
    f.currency = Some(row.currency.clone());
    f.age_hours = row.order_date.map(|d| age_hours(d.instant(period.zone), as_of));
}

/// Prevents: a row that cannot be read being left out of the month unseen.
pub fn bad_row(bad: &BadRow) -> Finding {
    let mut f =
        Finding::new(Code::RECON_INPUT_INVALID, format!("{} line {}: {}", bad.input.name(), bad.line, bad.message));
    f.source = Some((bad.input, bad.line));
    f
}

pub fn owner_name(owner: Owner) -> &'static str {
    match owner {
        Owner::Finance => "finance",
        Owner::Operations => "operations",
        Owner::Ecommerce => "ecommerce",
        Owner::Integration => "integration",
    }
}

pub fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}
