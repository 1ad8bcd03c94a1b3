//! Drift: SparkLayer showing a level far from what OrderWise implies.
//!
//! Prevents: a store that has silently stopped taking updates (a failed job,
//! a location mapped to the wrong warehouse, a manual override in SparkLayer)
//! going unnoticed until orders oversell. Measured in the unit SparkLayer
//! shows (cases for a case SKU), after clamping and conversion; the OrderWise
//! level is still sent (OrderWise is master) and the alert is in addition.

use crate::stock::settings::Drift;
use rust_decimal::Decimal;

/// Whether SparkLayer's `current` is beyond the threshold from OrderWise's `implied`.
/// Absolute: |current − implied| > absolute. Percentage: |current − implied| >
/// percent % of `implied` (any difference from an implied 0 is beyond every percentage).
pub fn drifted(drift: &Drift, implied: u64, current: i64) -> bool {
    let diff = difference(implied, current);
    if diff == 0 {
        return false;
    }
    let absolute = drift.absolute.map(|a| diff > a);
    let percent = drift.percent.map(|p| Decimal::from(diff) * Decimal::ONE_HUNDRED > p * Decimal::from(implied));
    match (absolute, percent) {
        (Some(a), Some(p)) if drift.both => a && p,
        (Some(a), Some(p)) => a || p,
        (Some(a), None) => a,
        (None, Some(p)) => p,
        (None, None) => false,
    }
}

/// The difference as a percentage of `implied`, one decimal, rounded half up
/// (for the message only; the test above is exact).
pub fn percent_of(implied: u64, current: i64) -> String {
    if implied == 0 {
        return "n/a: OrderWise shows 0".to_owned();
    }
    let p = Decimal::from(difference(implied, current)) * Decimal::ONE_HUNDRED / Decimal::from(implied);
    format!("{}%", crate::shared::money::round_half_up(p, 1).normalize())
}

/// The threshold as a person reads it: "more than 10 and 20%".
pub fn describe(drift: &Drift) -> String {
    let absolute = drift.absolute.map(|a| a.to_string());
    let percent = drift.percent.map(|p| format!("{}%", p.normalize()));
    match (absolute, percent) {
        (Some(a), Some(p)) => format!("more than {a} {} {p}", if drift.both { "and" } else { "or" }),
        (Some(a), None) => format!("more than {a}"),
        (None, Some(p)) => format!("more than {p}"),
        (None, None) => "none".to_owned(),
    }
}

/// |current − implied| (SparkLayer may show a negative level).
pub fn difference(implied: u64, current: i64) -> u64 {
    (i128::from(implied) - i128::from(current)).unsigned_abs().try_into().unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drift(absolute: Option<u64>, percent: Option<i64>, both: bool) -> Drift {
        Drift { absolute, percent: percent.map(Decimal::from), both }
    }

    #[test]
    fn absolute_threshold_is_exceeded_only_beyond_it() {
        let d = drift(Some(10), None, true);
        assert!(!drifted(&d, 100, 110));
        assert!(drifted(&d, 100, 111));
        assert!(drifted(&d, 100, 89));
    }

    #[test]
    fn percentage_threshold_is_of_the_orderwise_level() {
        let d = drift(None, Some(20), true);
        assert!(!drifted(&d, 50, 60));
        assert!(drifted(&d, 50, 61));
        assert!(drifted(&d, 0, 1));
        assert_eq!(percent_of(50, 61), "22%");
    }

    #[test]
    fn both_thresholds_must_be_crossed_unless_either_is_asked_for() {
        assert!(!drifted(&drift(Some(10), Some(20), true), 1000, 1015));
        assert!(drifted(&drift(Some(10), Some(20), false), 1000, 1015));
        assert!(!drifted(&drift(Some(10), Some(20), true), 2, 5));
        assert!(drifted(&drift(Some(10), Some(20), true), 20, 40));
    }
}
