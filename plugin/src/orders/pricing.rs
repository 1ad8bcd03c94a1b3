//! Unit prices OrderWise can hold, without losing or inventing a penny.
//!
//! Prevents: £10.00 a case of 12 becoming 12 × £0.83 = £9.96 in OrderWise.
//! A line's net is exact (pennies); its unit price may not be (`net / quantity`).
//! With `split-line`, the line goes out as two lines of the same variant whose
//! unit prices differ by one step of the price precision and whose nets sum
//! to the source net exactly: 12 for £10.00 -> 8 × £0.83 + 4 × £0.84.

use rust_decimal::Decimal;

/// One priced part of a line: `quantity × unit_net` is exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part {
    pub quantity: u64,
    pub unit_net: Decimal,
}

/// How a line net divides into unit prices at `precision` decimal places.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Split {
    /// One unit price fits exactly.
    Exact(Part),
    /// Two parts whose nets sum exactly to the line net.
    Two(Part, Part),
    /// No exact division (the net has more decimals than the precision, or is
    /// negative): the nearest unit price, half-up, and the amount it is off by.
    Inexact { nearest: Part, off_by: Decimal },
}

pub fn split(line_net: Decimal, quantity: u64, precision: u32) -> Split {
    let nearest = || {
        let unit = crate::shared::money::divide_half_up(line_net, quantity, precision);
        Split::Inexact { nearest: Part { quantity, unit_net: unit }, off_by: unit * Decimal::from(quantity) - line_net }
    };
    // The net in steps of the precision: its digits, when it has no more
    // decimals than the precision (a net with more has no exact split).
    let (m, scale) = (line_net.mantissa(), line_net.scale());
    let steps = if crate::shared::money::negative(line_net) {
        None
    } else if scale <= precision {
        m.checked_mul(10i128.pow(precision - scale))
    } else {
        // Scales are at most 28, so the divisor fits an i128.
        let d = 10i128.pow(scale - precision);
        (m % d == 0).then(|| m / d)
    };
    let Some(steps) = steps else {
        return nearest();
    };
    let q = i128::from(quantity);
    let (base, rem) = (steps / q, steps % q);
    let price = |n: i128| Decimal::from_i128_with_scale(n, precision);
    if rem == 0 {
        return Split::Exact(Part { quantity, unit_net: price(base) });
    }
    // rem < q, so both quantities are positive and fit u64.
    let high = rem as u64;
    Split::Two(
        Part { quantity: quantity - high, unit_net: price(base) },
        Part { quantity: high, unit_net: price(base + 1) },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        crate::shared::money::parse_decimal(s).unwrap()
    }

    fn total(parts: &[Part]) -> Decimal {
        parts.iter().map(|p| Decimal::from(p.quantity) * p.unit_net).sum()
    }

    #[test]
    fn whole_penny_unit_price_is_one_line() {
        assert_eq!(split(d("26.96"), 4, 2), Split::Exact(Part { quantity: 4, unit_net: d("6.74") }));
    }

    #[test]
    fn ten_pounds_for_twelve_eaches_splits_into_eight_and_four() {
        let Split::Two(a, b) = split(d("10.00"), 12, 2) else { panic!("expected a split") };
        assert_eq!((a.quantity, a.unit_net, b.quantity, b.unit_net), (8, d("0.83"), 4, d("0.84")));
        assert_eq!(total(&[a, b]), d("10.00"));
    }

    #[test]
    fn four_decimal_precision_still_sums_exactly() {
        let Split::Two(a, b) = split(d("20.00"), 24, 4) else { panic!("expected a split") };
        assert_eq!((a.unit_net, b.unit_net), (d("0.8333"), d("0.8334")));
        assert_eq!(total(&[a, b]), d("20.00"));
    }

    #[test]
    fn trailing_zeros_beyond_the_precision_still_split_exactly() {
        assert_eq!(split(d("26.9600"), 4, 2), Split::Exact(Part { quantity: 4, unit_net: d("6.74") }));
        let Split::Two(a, b) = split(d("10.000"), 12, 2) else { panic!("expected a split") };
        assert_eq!(total(&[a, b]), d("10.00"));
    }

    #[test]
    fn sub_precision_net_is_inexact_with_the_difference() {
        let Split::Inexact { nearest, off_by } = split(d("1.005"), 1, 2) else { panic!("expected inexact") };
        assert_eq!((nearest.unit_net, off_by), (d("1.01"), d("0.005")));
    }
}
