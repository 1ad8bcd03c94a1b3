//! The mapping profile: everything that differs between OrderWise instances and
//! SparkLayer stores. Parsed and validated once, then reused for every order.
//! docs/profile.md documents each field; fixtures/profile.json is the example.

use crate::money::Dec;
use crate::shopify::Id;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

/// Why a profile was refused: which field (a JSON pointer) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileError {
    pub field: String,
    pub message: String,
}

impl ProfileError {
    fn at(field: impl Into<String>, message: impl Into<String>) -> Self {
        ProfileError { field: field.into(), message: message.into() }
    }
}

impl std::fmt::Display for ProfileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let field = if self.field.is_empty() { "(document)" } else { &self.field };
        write!(f, "profile field {field}: {}", self.message)
    }
}

/// The profile as written in JSON. Unknown keys are refused so that a typo
/// is an error naming the field rather than a silently ignored setting.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProfileDoc {
    pub name: String,
    pub currencies: Vec<String>,
    pub order_types: OrderTypes,
    pub stock_location_id: u32,
    pub customers: Vec<CustomerMap>,
    pub catalog: Vec<String>,
    #[serde(default)]
    pub units: Vec<UnitMap>,
    #[serde(default = "default_pack_property")]
    pub pack_property: String,
    #[serde(default)]
    pub quantity_rules: Vec<QuantityRule>,
    pub tax_rates: Vec<TaxRateMap>,
    pub untaxed_code: String,
    pub vat_rounding: VatRounding,
    pub tolerance: Dec,
    pub price_precision: u32,
    pub unit_price_remainder: RemainderPolicy,
    pub payment_types: PaymentTypes,
    pub po_sources: Vec<PoSource>,
    pub po_max_length: usize,
    pub po_policy: PoPolicy,
    pub delivery_methods: Vec<DeliveryMap>,
    #[serde(default)]
    pub collection_delivery_method_id: Option<u32>,
}

fn default_pack_property() -> String {
    "Pack".to_owned()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrderTypes {
    /// OWAPI `systemOrderType` for orders paid (or to be paid) upfront.
    pub standard: u32,
    /// The distinct order type that routes Pay on Account orders to the B2B account workflow.
    pub on_account: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomerMap {
    #[serde(default)]
    pub shopify_id: Option<Id>,
    #[serde(default)]
    pub email: Option<String>,
    pub orderwise_id: u32,
    #[serde(default)]
    pub po_policy: Option<PoPolicy>,
    #[serde(default)]
    pub credit: Option<Credit>,
}

/// The customer's OrderWise credit data, as last synced.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Credit {
    pub account_customer: bool,
    #[serde(default)]
    pub on_hold: bool,
    #[serde(default)]
    pub manual_on_hold: bool,
    #[serde(default)]
    pub over_credit_terms: bool,
    #[serde(default)]
    pub available_to_spend: Option<Dec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UnitMap {
    /// The SparkLayer / Shopify SKU as sold.
    pub sku: String,
    /// The pack selection in the line properties, when the pack is not its own SKU.
    #[serde(default)]
    pub pack: Option<String>,
    /// The OrderWise variant code whose stock the line depletes.
    pub variant_code: String,
    /// OrderWise units per unit sold (a case of 12: 12).
    pub multiplier: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QuantityRule {
    pub sku: String,
    /// The pack selection the rule is for; none: the SKU sold without one.
    #[serde(default)]
    pub pack: Option<String>,
    #[serde(default)]
    pub pack_size: Option<u32>,
    #[serde(default)]
    pub min: Option<u32>,
    #[serde(default)]
    pub max: Option<u32>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TaxRateMap {
    /// UK VAT code (T0, T1, T2, T5, T9), for people reading the profile.
    pub code: String,
    /// The rate as a fraction (0.20).
    pub rate: Dec,
    pub tax_rate_id: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VatRounding {
    /// VAT worked per line, half a penny or more rounds up.
    LineHalfUp,
    /// VAT worked per rate on the invoice total, rounded down to the penny.
    InvoiceRoundDown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RemainderPolicy {
    /// Send the line as two lines of the same variant whose unit prices differ by
    /// one step of the price precision and whose nets sum exactly.
    SplitLine,
    /// Hold the order for finance to decide.
    Review,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PaymentTypes {
    pub on_account: Vec<String>,
    pub upfront: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum PoSource {
    /// A `note_attributes[]` entry by exact name.
    NoteAttribute(String),
    /// The order `note` (SparkLayer's `customer_reference`).
    Note,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PoPolicy {
    /// A missing PO holds the order for review.
    Required,
    /// A missing PO is a warning; the order goes through.
    Optional,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeliveryMap {
    /// The Shopify shipping line `code` (falls back to `title` when no code).
    pub shipping_code: String,
    pub delivery_method_id: u32,
}

/// Index by SKU, then by pack selection (a SKU has few packs): looked up per
/// order line with borrowed text, so the lookup allocates nothing.
type BySkuAndPack = BTreeMap<String, Vec<(Option<String>, usize)>>;

fn insert_unique(map: &mut BySkuAndPack, sku: &str, pack: &Option<String>, index: usize) -> bool {
    let packs = map.entry(sku.to_owned()).or_default();
    if packs.iter().any(|(p, _)| p == pack) {
        return false;
    }
    packs.push((pack.clone(), index));
    true
}

fn lookup(map: &BySkuAndPack, sku: &str, pack: Option<&str>) -> Option<usize> {
    map.get(sku)?.iter().find(|(p, _)| p.as_deref() == pack).map(|&(_, i)| i)
}

/// A validated profile with its lookup tables built.
#[derive(Debug, Clone)]
pub struct Profile {
    pub doc: ProfileDoc,
    customers_by_id: BTreeMap<String, usize>,
    customers_by_email: BTreeMap<String, usize>,
    catalog: BTreeSet<String>,
    units: BySkuAndPack,
    quantity_rules: BySkuAndPack,
    tax_rates: BTreeMap<Decimal, usize>,
    delivery: BTreeMap<String, u32>,
    untaxed: usize,
}

impl Profile {
    pub fn parse(json: &str) -> Result<Profile, ProfileError> {
        let doc: ProfileDoc = serde_json::from_str(json)
            .map_err(|e| ProfileError::at(crate::pointer::pointer_of(json, &e), e.to_string()))?;
        Profile::new(doc)
    }

    pub fn new(doc: ProfileDoc) -> Result<Profile, ProfileError> {
        validate_scalars(&doc)?;
        let mut customers_by_id = BTreeMap::new();
        let mut customers_by_email = BTreeMap::new();
        for (i, c) in doc.customers.iter().enumerate() {
            let at = format!("/customers/{i}");
            if c.shopify_id.is_none() && c.email.is_none() {
                return Err(ProfileError::at(at, "needs a shopifyId or an email to match on"));
            }
            if let Some(id) = &c.shopify_id {
                if customers_by_id.insert(id.text(), i).is_some() {
                    return Err(ProfileError::at(
                        format!("{at}/shopifyId"),
                        format!("shopifyId {} is mapped twice", id.text()),
                    ));
                }
            }
            if let Some(email) = &c.email {
                if customers_by_email.insert(email.trim().to_lowercase(), i).is_some() {
                    return Err(ProfileError::at(format!("{at}/email"), format!("email {email} is mapped twice")));
                }
            }
            if let Some(Dec(a)) = c.credit.as_ref().and_then(|c| c.available_to_spend) {
                if a.scale() > crate::money::MONEY_DP {
                    return Err(ProfileError::at(
                        format!("{at}/credit/availableToSpend"),
                        "must be an amount in pennies (at most 2 decimals)",
                    ));
                }
            }
        }
        let mut catalog = BTreeSet::new();
        for (i, code) in doc.catalog.iter().enumerate() {
            if code.trim().is_empty() || code.trim() != code {
                return Err(ProfileError::at(
                    format!("/catalog/{i}"),
                    "variant codes are matched exactly: no empty codes or surrounding spaces",
                ));
            }
            if !catalog.insert(code.clone()) {
                return Err(ProfileError::at(format!("/catalog/{i}"), format!("{code} is listed twice")));
            }
        }
        let mut units = BySkuAndPack::new();
        for (i, u) in doc.units.iter().enumerate() {
            let at = format!("/units/{i}");
            if u.multiplier == 0 {
                return Err(ProfileError::at(format!("{at}/multiplier"), "must be at least 1"));
            }
            if !catalog.contains(&u.variant_code) {
                return Err(ProfileError::at(
                    format!("{at}/variantCode"),
                    format!("{} is not in the catalog", u.variant_code),
                ));
            }
            if !insert_unique(&mut units, &u.sku, &u.pack, i) {
                return Err(ProfileError::at(at, format!("sku {} with this pack is mapped twice", u.sku)));
            }
        }
        let mut quantity_rules = BySkuAndPack::new();
        for (i, q) in doc.quantity_rules.iter().enumerate() {
            let at = format!("/quantityRules/{i}");
            if q.pack_size == Some(0) {
                return Err(ProfileError::at(format!("{at}/packSize"), "must be at least 1"));
            }
            if let (Some(min), Some(max)) = (q.min, q.max) {
                if min > max {
                    return Err(ProfileError::at(format!("{at}/min"), format!("min {min} is above max {max}")));
                }
            }
            if !insert_unique(&mut quantity_rules, &q.sku, &q.pack, i) {
                return Err(ProfileError::at(at, format!("sku {} with this pack has two rules", q.sku)));
            }
        }
        let mut tax_rates = BTreeMap::new();
        for (i, t) in doc.tax_rates.iter().enumerate() {
            let rate = t.rate.0;
            if rate < Decimal::ZERO || rate >= Decimal::ONE {
                return Err(ProfileError::at(
                    format!("/taxRates/{i}/rate"),
                    "must be a fraction from 0 up to (not including) 1, e.g. 0.20",
                ));
            }
            if tax_rates.insert(rate.normalize(), i).is_some() {
                return Err(ProfileError::at(format!("/taxRates/{i}/rate"), format!("rate {rate} is listed twice")));
            }
        }
        let untaxed =
            doc.tax_rates.iter().position(|t| t.code == doc.untaxed_code && t.rate.0.is_zero()).ok_or_else(|| {
                ProfileError::at(
                    "/untaxedCode",
                    format!("{} is not the code of a zero-rate taxRates entry", doc.untaxed_code),
                )
            })?;
        let mut delivery = BTreeMap::new();
        for (i, d) in doc.delivery_methods.iter().enumerate() {
            if delivery.insert(d.shipping_code.clone(), d.delivery_method_id).is_some() {
                return Err(ProfileError::at(
                    format!("/deliveryMethods/{i}/shippingCode"),
                    format!("{} is mapped twice", d.shipping_code),
                ));
            }
        }
        Ok(Profile {
            doc,
            customers_by_id,
            customers_by_email,
            catalog,
            units,
            quantity_rules,
            tax_rates,
            delivery,
            untaxed,
        })
    }

    /// Customer by Shopify id first, then by email (case-insensitive).
    pub fn customer(&self, shopify_id: Option<&str>, email: Option<&str>) -> Option<&CustomerMap> {
        let by_id = shopify_id.and_then(|id| self.customers_by_id.get(id));
        let by_email = || email.and_then(|e| self.customers_by_email.get(&e.trim().to_lowercase()));
        by_id.or_else(by_email).map(|&i| &self.doc.customers[i])
    }

    pub fn in_catalog(&self, variant_code: &str) -> bool {
        self.catalog.contains(variant_code)
    }

    pub fn unit(&self, sku: &str, pack: Option<&str>) -> Option<&UnitMap> {
        lookup(&self.units, sku, pack).map(|i| &self.doc.units[i])
    }

    /// The quantity rule for the SKU as sold in this pack (or without one).
    pub fn quantity_rule(&self, sku: &str, pack: Option<&str>) -> Option<&QuantityRule> {
        lookup(&self.quantity_rules, sku, pack).map(|i| &self.doc.quantity_rules[i])
    }

    pub fn tax_rate(&self, rate: Decimal) -> Option<&TaxRateMap> {
        self.tax_rates.get(&rate.normalize()).map(|&i| &self.doc.tax_rates[i])
    }

    /// The zero-rate entry used for lines that carry no VAT at all.
    pub fn untaxed(&self) -> &TaxRateMap {
        &self.doc.tax_rates[self.untaxed]
    }

    pub fn delivery_method(&self, shipping_code: &str) -> Option<u32> {
        self.delivery.get(shipping_code).copied()
    }
}

fn validate_scalars(doc: &ProfileDoc) -> Result<(), ProfileError> {
    if doc.currencies.is_empty() {
        return Err(ProfileError::at("/currencies", "list at least one ISO 4217 code, e.g. GBP"));
    }
    for (i, c) in doc.currencies.iter().enumerate() {
        if c.len() != 3 || !c.chars().all(|ch| ch.is_ascii_uppercase()) {
            return Err(ProfileError::at(
                format!("/currencies/{i}"),
                format!("{c:?} is not an ISO 4217 code like GBP"),
            ));
        }
    }
    if doc.tax_rates.is_empty() {
        return Err(ProfileError::at("/taxRates", "list at least the rates the store charges"));
    }
    if doc.tolerance.0 < Decimal::ZERO {
        return Err(ProfileError::at("/tolerance", "must not be negative"));
    }
    if !(2..=4).contains(&doc.price_precision) {
        return Err(ProfileError::at("/pricePrecision", "OrderWise unit prices hold 2 to 4 decimal places"));
    }
    let types = &doc.payment_types;
    if let Some(both) = types.on_account.iter().find(|t| types.upfront.contains(t)) {
        return Err(ProfileError::at("/paymentTypes", format!("{both:?} is listed as both on-account and upfront")));
    }
    if doc.po_sources.is_empty() {
        return Err(ProfileError::at("/poSources", "list at least one place to read the PO from"));
    }
    if doc.po_max_length == 0 {
        return Err(ProfileError::at("/poMaxLength", "must be at least 1"));
    }
    if doc.pack_property.trim().is_empty() {
        return Err(ProfileError::at("/packProperty", "must name a line property"));
    }
    Ok(())
}
