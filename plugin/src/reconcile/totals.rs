//! Totals per currency and VAT rate on both sides, and their difference:
//! what finance posts.
//!
//! Prevents: a month's VAT return built on figures nobody compared, and a EUR
//! order added into GBP totals (every total is per currency).
//!
//! - SparkLayer, per rate: from each order's lines and delivery (net as
//!   price × quantity − discounts, VAT as Shopify charged it on the line);
//!   what an order's totals hold beyond its lines is "not split by rate".
//! - OrderWise, per rate: from the export's per-rate columns where it has
//!   them (any remainder against the row's totals: "not split by rate"). A
//!   row without them is put at its order's rate when the SparkLayer order
//!   has exactly one; a mixed-rate (or unpaired) row without them is never
//!   apportioned: it is "not split by rate", so the per-rate lines show only
//!   what is known and the difference stays visible.
//! - Credit notes are their own total per currency, never netted into sales.

use crate::reconcile::inputs::export::ExportRow;
use crate::reconcile::inputs::orders::SparkOrder;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// A VAT rate, or the figures no rate can be given to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RateKey {
    Rate(Decimal),
    Unsplit,
}

impl RateKey {
    /// `20%`, `0%`, `not split by rate`.
    pub fn label(self) -> String {
        match self {
            RateKey::Rate(r) => format!("{}%", (r * Decimal::ONE_HUNDRED).normalize()),
            RateKey::Unsplit => "not split by rate".to_owned(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sides {
    pub sparklayer_net: Decimal,
    pub sparklayer_vat: Decimal,
    pub orderwise_net: Decimal,
    pub orderwise_vat: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateTotal {
    pub currency: String,
    pub rate: RateKey,
    pub sides: Sides,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CurrencyTotal {
    pub currency: String,
    pub orders: u64,
    pub sparklayer_net: Decimal,
    pub sparklayer_vat: Decimal,
    pub sparklayer_gross: Decimal,
    pub rows: u64,
    pub orderwise_net: Decimal,
    pub orderwise_vat: Decimal,
    pub orderwise_gross: Decimal,
    pub credit_notes: u64,
    pub credit_net: Decimal,
    pub credit_vat: Decimal,
    pub credit_gross: Decimal,
}

#[derive(Debug, Clone, Default)]
pub struct Totals {
    by_rate: BTreeMap<(String, RateKey), Sides>,
    by_currency: BTreeMap<String, CurrencyTotal>,
}

impl Totals {
    fn currency(&mut self, currency: &str) -> &mut CurrencyTotal {
        self.by_currency
            .entry(currency.to_owned())
            .or_insert_with(|| CurrencyTotal { currency: currency.to_owned(), ..CurrencyTotal::default() })
    }

    fn rate(&mut self, currency: &str, rate: RateKey) -> &mut Sides {
        self.by_rate.entry((currency.to_owned(), rate)).or_default()
    }

    /// An order of the period, on SparkLayer's side.
    pub fn add_order(&mut self, order: &SparkOrder) {
        let c = self.currency(&order.currency);
        c.orders += 1;
        c.sparklayer_net += order.net;
        c.sparklayer_vat += order.vat;
        c.sparklayer_gross += order.gross;
        for a in &order.rates {
            let key = a.rate.map_or(RateKey::Unsplit, RateKey::Rate);
            let s = self.rate(&order.currency, key);
            s.sparklayer_net += a.net;
            s.sparklayer_vat += a.vat;
        }
    }

    /// A sales-order row of the period, on OrderWise's side; `order` is the
    /// SparkLayer order it is paired with (or a copy of), if any.
    pub fn add_row(&mut self, row: &ExportRow, order: Option<&SparkOrder>) {
        let c = self.currency(&row.currency);
        c.rows += 1;
        c.orderwise_net += row.net;
        c.orderwise_vat += row.vat;
        c.orderwise_gross += row.gross;
        let put = |t: &mut Totals, key: RateKey, net: Decimal, vat: Decimal| {
            let s = t.rate(&row.currency, key);
            s.orderwise_net += net;
            s.orderwise_vat += vat;
        };
        if !row.rates.is_empty() {
            let (mut net, mut vat) = (row.net, row.vat);
            for r in &row.rates {
                put(self, RateKey::Rate(r.rate), r.net, r.vat);
                net -= r.net;
                vat -= r.vat;
            }
            if !(net.is_zero() && vat.is_zero()) {
                put(self, RateKey::Unsplit, net, vat);
            }
            return;
        }
        let single = match order.map(|o| o.rates.as_slice()) {
            Some([only]) if only.rate.is_some() && order.is_some_and(|o| o.currency == row.currency) => only.rate,
            _ => None,
        };
        put(self, single.map_or(RateKey::Unsplit, RateKey::Rate), row.net, row.vat);
    }

    /// A credit note takes away whatever sign the export gives it (as
    /// `findings::Credits` deducts it): exports differ, and one listing
    /// some notes positive and some negative must not cancel them out.
    pub fn add_credit(&mut self, row: &ExportRow) {
        let c = self.currency(&row.currency);
        c.credit_notes += 1;
        c.credit_net -= row.net.abs();
        c.credit_vat -= row.vat.abs();
        c.credit_gross -= row.gross.abs();
    }

    pub fn by_rate(&self) -> Vec<RateTotal> {
        self.by_rate
            .iter()
            .map(|((currency, rate), sides)| RateTotal {
                currency: currency.clone(),
                rate: *rate,
                sides: sides.clone(),
            })
            .collect()
    }

    pub fn by_currency(&self) -> Vec<CurrencyTotal> {
        self.by_currency.values().cloned().collect()
    }
}
