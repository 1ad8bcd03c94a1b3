//! Totals: what OrderWise would compute from the lines sent, against SparkLayer.
//!
//! Prevents: sales journals drifting from SparkLayer's invoices (VAT or
//! discounts worked differently). OrderWise inherits SparkLayer's totals; this
//! recomputes them independently, under the profile's VAT rounding mode, and
//! flags any difference beyond the profile's tolerance with both figures.

use crate::orders::currency::Side;
use crate::orders::settings::VatRounding;
use crate::profile::Profile;
use crate::shared::issues::{Code, Issue};
use crate::shared::money::{round_down, round_half_up, show, MONEY_DP};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// A net amount at one VAT rate, as OrderWise will see it.
#[derive(Debug, Clone, Copy)]
pub struct Taxable {
    pub net: Decimal,
    pub rate: Decimal,
}

/// SparkLayer's order totals, with where they were read (`/total_price`
/// or `/current_total_price`, on the booked side), for the issues' pointers.
#[derive(Debug, Clone, Copy)]
pub struct SourceTotals {
    pub net: Decimal,
    pub vat: Decimal,
    pub gross: Decimal,
    pub gross_at: &'static str,
    pub vat_at: &'static str,
    pub side: Side,
}

/// VAT on a set of taxable amounts under a rounding mode.
pub fn vat(mode: VatRounding, amounts: &[Taxable]) -> Decimal {
    match mode {
        // HMRC per line: each line's VAT rounded half-up to the penny.
        VatRounding::LineHalfUp => amounts.iter().map(|a| round_half_up(a.net * a.rate, MONEY_DP)).sum(),
        // HMRC per invoice: VAT per rate on the rate's total, the total rounded down.
        VatRounding::InvoiceRoundDown => {
            let mut by_rate: BTreeMap<Decimal, Decimal> = BTreeMap::new();
            for a in amounts {
                *by_rate.entry(a.rate.normalize()).or_default() += a.net;
            }
            round_down(by_rate.iter().map(|(rate, net)| net * rate).sum(), MONEY_DP)
        }
    }
}

/// Whether the lines sent prove SparkLayer's totals: net, VAT and gross
/// each within the profile's tolerance (what `check` reports on).
pub fn agree(profile: &Profile, amounts: &[Taxable], source: SourceTotals) -> bool {
    let tolerance = profile.orders.tolerance;
    let (net, vat) = computed(profile, amounts);
    [(net, source.net), (vat, source.vat), (net + vat, source.gross)]
        .iter()
        .all(|&(ours, theirs)| !beyond(ours, theirs, tolerance))
}

/// Whether two figures differ by more than the tolerance (out of line: a
/// 96-bit subtraction and comparison inlined at each use cost ~700 wasm
/// instructions apiece).
#[inline(never)]
fn beyond(ours: Decimal, theirs: Decimal, tolerance: Decimal) -> bool {
    (ours - theirs).abs() > tolerance
}

/// The net and VAT OrderWise would compute from the lines sent.
#[inline(never)]
fn computed(profile: &Profile, amounts: &[Taxable]) -> (Decimal, Decimal) {
    (amounts.iter().map(|a| a.net).sum(), vat(profile.orders.vat_rounding, amounts))
}

pub fn check(profile: &Profile, amounts: &[Taxable], source: SourceTotals, issues: &mut Vec<Issue>) {
    let tolerance = profile.orders.tolerance;
    let mode = profile.orders.vat_rounding;
    let (net, vat) = computed(profile, amounts);
    let mode_name = match mode {
        VatRounding::LineHalfUp => "per line, half-up",
        VatRounding::InvoiceRoundDown => "per invoice, rounded down",
    };
    let mut compare = |code: Code, at: &str, what: &str, ours: Decimal, theirs: Decimal| {
        let off = beyond(ours, theirs, tolerance);
        if off {
            let diff = ours - theirs;
            issues.push(Issue::new(
                code,
                at,
                format!(
                    "{what}: SparkLayer {} but OrderWise would compute {} from the lines sent ({mode_name}), a difference of {} beyond the tolerance of {}; finance to confirm the figure before posting",
                    show(theirs), show(ours), show(diff), show(tolerance)
                ),
            ));
        }
        off
    };
    let (gross_at, vat_at) = (source.side.pointer(source.gross_at), source.side.pointer(source.vat_at));
    // SparkLayer's net is its gross less its VAT: the gross is where it starts.
    let net_off = compare(Code::TOTAL_MISMATCH, &gross_at, "order net", net, source.net);
    let vat_off = compare(Code::VAT_MISMATCH, &vat_at, "order VAT", vat, source.vat);
    // Gross is net + VAT: report it only when it is off although each part is within tolerance.
    if !net_off && !vat_off {
        compare(Code::TOTAL_MISMATCH, &gross_at, "order gross", net + vat, source.gross);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        crate::shared::money::parse_decimal(s).unwrap()
    }

    #[test]
    fn ten_lines_of_eleven_thirty_one_differ_by_mode() {
        let lines = vec![Taxable { net: d("11.31"), rate: d("0.2") }; 10];
        assert_eq!(vat(VatRounding::LineHalfUp, &lines), d("22.60"));
        assert_eq!(vat(VatRounding::InvoiceRoundDown, &lines), d("22.62"));
    }

    #[test]
    fn example_order_vat_is_the_same_both_ways() {
        let lines = [
            Taxable { net: d("44.40"), rate: d("0.2") },
            Taxable { net: d("32.00"), rate: d("0") },
            Taxable { net: d("26.96"), rate: d("0.2") },
            Taxable { net: d("9.50"), rate: d("0.2") },
        ];
        assert_eq!(vat(VatRounding::LineHalfUp, &lines), d("16.17"));
        assert_eq!(vat(VatRounding::InvoiceRoundDown, &lines), d("16.17"));
    }
}
