//! The stock flow's view of the catalog, built once per profile (at parse,
//! so a baked profile carries it): every SparkLayer SKU that shows stock, in
//! byte order, and which variants have case SKUs of their own.
//!
//! Prevents: a call paying for the whole catalog. A 50,000-variant tenant is
//! paged into calls of a few thousand rows; sorting SKU strings, or walking
//! every variant to find those in the call's range, in every call would cost
//! more than the rows themselves. With ranks, a call sorts integers and finds
//! its range by binary search. Kept small (about 10 bytes a SKU): a baked
//! tenant's tables count against the instance's 10 MiB.

use crate::shared::reference::Reference;

/// A SparkLayer SKU that shows stock, packed in a `u32`: a variant's own
/// code (× 1), or a case unit (the top bit set).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Variant(u32),
    Unit(u32),
}

const UNIT: u32 = 1 << 31;

fn pack(s: Source) -> u32 {
    match s {
        Source::Variant(v) => v,
        Source::Unit(u) => u | UNIT,
    }
}

fn unpack(x: u32) -> Source {
    if x & UNIT == 0 {
        Source::Variant(x)
    } else {
        Source::Unit(x & !UNIT)
    }
}

const NONE: u32 = u32::MAX;

#[derive(Debug, Clone, Default)]
pub struct StockIndex {
    /// SparkLayer SKUs in byte order (`pack`ed sources).
    by_rank: Vec<u32>,
    /// The rank of each variant's own code as a SKU (`NONE`: a case unit claims it).
    variant_rank: Vec<u32>,
    /// (variant, unit) of every case unit (a unit with no pack), by variant.
    cases: Vec<(u32, u32)>,
    /// The rank of each case unit, in `cases` order.
    case_rank: Vec<u32>,
    /// Variants whose code a case unit claims (rare), in code order: they
    /// have no rank of their own, yet are stocked variants.
    claimed: Vec<u32>,
}

impl StockIndex {
    pub fn build(reference: &Reference) -> StockIndex {
        let text = |x: u32| match unpack(x) {
            Source::Variant(v) => reference.code_of(reference.variant_at(v as usize)).as_bytes(),
            Source::Unit(u) => reference.unit_sku(reference.unit_at(u as usize)).as_bytes(),
        };
        let mut index = StockIndex::default();
        for v in 0..reference.variant_count() {
            let code = reference.code_of(reference.variant_at(v));
            if reference.unit_index(code, None).is_none() {
                index.by_rank.push(pack(Source::Variant(v as u32)));
            } else {
                index.claimed.push(v as u32);
            }
        }
        for u in 0..reference.unit_count() {
            let unit = reference.unit_at(u);
            if reference.unit_pack(unit).is_none() {
                index.by_rank.push(pack(Source::Unit(u as u32)));
                index.cases.push((reference.variant_index_of(unit) as u32, u as u32));
            }
        }
        index.by_rank.sort_unstable_by(|a, b| text(*a).cmp(text(*b)));
        index.claimed.sort_unstable_by(|a, b| text(*a).cmp(text(*b)));
        index.cases.sort_unstable();
        index.variant_rank = vec![NONE; reference.variant_count()];
        index.case_rank = vec![NONE; index.cases.len()];
        for (rank, x) in index.by_rank.iter().enumerate() {
            match unpack(*x) {
                Source::Variant(v) => index.variant_rank[v as usize] = rank as u32,
                Source::Unit(u) => {
                    let v = reference.variant_index_of(reference.unit_at(u as usize)) as u32;
                    if let Ok(at) = index.cases.binary_search(&(v, u)) {
                        index.case_rank[at] = rank as u32;
                    }
                }
            }
        }
        index
    }

    /// The SKU at `rank`.
    pub fn sku<'r>(&self, reference: &'r Reference, rank: u32) -> &'r str {
        match unpack(self.by_rank[rank as usize]) {
            Source::Variant(v) => reference.code_of(reference.variant_at(v as usize)),
            Source::Unit(u) => reference.unit_sku(reference.unit_at(u as usize)),
        }
    }

    /// The SparkLayer SKUs showing stock of the variant at `v`: (rank, eaches per unit).
    #[inline]
    pub fn skus_of(&self, reference: &Reference, v: usize, mut each: impl FnMut(u32, u32)) {
        if let Some(&rank) = self.variant_rank.get(v).filter(|&&r| r != NONE) {
            each(rank, 1);
        }
        let v = v as u32;
        let start = self.cases.partition_point(|&(variant, _)| variant < v);
        for (at, &(variant, u)) in self.cases.iter().enumerate().skip(start) {
            if variant != v {
                break;
            }
            each(self.case_rank[at], reference.unit_at(u as usize).multiplier);
        }
    }

    /// The rank of a SparkLayer SKU and the variant it takes stock from.
    pub fn rank_of(&self, reference: &Reference, sku: &str) -> Option<(u32, usize)> {
        if let Some(u) = reference.unit_index(sku, None) {
            let v = reference.variant_index_of(reference.unit_at(u));
            let at = self.cases.binary_search(&(v as u32, u as u32)).ok()?;
            return Some((self.case_rank[at], v));
        }
        let v = reference.variant_index(sku)?;
        let rank = self.variant_rank[v];
        (rank != NONE).then_some((rank, v))
    }

    /// Variant positions whose codes are in `[first, before)`: those whose
    /// code is their own SKU (in code order), then those a case unit claims.
    pub fn variants_in<'s>(
        &'s self,
        reference: &'s Reference,
        first: Option<&'s str>,
        before: Option<&'s str>,
    ) -> impl Iterator<Item = u32> + 's {
        let text = move |x: &u32| match unpack(*x) {
            Source::Variant(v) => reference.code_of(reference.variant_at(v as usize)).as_bytes(),
            Source::Unit(u) => reference.unit_sku(reference.unit_at(u as usize)).as_bytes(),
        };
        let span = |list: &'s [u32]| {
            let start = first.map_or(0, |f| list.partition_point(|x| text(x) < f.as_bytes()));
            let end = before.map_or(list.len(), |b| list.partition_point(|x| text(x) < b.as_bytes()));
            &list[start..end.max(start)]
        };
        let own = span(&self.by_rank).iter().filter_map(|&x| match unpack(x) {
            Source::Variant(v) => Some(v),
            Source::Unit(_) => None,
        });
        own.chain(span(&self.claimed).iter().copied())
    }
}
