//! Delivery: the OrderWise delivery method and the delivery charge with its VAT.
//!
//! Prevents: a shipping charge or its VAT silently missing from the sales order,
//! a delivery method guessed when the profile does not name one, and a
//! delivery taxed at two rates (UK mixed supplies apportion delivery to the
//! goods' rates) held as if its rates were unknown.

use crate::orders::currency::Side;
use crate::orders::shopify::Order;
use crate::orders::vat;
use crate::profile::Profile;
use crate::shared::issues::{Code, Issue};
use crate::shared::money::{required_amount, round_half_up, Dec, MONEY_DP};
use crate::shared::text::{quoted, trim};
use rust_decimal::Decimal;

/// The delivery charge at one VAT rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryPart {
    pub net: Decimal,
    pub vat: Decimal,
    pub rate: Decimal,
    pub tax_rate_id: Option<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub method_id: Option<u32>,
    /// One part per VAT rate (one part in the usual case); empty for a collection.
    pub parts: Vec<DeliveryPart>,
    /// No shipping line: the customer collects.
    pub collection: bool,
}

impl Delivery {
    pub fn net(&self) -> Decimal {
        self.parts.iter().map(|p| p.net).sum()
    }

    pub fn vat(&self) -> Decimal {
        self.parts.iter().map(|p| p.vat).sum()
    }
}

pub fn map_delivery(profile: &Profile, order: &Order, side: Side, issues: &mut Vec<Issue>) -> Delivery {
    let lines = &order.shipping_lines;
    if lines.is_empty() {
        let method_id = profile.orders.collection_delivery_method_id;
        if method_id.is_none() {
            issues.push(Issue::new(
                Code::DELIVERY_METHOD_UNMAPPED,
                "/shipping_lines",
                "the order has no shipping line and the profile has no collectionDeliveryMethodId; set one or confirm how the customer receives the goods",
            ));
        }
        let part = DeliveryPart {
            net: Decimal::ZERO,
            vat: Decimal::ZERO,
            rate: Decimal::ZERO,
            tax_rate_id: Some(profile.orders.untaxed_tax_rate_id),
        };
        return Delivery { method_id, parts: vec![part], collection: true };
    }
    // An order edit that removes a shipping line keeps it, marked removed:
    // it charges nothing and names no method. With every line removed the
    // goods still go out, by a method nobody has stated: held, never taken
    // for a collection (which needs no address).
    if lines.iter().all(|l| l.is_removed) {
        issues.push(Issue::new(
            Code::DELIVERY_METHOD_UNMAPPED,
            "/shipping_lines",
            "every shipping line was removed by an order edit (is_removed): confirm how the customer receives the goods and book the delivery method by hand",
        ));
        let untaxed = Some(profile.orders.untaxed_tax_rate_id);
        let part = DeliveryPart { net: Decimal::ZERO, vat: Decimal::ZERO, rate: Decimal::ZERO, tax_rate_id: untaxed };
        return Delivery { method_id: None, parts: vec![part], collection: false };
    }
    let mut delivery = Delivery { method_id: None, parts: Vec::new(), collection: false };
    for (i, line) in lines.iter().enumerate().filter(|(_, l)| !l.is_removed) {
        let at = format!("/shipping_lines/{i}");
        // The code, else the title (a blank code is no code): the pointer
        // names the one read.
        let work = &order.work;
        let (code, title) = (line.code.as_deref().map(|c| trim(c, work)), line.title.as_deref().map(|t| trim(t, work)));
        let (code, title) = (code.filter(|c| !c.is_empty()), title.filter(|t| !t.is_empty()));
        let (field, code) = match (code, title) {
            (Some(code), _) => ("code", code),
            (None, Some(title)) => ("title", title),
            (None, None) => ("code", ""),
        };
        match profile.reference.delivery_method(code) {
            Some(id) if delivery.method_id.is_none_or(|m| m == id) => delivery.method_id = Some(id),
            Some(id) => issues.push(Issue::new(
                Code::DELIVERY_METHOD_UNMAPPED,
                format!("{at}/{field}"),
                format!("shipping line {} maps to delivery method {id}, another line to {}; an OrderWise order has one delivery method", quoted(code), delivery.method_id.unwrap_or_default()),
            )),
            None => issues.push(Issue::new(
                Code::DELIVERY_METHOD_UNMAPPED,
                format!("{at}/{field}"),
                format!("shipping method {} has no OrderWise deliveryMethodId; add it to the profile's deliveryMethods", quoted(code)),
            )),
        }
        let price = side.amount(line.price, line.price_set.as_ref());
        let allocated: Decimal = line
            .discount_allocations
            .iter()
            .filter_map(|d| side.amount(d.amount, d.amount_set.as_ref()))
            .map(|d| d.0)
            .sum();
        let (field, amount) = match side.amount(line.discounted_price, line.discounted_price_set.as_ref()) {
            // Before Shopify's 2024-07 API a shipping discount was in the
            // line's `discount_allocations` only, its `discounted_price`
            // left at the price: the charge is the price less them. From
            // 2024-07 `discounted_price` has them taken off already.
            // Allocations beyond the price are not taken off: the totals
            // check then holds the order with both figures.
            Some(d) if allocated > Decimal::ZERO && allocated <= d.0 && Some(d) == price => {
                ("discount_allocations", Some(Dec(d.0 - allocated)))
            }
            Some(d) => ("discounted_price", Some(d)),
            None => match price {
                Some(p) if allocated > Decimal::ZERO && allocated <= p.0 => {
                    ("discount_allocations", Some(Dec(p.0 - allocated)))
                }
                _ => ("price", price),
            },
        };
        let charged =
            required_amount(amount, issues, || (side.pointer(&format!("{at}/{field}")), side.name("shipping price")));
        match vat::by_rate(&line.tax_lines, side, &at) {
            Ok(rates) => {
                let vat_total: Decimal = rates.iter().map(|v| v.amount).sum();
                let net = if order.taxes_included { charged - vat_total } else { charged };
                for part in apportion(profile, net, &rates, &at, issues) {
                    add(&mut delivery.parts, part);
                }
            }
            Err(issue) => issues.push(issue),
        }
    }
    delivery
}

/// A shipping line's net split across the rates it was taxed at: the net at
/// each positive rate is its VAT ÷ rate, half-up to the penny (HMRC VAT
/// Notice 700 §17.5, line level); the zero-rated share, or failing one the
/// last rate, takes the rest, so the parts sum to the line's net exactly.
fn apportion(
    profile: &Profile,
    net: Decimal,
    rates: &[vat::Vat],
    at: &str,
    issues: &mut Vec<Issue>,
) -> Vec<DeliveryPart> {
    let id = |rate: Decimal, issues: &mut Vec<Issue>| {
        vat::tax_rate_id(profile, rate, !rates.is_empty(), at).map_err(|i| issues.push(i)).ok()
    };
    if rates.len() <= 1 {
        let (rate, vat) = rates.first().map_or((Decimal::ZERO, Decimal::ZERO), |v| (v.rate, v.amount));
        return vec![DeliveryPart { net, vat, rate, tax_rate_id: id(rate, issues) }];
    }
    let rest = rates.iter().position(|v| v.rate.is_zero()).unwrap_or(rates.len() - 1);
    let mut parts: Vec<DeliveryPart> = rates
        .iter()
        .map(|v| {
            let share = if v.rate.is_zero() { Decimal::ZERO } else { round_half_up(v.amount / v.rate, MONEY_DP) };
            DeliveryPart { net: share, vat: v.amount, rate: v.rate, tax_rate_id: id(v.rate, issues) }
        })
        .collect();
    let others: Decimal = parts.iter().enumerate().filter(|(k, _)| *k != rest).map(|(_, p)| p.net).sum();
    parts[rest].net = net - others;
    parts
}

/// Adds a part to the parts at its rate (several shipping lines at one rate are one part).
fn add(parts: &mut Vec<DeliveryPart>, part: DeliveryPart) {
    match parts.iter_mut().find(|p| p.rate == part.rate) {
        Some(p) => {
            p.net += part.net;
            p.vat += part.vat;
        }
        None => parts.push(part),
    }
}
