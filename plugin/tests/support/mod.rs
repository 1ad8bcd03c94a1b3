//! Test support: the bundled default profile and a small builder for orders
//! whose totals are consistent the way Shopify makes them (VAT per line, half-up).
#![allow(dead_code)]

use plugin::shared::money::{parse_decimal, round_half_up};
use plugin::Profile;
use rust_decimal::Decimal;
use serde_json::{json, Value};

pub fn profile_json() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/profile.json")).unwrap()
}

pub fn profile() -> Profile {
    Profile::parse(&profile_json()).expect("the bundled profile is valid")
}

/// The profile with the value at one JSON pointer (`/orders/tolerance`) replaced or added.
pub fn profile_with(pointer: &str, value: Value) -> Profile {
    Profile::parse(&profile_json_with(pointer, value)).unwrap()
}

/// The bundled profile's text with the value at `pointer` replaced or added.
pub fn profile_json_with(pointer: &str, value: Value) -> String {
    let mut doc: Value = serde_json::from_str(&profile_json()).unwrap();
    let (parent, key) = pointer.rsplit_once('/').expect("a pointer");
    let parent = doc.pointer_mut(parent).unwrap_or_else(|| panic!("{parent} is in the bundled profile"));
    match parent {
        Value::Array(items) => items[key.parse::<usize>().unwrap()] = value,
        other => other[key] = value,
    }
    doc.to_string()
}

pub fn d(s: &str) -> Decimal {
    parse_decimal(s).unwrap()
}

#[derive(Clone, Debug)]
pub struct Line {
    pub sku: String,
    pub quantity: i64,
    pub price: Decimal,
    pub discount: Decimal,
    pub rate: Decimal,
    pub properties: Vec<(String, String)>,
}

pub fn line(sku: &str, quantity: i64, price: &str, rate: &str) -> Line {
    Line { sku: sku.into(), quantity, price: d(price), discount: Decimal::ZERO, rate: d(rate), properties: vec![] }
}

impl Line {
    pub fn discount(mut self, amount: &str) -> Line {
        self.discount = d(amount);
        self
    }
    pub fn property(mut self, name: &str, value: &str) -> Line {
        self.properties.push((name.into(), value.into()));
        self
    }
    pub fn net(&self) -> Decimal {
        self.price * Decimal::from(self.quantity) - self.discount
    }
    pub fn vat(&self) -> Decimal {
        round_half_up(self.net() * self.rate, 2)
    }
}

/// An on-account order for the profile's first customer, PO `PO-1`, delivery
/// "Next Day Pallet" at `shipping` with 20% VAT (no shipping line when `None`).
pub fn order(lines: &[Line], shipping: Option<&str>) -> Value {
    let items: Vec<Value> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let mut properties: Vec<Value> = l.properties.iter().map(|(n, v)| json!({"name": n, "value": v})).collect();
            if l.quantity > 0 {
                let unit = round_half_up(l.net() / Decimal::from(l.quantity), 2);
                properties.push(json!({"name": "Charged Price", "value": unit.to_string()}));
            }
            let tax_lines = if l.rate.is_zero() {
                json!([])
            } else {
                json!([{"title": "VAT", "rate": l.rate.to_string(), "price": l.vat().to_string()}])
            };
            let allocations =
                if l.discount.is_zero() { json!([]) } else { json!([{"amount": l.discount.to_string()}]) };
            json!({
                "id": 1000 + i, "sku": l.sku, "name": l.sku, "quantity": l.quantity, "price": l.price.to_string(),
                "properties": properties, "tax_lines": tax_lines, "discount_allocations": allocations
            })
        })
        .collect();
    let mut net: Decimal = lines.iter().map(Line::net).sum();
    let mut vat: Decimal = lines.iter().map(Line::vat).sum();
    let shipping_lines = match shipping {
        Some(price) => {
            let p = d(price);
            let v = round_half_up(p * d("0.2"), 2);
            net += p;
            vat += v;
            json!([{"code": "Next Day Pallet", "title": "Next Day Pallet", "price": price, "discounted_price": price,
                    "tax_lines": [{"title": "VAT", "rate": "0.2", "price": v.to_string()}]}])
        }
        None => json!([]),
    };
    json!({
        "id": 5873201934471u64, "name": "#T1", "processed_at": "2025-03-14T10:22:29+00:00", "currency": "GBP",
        "taxes_included": false, "financial_status": "pending",
        "note_attributes": [{"name": "sparkPaymentType", "value": "paymentOnAccount"}, {"name": "PO Number", "value": "PO-1"}],
        "customer": {"id": 7201934471023u64, "email": "orders@harbourcafe.co.uk"},
        "shipping_address": {"first_name": "Sam", "last_name": "Whitby", "company": "Harbour Café", "address1": "The Quay",
                             "city": "Falmouth", "zip": "TR11 3XX", "country": "United Kingdom", "country_code": "GB"},
        "line_items": items, "shipping_lines": shipping_lines,
        "total_tax": vat.to_string(), "total_price": (net + vat).to_string(),
        "payment_terms": {"payment_terms_name": "Net 30", "due_in_days": 30}
    })
}

pub fn codes(outcome: &plugin::Outcome) -> Vec<&'static str> {
    outcome.issues.iter().map(|i| i.code.as_str()).collect()
}
