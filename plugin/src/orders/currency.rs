//! Currency: which money an order is booked in.
//!
//! Prevents: an order priced and invoiced in EUR booked at the shop's GBP
//! figures on an account invoiced in euros. `currency` is the shop's;
//! `presentment_currency` and the `presentment_money` side of every `*_set`
//! are what the buyer saw and agreed [doc]. The order is booked in the
//! presentment currency, from the presentment figures, when the profile
//! accepts it; otherwise it is held.

use crate::orders::shopify::{MoneySet, Order};
use crate::profile::Profile;
use crate::shared::issues::{Code, Issue};
use crate::shared::money::Dec;
use crate::shared::text::trim;

/// Which side of Shopify's money an order's figures are read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The plain amount fields (the shop's money).
    Shop,
    /// `*_set.presentment_money.amount` (the buyer's money).
    Presentment,
}

impl Side {
    /// An amount on this side: the plain field, or its `_set` twin's
    /// presentment money. `None` when that side is not in the payload.
    pub fn amount(self, plain: Option<Dec>, set: Option<&MoneySet>) -> Option<Dec> {
        match self {
            Side::Shop => plain,
            Side::Presentment => set.and_then(MoneySet::presentment),
        }
    }

    /// How a message names an amount on this side.
    pub fn name(self, field: &str) -> String {
        match self {
            Side::Shop => field.to_owned(),
            Side::Presentment => format!("{field} in the presentment currency"),
        }
    }

    /// The pointer of an amount on this side, from the plain field's pointer
    /// (`/total_price` -> `/total_price_set/presentment_money/amount`).
    pub fn pointer(self, plain: &str) -> String {
        match self {
            Side::Shop => plain.to_owned(),
            Side::Presentment => format!("{plain}_set/presentment_money/amount"),
        }
    }
}

/// The currency the order is booked in and the side its figures come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking {
    pub currency: String,
    pub side: Side,
}

pub fn booking(profile: &Profile, order: &Order, issues: &mut Vec<Issue>) -> Booking {
    let accepted = &profile.orders.currencies;
    let shop = trim(order.currency.as_deref().unwrap_or(""), &order.work);
    let presentment =
        order.presentment_currency.as_deref().map(|c| trim(c, &order.work)).filter(|c| !c.is_empty()).unwrap_or(shop);
    let accepts = |c: &str| accepted.iter().any(|ok| ok == c);
    if presentment == shop {
        if !accepts(shop) {
            issues.push(Issue::new(
                Code::CURRENCY_UNSUPPORTED,
                "/currency",
                format!(
                    "order currency {shop:?} is not one the profile accepts ({}); OrderWise would book it at the wrong value",
                    accepted.join(", ")
                ),
            ));
        }
        return Booking { currency: shop.to_owned(), side: Side::Shop };
    }
    if accepts(presentment) {
        issues.push(Issue::new(
            Code::PRESENTMENT_CURRENCY,
            "/presentment_currency",
            format!(
                "the customer was priced and invoiced in {presentment} (the shop sells in {shop}): booked in {presentment} from the presentment figures"
            ),
        ));
        return Booking { currency: presentment.to_owned(), side: Side::Presentment };
    }
    // Held, but the draft shows what the customer agreed: the presentment figures.
    issues.push(Issue::new(
        Code::CURRENCY_UNSUPPORTED,
        "/presentment_currency",
        format!(
            "the customer was priced and invoiced in {presentment:?}, which the profile does not accept ({}); booking the {shop} shop figures would bill an account invoiced in {presentment} the wrong amount: add {presentment} to orders.currencies or book it by hand",
            accepted.join(", ")
        ),
    ));
    Booking { currency: presentment.to_owned(), side: Side::Presentment }
}
