//! Which SparkLayer SKUs show stock cut from one OrderWise variant, and how
//! many units of each.
//!
//! Prevents: a case-of-12 SKU showing 1,440 cases when OrderWise holds 1,440
//! eaches, a case shown as available when fewer eaches than a case remain,
//! and a pack *selection* ("order in multiples of 6" on the each SKU) getting
//! an entry of its own (SparkLayer stock is per SKU and location, and a
//! selection is not a SKU). Only a case SKU sold as its own SparkLayer SKU
//! (a unit with no pack) gets floor(each stock / multiplier).

use crate::shared::reference::Reference;

/// A SparkLayer SKU and the eaches in one unit of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SparkSku<'p> {
    pub sku: &'p str,
    pub multiplier: u32,
}

/// The SparkLayer SKUs of the variant at `index`: its own code (× 1) unless a
/// case unit claims that SKU (the order flow's resolution: a unit wins), and
/// every case SKU cut from it. Pack selections are not SKUs and give none.
pub fn skus_of(reference: &Reference, index: usize) -> Vec<SparkSku<'_>> {
    let code = reference.code_of(reference.variant_at(index));
    let mut out = Vec::with_capacity(2);
    if reference.unit(code, None).is_none() {
        out.push(SparkSku { sku: code, multiplier: 1 });
    }
    for unit in reference.units_of(index) {
        if reference.unit_pack(unit).is_none() {
            out.push(SparkSku { sku: reference.unit_sku(unit), multiplier: unit.multiplier });
        }
    }
    out
}

/// Rule: a case SKU shows whole cases only: floor(eaches / multiplier)
/// (cases round down, never up: 23 eaches are 1 case of 12).
pub fn units_shown(each: u64, multiplier: u32) -> u64 {
    each / u64::from(multiplier.max(1))
}

/// The variant (position) a SparkLayer SKU takes its stock from, as `skus_of` assigns it.
pub fn variant_of_sku(reference: &Reference, sku: &str) -> Option<usize> {
    match reference.unit(sku, None) {
        Some(unit) => Some(reference.variant_index_of(unit)),
        None => reference.variant_index(sku),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_round_down() {
        assert_eq!(units_shown(23, 12), 1);
        assert_eq!(units_shown(24, 12), 2);
        assert_eq!(units_shown(11, 12), 0);
        assert_eq!(units_shown(5, 1), 5);
    }
}
