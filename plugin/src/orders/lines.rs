//! Order lines: price, VAT rate, unit of measure and quantity for each line item.
//!
//! Every input line either becomes one or more OrderWise lines or raises an
//! error issue that names it: a line is never dropped.

use crate::orders::pricing::{split, Part, Split};
use crate::orders::settings::RemainderPolicy;
use crate::orders::shopify::{LineItem, TaxLine};
use crate::orders::uom;
use crate::profile::Profile;
use crate::shared::issues::{Code, Issue};
use crate::shared::money::{parse_amount, required_amount, round_half_up, show, Dec, MONEY_DP};
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
    /// The OrderWise variant; `None` when the SKU could not be resolved (review).
    pub variant_code: Option<String>,
    /// Priced parts in OrderWise units; their nets sum to `net` unless an
    /// `UNIT_PRICE_INEXACT` issue says otherwise.
    pub parts: Vec<Part>,
    /// Line net after discounts (and after removing VAT when prices included it).
    pub net: Decimal,
    /// The VAT rate the line carries (0 for untaxed lines).
    pub rate: Decimal,
    pub tax_rate_id: Option<u32>,
}

/// Sum of a line's tax amounts and its single rate, or an issue when the rates disagree.
pub struct Vat {
    pub amount: Decimal,
    pub rate: Decimal,
}

/// Reads the VAT on a line or shipping line. One line carries one VAT rate.
pub fn vat_of(tax_lines: &[TaxLine], at: &str) -> Result<Vat, Issue> {
    let mut rate: Option<Decimal> = None;
    let mut amount = Decimal::ZERO;
    for (t, tax) in tax_lines.iter().enumerate() {
        let Some(Dec(r)) = tax.rate else {
            return Err(Issue::new(Code::PAYLOAD_INVALID, format!("{at}/tax_lines/{t}/rate"), "tax line has no rate"));
        };
        let p = match tax.price {
            Some(Dec(p)) if p >= Decimal::ZERO => p,
            Some(Dec(p)) => {
                let why = format!("tax amount {p} is negative; a new order carries none");
                return Err(Issue::new(Code::PAYLOAD_INVALID, format!("{at}/tax_lines/{t}/price"), why));
            }
            None => {
                return Err(Issue::new(
                    Code::PAYLOAD_INVALID,
                    format!("{at}/tax_lines/{t}/price"),
                    "tax line has no price",
                ))
            }
        };
        // A VAT rate is a fraction; anything else cannot be one (and would
        // scale amounts beyond what the totals check can multiply).
        if r < Decimal::ZERO || r >= Decimal::ONE {
            return Err(Issue::new(
                Code::PAYLOAD_INVALID,
                format!("{at}/tax_lines/{t}/rate"),
                format!("tax rate {r} is not a fraction from 0 up to 1"),
            ));
        }
        match rate {
            Some(existing) if existing.normalize() != r.normalize() => {
                return Err(Issue::new(
                    Code::TAX_RATE_UNMAPPED,
                    format!("{at}/tax_lines/{t}/rate"),
                    format!("one line carries two VAT rates ({existing} and {r}); an OrderWise line takes one taxRateId, so split the product or fix the store's tax set-up"),
                ));
            }
            _ => rate = Some(r),
        }
        amount += p;
    }
    Ok(Vat { amount, rate: rate.unwrap_or(Decimal::ZERO) })
}

/// The profile's taxRateId for a rate: untaxed lines use the profile's untaxed code.
pub fn tax_rate_id(profile: &Profile, vat: &Vat, has_tax_lines: bool, at: &str) -> Result<u32, Issue> {
    if !has_tax_lines {
        return Ok(profile.orders.untaxed_tax_rate_id);
    }
    profile.reference.tax_rate(vat.rate).map(|t| t.tax_rate_id).ok_or_else(|| {
        Issue::new(
            Code::TAX_RATE_UNMAPPED,
            format!("{at}/tax_lines"),
            format!(
                "VAT rate {} has no OrderWise taxRateId in the profile; add it to the reference taxRates",
                vat.rate.normalize()
            ),
        )
    })
}

/// Maps one line item: its quantity, what was charged, its VAT rate, the
/// OrderWise variant and quantity it becomes, and unit prices OrderWise can hold.
pub fn map_line(
    profile: &Profile,
    index: usize,
    item: &LineItem,
    taxes_included: bool,
    issues: &mut Vec<Issue>,
) -> MappedLine {
    let at = format!("/line_items/{index}");
    let sku = item.sku.as_deref().unwrap_or("").trim();
    let quantity = quantity(item, sku, &at, issues);
    let (gross, discount) = line_amounts(item, sku, quantity, &at, issues);
    let charged = gross - discount;
    check_charged_price(profile, item, sku, quantity, charged, &at, issues);
    if charged < Decimal::ZERO {
        issues.push(Issue::new(
            Code::LINE_PRICE_MISMATCH,
            format!("{at}/discount_allocations"),
            format!("line {sku}: discounts {} exceed the line price {}", show(discount), show(gross)),
        ));
    }
    let (vat, tax_rate_id) = line_vat(profile, item, &at, issues);
    let net = if taxes_included { charged - vat.amount } else { charged };

    let pack = pack_selection(profile, item);
    let resolved = uom::resolve(profile, sku, pack, &at).map_err(|i| issues.push(i)).ok();
    if quantity > 0 {
        issues.extend(uom::check_quantity(profile, sku, pack, quantity, &at));
    }
    let multiplier = resolved.as_ref().map_or(1, |r| u64::from(r.multiplier));
    let ow_quantity = quantity.saturating_mul(multiplier);
    let parts = if ow_quantity == 0 { Vec::new() } else { price_parts(profile, sku, net, ow_quantity, &at, issues) };
    MappedLine {
        source: index,
        variant_code: resolved.map(|r| r.variant_code.to_owned()),
        parts,
        net,
        rate: vat.rate,
        tax_rate_id,
    }
}

/// Units sold: a whole number from 1 to `MAX_QUANTITY`, else 0 with an issue.
fn quantity(item: &LineItem, sku: &str, at: &str, issues: &mut Vec<Issue>) -> u64 {
    match item.quantity {
        Some(q) if q > 0 && q <= MAX_QUANTITY => q as u64,
        other => {
            let found = other.map_or("none".to_owned(), |q| q.to_string());
            issues.push(Issue::new(
                Code::PAYLOAD_INVALID,
                format!("{at}/quantity"),
                format!("line {sku} needs a whole quantity from 1 to {MAX_QUANTITY}, found {found}"),
            ));
            0
        }
    }
}

/// The line's price × quantity and the sum of its discount allocations.
fn line_amounts(item: &LineItem, sku: &str, quantity: u64, at: &str, issues: &mut Vec<Issue>) -> (Decimal, Decimal) {
    let price = required_amount(item.price, issues, || (format!("{at}/price"), format!("price of line {sku}")));
    let discount: Decimal = item
        .discount_allocations
        .iter()
        .enumerate()
        .map(|(j, d)| {
            let field = || (format!("{at}/discount_allocations/{j}/amount"), format!("discount amount of line {sku}"));
            required_amount(d.amount, issues, field)
        })
        .sum();
    (price * Decimal::from(quantity), discount)
}

/// SparkLayer's own figure for the unit price must agree with Shopify's line:
/// it may be the line's unit price rounded half-up at its own decimals.
fn check_charged_price(
    profile: &Profile,
    item: &LineItem,
    sku: &str,
    quantity: u64,
    charged: Decimal,
    at: &str,
    issues: &mut Vec<Issue>,
) {
    let Some(prop) = item.properties.iter().find(|p| p.name == CHARGED_PRICE_PROPERTY) else {
        return;
    };
    match parse_amount(prop.value.trim()) {
        Ok(unit) if quantity > 0 => {
            let exact_unit = charged / Decimal::from(quantity);
            let rounded = round_half_up(exact_unit, unit.scale().max(MONEY_DP));
            let sparklayer = unit * Decimal::from(quantity);
            if rounded != unit && (sparklayer - charged).abs() > profile.orders.tolerance {
                issues.push(Issue::new(
                    Code::LINE_PRICE_MISMATCH,
                    format!("{at}/properties"),
                    format!(
                        "line {sku}: SparkLayer charged {} a unit ({} for {quantity}) but Shopify's price less discounts is {} ({} a unit); confirm which price the customer agreed",
                        show(unit), show(sparklayer), show(charged), exact_unit.round_dp(4).normalize()
                    ),
                ));
            }
        }
        Ok(_) => {}
        Err(why) => issues.push(Issue::new(
            Code::PAYLOAD_INVALID,
            format!("{at}/properties"),
            format!("line {sku}: Charged Price: {why}"),
        )),
    }
}

/// The line's VAT and its OrderWise taxRateId (None, with an issue, when unmapped).
fn line_vat(profile: &Profile, item: &LineItem, at: &str, issues: &mut Vec<Issue>) -> (Vat, Option<u32>) {
    match vat_of(&item.tax_lines, at) {
        Ok(vat) => {
            let id = tax_rate_id(profile, &vat, !item.tax_lines.is_empty(), at).map_err(|i| issues.push(i)).ok();
            (vat, id)
        }
        Err(issue) => {
            issues.push(issue);
            (Vat { amount: Decimal::ZERO, rate: Decimal::ZERO }, None)
        }
    }
}

/// The pack chosen on the line, from the profile's pack property.
fn pack_selection<'i>(profile: &Profile, item: &'i LineItem) -> Option<&'i str> {
    item.properties
        .iter()
        .find(|p| p.name == profile.orders.pack_property)
        .map(|p| p.value.trim())
        .filter(|v| !v.is_empty())
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
                format!(
                    "line {sku}: {} for {quantity} is {} a unit, which OrderWise cannot hold at {precision} decimals; sent as {} × {} + {} × {} = {}",
                    show(net), (net / Decimal::from(quantity)).round_dp(precision + 2).normalize(),
                    a.quantity, show(a.unit_net), b.quantity, show(b.unit_net), show(net)
                ),
            ));
            vec![a, b]
        }
        Split::Two(..) => {
            let nearest = round_half_up(net / Decimal::from(quantity), precision);
            issues.push(Issue::new(
                Code::UNIT_PRICE_INEXACT,
                at,
                format!(
                    "line {sku}: {} for {quantity} has no exact unit price at {precision} decimals ({} × {} = {}); the profile says review: adjust the price or allow split-line",
                    show(net), quantity, show(nearest), show(nearest * Decimal::from(quantity))
                ),
            ));
            vec![Part { quantity, unit_net: nearest }]
        }
        Split::Inexact { nearest, off_by } => {
            issues.push(Issue::new(
                Code::UNIT_PRICE_INEXACT,
                at,
                format!(
                    "line {sku}: net {} cannot be expressed as {quantity} unit prices at {precision} decimals; the nearest, {}, is off by {}",
                    show(net), show(nearest.unit_net), show(off_by)
                ),
            ));
            vec![nearest]
        }
    }
}
