//! Delivery: the OrderWise delivery method and the delivery charge with its VAT.
//!
//! Prevents: a shipping charge or its VAT silently missing from the sales order,
//! and a delivery method guessed when the profile does not name one.

use crate::orders::lines::{tax_rate_id, vat_of, Vat};
use crate::orders::shopify::Order;
use crate::profile::Profile;
use crate::shared::issues::{Code, Issue};
use crate::shared::money::required_amount;
use rust_decimal::Decimal;

#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub method_id: Option<u32>,
    pub net: Decimal,
    pub vat: Decimal,
    pub rate: Decimal,
    pub tax_rate_id: Option<u32>,
}

pub fn map_delivery(profile: &Profile, order: &Order, issues: &mut Vec<Issue>) -> Delivery {
    let lines = &order.shipping_lines;
    let mut delivery =
        Delivery { method_id: None, net: Decimal::ZERO, vat: Decimal::ZERO, rate: Decimal::ZERO, tax_rate_id: None };
    if lines.is_empty() {
        delivery.method_id = profile.orders.collection_delivery_method_id;
        delivery.tax_rate_id = Some(profile.orders.untaxed_tax_rate_id);
        if delivery.method_id.is_none() {
            issues.push(Issue::new(
                Code::DELIVERY_METHOD_UNMAPPED,
                "/shipping_lines",
                "the order has no shipping line and the profile has no collectionDeliveryMethodId; set one or confirm how the customer receives the goods",
            ));
        }
        return delivery;
    }
    let mut rates: Option<(Vat, bool)> = None;
    for (i, line) in lines.iter().enumerate() {
        let at = format!("/shipping_lines/{i}");
        let code = line.code.as_deref().or(line.title.as_deref()).unwrap_or("").trim();
        match profile.reference.delivery_method(code) {
            Some(id) if delivery.method_id.is_none_or(|m| m == id) => delivery.method_id = Some(id),
            Some(id) => issues.push(Issue::new(
                Code::DELIVERY_METHOD_UNMAPPED,
                format!("{at}/code"),
                format!("shipping line {code:?} maps to delivery method {id}, another line to {}; an OrderWise order has one delivery method", delivery.method_id.unwrap_or_default()),
            )),
            None => issues.push(Issue::new(
                Code::DELIVERY_METHOD_UNMAPPED,
                format!("{at}/code"),
                format!("shipping method {code:?} has no OrderWise deliveryMethodId; add it to the profile's deliveryMethods"),
            )),
        }
        let (field, amount) = match line.discounted_price {
            Some(d) => ("discounted_price", Some(d)),
            None => ("price", line.price),
        };
        let charged = required_amount(amount, issues, || (format!("{at}/{field}"), "shipping price".into()));
        match vat_of(&line.tax_lines, &at) {
            Ok(vat) => {
                delivery.vat += vat.amount;
                delivery.net += if order.taxes_included { charged - vat.amount } else { charged };
                match &rates {
                    Some((first, _)) if first.rate.normalize() != vat.rate.normalize() => issues.push(Issue::new(
                        Code::TAX_RATE_UNMAPPED,
                        format!("{at}/tax_lines"),
                        format!(
                            "shipping lines carry two VAT rates ({} and {}); OrderWise takes one delivery tax rate",
                            first.rate.normalize(),
                            vat.rate.normalize()
                        ),
                    )),
                    Some(_) => {}
                    None => rates = Some((vat, !line.tax_lines.is_empty())),
                }
            }
            Err(issue) => issues.push(issue),
        }
    }
    if let Some((vat, taxed)) = rates {
        delivery.rate = vat.rate;
        delivery.tax_rate_id = tax_rate_id(profile, &vat, taxed, "/shipping_lines/0").map_err(|i| issues.push(i)).ok();
    }
    delivery
}
