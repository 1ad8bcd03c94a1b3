//! The stock flow's view of the catalog, built once per profile (at parse,
//! so a baked profile carries it): every SparkLayer SKU that shows stock, in
//! byte order, and the variants in code order.
//!
//! Prevents: a call paying for the whole catalog. A 50,000-variant tenant is
//! paged into calls of a few thousand rows; sorting SKU strings, or walking
//! every variant to find those in the call's range, in every call would cost
//! more than the rows themselves. With ranks, a call sorts integers and finds
//! its range by binary search.

use crate::shared::reference::Reference;

/// What shows a SparkLayer SKU's stock: a variant's own code (× 1) or a case unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Variant(u32),
    Unit(u32),
}

#[derive(Debug, Clone, Default)]
pub struct StockIndex {
    /// SparkLayer SKUs in byte order.
    by_rank: Vec<Source>,
    /// The rank of each variant's own code as a SKU (`u32::MAX`: a case unit claims it).
    variant_rank: Vec<u32>,
    /// The rank of each unit's SKU (`u32::MAX`: a pack selection, not a SKU).
    unit_rank: Vec<u32>,
    /// Variant positions in code order.
    variants_by_code: Vec<u32>,
}

/// The first eight bytes, big-endian: compares as the bytes do where they differ.
fn prefix(b: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    let n = b.len().min(8);
    word[..n].copy_from_slice(&b[..n]);
    u64::from_be_bytes(word)
}

impl StockIndex {
    pub fn build(reference: &Reference) -> StockIndex {
        let code = |v: usize| reference.code_of(reference.variant_at(v)).as_bytes();
        let mut skus: Vec<(u64, Source)> = Vec::with_capacity(reference.variant_count() + reference.unit_count());
        for v in 0..reference.variant_count() {
            let c = reference.code_of(reference.variant_at(v));
            if reference.unit_index(c, None).is_none() {
                skus.push((prefix(c.as_bytes()), Source::Variant(v as u32)));
            }
        }
        for u in 0..reference.unit_count() {
            let unit = reference.unit_at(u);
            if reference.unit_pack(unit).is_none() {
                skus.push((prefix(reference.unit_sku(unit).as_bytes()), Source::Unit(u as u32)));
            }
        }
        let text = |s: Source| match s {
            Source::Variant(v) => code(v as usize),
            Source::Unit(u) => reference.unit_sku(reference.unit_at(u as usize)).as_bytes(),
        };
        skus.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| text(a.1).cmp(text(b.1))));
        let mut index = StockIndex {
            by_rank: skus.iter().map(|s| s.1).collect(),
            variant_rank: vec![u32::MAX; reference.variant_count()],
            unit_rank: vec![u32::MAX; reference.unit_count()],
            variants_by_code: Vec::new(),
        };
        for (rank, source) in index.by_rank.iter().enumerate() {
            match *source {
                Source::Variant(v) => index.variant_rank[v as usize] = rank as u32,
                Source::Unit(u) => index.unit_rank[u as usize] = rank as u32,
            }
        }
        let mut by_code: Vec<(u64, u32)> = (0..reference.variant_count()).map(|v| (prefix(code(v)), v as u32)).collect();
        by_code.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| code(a.1 as usize).cmp(code(b.1 as usize))));
        index.variants_by_code = by_code.into_iter().map(|(_, v)| v).collect();
        index
    }

    /// The SKU at `rank`.
    pub fn sku<'r>(&self, reference: &'r Reference, rank: u32) -> &'r str {
        match self.by_rank[rank as usize] {
            Source::Variant(v) => reference.code_of(reference.variant_at(v as usize)),
            Source::Unit(u) => reference.unit_sku(reference.unit_at(u as usize)),
        }
    }

    /// The SparkLayer SKUs showing stock of the variant at `v`: (rank, eaches per unit).
    pub fn skus_of(&self, reference: &Reference, v: usize, mut each: impl FnMut(u32, u32)) {
        if let Some(&rank) = self.variant_rank.get(v).filter(|&&r| r != u32::MAX) {
            each(rank, 1);
        }
        for u in reference.units_range(v) {
            let rank = self.unit_rank[u];
            if rank != u32::MAX {
                each(rank, reference.unit_at(u).multiplier);
            }
        }
    }

    /// The rank of a SparkLayer SKU and the variant it takes stock from.
    pub fn rank_of(&self, reference: &Reference, sku: &str) -> Option<(u32, usize)> {
        if let Some(u) = reference.unit_index(sku, None) {
            let rank = self.unit_rank[u];
            return (rank != u32::MAX).then(|| (rank, reference.variant_index_of(reference.unit_at(u))));
        }
        let v = reference.variant_index(sku)?;
        let rank = self.variant_rank[v];
        (rank != u32::MAX).then_some((rank, v))
    }

    /// Variant positions whose codes are in `[first, before)`, in code order.
    pub fn variants_in(&self, reference: &Reference, first: Option<&str>, before: Option<&str>) -> &[u32] {
        let code = |v: &u32| reference.code_of(reference.variant_at(*v as usize)).as_bytes();
        let start = first.map_or(0, |f| self.variants_by_code.partition_point(|v| code(v) < f.as_bytes()));
        let end = before.map_or(self.variants_by_code.len(), |b| self.variants_by_code.partition_point(|v| code(v) < b.as_bytes()));
        &self.variants_by_code[start..end.max(start)]
    }
}
