//! Money as `rust_decimal` from the JSON text to the JSON text: never a binary float.
//!
//! Shopify sends money as strings (`"1.85"`) and tax rates as numbers (`0.2`);
//! OWAPI takes numbers. Both directions go through the raw JSON text so that no
//! value ever passes through `f64`.

use crate::shared::issues::{Code, Issue};
use rust_decimal::{Decimal, RoundingStrategy};
use std::str::FromStr;

/// Pennies: every currency the bridge handles today has two minor-unit digits.
pub const MONEY_DP: u32 = 2;

/// The largest magnitude accepted for any amount or rate: a trillion. Real
/// orders are far below it, and every product and sum the mapping forms from
/// bounded inputs then stays far inside `Decimal`'s range (±7.9 × 10^28), so
/// no arithmetic on payload values can overflow (which would panic).
pub const MAX_MAGNITUDE: i64 = 1_000_000_000_000;

/// A decimal read exactly from a JSON string (`"1.85"`) or number (`0.2`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Dec(pub Decimal);

/// Whether `d` is below zero (`-0.00` is not): by its sign and digits, where
/// `d < Decimal::ZERO` would line up the scales of both first.
#[inline]
pub fn negative(d: Decimal) -> bool {
    d.is_sign_negative() && !d.is_zero()
}

/// Whether `|d|` is beyond `MAX_MAGNITUDE`, from its digits and scale.
fn too_large(d: Decimal) -> bool {
    // 10^scale for every scale a Decimal can have (0 to 28).
    // MAX_MAGNITUDE (10^12) at each scale a Decimal can have; past 26 the
    // bound outgrows u128, and any mantissa (96 bits) is under it.
    const BOUNDS: [u128; 27] = {
        let mut b = [0u128; 27];
        let mut k = 0;
        while k < 27 {
            b[k] = (MAX_MAGNITUDE as u128) * 10u128.pow(k as u32);
            k += 1;
        }
        b
    };
    BOUNDS.get(d.scale() as usize).is_some_and(|&bound| d.mantissa().unsigned_abs() > bound)
}

/// Parses an amount from payload or profile text: exact, and within `MAX_MAGNITUDE`.
pub fn parse_amount(text: &str) -> Result<Decimal, String> {
    // Quoted by `text::quoted`, not `{:?}`: Debug looks every non-ASCII
    // character up in Unicode tables (~6,500 fuel units for a `€`).
    let value = parse_decimal(text)
        .ok_or_else(|| format!("expected a decimal amount, found {}", crate::shared::text::quoted(text)))?;
    if too_large(value) {
        return Err(format!(
            "amount {} is beyond the largest accepted ({MAX_MAGNITUDE})",
            crate::shared::text::quoted(text)
        ));
    }
    Ok(value)
}

/// `parse_amount` where the reason is not wanted: no message is built.
pub fn amount(text: &str) -> Option<Decimal> {
    parse_decimal(text).filter(|&value| !too_large(value))
}

/// The longest text read as an amount: a `Decimal` holds 28 digits, so only
/// zeros padding it could make one longer, and reading a mebibyte of digits
/// a character at a time (twice: the quick reader, then the general one)
/// cost 121 million fuel units.
pub const LONGEST_AMOUNT: usize = 64;

/// Parses plain (`12.50`, `-3`) or scientific (`1e-2`) decimal text exactly.
/// Anything else (`1_000`, `1,00`, `£5`, text longer than `LONGEST_AMOUNT`)
/// is refused rather than guessed at.
pub fn parse_decimal(text: &str) -> Option<Decimal> {
    if let Some(plain) = parse_plain(text) {
        return Some(plain);
    }
    if text.len() > LONGEST_AMOUNT {
        return None;
    }
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E')) {
        return None;
    }
    match text.split_once(['e', 'E']) {
        Some((base, exponent)) => Decimal::from_str_exact(&shift_point(base, exponent.parse().ok()?)?).ok(),
        None => Decimal::from_str_exact(text).ok(),
    }
}

/// The common case, `-?digits(.digits)?` with at most 18 digits, read
/// straight into a mantissa and scale (rust_decimal's general parser costs
/// several times more, and a tenant's profile holds thousands of amounts).
/// Anything else (and negative zero) is left to the general path.
fn parse_plain(text: &str) -> Option<Decimal> {
    let (negative, digits) = match text.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        all => (false, all),
    };
    // Nineteen digits at most are read; past eighteen the mantissa may wrap
    // (on purpose: the count check below refuses them all, and the general
    // parser reads them), so the loops stay as cheap as without a check.
    if digits.len() > 19 {
        return None;
    }
    let mut mantissa: i64 = 0;
    let mut i = 0;
    while let Some(d) = digits.get(i).map(|b| b.wrapping_sub(b'0')).filter(|&d| d <= 9) {
        mantissa = mantissa.wrapping_mul(10).wrapping_add(i64::from(d));
        i += 1;
    }
    let whole = i;
    let mut scale = 0;
    if i < digits.len() {
        // A point needs digits on both sides.
        if whole == 0 || digits[i] != b'.' || i + 1 == digits.len() {
            return None;
        }
        i += 1;
        let start = i;
        while let Some(d) = digits.get(i).map(|b| b.wrapping_sub(b'0')).filter(|&d| d <= 9) {
            mantissa = mantissa.wrapping_mul(10).wrapping_add(i64::from(d));
            i += 1;
        }
        if i < digits.len() {
            return None;
        }
        scale = (i - start) as u32;
    }
    if whole == 0 || whole + scale as usize > 18 || (negative && mantissa == 0) {
        return None;
    }
    Some(Decimal::new(if negative { -mantissa } else { mantissa }, scale))
}

/// `1.25`, 2 -> `125`; `1.25`, -3 -> `0.00125`: the exponent applied to the text,
/// so scientific notation is as exact as plain (rust_decimal's would round).
fn shift_point(base: &str, exponent: i32) -> Option<String> {
    if exponent.unsigned_abs() > 40 {
        return None;
    }
    let (sign, digits) = match base.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", base.strip_prefix('+').unwrap_or(base)),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if int.is_empty() && frac.is_empty() || !(int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())) {
        return None;
    }
    let all = format!("{int}{frac}");
    let point = int.len() as i64 + i64::from(exponent);
    let text = if point <= 0 {
        format!("0.{}{all}", "0".repeat(point.unsigned_abs() as usize))
    } else if point as usize >= all.len() {
        format!("{all}{}", "0".repeat(point as usize - all.len()))
    } else {
        format!("{}.{}", &all[..point as usize], &all[point as usize..])
    };
    Some(format!("{sign}{text}"))
}

/// An amount an order must carry and that cannot be negative (prices, discounts,
/// VAT, totals): missing or negative is a `PAYLOAD_INVALID`, and the mapping
/// goes on with zero so every other issue is still found. `field` gives the
/// pointer and a name for the message; it is only called on that path, so the
/// hot path formats nothing.
pub fn required_amount(
    value: Option<Dec>,
    issues: &mut Vec<Issue>,
    field: impl FnOnce() -> (String, String),
) -> Decimal {
    let why = match value {
        Some(Dec(v)) if !negative(v) => return v,
        Some(Dec(v)) => format!("{v} is negative; a new order carries none"),
        None => "is missing".to_owned(),
    };
    let (at, what) = field();
    issues.push(Issue::new(Code::PAYLOAD_INVALID, at, format!("{what} {why}")));
    Decimal::ZERO
}

/// HMRC VAT Notice 700 §17.5, line level: under half a penny rounds down,
/// half a penny or more rounds up.
pub fn round_half_up(value: Decimal, dp: u32) -> Decimal {
    round_small(value, dp, true)
        .unwrap_or_else(|| value.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero))
}

/// HMRC VAT Notice 700 §17.5, invoice level: total VAT may be rounded down to the penny.
pub fn round_down(value: Decimal, dp: u32) -> Decimal {
    round_small(value, dp, false).unwrap_or_else(|| value.round_dp_with_strategy(dp, RoundingStrategy::ToZero))
}

/// `value / divisor` rounded half-up (HMRC VAT Notice 700 §17.5 style, away
/// from zero at the half) to `dp` decimals. For a value whose digits fit an
/// `i64` (every line net does) this is one exact integer division, instead
/// of a 28-digit `Decimal` division and a rounding (~400 fuel units).
pub fn divide_half_up(value: Decimal, divisor: u64, dp: u32) -> Decimal {
    let exact = || -> Option<Decimal> {
        let m = i128::from(i64::try_from(value.mantissa()).ok()?);
        let up = dp.checked_sub(value.scale()).filter(|&k| k <= 18)?;
        let (num, q) = (m * 10i128.pow(up), i128::from(divisor).max(1));
        let (quot, rem) = (num / q, num % q);
        let quot = if rem.abs() * 2 >= q { quot + num.signum() } else { quot };
        // Beyond 96 bits (a long scale on a large value): the general path.
        Decimal::try_from_i128_with_scale(quot, dp).ok()
    };
    exact().unwrap_or_else(|| round_half_up(value / Decimal::from(divisor.max(1)), dp))
}

/// The same roundings on a mantissa that fits an `i64` (every amount an order
/// carries): one division, where rust_decimal's general path costs ~600 fuel
/// units in the component. `None` leaves the value to rust_decimal.
fn round_small(value: Decimal, dp: u32, half_up: bool) -> Option<Decimal> {
    const POW10: [i64; 19] = {
        let mut p = [1i64; 19];
        let mut k = 1;
        while k < 19 {
            p[k] = p[k - 1] * 10;
            k += 1;
        }
        p
    };
    let scale = value.scale();
    if scale <= dp {
        return Some(value);
    }
    let m = i64::try_from(value.mantissa()).ok()?;
    let unit = *POW10.get((scale - dp) as usize)?;
    let (q, r) = (m / unit, m % unit);
    // Half away from zero: a remainder of at least half a unit, of either sign.
    let q = if half_up && r.unsigned_abs() * 2 >= unit.unsigned_abs() { q + m.signum() } else { q };
    Some(Decimal::new(q, dp))
}

/// Formats an amount for a message a person reads: at least two decimals,
/// no trailing zeros beyond them (0.83330 -> 0.8333, 5 -> 5.00).
pub fn show(value: Decimal) -> String {
    // Written by the sales-order writer's digits (no `Display`, which costs
    // ~500 fuel units a figure), padded to two decimals.
    let mut out = crate::shared::write::Message::with_capacity(24);
    out.put(crate::shared::write::Money(value));
    out.finish()
}

impl FromStr for Dec {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        parse_decimal(s).map(Dec).ok_or(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_amount_longer_than_any_decimal_is_refused_unread() {
        // Only zeros can pad an amount past 64 characters; 64 are read.
        assert_eq!(super::parse_decimal(&format!("{}1", "0".repeat(63))), Some(rust_decimal::Decimal::ONE));
        assert_eq!(super::parse_decimal(&format!("{}1", "0".repeat(64))), None);
        assert_eq!(super::parse_decimal(&"1".repeat(1 << 20)), None);
    }

    use super::*;

    fn d(s: &str) -> Decimal {
        parse_decimal(s).expect("test literal")
    }

    #[test]
    fn scientific_notation_is_exact_and_odd_text_is_refused() {
        assert_eq!(parse_decimal("1.25e2"), Some(d("125")));
        assert_eq!(parse_decimal("-1.25E-3"), Some(d("-0.00125")));
        assert_eq!(parse_decimal("2e-1"), Some(d("0.2")));
        assert_eq!(parse_decimal("1.00000000000000000000000000001e0"), None);
        for odd in ["1_85", "1_000.00", "1,00", "£5", "0x10", "e5", "1e", "1e999", " 1"] {
            assert_eq!(parse_decimal(odd), None, "{odd}");
        }
    }

    #[test]
    fn nineteen_digits_and_more_are_read_exactly_by_the_general_parser() {
        // Past eighteen digits the quick reader's mantissa would overflow
        // (in a debug build, a panic); the general parser takes them.
        for text in ["9999999999999999999", "-9999999999999999999", "999999999999999999.9", "12345678901234567890"] {
            assert_eq!(parse_decimal(text), Decimal::from_str_exact(text).ok(), "{text}");
        }
    }

    #[test]
    fn non_numeric_text_is_an_error_not_zero() {
        assert!(parse_amount("1,85").unwrap_err().contains("expected a decimal amount"));
        assert!(parse_amount("1e20").unwrap_err().contains("beyond the largest accepted"));
        assert!(parse_amount("true").is_err());
        assert!(parse_amount("").is_err());
    }

    #[test]
    fn sign_and_magnitude_from_the_digits_agree_with_comparisons() {
        let max = Decimal::from(MAX_MAGNITUDE);
        for text in [
            "0",
            "-0.00",
            "0.01",
            "-0.01",
            "1000000000000",
            "1000000000000.00",
            "1000000000000.01",
            "-1000000000000.01",
            "999999999999.99",
            "79228162514264337593543950335",
            "-0.0000000000000000000000000001",
        ] {
            let v = d(text);
            assert_eq!(negative(v), v < Decimal::ZERO, "{text}");
            assert_eq!(too_large(v), v.abs() > max, "{text}");
        }
    }

    #[test]
    fn hmrc_rounding_rules() {
        assert_eq!(round_half_up(d("5.392"), 2), d("5.39"));
        assert_eq!(round_half_up(d("0.005"), 2), d("0.01"));
        assert_eq!(round_half_up(d("8.088"), 2), d("8.09"));
        assert_eq!(round_down(d("22.626"), 2), d("22.62"));
        assert_eq!(round_down(d("16.172"), 2), d("16.17"));
    }

    #[test]
    fn division_by_a_quantity_rounds_like_the_decimal_path() {
        for (net, q, dp) in [
            ("10.00", 12, 2),
            ("10.00", 12, 4),
            ("0.05", 2, 2),
            ("-0.05", 2, 2),
            ("26.96", 4, 2),
            ("1.005", 1, 2),
            ("7", 3, 6),
        ] {
            let v = d(net);
            let slow = round_half_up(v / Decimal::from(q), dp);
            assert_eq!(divide_half_up(v, q, dp), slow, "{net} / {q} at {dp}");
        }
    }

    #[test]
    fn fast_roundings_agree_with_rust_decimal() {
        let mut seed = 7u64;
        for _ in 0..20_000 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let mantissa = (seed >> 20) as i64 % 10_000_000_000 - 5_000_000_000;
            let scale = (seed % 9) as u32;
            let v = Decimal::new(mantissa, scale);
            for dp in 0..4 {
                let half = v.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
                let down = v.round_dp_with_strategy(dp, RoundingStrategy::ToZero);
                assert_eq!(round_half_up(v, dp), half, "{v} half-up to {dp}");
                assert_eq!(round_down(v, dp), down, "{v} down to {dp}");
            }
        }
        for edge in ["0.005", "-0.005", "0.0049", "-2.675", "2.665", "1.5", "-1.5"] {
            let v = d(edge);
            assert_eq!(
                round_half_up(v, 2),
                v.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero),
                "{edge}"
            );
        }
    }

    #[test]
    fn shown_amounts_have_two_decimals() {
        assert_eq!(show(d("5")), "5.00");
        assert_eq!(show(d("0.8333")), "0.8333");
        assert_eq!(show(d("-0.010")), "-0.01");
        for text in ["0", "-0.00", "12.5", "1000000", "0.005", "-7.10", "999999999999.99", "-1e12"] {
            let v = d(text);
            let mut expected = v.normalize();
            if expected.scale() < MONEY_DP {
                expected.rescale(MONEY_DP);
            }
            assert_eq!(show(v), expected.to_string(), "{text}");
        }
    }
}
