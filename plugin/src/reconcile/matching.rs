//! Pairing SparkLayer orders with OrderWise rows, and saying which rule paired them.
//!
//! Prevents: an order the bridge posted being reported missing because its
//! row was keyed by hand; a hand-keyed copy of an imported order passing as
//! an order of its own (billed twice); and two customers' PO "10045" being
//! taken for one order.
//!
//! 1. **By key**: the row's `eCommerceOrderNumber` is the order's key (what
//!    the bridge writes). A second row with the same key is a duplicate import.
//! 2. **By PO and customer**, for rows keyed by hand (no key, or a key no
//!    order has): the row's customer order reference and customer account
//!    both equal the order's PO and OrderWise account. PO alone never
//!    matches. POs are compared trimmed and without regard to ASCII case.
//!    A row whose PO and account name an order already paired is a copy of
//!    it (a duplicate); one that fits several unpaired orders is left
//!    unpaired and says which.
//!
//! Credit notes are never paired and never duplicates: they are listed on
//! their own (linked to their order when they carry its key).

use crate::reconcile::inputs::export::{ExportRow, RowKind};
use crate::reconcile::inputs::orders::SparkOrder;
use std::collections::HashMap;

/// Which rule paired an order and a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rule {
    /// `eCommerceOrderNumber` = the order's key.
    Key,
    /// Customer order reference = the order's PO, and customer account = the order's account.
    PoAndCustomer,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Key => "key",
            Rule::PoAndCustomer => "po-and-customer",
        }
    }
}

/// What became of one OrderWise row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowState {
    /// Paired with this order.
    Paired(usize, Rule),
    /// A second row for an order already paired with row `first`.
    Duplicate { order: usize, first: usize, rule: Rule },
    /// Paired with no order: why.
    Unpaired(String),
    /// A credit note; the order whose key it carries, if any.
    Credit(Option<usize>),
}

#[derive(Debug, Clone, Default)]
pub struct Matching {
    /// Per order: its row and the rule.
    pub of_order: Vec<Option<(usize, Rule)>>,
    /// Per row.
    pub of_row: Vec<RowState>,
}

/// The PO as compared: trimmed, ASCII upper case.
pub fn po_form(po: &str) -> String {
    po.trim().to_ascii_uppercase()
}

/// A key as it is compared: trimmed, without a leading `#` (the order's
/// name as Shopify shows it, which a person keying it by hand may copy),
/// ASCII letters in upper case.
pub fn key_form(key: &str) -> String {
    key.trim().trim_start_matches('#').trim().to_ascii_uppercase()
}

pub fn pair(orders: &[SparkOrder], rows: &[ExportRow]) -> Matching {
    let by_key: HashMap<String, usize> = orders.iter().enumerate().map(|(i, o)| (key_form(&o.key), i)).collect();
    let mut by_po: HashMap<(String, &str), Vec<usize>> = HashMap::new();
    for (i, o) in orders.iter().enumerate() {
        if let (Some(po), Some(account)) = (&o.po, &o.account) {
            by_po.entry((po_form(po), account.as_str())).or_default().push(i);
        }
    }
    let mut m =
        Matching { of_order: vec![None; orders.len()], of_row: vec![RowState::Unpaired(String::new()); rows.len()] };
    // 1. By key, in file order: the first row for an order pairs, later ones are duplicates.
    let mut by_hand = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        let order = row.key.as_deref().and_then(|k| by_key.get(&key_form(k)).copied());
        if row.kind == RowKind::Credit {
            m.of_row[r] = RowState::Credit(order);
            continue;
        }
        match order {
            Some(o) => match m.of_order[o] {
                None => {
                    m.of_order[o] = Some((r, Rule::Key));
                    m.of_row[r] = RowState::Paired(o, Rule::Key);
                }
                Some((first, _)) => m.of_row[r] = RowState::Duplicate { order: o, first, rule: Rule::Key },
            },
            None => by_hand.push(r),
        }
    }
    // 2. By PO and customer, for the rest, once every keyed row is placed.
    for r in by_hand {
        let row = &rows[r];
        let unknown_key =
            row.key.as_deref().map(|k| format!("its eCommerceOrderNumber {k} is no SparkLayer order's key; "));
        let unknown_key = unknown_key.unwrap_or_default();
        let (Some(po), Some(account)) = (&row.po, &row.account) else {
            let missing = match (&row.po, &row.account) {
                (None, None) => "no customer order reference and no customer account",
                (None, _) => "no customer order reference",
                _ => "no customer account (a PO alone never matches: two customers' POs can be equal)",
            };
            m.of_row[r] = RowState::Unpaired(format!("{unknown_key}{missing} to match it by"));
            continue;
        };
        let candidates = by_po.get(&(po_form(po), account.as_str())).map(Vec::as_slice).unwrap_or_default();
        let free: Vec<usize> = candidates.iter().copied().filter(|&o| m.of_order[o].is_none()).collect();
        m.of_row[r] = match (free.as_slice(), candidates.first()) {
            ([o], _) => {
                m.of_order[*o] = Some((r, Rule::PoAndCustomer));
                RowState::Paired(*o, Rule::PoAndCustomer)
            }
            // A row carrying a key of its own is another order's (one not in
            // the file), not a copy of this one keyed by hand: never
            // "cancel the copy" for a real order.
            ([], Some(_)) if row.key.is_some() => RowState::Unpaired(format!(
                "{unknown_key}the SparkLayer order with PO {po:?} for customer account {account} is already paired with another row"
            )),
            ([], Some(&o)) => {
                let first = m.of_order[o].map_or(r, |(first, _)| first);
                RowState::Duplicate { order: o, first, rule: Rule::PoAndCustomer }
            }
            ([], None) => RowState::Unpaired(format!(
                "{unknown_key}no SparkLayer order has PO {po:?} for customer account {account}"
            )),
            (several, _) => {
                let keys: Vec<&str> = several.iter().map(|&o| orders[o].key.as_str()).collect();
                RowState::Unpaired(format!(
                    "{unknown_key}PO {po:?} for customer account {account} fits {} SparkLayer orders ({}); pair it by hand",
                    several.len(),
                    keys.join(", ")
                ))
            }
        };
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reconcile::inputs::export::RowKind;
    use rust_decimal::Decimal;

    fn order(key: &str, po: &str, account: &str) -> SparkOrder {
        SparkOrder {
            line: 1,
            key: key.into(),
            placed: 0,
            currency: "GBP".into(),
            net: Decimal::ONE,
            vat: Decimal::ZERO,
            gross: Decimal::ONE,
            rates: Vec::new(),
            po: Some(po.into()),
            account: Some(account.into()),
            not_a_sale: None,
            current: false,
        }
    }

    fn row(number: &str, key: Option<&str>, po: Option<&str>, account: Option<&str>, kind: RowKind) -> ExportRow {
        ExportRow {
            line: 2,
            kind,
            order_number: number.into(),
            key: key.map(Into::into),
            po: po.map(Into::into),
            account: account.map(Into::into),
            order_date: None,
            currency: "GBP".into(),
            net: Decimal::ONE,
            vat: Decimal::ZERO,
            gross: Decimal::ONE,
            status: String::new(),
            invoice_number: None,
            invoice_date: None,
            rates: Vec::new(),
        }
    }

    #[test]
    fn a_po_alone_never_matches_two_customers_10045_are_different_orders() {
        let orders = [order("B1", "10045", "2193")];
        let rows = [
            row("SO-1", None, Some("10045"), Some("2207"), RowKind::Order),
            row("SO-2", None, Some("10045"), None, RowKind::Order),
            row("SO-3", None, Some(" 10045 "), Some("2193"), RowKind::Order),
        ];
        let m = pair(&orders, &rows);
        assert!(matches!(&m.of_row[0], RowState::Unpaired(why) if why.contains("for customer account 2207")));
        assert!(matches!(&m.of_row[1], RowState::Unpaired(why) if why.contains("a PO alone never matches")));
        assert_eq!(m.of_row[2], RowState::Paired(0, Rule::PoAndCustomer));
    }

    #[test]
    fn a_hand_keyed_copy_of_an_imported_order_is_a_duplicate_whatever_the_file_order() {
        let orders = [order("B1", "PO-1", "2193")];
        let rows = [
            row("SO-9", None, Some("po-1"), Some("2193"), RowKind::Order),
            row("SO-1", Some("B1"), Some("PO-1"), Some("2193"), RowKind::Order),
        ];
        let m = pair(&orders, &rows);
        assert_eq!(m.of_row[1], RowState::Paired(0, Rule::Key));
        assert_eq!(m.of_row[0], RowState::Duplicate { order: 0, first: 1, rule: Rule::PoAndCustomer });
    }

    #[test]
    fn a_credit_note_with_the_order_key_is_never_a_duplicate() {
        let orders = [order("B1", "PO-1", "2193")];
        let rows = [
            row("SO-1", Some("B1"), Some("PO-1"), Some("2193"), RowKind::Order),
            row("CN-1", Some("B1"), Some("PO-1"), Some("2193"), RowKind::Credit),
            row("SO-2", Some("B1"), Some("PO-1"), Some("2193"), RowKind::Order),
        ];
        let m = pair(&orders, &rows);
        assert_eq!(m.of_row[1], RowState::Credit(Some(0)));
        assert_eq!(m.of_row[2], RowState::Duplicate { order: 0, first: 0, rule: Rule::Key });
    }

    #[test]
    fn a_row_fitting_several_unpaired_orders_is_left_for_a_person() {
        let orders = [order("B1", "PO-1", "2193"), order("B2", "PO-1", "2193")];
        let rows = [row("SO-1", None, Some("PO-1"), Some("2193"), RowKind::Order)];
        let m = pair(&orders, &rows);
        assert!(matches!(&m.of_row[0], RowState::Unpaired(why) if why.contains("fits 2 SparkLayer orders (B1, B2)")));
    }
}
