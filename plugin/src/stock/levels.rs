//! From OrderWise free stock to a whole level SparkLayer can show, and how
//! rows for one variant and location merge.
//!
//! Prevents: overselling. Negative free stock (allocated beyond what is on
//! hand) is shown as 0, never as a negative number SparkLayer may reject or
//! read oddly; fractional stock (a part-used each) is floored, never rounded
//! up; two rows that disagree for one variant and location use the lower,
//! and are never summed.

use rust_decimal::Decimal;

/// A whole level in eaches, and what it took to get there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Level {
    pub each: u64,
    /// The free stock was negative and is shown as 0.
    pub clamped: bool,
    /// The free stock had a fraction, dropped (rounded down).
    pub floored: bool,
}

/// The largest free stock accepted: beyond it a row is refused as implausible
/// (a mistyped or corrupt figure), never shown.
pub const MAX_FREE_STOCK: u64 = 1_000_000_000;

/// Rule: negative -> 0 (clamp); fractional -> floor (round down, towards zero
/// for the non-negative values that remain). `free` is within ±`MAX_FREE_STOCK`.
pub fn whole(free: Decimal) -> Level {
    if free.is_sign_negative() && !free.is_zero() {
        return Level { each: 0, clamped: true, floored: false };
    }
    // Whole numbers (nearly every row) without the 128-bit division.
    if free.scale() == 0 {
        return Level { each: u64::try_from(free.mantissa()).unwrap_or(0), clamped: false, floored: false };
    }
    let floor = free.floor();
    let each = u64::try_from(floor.mantissa() / 10i128.pow(floor.scale())).unwrap_or(0);
    Level { each, clamped: false, floored: floor != free }
}

/// How rows for one (variant, location) merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Merge {
    /// One row.
    Single,
    /// Rows that say the same: collapsed into one.
    Identical(usize),
    /// Rows that disagree: the lowest is used.
    Conflicting,
}

/// The free stock to use for a group of rows (non-empty) and how they merged.
pub fn merge(values: &[Decimal]) -> (Decimal, Merge) {
    let low = values.iter().copied().min().unwrap_or(Decimal::ZERO);
    let how = match values.len() {
        0 | 1 => Merge::Single,
        n if values.iter().all(|v| *v == values[0]) => Merge::Identical(n),
        _ => Merge::Conflicting,
    };
    (low, how)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared::money::parse_decimal;

    fn d(s: &str) -> Decimal {
        parse_decimal(s).unwrap()
    }

    #[test]
    fn negative_free_stock_shows_as_zero() {
        assert_eq!(whole(d("-2")), Level { each: 0, clamped: true, floored: false });
        assert_eq!(whole(d("-0.5")), Level { each: 0, clamped: true, floored: false });
    }

    #[test]
    fn fractional_free_stock_rounds_down() {
        assert_eq!(whole(d("12.99")), Level { each: 12, clamped: false, floored: true });
        assert_eq!(whole(d("0.4")), Level { each: 0, clamped: false, floored: true });
        assert_eq!(whole(d("7.000")), Level { each: 7, clamped: false, floored: false });
        assert_eq!(whole(d("1e3")), Level { each: 1000, clamped: false, floored: false });
    }

    #[test]
    fn conflicting_rows_use_the_lower_and_never_the_sum() {
        assert_eq!(merge(&[d("10"), d("4")]), (d("4"), Merge::Conflicting));
        assert_eq!(merge(&[d("5"), d("5.0")]), (d("5"), Merge::Identical(2)));
        assert_eq!(merge(&[d("5")]), (d("5"), Merge::Single));
    }
}
