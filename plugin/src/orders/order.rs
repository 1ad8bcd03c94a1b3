//! One order, end to end: payload in, outcome out. Pure: no clock, no
//! randomness, no state beyond the profile, so the same bytes give the same outcome.

use crate::orders::currency::{self, Booking, Side};
use crate::orders::delivery::Delivery;
use crate::orders::edits::Edit;
use crate::orders::lines::{map_line, Context, MappedLine};
use crate::orders::outcome::Outcome;
use crate::orders::owapi::{CustomerRef, DeliveryVat, OrderHeader, OrderLine, SalesOrder, SalesPayment};
use crate::orders::payment::Payment;
use crate::orders::po::Po;
use crate::orders::shopify::{self, LineItem, Order};
use crate::orders::totals::{SourceTotals, Taxable};
use crate::orders::{address, delivery, edits, lifecycle, payment, po, totals};
use crate::profile::Profile;
use crate::shared::issues::{Code, Issue};
use crate::shared::money::{required_amount, round_half_up};
use crate::shared::text::{quoted, quoted_up_to, trim, trim_short, trim_start_where, visible, visible_text};
use crate::shared::time::{format_wall_clock, parse_stamp};
use crate::shared::write::message;
use rust_decimal::Decimal;

/// The most lines one call maps, as the platform budget Shopify Functions
/// sets (11 million instructions for up to 200 lines). Plain lines cost ~24,000
/// fuel units each (200 measured at 4.7 million, docs/benchmarks.md), but a
/// line with everything costly at once (presentment-currency amounts, a
/// discount, a split unit price and its message) costs ~45,000: 250 of those
/// ran out of fuel under the fuzzer, 200 stay answered with room to spare. A
/// larger order gets a coded answer, not a stop for fuel (the lines past the
/// limit are not even read).
pub const MAX_LINES: usize = 200;

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
    lifecycle::check(&order, &mut issues);
    let booking = currency::booking(profile, &order, &mut issues);
    let edit = edits::edited(&order, booking.side, &mut issues);
    // A refund of money alone leaves every line at its placed quantity: the
    // lines are read (and their issues pointed) as placed.
    let edited = edit == Edit::Changed;
    let source = source_totals(&order, booking.side, edit == Edit::Changed, &mut issues);
    let order_date = order_date(profile, &order, &mut issues);
    if order.taxes_included {
        issues.push(Issue::new(
            Code::TAXES_INCLUDED_CONVERTED,
            "/taxes_included",
            "prices arrived VAT-inclusive; line and delivery nets were taken as price less discounts less the VAT Shopify charged",
        ));
    }

    let customer = address::customer(profile, &order, &mut issues);
    let po = po::customer_order_ref(profile, &order, customer, &mut issues);
    let cx = Context {
        taxes_included: order.taxes_included,
        side: booking.side,
        currency: &booking.currency,
        edited,
        work: &order.work,
    };
    // Both lists sized up front: grown a push at a time they are copied
    // each time they double, past the allocations made in between.
    issues.reserve(2 * items.len());
    let mut lines = Vec::with_capacity(items.len());
    lines.extend(items.iter().enumerate().filter_map(|(i, item)| map_line(profile, i, item, cx, &mut issues)));
    if order.work.over() {
        return refused(key, &order);
    }
    let delivery = delivery::map_delivery(profile, &order, booking.side, &mut issues);
    let (order_lines, mut taxable) = order_lines(profile, &lines);
    taxable.extend(delivery.parts.iter().map(|p| Taxable { net: p.net, rate: p.rate }));
    let source = match edit {
        // Money refunded with the goods unchanged: posted as placed when the
        // lines prove the placed totals; else it is an edit after all (a line
        // re-priced, say), mapped as it stands now and checked as one.
        Edit::MoneyRefunded { refunded } if totals::agree(profile, &taxable, source) => {
            edits::refunded(booking.side, source.gross, refunded, &mut issues);
            source
        }
        Edit::MoneyRefunded { .. } => {
            edits::report(&order, booking.side, &mut issues);
            source_totals(&order, booking.side, true, &mut issues)
        }
        _ => source,
    };
    let payment = payment::assess(profile, &order, customer, source.gross, &booking, &mut issues);
    let delivery_address = address::delivery_address(&order, delivery.method_id, delivery.collection, &mut issues);
    totals::check(profile, &taxable, source, &mut issues);

    let instructions = special_instructions(profile, &order, &payment, &po, &mut issues);
    let draft = SalesOrder {
        customer: CustomerRef { id: customer.map(|c| c.orderwise_id) },
        order_header: header(
            profile,
            key.as_deref(),
            order_date,
            source,
            &delivery,
            &payment,
            po,
            instructions,
            booking,
        ),
        customer_delivery_address: delivery_address,
        order_lines,
    };
    if order.work.over() {
        return refused(key, &order);
    }
    Outcome::decide(key, Some(draft), issues)
}

/// An order whose text needed more characters handled one at a time than an
/// order may (`Order::work`): once the allowance ran out the rules answered
/// cheaply rather than correctly, so nothing they found is sent.
#[cold]
fn refused(key: Option<String>, order: &Order) -> Outcome {
    Outcome::rejected(key, vec![Issue::new(Code::PAYLOAD_INVALID, "", order.work.refusal())])
}

#[allow(clippy::too_many_arguments)]
fn header(
    profile: &Profile,
    key: Option<&str>,
    order_date: String,
    source: SourceTotals,
    delivery: &Delivery,
    payment: &Payment,
    po: Po,
    special_instructions: String,
    booking: Booking,
) -> OrderHeader {
    let types = &profile.orders.order_types;
    let payments: Vec<SalesPayment> = payment
        .paid
        .iter()
        .map(|paid| SalesPayment {
            payment_method_id: paid.method_id,
            amount: paid.amount,
            description: match &paid.reference {
                Some(reference) => format!("Paid by {} ({reference})", paid.gateway),
                None => format!("Paid by {}", paid.gateway),
            },
            reference: paid.reference.clone(),
        })
        .collect();
    let amount_paid = (!payments.is_empty()).then(|| payments.iter().map(|p| p.amount).sum());
    let split = delivery.parts.len() > 1;
    OrderHeader {
        system_order_type: if payment.on_account { types.on_account } else { types.standard },
        delivery_method_id: delivery.method_id,
        order_date,
        e_commerce_order_number: key.unwrap_or_default().to_owned(),
        order_gross: source.gross,
        delivery_gross: delivery.net() + delivery.vat(),
        customer_order_ref: po.reference,
        order_net: source.net,
        order_tax: source.vat,
        delivery_net: delivery.net(),
        delivery_tax_rate_id: if split { None } else { delivery.parts.first().and_then(|p| p.tax_rate_id) },
        special_instructions,
        on_hold: payment.hold_for_payment,
        prices_as_net: true,
        currency_code: booking.currency,
        amount_paid,
        payments,
        delivery_vat: if split {
            delivery.parts.iter().map(|p| DeliveryVat { tax_rate_id: p.tax_rate_id, net: p.net, tax: p.vat }).collect()
        } else {
            Vec::new()
        },
    }
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
    if order.more_lines_than_read {
        let why = format!(
            "the order has more than {MAX_LINES} lines; the bridge maps at most {MAX_LINES} in one call (the platform's instruction budget): split the order"
        );
        return Err(Issue::new(Code::PAYLOAD_INVALID, "/line_items", why));
    }
    Ok(items)
}

/// The OrderWise lines of the mapped lines (a split line becomes two), and
/// each line's net at its VAT rate for the totals check.
fn order_lines(profile: &Profile, lines: &[MappedLine]) -> (Vec<OrderLine>, Vec<Taxable>) {
    let stock_location_id = profile.orders.stock_location_id;
    let mut order_lines = Vec::with_capacity(lines.len() + 1);
    let mut taxable = Vec::with_capacity(lines.len() + 3);
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
                e_commerce_item_id: line.item_id.clone(),
                notes: line.notes.clone(),
            });
        }
    }
    (order_lines, taxable)
}

/// The stable idempotency key: the order name without its `#` (`#B2B1042` ->
/// `B2B1042`), else the order number, else the Shopify id.
pub fn order_key(order: &Order) -> Option<String> {
    let work = &order.work;
    let name = order.name.as_deref().map(|n| {
        let hashes = trim_start_where(trim(n, work), 1, work, |c| c == '#').unwrap_or(n);
        trim(hashes, work)
    });
    let name = name.filter(|n| !n.is_empty());
    name.map(str::to_owned)
        .or_else(|| order.order_number.map(|n| n.to_string()))
        .or_else(|| order.id.as_ref().map(|id| id.text()))
}

/// SparkLayer's totals in the booked money: what the customer owes now for an
/// edited order (`current_*`), else as placed.
fn source_totals(order: &Order, side: Side, edited: bool, issues: &mut Vec<Issue>) -> SourceTotals {
    let current = edited && order.current_total_price.is_some();
    let (gross_at, gross, gross_set) = if current {
        ("/current_total_price", order.current_total_price, order.current_total_price_set.as_ref())
    } else {
        ("/total_price", order.total_price, order.total_price_set.as_ref())
    };
    let (vat_at, vat, vat_set) = if current && order.current_total_tax.is_some() {
        ("/current_total_tax", order.current_total_tax, order.current_total_tax_set.as_ref())
    } else {
        ("/total_tax", order.total_tax, order.total_tax_set.as_ref())
    };
    let gross =
        required_amount(side.amount(gross, gross_set), issues, || (side.pointer(gross_at), side.name(&gross_at[1..])));
    let vat = required_amount(side.amount(vat, vat_set), issues, || (side.pointer(vat_at), side.name(&vat_at[1..])));
    SourceTotals { net: gross - vat, vat, gross, gross_at, vat_at, side }
}

/// OWAPI takes a wall-clock time without an offset (`2025-03-14T10:22:29`),
/// in the zone OrderWise keeps its dates in (`orders.timeZone`). Shopify
/// writes the shop's own offset; a platform may pass the time on in UTC
/// (`Z`). Either way the instant is written as OrderWise's wall clock, so an
/// order placed at 00:30 BST on the first of the month, sent as 23:30 UTC
/// the day before, is dated in the month reconciliation counts it in. A
/// time without an offset is taken as OrderWise's wall clock already.
fn order_date(profile: &Profile, order: &Order, issues: &mut Vec<Issue>) -> String {
    let (at, value) = match (&order.processed_at, &order.created_at) {
        (Some(p), _) => ("/processed_at", p.as_ref()),
        (None, Some(c)) => ("/created_at", c.as_ref()),
        (None, None) => ("/processed_at", ""),
    };
    let zone = profile.orders.time_zone;
    match parse_stamp(value) {
        Some(stamp) => {
            let local = match stamp.offset {
                Some(_) => zone.to_local(stamp.instant(zone)),
                None => stamp.local,
            };
            // Usually the stamp is OrderWise's wall clock already (a UK shop
            // writes UK time): its own digits, without building them again.
            // (Not a leap second's `:60`, which is sent as `:59`.)
            let written = trim_short(value).get(..19).filter(|w| w.as_bytes()[10] == b'T' && !w.ends_with("60"));
            match written {
                Some(w) if local == stamp.local => w.to_owned(),
                _ => format_wall_clock(local),
            }
        }
        None => {
            issues.push(Issue::new(
                Code::PAYLOAD_INVALID,
                at,
                format!("order date {} is not an ISO 8601 timestamp", quoted(value)),
            ));
            String::new()
        }
    }
}

/// The warehouse's instructions: SparkLayer's cart, how the order is paid,
/// and the order note (delivery instructions such as "tail-lift needed")
/// unless it only repeats a PO read elsewhere. Never longer
/// than OrderWise's field: the cart id is the first thing left out (Shopify's
/// order keeps it), before a word of the note; what still does not fit is
/// cut from the end and flagged with what was cut, so nothing the customer
/// asked for is lost.
///
/// Prevents: an OWAPI post refused, or cut where nobody sees it, because a
/// long cart id and payment text filled the field.
fn special_instructions(profile: &Profile, order: &Order, paid: &Payment, po: &Po, issues: &mut Vec<Issue>) -> String {
    const NOTE: &str = "; Note: ";
    let payment = paid.description.as_str();
    let cart = order
        .note_attributes
        .iter()
        .find(|a| a.name == CART_ID_ATTRIBUTE)
        .and_then(|a| a.value.text())
        .map(|v| visible(v, &order.work))
        .filter(|v| !v.is_empty());
    // A note the PO was read from stays too: `note` is the last PO source a
    // profile may list, and a buyer's "Tail-lift needed" read as the PO must
    // still reach the warehouse. Only a note that repeats a PO read elsewhere goes.
    let is_po = |n: &str| !po.from_note && po.reference.as_deref() == Some(n);
    let note = order.note.as_deref().map(|n| visible_text(n, &order.work)).filter(|n| !n.is_empty() && !is_po(n));
    let note = note.as_deref();
    if order.work.over() {
        // Refused (`map_order`): the text was not cleaned, and is not measured.
        return String::new();
    }
    let max = profile.orders.special_instructions_max_length;
    if let Some(cart) = cart {
        if let Ok(whole) = within(format!("SparkLayer cart {cart}; {payment}"), note.map(|n| (NOTE, n)), max) {
            return whole;
        }
    }
    let text = match within(payment.to_owned(), note.map(|n| (NOTE, n)), max) {
        Ok(whole) => return whole,
        Err(head) => head,
    };
    // `text` holds the payment text (its own length unchecked): cut the
    // whole to `max - 1` characters and an ellipsis.
    let kept = max.saturating_sub(1);
    let (mut out, cut) = cut_after([text.as_str(), note.map_or("", |_| NOTE), note.unwrap_or("")], kept);
    out.push('…');
    // Where the note starts in `out`, in characters: whether the cut fell in it.
    let note_from = text.chars().count() + NOTE.chars().count();
    let message = match note {
        Some(_) if kept > note_from => message![
            "the order note does not fit OrderWise's ",
            max,
            " characters of special instructions and was cut after ",
            kept - note_from,
            " characters; what was cut: ",
            &quoted_up_to(&cut, QUOTED),
        ],
        _ => message![
            if note.is_some() {
                "the payment description and the order note do"
            } else {
                "the payment description does"
            },
            " not fit OrderWise's ",
            max,
            " characters of special instructions; cut after ",
            kept,
            " characters, what was cut: ",
            &quoted_up_to(&cut, QUOTED),
        ],
    };
    // The payment text comes from the terms' name, or the payment status.
    let pointer = match (note, paid.on_account) {
        (Some(_), _) => "/note",
        (None, true) => "/payment_terms",
        (None, false) => "/financial_status",
    };
    issues.push(Issue::new(Code::NOTE_TRUNCATED, pointer, message));
    out
}

/// What a cut message quotes of the text cut (`quoted_up_to`).
const QUOTED: usize = 600;

/// `parts` joined and cut after `kept` characters: what is kept, and what was
/// cut as far as a message quotes it (one character more, so the quote shows
/// it goes on). Counted only as far as needed: a note can run to the input cap.
fn cut_after(parts: [&str; 3], kept: usize) -> (String, String) {
    let (mut left, mut out) = (kept, String::with_capacity(kept * 4 + 3));
    let (mut cut, mut cut_chars) = (String::new(), 0);
    for part in parts {
        let at = part.char_indices().nth(left).map_or(part.len(), |(i, _)| i);
        out.push_str(&part[..at]);
        left -= part[..at].chars().count();
        let rest = &part[at..];
        let end = rest.char_indices().nth(QUOTED + 1 - cut_chars).map_or(rest.len(), |(i, _)| i);
        cut.push_str(&rest[..end]);
        cut_chars += rest[..end].chars().count();
    }
    (out, cut)
}

/// `head` followed by `tail`'s two pieces, if the whole is at most `max`
/// characters; else `head` back as it was. Counts no further than `max`.
fn within(mut head: String, tail: Option<(&str, &str)>, max: usize) -> Result<String, String> {
    let used = head.chars().take(max.saturating_add(1)).count();
    let Some(room) = max.checked_sub(used) else {
        return Err(head);
    };
    let Some((glue, tail)) = tail else {
        return Ok(head);
    };
    let glue_len = glue.chars().count();
    if glue_len > room || tail.char_indices().nth(room - glue_len).is_some() {
        return Err(head);
    }
    head.push_str(glue);
    head.push_str(tail);
    Ok(head)
}

#[cfg(test)]
mod tests {
    use super::{cut_after, within, QUOTED};

    #[test]
    fn a_cut_keeps_its_characters_and_quotes_what_went() {
        let note = "é".repeat(2_000);
        for kept in [0, 1, 5, 6, 13, 20, 254] {
            let (out, cut) = cut_after(["Pay on Account", "; Note: ", &note], kept);
            assert_eq!(out.chars().count(), kept, "{kept}");
            let whole = format!("Pay on Account; Note: {note}");
            assert!(whole.starts_with(&format!("{out}{cut}")), "{kept}");
            assert_eq!(cut.chars().count(), QUOTED + 1, "{kept}");
        }
        let (out, cut) = cut_after(["Paid upfront (paid)", "", ""], 10);
        assert_eq!((out.as_str(), cut.as_str()), ("Paid upfro", "nt (paid)"));
    }

    #[test]
    fn within_adds_the_tail_only_when_the_whole_fits() {
        let head = || "Pay on Account".to_owned();
        assert_eq!(within(head(), Some(("; Note: ", "Gate 4")), 28).unwrap(), "Pay on Account; Note: Gate 4");
        assert_eq!(within(head(), Some(("; Note: ", "Gate 4")), 27).unwrap_err(), "Pay on Account");
        assert_eq!(within(head(), None, 14).unwrap(), "Pay on Account");
        assert_eq!(within(head(), None, 13).unwrap_err(), "Pay on Account");
    }
}
