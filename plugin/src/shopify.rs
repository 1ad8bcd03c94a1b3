//! The inbound payload: a Shopify order (REST / `orders/create` webhook JSON)
//! carrying SparkLayer's attributes. Only the fields the bridge reads are
//! declared; everything else is ignored so the payload can grow.
//!
//! Nearly every field is optional here: a missing field becomes a coded issue
//! with a pointer in the mapping, not a parse failure. A field of the wrong
//! type is a `PAYLOAD_INVALID` with the path serde reports.

use crate::money::Dec;
use serde::Deserialize;

/// Shopify ids are JSON numbers today; some platforms record them as strings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Id {
    Num(u64),
    Text(String),
}

impl Id {
    pub fn text(&self) -> String {
        match self {
            Id::Num(n) => n.to_string(),
            Id::Text(s) => s.clone(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Order {
    pub id: Option<Id>,
    pub name: Option<String>,
    pub order_number: Option<u64>,
    pub created_at: Option<String>,
    pub processed_at: Option<String>,
    pub currency: Option<String>,
    #[serde(default)]
    pub taxes_included: bool,
    pub financial_status: Option<String>,
    pub note: Option<String>,
    #[serde(default)]
    pub note_attributes: Vec<NameValue>,
    pub email: Option<String>,
    pub customer: Option<Customer>,
    pub shipping_address: Option<Address>,
    pub line_items: Option<Vec<LineItem>>,
    #[serde(default)]
    pub shipping_lines: Vec<ShippingLine>,
    pub total_tax: Option<Dec>,
    pub total_price: Option<Dec>,
    pub payment_terms: Option<PaymentTerms>,
}

/// `note_attributes[]` and `line_items[].properties[]`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NameValue {
    pub name: String,
    /// Shopify stores these as strings; a number or null is read as its text.
    #[serde(default, deserialize_with = "text_value")]
    pub value: String,
}

fn text_value<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let raw: &serde_json::value::RawValue = Deserialize::deserialize(d)?;
    let text = raw.get();
    if text.starts_with('"') {
        serde_json::from_str(text).map_err(serde::de::Error::custom)
    } else if text == "null" {
        Ok(String::new())
    } else {
        Ok(text.to_owned())
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Customer {
    pub id: Option<Id>,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Address {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub address1: Option<String>,
    pub address2: Option<String>,
    pub city: Option<String>,
    pub province: Option<String>,
    pub zip: Option<String>,
    pub country: Option<String>,
    pub country_code: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct LineItem {
    pub id: Option<Id>,
    pub sku: Option<String>,
    pub name: Option<String>,
    pub quantity: Option<i64>,
    pub price: Option<Dec>,
    #[serde(default)]
    pub properties: Vec<NameValue>,
    #[serde(default)]
    pub tax_lines: Vec<TaxLine>,
    #[serde(default)]
    pub discount_allocations: Vec<DiscountAllocation>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct TaxLine {
    pub title: Option<String>,
    pub rate: Option<Dec>,
    pub price: Option<Dec>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct DiscountAllocation {
    pub amount: Option<Dec>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ShippingLine {
    pub code: Option<String>,
    pub title: Option<String>,
    pub price: Option<Dec>,
    pub discounted_price: Option<Dec>,
    #[serde(default)]
    pub tax_lines: Vec<TaxLine>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct PaymentTerms {
    pub payment_terms_name: Option<String>,
    pub due_in_days: Option<i64>,
}

/// Reads the payload, reporting a type error with the JSON pointer of the field.
pub fn parse(json: &str) -> Result<Order, (String, String)> {
    // serde would read a struct from a JSON array too; an order is an object.
    let body = json.trim_start();
    if !body.starts_with('{') {
        let found = match body.chars().next() {
            Some('[') => "a JSON array".to_owned(),
            Some('"') => "a JSON string".to_owned(),
            Some(c) if c == '-' || c.is_ascii_digit() => "a JSON number".to_owned(),
            _ => format!("not JSON (it starts {:?})", body.chars().take(24).collect::<String>()),
        };
        return Err((String::new(), format!("the body is {found}, not a JSON object")));
    }
    serde_json::from_str(json).map_err(|e| (crate::pointer::pointer_at(json, e.line(), e.column()), e.to_string()))
}
