//! Payloads that are not a postable order.
//!
//! Prevents: shipping cancelled goods, booking test sales, and posting a
//! draft order that is posted again when the merchant completes it. A draft
//! order (SparkLayer's on-account checkout with "auto-complete draft orders"
//! off) has a draft `status`, an `order_id` key (null until completed) and a
//! `#D…` name [doc]; a cancelled order has `cancelled_at`, or a
//! `financial_status` of `voided` or `refunded`; a test order has `test: true`.

use crate::orders::shopify::Order;
use crate::shared::issues::{Code, Issue};
use crate::shared::text::quoted;
use crate::shared::text::trim;

/// `status` values of a Shopify draft order.
const DRAFT_STATUSES: &[&str] = &["open", "invoice_sent", "completed"];

pub fn check(order: &Order, issues: &mut Vec<Issue>) {
    let name = trim(order.name.as_deref().unwrap_or(""), &order.work);
    let draft_name = name.strip_prefix("#D").is_some_and(|n| n.starts_with(|c: char| c.is_ascii_digit()));
    let status = order.status.as_deref().unwrap_or("");
    if order.order_id.0 || DRAFT_STATUSES.contains(&status) || draft_name {
        let at = if DRAFT_STATUSES.contains(&status) {
            "/status"
        } else if order.order_id.0 {
            "/order_id"
        } else {
            "/name"
        };
        issues.push(Issue::new(
            Code::ORDER_DRAFT,
            at,
            format!(
                "{name} is a Shopify draft order (status {}), not an order: it is posted when the merchant completes it and its own order arrives; posting the draft would book it twice",
                quoted(status)
            ),
        ));
    }
    if let Some(when) = order.cancelled_at.as_deref().filter(|c| !trim(c, &order.work).is_empty()) {
        issues.push(Issue::new(
            Code::ORDER_CANCELLED,
            "/cancelled_at",
            format!("the order was cancelled at {when}: do not post or ship it"),
        ));
    } else if let Some(status @ ("voided" | "refunded")) = order.financial_status.as_deref() {
        issues.push(Issue::new(
            Code::ORDER_CANCELLED,
            "/financial_status",
            format!("the order's payment is {status}: the sale was undone; do not post or ship it"),
        ));
    }
    if order.test {
        issues.push(Issue::new(
            Code::ORDER_TEST,
            "/test",
            "a test order (test: true): never posted to OrderWise, so no test sale reaches the books",
        ));
    }
}
