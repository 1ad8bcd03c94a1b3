//! SparkLayer's side: one recorded order payload per line (JSONL, as the
//! platform recorded the webhook body; `host-harness jsonl` writes the same).
//!
//! Each order is read with the orders flow's own reader and rules (key,
//! booked currency and side, edits, customer account, PO), so the
//! reconciliation sees an order exactly as the bridge saw it. The bridge's
//! findings about the order are not repeated here: they are in its outcome.

use crate::orders::currency::{self, Side};
use crate::orders::edits::Edit;
use crate::orders::lines::MAX_QUANTITY;
use crate::orders::shopify::{self, LineItem, Order};
use crate::orders::{address, delivery, edits, lifecycle, order::order_key, po};
use crate::profile::Profile;
use crate::reconcile::inputs::{BadRow, Input};
use crate::shared::issues::Code;
use crate::shared::money::Dec;
use crate::shared::time::{parse_stamp, Instant, TimeZone};
use rust_decimal::Decimal;

/// A net and its VAT at one rate; `rate` is `None` for what the order's
/// totals hold beyond its lines (an order-level adjustment, a refund).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AtRate {
    pub rate: Option<Decimal>,
    pub net: Decimal,
    pub vat: Decimal,
}

/// One SparkLayer order as the reconciliation needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SparkOrder {
    /// Line in the orders file.
    pub line: u64,
    /// The bridge's idempotency key (OWAPI `eCommerceOrderNumber`).
    pub key: String,
    /// When the order was placed (`processed_at`, else `created_at`: the
    /// bridge's `orderDate`), as an instant.
    pub placed: Instant,
    /// The booked currency (presentment when it differs from the shop's).
    pub currency: String,
    /// The order's totals as the bridge books them: `current_*` after an
    /// edit or refund (then `current` is set), net = gross − VAT.
    pub net: Decimal,
    pub vat: Decimal,
    pub gross: Decimal,
    /// Net and VAT per rate from the lines and delivery; a remainder against
    /// the totals is kept under `rate: None`.
    pub rates: Vec<AtRate>,
    /// The totals are the order's current ones, after an edit or refund.
    pub current: bool,
    pub po: Option<String>,
    /// The OrderWise customer account (the profile's `orderwiseId`).
    pub account: Option<String>,
    /// Why the payload is not a sale (cancelled, a test, a draft), in the
    /// orders flow's words (`lifecycle.rs`): such an order is never posted,
    /// so it is not counted in SparkLayer's totals.
    pub not_a_sale: Option<String>,
}

/// Reads one line of the orders file.
pub fn read(profile: &Profile, zone: TimeZone, text: &str, line: u64) -> Result<SparkOrder, BadRow> {
    let bad = |why: String| BadRow::new(Input::Orders, line, why);
    let order = shopify::parse(text).map_err(|(at, why)| {
        let at = if at.is_empty() { String::new() } else { format!(" at {at}") };
        bad(format!("not a Shopify order payload{at}: {why}"))
    })?;
    let key = order_key(&order).ok_or_else(|| bad("the order has no name, order_number or id to key it by".into()))?;
    let stamp = order.processed_at.as_deref().or(order.created_at.as_deref()).unwrap_or("");
    let placed = parse_stamp(stamp)
        .ok_or_else(|| bad(format!("order {key}: processed_at / created_at {stamp:?} is not an ISO 8601 timestamp")))?
        .instant(zone);
    // The orders flow's rules decide the booking, edits, account and PO; what
    // they report is the bridge's business (it is in the outcome), not read here.
    let mut ignored = Vec::new();
    let booking = currency::booking(profile, &order, &mut ignored);
    // A refund of money alone counts too: the bridge posts such an order as
    // placed, and the credit note finance raises for the refund brings the
    // sales order down to the current totals compared here.
    let edited = edits::edited(&order, booking.side, &mut ignored) != Edit::Unchanged;
    let (gross, vat) = totals(&order, booking.side, edited)
        .ok_or_else(|| bad(format!("order {key}: total_price or total_tax is missing or not an amount")))?;
    let customer = address::customer(profile, &order, &mut ignored);
    let po = po::customer_order_ref(profile, &order, customer, &mut ignored).reference;
    let account = customer.map(|c| c.orderwise_id.to_string());
    let net = gross - vat;
    let rates = rates(profile, &order, booking.side, edited, net, vat);
    // The lifecycle rules, and an edit that removed every line (edits.rs's
    // ORDER_CANCELLED, among the issues set aside above).
    let mut lifecycle_issues: Vec<_> = ignored.iter().filter(|i| i.code == Code::ORDER_CANCELLED).cloned().collect();
    lifecycle::check(&order, &mut lifecycle_issues);
    let not_a_sale = (!lifecycle_issues.is_empty()).then(|| {
        lifecycle_issues.iter().map(|i| format!("{}: {}", i.code.as_str(), i.message)).collect::<Vec<_>>().join("; ")
    });
    let current = edited && order.current_total_price.is_some();
    Ok(SparkOrder {
        line,
        key,
        placed,
        currency: booking.currency,
        net,
        vat,
        gross,
        rates,
        current,
        po,
        account,
        not_a_sale,
    })
}

/// Gross and VAT as the bridge books them (`order.rs`, `source_totals`).
fn totals(order: &Order, side: Side, edited: bool) -> Option<(Decimal, Decimal)> {
    let current = edited && order.current_total_price.is_some();
    let gross = if current {
        side.amount(order.current_total_price, order.current_total_price_set.as_ref())
    } else {
        side.amount(order.total_price, order.total_price_set.as_ref())
    };
    let vat = if current && order.current_total_tax.is_some() {
        side.amount(order.current_total_tax, order.current_total_tax_set.as_ref())
    } else {
        side.amount(order.total_tax, order.total_tax_set.as_ref())
    };
    Some((gross?.0, vat?.0))
}

/// Net and VAT per rate from the lines (price × quantity − discounts, VAT as
/// Shopify charged it on the line) and the delivery, then whatever the totals
/// hold beyond them under `None`, so the rates always add up to the order.
fn rates(profile: &Profile, order: &Order, side: Side, edited: bool, net: Decimal, vat: Decimal) -> Vec<AtRate> {
    let mut out: Vec<AtRate> = Vec::new();
    let add = |out: &mut Vec<AtRate>, rate: Option<Decimal>, n: Decimal, v: Decimal| {
        let rate = rate.map(|r| r.normalize());
        match out.iter_mut().find(|a| a.rate == rate) {
            Some(a) => {
                a.net += n;
                a.vat += v;
            }
            None => out.push(AtRate { rate, net: n, vat: v }),
        }
    };
    for item in order.line_items.as_deref().unwrap_or_default() {
        if let Some((rate, n, v)) = line(order, item, side, edited) {
            add(&mut out, Some(rate), n, v);
        }
    }
    let mut ignored = Vec::new();
    for part in delivery::map_delivery(profile, order, side, &mut ignored).parts {
        if !(part.net.is_zero() && part.vat.is_zero()) {
            add(&mut out, Some(part.rate), part.net, part.vat);
        }
    }
    let (lines_net, lines_vat) = out.iter().fold((Decimal::ZERO, Decimal::ZERO), |(n, v), a| (n + a.net, v + a.vat));
    if lines_net != net || lines_vat != vat {
        add(&mut out, None, net - lines_net, vat - lines_vat);
    }
    out.retain(|a| !(a.net.is_zero() && a.vat.is_zero()) || a.rate.is_some());
    out
}

/// One line's rate, net and VAT; `None` when it cannot be read (the bridge
/// holds such an order; its amount then shows under `rate: None`).
fn line(order: &Order, item: &LineItem, side: Side, edited: bool) -> Option<(Decimal, Decimal, Decimal)> {
    let quantity = if edited { item.current_quantity.or(item.quantity) } else { item.quantity }?;
    // A quantity the orders flow refuses (`lines::MAX_QUANTITY`) is no line to
    // split by rate: its figures could run past what a decimal holds.
    if !(0..=MAX_QUANTITY).contains(&quantity) {
        return None;
    }
    let price = side.amount(item.price, item.price_set.as_ref())?.0;
    let discount: Decimal = item
        .discount_allocations
        .iter()
        .map(|d| side.amount(d.amount, d.amount_set.as_ref()).map_or(Decimal::ZERO, |Dec(a)| a))
        .sum();
    let vat: Decimal = item
        .tax_lines
        .iter()
        .map(|t| side.amount(t.price, t.price_set.as_ref()).map_or(Decimal::ZERO, |Dec(a)| a))
        .sum();
    let rate: Decimal = item.tax_lines.iter().filter_map(|t| t.rate).map(|Dec(r)| r).sum();
    let mut net = price * Decimal::from(quantity) - discount;
    if order.taxes_included {
        net -= vat;
    }
    Some((rate, net, vat))
}
