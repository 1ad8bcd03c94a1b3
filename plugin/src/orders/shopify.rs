//! The inbound payload: a Shopify order (REST / `orders/create` webhook JSON)
//! carrying SparkLayer's attributes. Only the fields the bridge reads are
//! declared; everything else is ignored so the payload can grow.
//!
//! Nearly every field is optional here: a missing field becomes a coded issue
//! with a pointer in the mapping, not a parse failure. A field of the wrong
//! type is a `PAYLOAD_INVALID` with the path serde reports.

use crate::shared::money::Dec;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;
use std::borrow::Cow;

// Text fields borrow from the payload (`Cow`): a 200-line order would
// otherwise allocate thousands of small strings only to read them once.

/// A Shopify id: a JSON number today, a string on some platforms; kept as its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Id(pub String);

impl Id {
    pub fn text(&self) -> String {
        self.0.clone()
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw: &RawValue = Deserialize::deserialize(d)?;
        let text = raw.get();
        if text.starts_with('"') {
            return serde_json::from_str(text).map(Id).map_err(D::Error::custom);
        }
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(Id(text.to_owned()));
        }
        Err(D::Error::custom(format!("expected an id (a whole number or a string), found {text}")))
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Order<'a> {
    pub id: Option<Id>,
    #[serde(borrow)]
    pub name: Option<Cow<'a, str>>,
    pub order_number: Option<u64>,
    #[serde(borrow)]
    pub created_at: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub processed_at: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub currency: Option<Cow<'a, str>>,
    #[serde(default)]
    pub taxes_included: bool,
    #[serde(borrow)]
    pub financial_status: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub note: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub note_attributes: Vec<NameValue<'a>>,
    #[serde(borrow)]
    pub email: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub customer: Option<Customer<'a>>,
    #[serde(borrow)]
    pub shipping_address: Option<Address<'a>>,
    #[serde(borrow)]
    pub line_items: Option<Vec<LineItem<'a>>>,
    #[serde(default, borrow)]
    pub shipping_lines: Vec<ShippingLine<'a>>,
    pub total_tax: Option<Dec>,
    pub total_price: Option<Dec>,
    #[serde(borrow)]
    pub payment_terms: Option<PaymentTerms<'a>>,
}

/// `note_attributes[]` and `line_items[].properties[]`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NameValue<'a> {
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    /// Shopify stores these as strings; a number or null is read as its text.
    #[serde(default, borrow, deserialize_with = "text_value")]
    pub value: Cow<'a, str>,
}

fn text_value<'de, D: Deserializer<'de>>(d: D) -> Result<Cow<'de, str>, D::Error> {
    let raw: &'de RawValue = Deserialize::deserialize(d)?;
    let text = raw.get();
    match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(plain) if !plain.contains('\\') => Ok(Cow::Borrowed(plain)),
        Some(_) => serde_json::from_str::<String>(text).map(Cow::Owned).map_err(D::Error::custom),
        None if text == "null" => Ok(Cow::Borrowed("")),
        None => Ok(Cow::Borrowed(text)),
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Customer<'a> {
    pub id: Option<Id>,
    #[serde(borrow)]
    pub email: Option<Cow<'a, str>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Address<'a> {
    #[serde(borrow)]
    pub first_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub last_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub company: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub address1: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub address2: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub city: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub province: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub zip: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub country: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub country_code: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub phone: Option<Cow<'a, str>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct LineItem<'a> {
    #[serde(borrow)]
    pub sku: Option<Cow<'a, str>>,
    pub quantity: Option<i64>,
    pub price: Option<Dec>,
    #[serde(default, borrow)]
    pub properties: Vec<NameValue<'a>>,
    #[serde(default)]
    pub tax_lines: Vec<TaxLine>,
    #[serde(default)]
    pub discount_allocations: Vec<DiscountAllocation>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct TaxLine {
    pub rate: Option<Dec>,
    pub price: Option<Dec>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct DiscountAllocation {
    pub amount: Option<Dec>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ShippingLine<'a> {
    #[serde(borrow)]
    pub code: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub title: Option<Cow<'a, str>>,
    pub price: Option<Dec>,
    pub discounted_price: Option<Dec>,
    #[serde(default)]
    pub tax_lines: Vec<TaxLine>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct PaymentTerms<'a> {
    #[serde(borrow)]
    pub payment_terms_name: Option<Cow<'a, str>>,
}

/// Reads the payload, reporting a type error with the JSON pointer of the field.
pub fn parse(json: &str) -> Result<Order<'_>, (String, String)> {
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
    serde_json::from_str(json).map_err(|e| (crate::shared::pointer::pointer_of(json, &e), e.to_string()))
}
