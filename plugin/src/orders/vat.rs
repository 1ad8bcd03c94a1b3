//! The VAT Shopify charged on a line or shipping line, by rate, and the
//! OrderWise taxRateId of each rate.
//!
//! Prevents: a VAT amount or rate silently missing from the sales order, and a
//! rate guessed when the profile does not map it.

use crate::orders::currency::Side;
use crate::orders::shopify::TaxLine;
use crate::profile::Profile;
use crate::shared::issues::{Code, Issue};
use crate::shared::money::{negative, round_half_up, Dec};
use rust_decimal::Decimal;

/// VAT charged at one rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vat {
    pub rate: Decimal,
    pub amount: Decimal,
}

/// The VAT of a line's tax lines, one entry per distinct rate (in the order the
/// rates first appear); empty when the line carries no tax lines.
pub fn by_rate(tax_lines: &[TaxLine], side: Side, at: &str) -> Result<Vec<Vat>, Issue> {
    let mut rates: Vec<Vat> = Vec::new();
    for (t, tax) in tax_lines.iter().enumerate() {
        let Some(Dec(rate)) = tax.rate else {
            return Err(Issue::new(Code::PAYLOAD_INVALID, format!("{at}/tax_lines/{t}/rate"), "tax line has no rate"));
        };
        let price_at = || side.pointer(&format!("{at}/tax_lines/{t}/price"));
        let amount = match side.amount(tax.price, tax.price_set.as_ref()) {
            Some(Dec(p)) if !negative(p) => p,
            Some(Dec(p)) => {
                let why = format!("tax amount {p} is negative; a new order carries none");
                return Err(Issue::new(Code::PAYLOAD_INVALID, price_at(), why));
            }
            None => return Err(Issue::new(Code::PAYLOAD_INVALID, price_at(), "tax line has no price")),
        };
        // No VAT or sales-tax rate runs past a thousandth of a percent (New
        // York's 8.875% is 0.08875): a rate written with float noise past that
        // (0.20000000000000001) is that rate; a finer one is refused, as it
        // would divide amounts beyond what a figure can hold when delivery
        // VAT is apportioned.
        let mut rate = rate.normalize();
        if rate.scale() > 6 {
            let near = round_half_up(rate, 6);
            if (rate - near).abs() > Decimal::new(1, 12) {
                return Err(Issue::new(
                    Code::PAYLOAD_INVALID,
                    format!("{at}/tax_lines/{t}/rate"),
                    format!("tax rate {rate} has more than 6 decimal places: no VAT rate does"),
                ));
            }
            rate = near.normalize();
        }
        // A VAT rate is a fraction; anything else cannot be one (and would
        // scale amounts beyond what the totals check can multiply).
        if negative(rate) || rate >= Decimal::ONE {
            return Err(Issue::new(
                Code::PAYLOAD_INVALID,
                format!("{at}/tax_lines/{t}/rate"),
                format!("tax rate {rate} is not a fraction from 0 up to 1"),
            ));
        }
        // Tax at a rate of nothing is no tax line Shopify writes: the figures
        // would reach OrderWise as VAT that no rate accounts for.
        if rate.is_zero() && !amount.is_zero() {
            return Err(Issue::new(
                Code::PAYLOAD_INVALID,
                price_at(),
                format!("tax line charges {amount} at a rate of 0"),
            ));
        }
        match rates.iter_mut().find(|v| v.rate == rate) {
            Some(v) => v.amount += amount,
            None => rates.push(Vat { rate, amount }),
        }
    }
    Ok(rates)
}

/// The one VAT rate of an order line (an OrderWise line takes one taxRateId).
pub fn single(tax_lines: &[TaxLine], side: Side, at: &str) -> Result<Vat, Issue> {
    let rates = by_rate(tax_lines, side, at)?;
    match rates.as_slice() {
        [] => Ok(Vat { rate: Decimal::ZERO, amount: Decimal::ZERO }),
        [one] => Ok(*one),
        [first, second, ..] => Err(Issue::new(
            Code::TAX_RATE_UNMAPPED,
            format!("{at}/tax_lines"),
            format!(
                "one line carries two VAT rates ({} and {}); an OrderWise line takes one taxRateId, so split the product or fix the store's tax set-up",
                first.rate, second.rate
            ),
        )),
    }
}

/// The profile's taxRateId for a rate; lines with no tax lines at all use the
/// profile's untaxed code.
pub fn tax_rate_id(profile: &Profile, rate: Decimal, has_tax_lines: bool, at: &str) -> Result<u32, Issue> {
    if !has_tax_lines {
        return Ok(profile.orders.untaxed_tax_rate_id);
    }
    profile.reference.tax_rate(rate).map(|t| t.tax_rate_id).ok_or_else(|| {
        Issue::new(
            Code::TAX_RATE_UNMAPPED,
            format!("{at}/tax_lines"),
            format!(
                "VAT rate {} has no OrderWise taxRateId in the profile; add it to the reference taxRates",
                rate.normalize()
            ),
        )
    })
}
