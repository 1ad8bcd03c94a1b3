//! The bridge's promises, checked from the outside on every fuzzed order:
//! more than "no panic". Worked out again here from the payload and the
//! profile (not by calling the rules being checked), so a rule that lets a
//! broken order through is caught even when it agrees with itself.
//!
//! A `ready` outcome must have: a sales order; only mapped lines, each an
//! OrderWise variant the profile has; every owed input line in it, at the
//! quantity sold times its unit multiplier; quantity rules kept; lines that
//! sum to the order net within the tolerance; and a PO that is not blank
//! (after removing invisible characters), has a letter or digit and is no
//! placeholder (`orders.poPlaceholders`), wherever one is required.

use plugin::shared::meter::Meter;
use plugin::shared::reference::PoPolicy;
use plugin::{Outcome, Profile, Status};
use rust_decimal::Decimal;
use serde_json::Value;
use std::borrow::Cow;

/// `text::visible` with no allowance to run out of: the oracle's text is the fuzzer's own.
fn visible(s: &str) -> Cow<'_, str> {
    plugin::shared::text::visible(s, &Meter::unlimited())
}

/// What broke: the promise, in a sentence.
pub type Violation = String;

pub fn check(profile: &Profile, payload: &str, outcome: &Outcome) -> Result<(), Violation> {
    match outcome.status {
        Status::Rejected if outcome.sales_order.is_some() => return Err("rejected but carries a sales order".into()),
        Status::Ready if outcome.sales_order.is_none() => return Err("ready without a sales order".into()),
        Status::Ready => {}
        _ => return Ok(()),
    }
    if let Some(error) = outcome.issues.iter().find(|i| i.severity == plugin::shared::issues::Severity::Error) {
        return Err(format!("ready with an error issue {}", error.code.as_str()));
    }
    let order = outcome.sales_order.as_ref().expect("checked above");
    let reference = &profile.reference;
    for line in &order.order_lines {
        match &line.variant_code {
            Some(code) if reference.variant(code).is_some() => {}
            other => return Err(format!("ready with order line {} on variant {other:?}", line.item_number)),
        }
    }

    let sent: Decimal = order.order_lines.iter().map(|l| Decimal::from(l.quantity) * l.item_net).sum();
    let net = sent + order.order_header.delivery_net;
    if (net - order.order_header.order_net).abs() > profile.orders.tolerance {
        return Err(format!(
            "ready but lines and delivery sum to {net}, the order net is {}",
            order.order_header.order_net
        ));
    }

    // The payload the outcome came from: readable, or the bridge could not have mapped it.
    let Ok(doc) = serde_json::from_str::<Value>(payload.trim_start_matches('\u{feff}')) else {
        return Ok(());
    };
    let items = doc.get("line_items").and_then(Value::as_array).cloned().unwrap_or_default();
    // Units owed per Shopify line id (a payload may repeat an id).
    let mut owed: std::collections::BTreeMap<String, Option<u64>> = Default::default();
    for (i, item) in items.iter().enumerate() {
        if let Some((id, units)) = line(profile, i, item)? {
            let total = owed.entry(id).or_insert(Some(0));
            *total = total.zip(units).map(|(a, b)| a + b);
        }
    }
    for (id, units) in owed {
        let sent: u64 =
            order.order_lines.iter().filter(|l| l.e_commerce_item_id.as_deref() == Some(&id)).map(|l| l.quantity).sum();
        match units {
            Some(units) if sent != units => {
                return Err(format!("ready but line id {id} sends {sent} units for {units} owed"))
            }
            None if sent == 0 => return Err(format!("ready but line id {id} is not in the sales order")),
            _ => {}
        }
    }
    po(profile, &doc, order.order_header.customer_order_ref.as_deref())
}

/// One input line: its id and the OrderWise units it is owed (quantity
/// times its unit multiplier; `None` for a non-stock line, whose units are
/// the profile's to decide), after checking it is mappable and keeps its
/// quantity rule. `None` for a line with no id or nothing owed.
fn line(profile: &Profile, i: usize, item: &Value) -> Result<Option<(String, Option<u64>)>, Violation> {
    let whole = |v: Option<&Value>| v.and_then(Value::as_i64);
    let owed = whole(item.get("current_quantity")).or(whole(item.get("quantity"))).unwrap_or(0);
    let id = match item.get("id") {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.clone(),
        _ => return Ok(None),
    };
    if owed <= 0 {
        return Ok(None);
    }
    let sku = item.get("sku").and_then(Value::as_str).unwrap_or("").trim();
    let non_stock = item.get("gift_card") == Some(&Value::Bool(true))
        || item.get("requires_shipping") == Some(&Value::Bool(false))
        || sku.is_empty();
    if non_stock {
        return Ok(Some((id, None)));
    }
    let pack = pack_of(profile, item);
    let reference = &profile.reference;
    let multiplier = match (reference.unit(sku, pack.as_deref()), &pack) {
        (Some(unit), _) => u64::from(unit.multiplier),
        (None, None) if reference.variant(sku).is_some() => 1,
        _ => return Err(format!("ready but line {i} ({sku:?}, pack {pack:?}) has no unit mapping")),
    };
    if let Some(rule) = reference.quantity_rule(sku, pack.as_deref()) {
        let q = owed as u64;
        let broken = rule.pack_size.is_some_and(|p| p > 0 && !q.is_multiple_of(u64::from(p)))
            || rule.min.is_some_and(|m| q < u64::from(m))
            || rule.max.is_some_and(|m| q > u64::from(m));
        if broken {
            return Err(format!("ready but line {i} ({sku}, {q}) breaks its quantity rule {rule:?}"));
        }
    }
    Ok(Some((id, Some(owed as u64 * multiplier))))
}

/// The pack chosen on a line, read the plain way: the first configured pack
/// property's visible text (names compared as they read: docs/profile.md).
fn pack_of(profile: &Profile, item: &Value) -> Option<String> {
    let props = item.get("properties").and_then(Value::as_array)?;
    props.iter().find_map(|p| {
        let name = visible(p.get("name").and_then(Value::as_str)?);
        if !profile.orders.pack_properties.iter().any(|n| *n == name) {
            return None;
        }
        p.get("value").and_then(Value::as_str).map(|v| visible(v).into_owned())
    })
}

/// A PO that is sent is never blank, has a letter or digit and is no
/// placeholder; a customer whose policy requires one has one.
fn po(profile: &Profile, doc: &Value, sent: Option<&str>) -> Result<(), Violation> {
    if let Some(po) = sent {
        if visible(po).is_empty() {
            return Err(format!("ready with a blank PO {po:?}"));
        }
        if !po.chars().any(char::is_alphanumeric) {
            return Err(format!("ready with a PO with no letter or digit {po:?}"));
        }
        if profile.orders.po_placeholders.iter().any(|p| p.eq_ignore_ascii_case(&visible(po))) {
            return Err(format!("ready with a placeholder for a PO {po:?}"));
        }
        return Ok(());
    }
    let customer = doc.get("customer");
    let id = customer.and_then(|c| c.get("id")).map(|v| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    });
    let email =
        customer.and_then(|c| c.get("email")).and_then(Value::as_str).or(doc.get("email").and_then(Value::as_str));
    let policy =
        profile.reference.customer(id.as_deref(), email).and_then(|c| c.po_policy).unwrap_or(profile.orders.po_policy);
    if policy == PoPolicy::Required {
        return Err("ready without the PO its customer requires".into());
    }
    Ok(())
}
