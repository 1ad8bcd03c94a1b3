//! Units of measure: which OrderWise variant a sold line depletes, and how many.
//!
//! Prevents: a case of 12 depleting the wrong SKU, or 2 cases booked as 2 eaches.
//! OrderWise is the master of SKUs and units; the profile's unit map says how a
//! SparkLayer SKU (and pack selection) becomes an OrderWise variant × multiplier.

use crate::profile::Profile;
use crate::shared::issues::{Code, Issue};

/// Where a sold line lands in OrderWise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved<'p> {
    pub variant_code: &'p str,
    pub multiplier: u32,
}

/// Resolves a line's SKU and optional pack selection. `at` is the line's pointer.
pub fn resolve<'p>(profile: &'p Profile, sku: &str, pack: Option<&str>, at: &str) -> Result<Resolved<'p>, Issue> {
    let reference = &profile.reference;
    if sku.is_empty() {
        return Err(Issue::new(
            Code::SKU_UNKNOWN,
            format!("{at}/sku"),
            "line has no SKU, so no OrderWise variant can be chosen; give the product variant a SKU that matches its OrderWise variant code",
        ));
    }
    if let Some(unit) = reference.unit(sku, pack) {
        let variant_code = reference.code_of(reference.variant_of(unit));
        return Ok(Resolved { variant_code, multiplier: unit.multiplier });
    }
    if let Some(pack) = pack {
        // A pack was chosen but nothing says how many eaches it holds: never guess 1.
        return Err(Issue::new(
            Code::UOM_UNMAPPED,
            format!("{at}/properties"),
            format!(
                "SKU {sku} was ordered as pack {pack:?}, which has no unit mapping; add a unit {{sku: {sku:?}, pack: {pack:?}, multiplier}} under the variant it depletes in the profile's reference.variants"
            ),
        ));
    }
    if let Some(variant) = reference.variant(sku) {
        return Ok(Resolved { variant_code: reference.code_of(variant), multiplier: 1 });
    }
    Err(Issue::new(
        Code::SKU_UNKNOWN,
        format!("{at}/sku"),
        format!(
            "SKU {sku} is not an OrderWise variant code and has no unit mapping (codes match exactly, case-sensitive); create the variant in OrderWise or map the SKU in the units of a variant (profile reference.variants)"
        ),
    ))
}

/// SparkLayer's quantity rules for the SKU as sold (in its pack, if one was
/// chosen): pack-size multiples, min and max, in units sold.
/// Prevents: quantities SparkLayer should have refused reaching the warehouse.
pub fn check_quantity(profile: &Profile, sku: &str, pack: Option<&str>, quantity: u64, at: &str) -> Vec<Issue> {
    let Some(rule) = profile.reference.quantity_rule(sku, pack) else {
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
