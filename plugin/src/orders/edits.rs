//! Orders edited, or refunded, after they were placed.
//!
//! Prevents: posting the original quantities of an order the merchant edited,
//! and holding an order whose goods did not change because money alone was
//! refunded. An order edit leaves `quantity` and `total_price` at the
//! original figures and changes `current_quantity` and the `current_*`
//! totals [doc]; a refund lowers the `current_*` totals too. An edited order
//! is mapped as it stands now: lines at their current quantity (a line
//! edited to 0 is not sent), totals from the `current_*` fields, and the
//! totals check then proves the lines and the totals agree (or holds the
//! order with both figures). An order edited down to no lines is held as
//! cancelled. A refund of money alone (delivery, goodwill: every line still
//! at its placed quantity) is no edit of the goods: `order.rs` posts the
//! order as placed when its lines prove the placed totals, and asks finance
//! for the credit note.

use crate::orders::currency::Side;
use crate::orders::shopify::Order;
use crate::shared::issues::{Code, Issue};
use crate::shared::money::{show, Dec};
use rust_decimal::Decimal;

/// How the order changed after it was placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// As placed.
    Unchanged,
    /// Lines or totals changed: mapped as it stands now (`ORDER_EDITED` reported).
    Changed,
    /// Money refunded with no line changed: every line states its current
    /// quantity and it is the placed one, and the current total (on the
    /// booked side) is below the placed total by `refunded`. Nothing
    /// reported yet: `order.rs` decides between `refunded` and `report`.
    MoneyRefunded { refunded: Decimal },
}

pub fn edited(order: &Order, side: Side, issues: &mut Vec<Issue>) -> Edit {
    let lines = order.line_items.as_deref().unwrap_or_default();
    let (changed_lines, changed_total) = changes(order, side);
    if changed_lines == 0 && !changed_total {
        return Edit::Unchanged;
    }
    // Money went back only if Shopify says so: an edit can lower the total
    // with every line as it was (a shipping line removed), and then nothing
    // was refunded. And a line without `current_quantity` may have been
    // edited all the same, as may one a refund lists: only lines that say
    // they stand as placed, none of them refunded, make a refund of money alone.
    let refunded = order.financial_status.as_deref() == Some("partially_refunded");
    let lines_as_placed =
        changed_lines == 0 && !order.lines_refunded && lines.iter().all(|l| l.current_quantity.is_some());
    let placed = side.amount(order.total_price, order.total_price_set.as_ref());
    let current = side.amount(order.current_total_price, order.current_total_price_set.as_ref());
    if let (true, Some(placed), Some(current)) = (refunded && lines_as_placed, placed, current) {
        if current < placed {
            return Edit::MoneyRefunded { refunded: placed.0 - current.0 };
        }
    }
    report(order, side, issues);
    Edit::Changed
}

/// `ORDER_EDITED`, and `ORDER_CANCELLED` for an order edited down to no lines.
pub fn report(order: &Order, side: Side, issues: &mut Vec<Issue>) {
    let lines = order.line_items.as_deref().unwrap_or_default();
    let (changed_lines, changed_total) = changes(order, side);
    issues.push(Issue::new(
        Code::ORDER_EDITED,
        "",
        format!(
            "the order was changed after it was placed ({changed_lines} line(s) with a new quantity{}): mapped as it stands now, at current quantities and current_* totals",
            if changed_total { ", totals changed" } else { "" }
        ),
    ));
    // Edited down to nothing: a sales order of delivery alone is no order to
    // post (and the merchant has usually refunded or is about to cancel).
    let emptied = !lines.is_empty() && lines.iter().all(|l| l.current_quantity == Some(0));
    if emptied && !issues.iter().any(|i| i.code == Code::ORDER_CANCELLED) {
        issues.push(Issue::new(
            Code::ORDER_CANCELLED,
            "/line_items",
            "every line was edited to a quantity of 0: nothing is left to ship; do not post it",
        ));
    }
}

/// The lines with a new quantity, and whether the total changed on the
/// booked side (or in the shop's money: either is a change).
fn changes(order: &Order, side: Side) -> (usize, bool) {
    let lines = order.line_items.as_deref().unwrap_or_default();
    let changed_lines = lines.iter().filter(|l| l.current_quantity.is_some_and(|c| Some(c) != l.quantity)).count();
    let differ = |now: Option<Dec>, then: Option<Dec>| matches!((now, then), (Some(now), Some(then)) if now != then);
    let changed_total = differ(order.current_total_price, order.total_price)
        || differ(
            side.amount(order.current_total_price, order.current_total_price_set.as_ref()),
            side.amount(order.total_price, order.total_price_set.as_ref()),
        );
    (changed_lines, changed_total)
}

/// `REFUNDED_WITHOUT_LINES`: the order goes as placed, and the refund needs
/// a credit note in OrderWise, which a sales order cannot carry.
pub fn refunded(side: Side, placed: Decimal, refunded: Decimal, issues: &mut Vec<Issue>) {
    issues.push(Issue::new(
        Code::REFUNDED_WITHOUT_LINES,
        side.pointer("/current_total_price"),
        format!(
            "{} was refunded with every line still at its placed quantity (a refund of money alone: delivery, goodwill): posted as placed, at {}, with the payment as taken; raise a credit note of {} against it in OrderWise, with the refund already paid out",
            show(refunded),
            show(placed),
            show(refunded)
        ),
    ));
}
