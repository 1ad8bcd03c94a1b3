//! Orders edited after they were placed.
//!
//! Prevents: posting the original quantities of an order the merchant edited.
//! An order edit leaves `quantity` and `total_price` at the original figures
//! and changes `current_quantity` and the `current_*` totals [doc]; a refund
//! lowers the `current_*` totals too. An edited order is mapped as it stands
//! now: lines at their current quantity (a line edited to 0 is not sent),
//! totals from the `current_*` fields, and the totals check then proves the
//! lines and the totals agree (or holds the order with both figures). An
//! order edited down to no lines is held as cancelled.

use crate::orders::shopify::Order;
use crate::shared::issues::{Code, Issue};

pub fn edited(order: &Order, issues: &mut Vec<Issue>) -> bool {
    let lines = order.line_items.as_deref().unwrap_or_default();
    let changed_lines = lines.iter().filter(|l| l.current_quantity.is_some_and(|c| Some(c) != l.quantity)).count();
    let changed_total =
        matches!((order.current_total_price, order.total_price), (Some(now), Some(then)) if now != then);
    if changed_lines == 0 && !changed_total {
        return false;
    }
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
    true
}
