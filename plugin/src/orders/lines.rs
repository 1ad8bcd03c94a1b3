//! Order lines: price, VAT rate, unit of measure and quantity for each line item.
//!
//! Every input line either becomes one or more OrderWise lines or raises an
//! error issue that names it: a line is never dropped. (A line an order edit
//! took down to nothing is not owed, so it is not sent; an info issue names it.)

use crate::orders::currency::Side;
use crate::orders::pricing::{split, Part, Split};
use crate::orders::settings::RemainderPolicy;
use crate::orders::shopify::{LineItem, Value};
use crate::orders::uom::{self, Pack};
use crate::orders::vat::{self, Vat};
use crate::profile::Profile;
use crate::shared::issues::{Code, Issue};
use crate::shared::meter::Meter;
use crate::shared::money::{amount, divide_half_up, negative, required_amount, MONEY_DP};
use crate::shared::text::{same, trim, visible, visible_text};
use crate::shared::write::{message, Exact, Money, Quoted};
use rust_decimal::Decimal;

/// The line property SparkLayer writes the final per-unit price into [doc; its
/// place in `properties[]` is inferred].
pub const CHARGED_PRICE_PROPERTY: &str = "Charged Price";

/// The largest quantity accepted on one line. Far above any real B2B line, it
/// keeps quantity × price × multiplier inside `Decimal`'s range (see `money::MAX_MAGNITUDE`).
pub const MAX_QUANTITY: i64 = 1_000_000;

/// One source line after mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct MappedLine {
    /// Index into `line_items`.
    pub source: usize,
    /// The Shopify line item id (OrderWise's eCommerce item id).
    pub item_id: Option<String>,
    /// The OrderWise variant; `None` when the line could not be resolved (review).
    pub variant_code: Option<String>,
    /// Priced parts in OrderWise units; their nets sum to `net` unless an
    /// `UNIT_PRICE_INEXACT` issue says otherwise.
    pub parts: Vec<Part>,
    /// Line net after discounts (and after removing VAT when prices included it).
    pub net: Decimal,
    /// The VAT rate the line carries (0 for untaxed lines).
    pub rate: Decimal,
    pub tax_rate_id: Option<u32>,
    /// The line's other properties (personalisation, print text), for its notes.
    pub notes: String,
}

/// What every line of an order is read with.
#[derive(Debug, Clone, Copy)]
pub struct Context<'o> {
    pub taxes_included: bool,
    /// Which money the order is booked in.
    pub side: Side,
    pub currency: &'o str,
    /// The order was edited: lines are owed at their current quantity.
    pub edited: bool,
    /// Characters handled one at a time, counted (`Order::work`).
    pub work: &'o Meter,
}

/// Maps one line item: its quantity, what was charged, its VAT rate, the
/// OrderWise variant and quantity it becomes, and unit prices OrderWise can
/// hold. `None` for a line an order edit removed.
pub fn map_line(
    profile: &Profile,
    index: usize,
    item: &LineItem,
    cx: Context,
    issues: &mut Vec<Issue>,
) -> Option<MappedLine> {
    let at = crate::shared::pointer::indexed("/line_items", index);
    let sku = trim(item.sku.as_deref().unwrap_or(""), cx.work);
    let quantity = quantity(item, sku, cx, &at, issues)?;
    let (gross, discount) = line_amounts(item, sku, quantity, cx.side, &at, issues);
    let charged = gross - discount;
    check_charged_price(profile, item, sku, quantity, charged, cx, &at, issues);
    if negative(charged) {
        issues.push(Issue::new(
            Code::LINE_PRICE_MISMATCH,
            message![&at, "/discount_allocations"],
            message!["line ", sku, ": discounts ", Money(discount), " exceed the line price ", Money(gross)],
        ));
    }
    let (vat, tax_rate_id) = line_vat(profile, item, cx.side, &at, issues);
    let net = if cx.taxes_included { charged - vat.amount } else { charged };

    let pack = uom::pack_selection(profile, item, &at, cx.work);
    let resolved = uom::resolve_line(profile, item, sku, &pack, &at, issues);
    if quantity > 0 && !matches!(pack, Pack::Unreadable(_)) {
        let (field, _) = quantity_field(item, cx);
        issues.extend(uom::check_quantity(profile, sku, pack.name(), quantity, (&at, field)));
    }
    let multiplier = resolved.as_ref().map_or(1, |r| u64::from(r.multiplier));
    let ow_quantity = quantity.saturating_mul(multiplier);
    let parts = if ow_quantity == 0 { Vec::new() } else { price_parts(profile, sku, net, ow_quantity, &at, issues) };
    Some(MappedLine {
        source: index,
        item_id: item.id.as_ref().map(|id| id.text()),
        variant_code: resolved.map(|r| r.variant_code.to_owned()),
        parts,
        net,
        rate: vat.rate,
        tax_rate_id,
        notes: notes(profile, item, cx.work),
    })
}

/// The quantity a line is mapped at, and its field: the current quantity in
/// an edited order, else as ordered.
fn quantity_field(item: &LineItem, cx: Context) -> (&'static str, Option<i64>) {
    match (cx.edited, item.current_quantity) {
        (true, Some(current)) => ("current_quantity", Some(current)),
        _ => ("quantity", item.quantity),
    }
}

/// Units sold and owed: a whole number from 1 to `MAX_QUANTITY`, else 0 with
/// an issue. In an edited order, the current quantity; `None` when the edit
/// took the line down to nothing.
fn quantity(item: &LineItem, sku: &str, cx: Context, at: &str, issues: &mut Vec<Issue>) -> Option<u64> {
    let (field, value) = quantity_field(item, cx);
    if field == "current_quantity" && value == Some(0) {
        issues.push(Issue::new(
            Code::ORDER_EDITED,
            format!("{at}/current_quantity"),
            format!(
                "line {sku} was removed by an order edit (ordered {}, now 0): not sent",
                item.quantity.map_or("?".to_owned(), |q| q.to_string())
            ),
        ));
        return None;
    }
    Some(match value {
        Some(q) if q > 0 && q <= MAX_QUANTITY => q as u64,
        other => {
            let found = other.map_or("none".to_owned(), |q| q.to_string());
            issues.push(Issue::new(
                Code::PAYLOAD_INVALID,
                format!("{at}/{field}"),
                format!("line {sku} needs a whole quantity from 1 to {MAX_QUANTITY}, found {found}"),
            ));
            0
        }
    })
}

/// The line's price × quantity and the sum of its discount allocations, in the booked money.
fn line_amounts(
    item: &LineItem,
    sku: &str,
    quantity: u64,
    side: Side,
    at: &str,
    issues: &mut Vec<Issue>,
) -> (Decimal, Decimal) {
    let price = side.amount(item.price, item.price_set.as_ref());
    let price = required_amount(price, issues, || {
        (side.pointer(&format!("{at}/price")), side.name(&format!("price of line {sku}")))
    });
    let discount: Decimal = item
        .discount_allocations
        .iter()
        .enumerate()
        .map(|(j, d)| {
            let amount = side.amount(d.amount, d.amount_set.as_ref());
            let field = || {
                let at = side.pointer(&format!("{at}/discount_allocations/{j}/amount"));
                (at, side.name(&format!("discount amount of line {sku}")))
            };
            required_amount(amount, issues, field)
        })
        .sum();
    (price * Decimal::from(quantity), discount)
}

/// SparkLayer's own figure for the unit price must agree with Shopify's line:
/// it may be the line's unit price rounded half-up at its own decimals.
#[allow(clippy::too_many_arguments)]
fn check_charged_price(
    profile: &Profile,
    item: &LineItem,
    sku: &str,
    quantity: u64,
    charged: Decimal,
    cx: Context,
    at: &str,
    issues: &mut Vec<Issue>,
) {
    let Some(i) = item.properties.iter().position(|p| same(&p.name, CHARGED_PRICE_PROPERTY)) else {
        return;
    };
    let unit = match read_price(&item.properties[i].value, cx.currency, cx.work) {
        Ok(unit) => unit,
        Err(what) => {
            issues.push(Issue::new(
                Code::CHARGED_PRICE_UNREADABLE,
                message![at, "/properties/", i, "/value"],
                message![
                    "line ",
                    sku,
                    ": Charged Price holds ",
                    &what,
                    ", which cannot be read as a ",
                    cx.currency,
                    " amount; confirm the price the customer agreed"
                ],
            ));
            return;
        }
    };
    if quantity == 0 {
        return;
    }
    let rounded = divide_half_up(charged, quantity, unit.scale().max(MONEY_DP));
    let sparklayer = unit * Decimal::from(quantity);
    if rounded != unit && (sparklayer - charged).abs() > profile.orders.tolerance {
        issues.push(Issue::new(
            Code::LINE_PRICE_MISMATCH,
            message![at, "/properties"],
            message![
                "line ",
                sku,
                ": SparkLayer charged ",
                Money(unit),
                " a unit (",
                Money(sparklayer),
                " for ",
                quantity,
                ") but Shopify's price less discounts is ",
                Money(charged),
                " (",
                Exact(divide_half_up(charged, quantity, 4)),
                " a unit); confirm which price the customer agreed",
            ],
        ));
    }
}

/// Currency symbols a display price may carry, and the currencies they can mean.
const SYMBOLS: &[(&str, &[&str])] = &[("£", &["GBP"]), ("€", &["EUR"]), ("$", &["USD", "CAD", "AUD", "NZD"])];

/// A price written as an amount (`6.74`, `"6.74"`) or as display text in the
/// order's currency (`£6.74`, `6.74 GBP`); `Err` says what it holds instead.
/// A symbol or code of another currency, or thousands separators, are not
/// guessed at.
fn read_price(value: &Value, currency: &str, work: &Meter) -> Result<Decimal, String> {
    let text = match value {
        Value::Text(t) => visible(t, work),
        Value::Number(n) => std::borrow::Cow::Borrowed(n.as_ref()),
        other => return Err(other.describe()),
    };
    if let Some(amount) = amount(&text) {
        return Ok(amount);
    }
    let mut bare: &str = &text;
    for (symbol, currencies) in SYMBOLS {
        if currencies.contains(&currency) {
            bare = bare.strip_prefix(symbol).unwrap_or(bare);
        }
    }
    let code_at = |s: &str| s.len() >= 3 && s.is_char_boundary(s.len() - 3);
    let bare = trim(bare, work);
    let bare = match bare.get(..3).filter(|c| c.eq_ignore_ascii_case(currency)) {
        Some(_) => trim(&bare[3..], work),
        None if code_at(bare) && bare[bare.len() - 3..].eq_ignore_ascii_case(currency) => {
            trim(&bare[..bare.len() - 3], work)
        }
        None => bare,
    };
    amount(bare).ok_or_else(|| message!["the text ", Quoted(&text)])
}

/// The line's VAT and its OrderWise taxRateId (None, with an issue, when unmapped).
fn line_vat(profile: &Profile, item: &LineItem, side: Side, at: &str, issues: &mut Vec<Issue>) -> (Vat, Option<u32>) {
    match vat::single(&item.tax_lines, side, at) {
        Ok(vat) => {
            let id =
                vat::tax_rate_id(profile, vat.rate, !item.tax_lines.is_empty(), at).map_err(|i| issues.push(i)).ok();
            (vat, id)
        }
        Err(issue) => {
            issues.push(issue);
            (Vat { amount: Decimal::ZERO, rate: Decimal::ZERO }, None)
        }
    }
}

/// The line's other properties as "Name: value" notes for the warehouse
/// (personalisation, print text): everything but the pack selection, the
/// charged price and the app's hidden (`_…`) properties.
fn notes(profile: &Profile, item: &LineItem, work: &Meter) -> String {
    let mut notes = String::new();
    if work.over() {
        // Refused (`map_order`): nothing is sent, so nothing is copied.
        return notes;
    }
    for p in &item.properties {
        let name = p.name.as_ref();
        let skip = name.is_empty()
            || name.starts_with('_')
            || same(name, CHARGED_PRICE_PROPERTY)
            || uom::is_pack_property(profile, &p.name);
        let value = match &p.value {
            // Free text for the warehouse (engraving, print text): as typed.
            Value::Text(t) => visible_text(t, work),
            Value::Number(n) => std::borrow::Cow::Borrowed(n.as_ref()),
            _ => continue,
        };
        if !skip && !value.is_empty() {
            if !notes.is_empty() {
                notes.push_str("; ");
            }
            notes.push_str(name);
            notes.push_str(": ");
            notes.push_str(&value);
        }
    }
    notes
}

fn price_parts(
    profile: &Profile,
    sku: &str,
    net: Decimal,
    quantity: u64,
    at: &str,
    issues: &mut Vec<Issue>,
) -> Vec<Part> {
    let precision = profile.orders.price_precision;
    match split(net, quantity, precision) {
        Split::Exact(part) => vec![part],
        Split::Two(a, b) if profile.orders.unit_price_remainder == RemainderPolicy::SplitLine => {
            issues.push(Issue::new(
                Code::UNIT_PRICE_SPLIT,
                at,
                message![
                    "line ",
                    sku,
                    ": ",
                    Money(net),
                    " for ",
                    quantity,
                    " is ",
                    Exact(divide_half_up(net, quantity, precision + 2)),
                    " a unit, which OrderWise cannot hold at ",
                    precision,
                    " decimals; sent as ",
                    a.quantity,
                    " × ",
                    Money(a.unit_net),
                    " + ",
                    b.quantity,
                    " × ",
                    Money(b.unit_net),
                    " = ",
                    Money(net),
                ],
            ));
            vec![a, b]
        }
        Split::Two(..) => {
            let nearest = divide_half_up(net, quantity, precision);
            issues.push(Issue::new(
                Code::UNIT_PRICE_INEXACT,
                at,
                message![
                    "line ",
                    sku,
                    ": ",
                    Money(net),
                    " for ",
                    quantity,
                    " has no exact unit price at ",
                    precision,
                    " decimals (",
                    quantity,
                    " × ",
                    Money(nearest),
                    " = ",
                    Money(nearest * Decimal::from(quantity)),
                    "); the profile says review: adjust the price or allow split-line",
                ],
            ));
            vec![Part { quantity, unit_net: nearest }]
        }
        Split::Inexact { nearest, off_by } => {
            issues.push(Issue::new(
                Code::UNIT_PRICE_INEXACT,
                at,
                message![
                    "line ",
                    sku,
                    ": net ",
                    Money(net),
                    " cannot be expressed as ",
                    quantity,
                    " unit prices at ",
                    precision,
                    " decimals; the nearest, ",
                    Money(nearest.unit_net),
                    ", is off by ",
                    Money(off_by),
                ],
            ));
            vec![nearest]
        }
    }
}
