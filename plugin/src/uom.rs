//! Units of measure: which OrderWise variant a sold line depletes, and how many.
//!
//! Prevents: a case of 12 depleting the wrong SKU, or 2 cases booked as 2 eaches.
//! OrderWise is the master of SKUs and units; the profile's unit map says how a
//! SparkLayer SKU (and pack selection) becomes an OrderWise variant × multiplier.

use crate::issues::{Code, Issue};
use crate::profile::Profile;

/// Where a sold line lands in OrderWise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub variant_code: String,
    pub multiplier: u32,
}

/// Resolves a line's SKU and optional pack selection. `at` is the line's pointer.
pub fn resolve(profile: &Profile, sku: &str, pack: Option<&str>, at: &str) -> Result<Resolved, Issue> {
    if sku.is_empty() {
        return Err(Issue::new(
            Code::SKU_UNKNOWN,
            format!("{at}/sku"),
            "line has no SKU, so no OrderWise variant can be chosen; give the product variant a SKU that matches its OrderWise variant code",
        ));
    }
    if let Some(unit) = profile.unit(sku, pack) {
        return Ok(Resolved { variant_code: unit.variant_code.clone(), multiplier: unit.multiplier });
    }
    if let Some(pack) = pack {
        // A pack was chosen but nothing says how many eaches it holds: never guess 1.
        return Err(Issue::new(
            Code::UOM_UNMAPPED,
            format!("{at}/properties"),
            format!(
                "SKU {sku} was ordered as pack {pack:?}, which has no unit-map entry; add {{sku: {sku:?}, pack: {pack:?}, variantCode, multiplier}} to the profile's units"
            ),
        ));
    }
    if profile.in_catalog(sku) {
        return Ok(Resolved { variant_code: sku.to_owned(), multiplier: 1 });
    }
    Err(Issue::new(
        Code::SKU_UNKNOWN,
        format!("{at}/sku"),
        format!(
            "SKU {sku} is not an OrderWise variant code and has no unit-map entry (codes match exactly, case-sensitive); create the variant in OrderWise or map the SKU in the profile's units"
        ),
    ))
}

/// SparkLayer's quantity rules for the SKU as sold (in its pack, if one was
/// chosen): pack-size multiples, min and max, in units sold.
/// Prevents: quantities SparkLayer should have refused reaching the warehouse.
pub fn check_quantity(profile: &Profile, sku: &str, pack: Option<&str>, quantity: u64, at: &str) -> Vec<Issue> {
    let Some(rule) = profile.quantity_rule(sku, pack) else {
        return Vec::new();
    };
    let mut issues = Vec::new();
    let mut flag = |what: String| {
        issues.push(Issue::new(
            Code::PACK_QUANTITY_INVALID,
            format!("{at}/quantity"),
            format!(
                "SKU {sku} quantity {quantity} {what}; correct the order in SparkLayer or the SKU's quantity rules"
            ),
        ))
    };
    if let Some(pack) = rule.pack_size {
        if !quantity.is_multiple_of(u64::from(pack)) {
            flag(format!("is not a multiple of its pack size {pack}"));
        }
    }
    if let Some(min) = rule.min {
        if quantity < u64::from(min) {
            flag(format!("is below the minimum order quantity {min}"));
        }
    }
    if let Some(max) = rule.max {
        if quantity > u64::from(max) {
            flag(format!("is above the maximum order quantity {max}"));
        }
    }
    issues
}
