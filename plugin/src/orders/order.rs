//! One order, end to end: payload in, outcome out. Pure: no clock, no
//! randomness, no state beyond the profile, so the same bytes give the same outcome.

use crate::orders::lines::{map_line, MappedLine};
use crate::orders::outcome::Outcome;
use crate::orders::owapi::{CustomerRef, OrderHeader, OrderLine, SalesOrder};
use crate::orders::shopify::{self, LineItem, Order};
use crate::orders::totals::{SourceTotals, Taxable};
use crate::orders::{address, delivery, payment, po, totals};
use crate::profile::Profile;
use crate::shared::issues::{Code, Issue};
use crate::shared::money::{required_amount, round_half_up};
use rust_decimal::Decimal;

/// The most lines one call maps. Fuel grows with the payload (~60 units a
/// byte); 250 Shopify lines stay inside the platform's 11 million budget
/// (200 measured at 8.5 million), and a larger order gets a coded answer
/// instead of being stopped mid-way for fuel.
pub const MAX_LINES: usize = 250;

/// The note attribute carrying SparkLayer's cart id [doc].
const CART_ID_ATTRIBUTE: &str = "sparkCartId";

pub fn map_order(profile: &Profile, json: &str) -> Outcome {
    let order = match read(json) {
        Ok(order) => order,
        Err(issue) => return Outcome::rejected(None, vec![issue]),
    };
    let mut issues = Vec::new();
    let key = order_key(&order);
    if key.is_none() {
        issues.push(Issue::new(
            Code::PAYLOAD_INVALID,
            "/name",
            "the order has no name, order_number or id to key it by",
        ));
    }
    let items = match line_items(&order) {
        Ok(items) => items,
        Err(issue) => {
            issues.push(issue);
            return Outcome::rejected(key, issues);
        }
    };
    let source = source_totals(&order, &mut issues);
    let order_date = order_date(&order, &mut issues);
    check_currency(profile, &order, &mut issues);
    if order.taxes_included {
        issues.push(Issue::new(
            Code::TAXES_INCLUDED_CONVERTED,
            "/taxes_included",
            "prices arrived VAT-inclusive; line and delivery nets were taken as price less discounts less the VAT Shopify charged",
        ));
    }

    let customer = address::customer(profile, &order, &mut issues);
    let customer_order_ref = po::customer_order_ref(profile, &order, customer, &mut issues);
    let lines: Vec<MappedLine> = items
        .iter()
        .enumerate()
        .map(|(i, item)| map_line(profile, i, item, order.taxes_included, &mut issues))
        .collect();
    let delivery = delivery::map_delivery(profile, &order, &mut issues);
    let payment = payment::assess(profile, &order, customer, source.gross, &mut issues);
    let delivery_address = address::delivery_address(&order, delivery.method_id, &mut issues);

    let (order_lines, mut taxable) = order_lines(profile, &lines);
    taxable.push(Taxable { net: delivery.net, rate: delivery.rate });
    totals::check(profile, &taxable, source, &mut issues);

    let draft = SalesOrder {
        customer: CustomerRef { id: customer.map(|c| c.orderwise_id) },
        order_header: OrderHeader {
            system_order_type: if payment.on_account {
                profile.orders.order_types.on_account
            } else {
                profile.orders.order_types.standard
            },
            delivery_method_id: delivery.method_id,
            order_date,
            e_commerce_order_number: key.clone().unwrap_or_default(),
            order_gross: source.gross,
            delivery_gross: delivery.net + delivery.vat,
            customer_order_ref,
            order_net: source.net,
            order_tax: source.vat,
            delivery_net: delivery.net,
            delivery_tax_rate_id: delivery.tax_rate_id,
            special_instructions: special_instructions(&order, &payment.description),
            on_hold: payment.hold_for_payment,
            prices_as_net: true,
        },
        customer_delivery_address: delivery_address,
        order_lines,
    };
    Outcome::decide(key, Some(draft), issues)
}

/// The payload as a Shopify order, or the reason it is not one.
fn read(json: &str) -> Result<Order<'_>, Issue> {
    if json.trim().is_empty() {
        let why = "the order body is empty; the platform must resend the recorded payload";
        return Err(Issue::new(Code::PAYLOAD_INVALID, "", why));
    }
    shopify::parse(json).map_err(|(pointer, detail)| {
        Issue::new(Code::PAYLOAD_INVALID, pointer, format!("not a Shopify order payload: {detail}"))
    })
}

/// The order's lines: at least one, at most `MAX_LINES`.
fn line_items<'o, 'a>(order: &'o Order<'a>) -> Result<&'o [LineItem<'a>], Issue> {
    let Some(items) = order.line_items.as_deref().filter(|l| !l.is_empty()) else {
        return Err(Issue::new(Code::PAYLOAD_INVALID, "/line_items", "the order has no line items"));
    };
    if items.len() > MAX_LINES {
        let why = format!(
            "the order has {} lines; the bridge maps at most {MAX_LINES} in one call (the platform's instruction budget): split the order",
            items.len()
        );
        return Err(Issue::new(Code::PAYLOAD_INVALID, "/line_items", why));
    }
    Ok(items)
}

fn check_currency(profile: &Profile, order: &Order, issues: &mut Vec<Issue>) {
    let accepted = &profile.orders.currencies;
    match order.currency.as_deref() {
        Some(c) if accepted.iter().any(|ok| ok == c) => {}
        other => issues.push(Issue::new(
            Code::CURRENCY_UNSUPPORTED,
            "/currency",
            format!(
                "order currency {:?} is not one the profile accepts ({}); OrderWise would book it at the wrong value",
                other.unwrap_or(""),
                accepted.join(", ")
            ),
        )),
    }
}

/// The OrderWise lines of the mapped lines (a split line becomes two), and
/// each line's net at its VAT rate for the totals check.
fn order_lines(profile: &Profile, lines: &[MappedLine]) -> (Vec<OrderLine>, Vec<Taxable>) {
    let stock_location_id = profile.orders.stock_location_id;
    let mut order_lines = Vec::new();
    let mut taxable = Vec::new();
    for line in lines {
        for part in &line.parts {
            taxable.push(Taxable { net: Decimal::from(part.quantity) * part.unit_net, rate: line.rate });
            order_lines.push(OrderLine {
                item_number: order_lines.len() as u32 + 1,
                variant_code: line.variant_code.clone(),
                quantity: part.quantity,
                item_gross: round_half_up(part.unit_net * (Decimal::ONE + line.rate), profile.orders.price_precision),
                item_net: part.unit_net,
                tax_rate_id: line.tax_rate_id,
                stock_location_id,
            });
        }
    }
    (order_lines, taxable)
}

/// The stable idempotency key: the order name without its `#` (`#B2B1042` ->
/// `B2B1042`), else the order number, else the Shopify id.
pub fn order_key(order: &Order) -> Option<String> {
    let name = order.name.as_deref().map(|n| n.trim().trim_start_matches('#').trim()).filter(|n| !n.is_empty());
    name.map(str::to_owned)
        .or_else(|| order.order_number.map(|n| n.to_string()))
        .or_else(|| order.id.as_ref().map(|id| id.text()))
}

fn source_totals(order: &Order, issues: &mut Vec<Issue>) -> SourceTotals {
    let gross = required_amount(order.total_price, issues, || ("/total_price".into(), "total_price".into()));
    let vat = required_amount(order.total_tax, issues, || ("/total_tax".into(), "total_tax".into()));
    SourceTotals { net: gross - vat, vat, gross }
}

/// OWAPI takes the local wall-clock time without an offset (`2025-03-14T10:22:29`).
fn order_date(order: &Order, issues: &mut Vec<Issue>) -> String {
    let (at, value) = match (&order.processed_at, &order.created_at) {
        (Some(p), _) => ("/processed_at", p.as_ref()),
        (None, Some(c)) => ("/created_at", c.as_ref()),
        (None, None) => ("/processed_at", ""),
    };
    let stamp = value.get(..19).unwrap_or("");
    let shape_ok = stamp.len() == 19
        && stamp.char_indices().all(|(i, c)| match i {
            4 | 7 => c == '-',
            10 => c == 'T',
            13 | 16 => c == ':',
            _ => c.is_ascii_digit(),
        });
    if !shape_ok {
        issues.push(Issue::new(
            Code::PAYLOAD_INVALID,
            at,
            format!("order date {value:?} is not an ISO 8601 timestamp"),
        ));
    }
    stamp.to_owned()
}

fn special_instructions(order: &Order, payment: &str) -> String {
    let cart = order
        .note_attributes
        .iter()
        .find(|a| a.name == CART_ID_ATTRIBUTE)
        .map(|a| a.value.trim())
        .filter(|v| !v.is_empty());
    match cart {
        Some(cart) => format!("SparkLayer cart {cart}; {payment}"),
        None => payment.to_owned(),
    }
}
