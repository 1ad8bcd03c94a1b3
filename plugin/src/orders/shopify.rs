//! The inbound payload: a Shopify order (REST / `orders/create` webhook JSON)
//! carrying SparkLayer's attributes, read with the shared JSON reader: only
//! the fields the bridge uses are read, everything else is passed over by
//! scanning (so the payload can grow and unread fields cost little).
//!
//! Nearly every field is optional here: a missing field becomes a coded issue
//! with a pointer in the mapping, not a read failure. A field of the wrong
//! type is a `PAYLOAD_INVALID` with its RFC 6901 pointer.

use crate::orders::order::MAX_LINES;
use crate::shared::json::{names, Cursor, Error, Kind, Names, Reader, Unknown};
use crate::shared::meter::Meter;
use crate::shared::money::{parse_amount, Dec};
use crate::shared::pointer::pointer_of;
use crate::shared::text::{trim_short, visible_name};
use std::borrow::Cow;

// Text fields borrow from the payload (`Cow`): a 200-line order would
// otherwise allocate thousands of small strings only to read them once.

/// A Shopify id: a JSON number today, a string on some platforms; kept as its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Id<'a>(pub Cow<'a, str>);

impl Id<'_> {
    pub fn text(&self) -> String {
        self.0.clone().into_owned()
    }
}

/// Whether a key was in the payload at all, whatever its value (`null`
/// included): a draft order carries `order_id: null`, an order no `order_id`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Present(pub bool);

#[derive(Debug, Clone, Default)]
pub struct Order<'a> {
    pub id: Option<Id<'a>>,
    pub name: Option<Cow<'a, str>>,
    pub order_number: Option<u64>,
    pub created_at: Option<Cow<'a, str>>,
    pub processed_at: Option<Cow<'a, str>>,
    /// The shop's currency.
    pub currency: Option<Cow<'a, str>>,
    /// The currency the buyer saw, agreed and is invoiced in.
    pub presentment_currency: Option<Cow<'a, str>>,
    pub taxes_included: bool,
    pub financial_status: Option<Cow<'a, str>>,
    /// Draft orders only (`open`, `invoice_sent`, `completed`).
    pub status: Option<Cow<'a, str>>,
    /// Draft orders only: the order it became, `null` until completed.
    pub order_id: Present,
    pub cancelled_at: Option<Cow<'a, str>>,
    pub test: bool,
    pub note: Option<Cow<'a, str>>,
    pub note_attributes: Vec<NameValue<'a>>,
    /// Shopify's own PO field (Admin API 2023-07 onwards).
    pub po_number: Value<'a>,
    pub email: Option<Cow<'a, str>>,
    pub customer: Option<Customer<'a>>,
    pub shipping_address: Option<Address<'a>>,
    pub billing_address: Option<Address<'a>>,
    pub line_items: Option<Vec<LineItem<'a>>>,
    /// More than `MAX_LINES` lines came: the rest were not read.
    pub more_lines_than_read: bool,
    /// A refund lists a line (`refunds[].refund_line_items`).
    pub lines_refunded: bool,
    pub shipping_lines: Vec<ShippingLine<'a>>,
    pub total_tax: Option<Dec>,
    pub total_price: Option<Dec>,
    pub total_tax_set: Option<MoneySet<'a>>,
    pub total_price_set: Option<MoneySet<'a>>,
    /// After an order edit: what the customer owes now.
    pub current_total_tax: Option<Dec>,
    pub current_total_price: Option<Dec>,
    pub current_total_tax_set: Option<MoneySet<'a>>,
    pub current_total_price_set: Option<MoneySet<'a>>,
    pub payment_gateway_names: Vec<Cow<'a, str>>,
    pub payment_terms: Option<PaymentTerms<'a>>,
    /// What the customer still owes, in the shop's currency [doc]: with a
    /// deposit taken at checkout, the order gross less the deposit. Kept as
    /// it came and parsed only for a deposit, the one rule that reads it.
    pub total_outstanding: Value<'a>,
    pub transactions: Vec<Transaction<'a>>,
    /// What is left of the allowance of characters handled one at a time
    /// (`Meter`) after reading: the rules that clean text spend the rest.
    pub work: Meter,
}

/// A JSON value where Shopify expects text, kept as what it is so that a
/// rule can refuse an object where a PO or a pack selection should be.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Value<'a> {
    /// The key was not there.
    #[default]
    Absent,
    Null,
    Text(Cow<'a, str>),
    /// A JSON number, as its text.
    Number(Cow<'a, str>),
    Bool(bool),
    Object,
    Array,
}

impl<'a> Value<'a> {
    /// The text of a string value.
    pub fn text(&self) -> Option<&str> {
        match self {
            Value::Text(t) => Some(t),
            _ => None,
        }
    }

    /// What the value is, for a message ("an object", "a number 12").
    pub fn describe(&self) -> String {
        match self {
            Value::Absent => "nothing".into(),
            Value::Null => "null".into(),
            Value::Text(t) => format!("the text {}", crate::shared::text::quoted(t)),
            Value::Number(n) => format!("the number {n}"),
            Value::Bool(b) => format!("the boolean {b}"),
            Value::Object => "an object".into(),
            Value::Array => "an array".into(),
        }
    }
}

/// `note_attributes[]` and `line_items[].properties[]`.
#[derive(Debug, Clone, Default)]
pub struct NameValue<'a> {
    /// As it reads: invisible characters removed, white space trimmed
    /// (`text::visible`), so "\u{200B}Pack" is the profile's "Pack".
    pub name: Cow<'a, str>,
    /// Shopify stores these as strings; anything else is kept as what it is.
    pub value: Value<'a>,
}

/// A `*_set` twin of an amount (`{shop_money: {amount, currency_code},
/// presentment_money: {…}}`). Its presentment amount is what an order booked
/// in the presentment currency reads. A set in the usual shape (those two
/// members, each of those two plain strings) gives up that amount's text as
/// it is passed over; any other set is skimmed, kept as its JSON text, and
/// read in full only if its amount is asked for.
#[derive(Debug, Clone, Copy)]
pub enum MoneySet<'a> {
    /// The text of `presentment_money.amount`, read on the way past.
    Read(&'a str),
    /// The whole set, as its JSON text.
    Text(&'a str),
}

impl MoneySet<'_> {
    /// `presentment_money.amount`, when it is there and is an amount.
    pub fn presentment(&self) -> Option<Dec> {
        let text = match *self {
            MoneySet::Read(amount) => return parse_amount(trim_short(amount)).ok().map(Dec),
            MoneySet::Text(text) => text,
        };
        let mut r = Reader::new(text);
        let mut amount = None;
        r.fields(names!["presentment_money"], Unknown::Skip, |r, _| {
            r.fields(names!["amount"], Unknown::Skip, |r, _| {
                amount = read_amount(r)?;
                Ok(())
            })
            .map(|_| ())
        })
        .ok()?;
        amount
    }
}

#[derive(Debug, Clone, Default)]
pub struct Customer<'a> {
    pub id: Option<Id<'a>>,
    pub email: Option<Cow<'a, str>>,
    pub default_address: Option<Address<'a>>,
}

#[derive(Debug, Clone, Default)]
pub struct Address<'a> {
    pub first_name: Option<Cow<'a, str>>,
    pub last_name: Option<Cow<'a, str>>,
    pub company: Option<Cow<'a, str>>,
    pub address1: Option<Cow<'a, str>>,
    pub address2: Option<Cow<'a, str>>,
    pub city: Option<Cow<'a, str>>,
    pub province: Option<Cow<'a, str>>,
    pub zip: Option<Cow<'a, str>>,
    pub country: Option<Cow<'a, str>>,
    pub country_code: Option<Cow<'a, str>>,
    pub phone: Option<Cow<'a, str>>,
}

#[derive(Debug, Clone, Default)]
pub struct LineItem<'a> {
    /// The Shopify line item id: OrderWise's eCommerce item id, for dispatches line by line.
    pub id: Option<Id<'a>>,
    pub sku: Option<Cow<'a, str>>,
    pub name: Option<Cow<'a, str>>,
    pub title: Option<Cow<'a, str>>,
    pub variant_id: Option<Id<'a>>,
    pub quantity: Option<i64>,
    /// After an order edit: the quantity the customer owes now.
    pub current_quantity: Option<i64>,
    pub price: Option<Dec>,
    pub price_set: Option<MoneySet<'a>>,
    pub gift_card: bool,
    pub requires_shipping: Option<bool>,
    pub properties: Vec<NameValue<'a>>,
    pub tax_lines: Vec<TaxLine<'a>>,
    pub discount_allocations: Vec<DiscountAllocation<'a>>,
}

#[derive(Debug, Clone, Default)]
pub struct TaxLine<'a> {
    pub rate: Option<Dec>,
    pub price: Option<Dec>,
    pub price_set: Option<MoneySet<'a>>,
}

#[derive(Debug, Clone, Default)]
pub struct DiscountAllocation<'a> {
    pub amount: Option<Dec>,
    pub amount_set: Option<MoneySet<'a>>,
}

#[derive(Debug, Clone, Default)]
pub struct ShippingLine<'a> {
    pub code: Option<Cow<'a, str>>,
    pub title: Option<Cow<'a, str>>,
    pub price: Option<Dec>,
    pub price_set: Option<MoneySet<'a>>,
    pub discounted_price: Option<Dec>,
    pub discounted_price_set: Option<MoneySet<'a>>,
    pub tax_lines: Vec<TaxLine<'a>>,
    pub discount_allocations: Vec<DiscountAllocation<'a>>,
    /// Removed by an order edit (API 2024-04 on): kept in the payload, no longer charged [doc].
    pub is_removed: bool,
}

#[derive(Debug, Clone, Default)]
pub struct PaymentTerms<'a> {
    pub payment_terms_name: Option<Cow<'a, str>>,
}

/// A payment transaction, where the platform's recording includes them.
#[derive(Debug, Clone, Default)]
pub struct Transaction<'a> {
    pub kind: Option<Cow<'a, str>>,
    pub status: Option<Cow<'a, str>>,
    pub gateway: Option<Cow<'a, str>>,
    pub authorization: Option<Cow<'a, str>>,
    pub amount: Option<Dec>,
    /// The currency of `amount` (the buyer's, for an order presented in another).
    pub currency: Option<Cow<'a, str>>,
}

/// Object members and array items read from one payload, at most. A
/// 200-line order as Shopify sends it has about 10,000 (some 50 a line);
/// a payload with more is made of something else, and reading it member by
/// member (a few hundred fuel units each) could outrun the call's fuel
/// before it is answered.
pub const READ_BUDGET: usize = 15_000;

/// Characters handled one at a time (`Meter`) in one order, reading and
/// mapping together: escapes decoded, the invisible, white-space and control
/// characters and line breaks that cleaning and trimming look at one by one,
/// letters looked up, and text passed again and again (a unit each 32
/// bytes). The recorded orders spend a few dozen (a line break in a note, an
/// `\u0026` in a product name); a unit costs up to ~350 fuel where it costs
/// the most, so this many stay within 1.4 million: text just within it
/// beside the dearest unread data is answered for 10.1 million at most
/// (`tests/worst_case.rs`), under the call's 11.
pub const WORK: u32 = 4_000;

/// Reads the payload, reporting a value of the wrong type with its JSON pointer.
pub fn parse(json: &str) -> Result<Order<'_>, (String, String)> {
    // The lines read whole, which locating an error after them passes over.
    let mut lines_read = Vec::new();
    let mut r = Reader::with_budget(json, READ_BUDGET).with_work(Meter::new(WORK));
    if r.kind() != Kind::Object {
        let body = json.trim_start();
        let found = match body.chars().next() {
            Some('[') => "a JSON array".to_owned(),
            Some('"') => "a JSON string".to_owned(),
            Some(c) if c == '-' || c.is_ascii_digit() => "a JSON number".to_owned(),
            _ => format!("not JSON (it starts {:?})", body.chars().take(24).collect::<String>()),
        };
        return Err((String::new(), format!("the body is {found}, not a JSON object")));
    }
    let read = read_order(&mut r, json, &mut lines_read).and_then(|mut order| {
        r.end()?;
        order.work = r.take_work();
        Ok(order)
    });
    read.map_err(|e| (pointer_of(json, &e, &lines_read), e.message.clone()))
}

const ORDER: &Names = names![
    "id",
    "name",
    "order_number",
    "created_at",
    "processed_at",
    "currency",
    "presentment_currency",
    "taxes_included",
    "financial_status",
    "status",
    "order_id",
    "cancelled_at",
    "test",
    "note",
    "note_attributes",
    "po_number",
    "email",
    "customer",
    "shipping_address",
    "billing_address",
    "line_items",
    "shipping_lines",
    "total_tax",
    "total_price",
    "total_tax_set",
    "total_price_set",
    "current_total_tax",
    "current_total_price",
    "current_total_tax_set",
    "current_total_price_set",
    "payment_gateway_names",
    "payment_terms",
    "total_outstanding",
    "transactions",
    "refunds",
];

fn read_order<'a>(r: &mut Reader<'a>, json: &'a str, lines_read: &mut Vec<(usize, usize)>) -> Result<Order<'a>, Error> {
    let mut o = Order::default();
    r.fields(ORDER, Unknown::Skip, |r, f| {
        match f {
            0 => o.id = id(r)?,
            1 => o.name = text(r)?,
            2 => o.order_number = whole(r)?.map(|n| n as u64),
            3 => o.created_at = text(r)?,
            4 => o.processed_at = text(r)?,
            5 => o.currency = currency_code(r)?,
            6 => o.presentment_currency = currency_code(r)?,
            7 => o.taxes_included = flag(r)?,
            8 => o.financial_status = text(r)?,
            9 => o.status = text(r)?,
            10 => {
                o.order_id = Present(true);
                r.skip()?;
            }
            11 => o.cancelled_at = text(r)?,
            12 => o.test = flag(r)?,
            13 => o.note = text(r)?,
            14 => o.note_attributes = name_values(r)?,
            15 => o.po_number = value(r)?,
            16 => o.email = text(r)?,
            17 => o.customer = optional(r, customer)?,
            18 => o.shipping_address = optional(r, address)?,
            19 => o.billing_address = optional(r, address)?,
            20 => {
                // Lines past the most one call maps are passed over, not read:
                // the order is refused for its size, whatever they hold.
                // Sized from the payload (a line is rarely under 400 bytes) so
                // that the list is not copied as it grows past other allocations.
                let (mut lines, mut beyond) = (Vec::with_capacity((json.len() / 400 + 4).min(MAX_LINES)), false);
                if !r.null() {
                    r.items(|r, _| {
                        let start = r.offset_of_value();
                        if lines.len() < MAX_LINES {
                            let line = match quick_line_item(r)? {
                                Some(line) => line,
                                None => line_item(r, json)?,
                            };
                            lines.push(line);
                        } else {
                            beyond = true;
                            r.skip()?;
                        }
                        lines_read.push((start, r.offset()));
                        Ok(())
                    })?;
                    o.line_items = Some(lines);
                }
                o.more_lines_than_read = beyond;
            }
            21 => o.shipping_lines = list_or_null(r, |r| shipping_line(r, json))?,
            22 => o.total_tax = read_amount(r)?,
            23 => o.total_price = read_amount(r)?,
            24 => o.total_tax_set = money_set(r, json)?,
            25 => o.total_price_set = money_set(r, json)?,
            26 => o.current_total_tax = read_amount(r)?,
            27 => o.current_total_price = read_amount(r)?,
            28 => o.current_total_tax_set = money_set(r, json)?,
            29 => o.current_total_price_set = money_set(r, json)?,
            30 => o.payment_gateway_names = list_or_null(r, |r| Ok(text(r)?.unwrap_or_default()))?,
            31 => o.payment_terms = optional(r, payment_terms)?,
            32 => o.total_outstanding = value(r)?,
            33 => o.transactions = list_or_null(r, transaction)?,
            _ => o.lines_refunded = refunds_name_lines(r)?,
        }
        Ok(())
    })?;
    Ok(o)
}

/// Whether a refund lists a line (`refunds[].refund_line_items`): goods went
/// back, so it is no refund of money alone (`edits.rs`). The lines are
/// passed over, not read: `current_quantity` says where each stands.
/// Read through the shared cold loops: refunds are rare, and the member
/// loop inlined here again would cost the component ~8 kB.
#[inline(never)]
fn refunds_name_lines(r: &mut Reader) -> Result<bool, Error> {
    let mut any = false;
    if !r.null() {
        r.items_cold(&mut |r, _| {
            r.fields_cold(names!["refund_line_items"], Unknown::Skip, &mut |r, _| {
                any |= !r.null() && r.items_cold(&mut |r, _| r.skip())? > 0;
                Ok(())
            })?;
            Ok(())
        })?;
    }
    Ok(any)
}

const LINE_ITEM: &Names = names![
    "id",
    "sku",
    "name",
    "title",
    "variant_id",
    "quantity",
    "current_quantity",
    "price",
    "price_set",
    "gift_card",
    "requires_shipping",
    "properties",
    "tax_lines",
    "discount_allocations",
];

/// A line item of any shape, and every error in one: read when
/// `quick_line_item` gives up, so through the shared cold member loop.
fn line_item<'a>(r: &mut Reader<'a>, json: &'a str) -> Result<LineItem<'a>, Error> {
    let mut l = LineItem::default();
    r.fields_cold(LINE_ITEM, Unknown::Skip, &mut |r, f| {
        match f {
            0 => l.id = id(r)?,
            1 => l.sku = text(r)?,
            2 => l.name = text(r)?,
            3 => l.title = text(r)?,
            4 => l.variant_id = id(r)?,
            5 => l.quantity = whole(r)?,
            6 => l.current_quantity = whole(r)?,
            7 => l.price = read_amount(r)?,
            8 => l.price_set = money_set(r, json)?,
            9 => l.gift_card = flag(r)?,
            10 => l.requires_shipping = if r.null() { None } else { Some(r.boolean()?) },
            11 => l.properties = name_values(r)?,
            12 => l.tax_lines = list_or_null(r, |r| tax_line(r, json))?,
            _ => l.discount_allocations = list_or_null(r, |r| discount_allocation(r, json))?,
        }
        Ok(())
    })?;
    Ok(l)
}

/// A line item in the usual shape, read on the way past with a `Cursor`
/// (its position kept in locals, where `line_item`'s `Reader` is in memory):
/// plain keys and strings, ids and quantities as plain digits, amounts,
/// sets, properties, tax lines and discount allocations as Shopify writes
/// them, and any other member skimmed as `line_item` skims it. `Ok(None)`
/// for anything else (an escape, a repeated key, a value of another type,
/// an amount that does not parse): `line_item` then reads the line again
/// from its start, and accepts or refuses it and points at its errors
/// itself. The read budget is spent where `line_item` spends it, so a line
/// that outruns it is refused here with the error `line_item` would give,
/// without being read twice. What it reads is what `line_item` reads (tests
/// compare them).
#[inline(never)]
fn quick_line_item<'a>(r: &mut Reader<'a>) -> Result<Option<LineItem<'a>>, Error> {
    let mut c = r.cursor();
    let left = r.budget_left();
    let mut spend = Spend { left, refused: None };
    let Some(line) = quick_line(&mut c, &mut spend, r.work()) else {
        return match spend.refused {
            Some(at) => Err(r.over_budget_at(at)),
            None => Ok(None),
        };
    };
    r.spend_many(left - spend.left)?;
    r.advance(c);
    Ok(Some(line))
}

/// The read budget as the quick readers spend it: the same amounts at the
/// same offsets as `Reader` (one a member or item, one an object's closing
/// brace, three a usual property, none for a set).
struct Spend {
    left: usize,
    /// Where the budget ran out, when it did.
    refused: Option<usize>,
}

impl Spend {
    /// Spends `n` at offset `at`; `None` (and where) once the budget is out.
    #[inline(always)]
    fn at(&mut self, n: usize, at: usize) -> Option<()> {
        match self.left.checked_sub(n) {
            Some(left) => {
                self.left = left;
                Some(())
            }
            None => self.refuse(at),
        }
    }

    #[cold]
    fn refuse(&mut self, at: usize) -> Option<()> {
        self.refused = Some(at);
        None
    }
}

/// `quick_line_item`'s reading, its member loop written out (not through
/// `quick_members`' closure): the line's fields stay in locals.
#[inline(always)]
fn quick_line<'a>(c: &mut Cursor<'a>, spend: &mut Spend, work: &Meter) -> Option<LineItem<'a>> {
    let mut l = LineItem::default();
    let mut seen = 0;
    c.open(b'{')?;
    // `Members::next` spends after the brace, then after each member's value.
    spend.at(1, c.offset())?;
    loop {
        match c.member_or_other(LINE_ITEM, &mut seen)? {
            Some(0) => l.id = quick_id(c)?,
            Some(1) => l.sku = quick_text(c)?,
            Some(2) => l.name = quick_text(c)?,
            Some(3) => l.title = quick_text(c)?,
            Some(4) => l.variant_id = quick_id(c)?,
            Some(5) => l.quantity = quick_whole(c)?,
            Some(6) => l.current_quantity = quick_whole(c)?,
            Some(7) => l.price = quick_amount(c)?,
            Some(8) => l.price_set = quick_money_set(c)?,
            Some(9) => l.gift_card = !c.null() && c.boolean()?,
            Some(10) => l.requires_shipping = if c.null() { None } else { Some(c.boolean()?) },
            Some(11) => {
                l.properties = quick_list(c, spend, |c, spend| {
                    c.peek();
                    let at = c.offset();
                    let mut property = usual_name_value(c)?;
                    spend.at(3, at)?;
                    property.name = visible_cow(property.name, work);
                    // Out of allowance: `line_item` reads the line again and
                    // refuses it where it ran out.
                    (!work.over()).then_some(property)
                })?
            }
            Some(12) => {
                l.tax_lines = quick_list(c, spend, |c, spend| {
                    let mut t = TaxLine::default();
                    quick_members(c, TAX_LINE, spend, |c, f| {
                        match f {
                            0 => t.rate = quick_amount(c)?,
                            1 => t.price = quick_amount(c)?,
                            _ => t.price_set = quick_money_set(c)?,
                        }
                        Some(())
                    })?;
                    Some(t)
                })?
            }
            Some(_) => {
                l.discount_allocations = quick_list(c, spend, |c, spend| {
                    let mut d = DiscountAllocation::default();
                    quick_members(c, DISCOUNT_ALLOCATION, spend, |c, f| {
                        match f {
                            0 => d.amount = quick_amount(c)?,
                            _ => d.amount_set = quick_money_set(c)?,
                        }
                        Some(())
                    })?;
                    Some(d)
                })?
            }
            None => c.skip()?,
        }
        spend.at(1, c.offset())?;
        if !c.more(b'}')? {
            return Some(l);
        }
    }
}

/// The quick readers' object member loop (`Reader::fields`'s): `each` reads
/// the value of each name, other keys' values are skimmed. An empty object
/// is left to `Reader`.
#[inline(always)]
fn quick_members<'a>(
    c: &mut Cursor<'a>,
    names: &Names,
    spend: &mut Spend,
    mut each: impl FnMut(&mut Cursor<'a>, usize) -> Option<()>,
) -> Option<()> {
    let mut seen = 0;
    c.open(b'{')?;
    // `Members::next` spends after the brace, then after each member's value.
    spend.at(1, c.offset())?;
    loop {
        match c.member_or_other(names, &mut seen)? {
            Some(f) => each(c, f)?,
            None => c.skip()?,
        }
        spend.at(1, c.offset())?;
        if !c.more(b'}')? {
            return Some(());
        }
    }
}

/// The quick readers' list (`Reader::items`'s): each item read by `item`,
/// `null` an empty list (as `list_or_null` reads it).
#[inline(always)]
fn quick_list<'a, T>(
    c: &mut Cursor<'a>,
    spend: &mut Spend,
    mut item: impl FnMut(&mut Cursor<'a>, &mut Spend) -> Option<T>,
) -> Option<Vec<T>> {
    let mut items = Vec::new();
    if c.null() {
        return Some(items);
    }
    c.open(b'[')?;
    if c.eat(b']') {
        return Some(items);
    }
    // `Reader::items` spends before each item: after the white space that
    // follows the bracket, then directly after each comma.
    loop {
        spend.at(1, c.offset())?;
        items.push(item(c, spend)?);
        if !c.more(b']')? {
            return Some(items);
        }
    }
}

/// `id` for `null`, a plain string or plain digits.
#[inline(always)]
fn quick_id<'a>(c: &mut Cursor<'a>) -> Option<Option<Id<'a>>> {
    Some(match c.peek()? {
        b'n' => c.null().then_some(None)?,
        // A longer id is left to `id`, which refuses it.
        b'"' => Some(Id(Cow::Borrowed(c.string().filter(|s| s.len() <= LONGEST_ID)?))),
        _ => Some(Id(Cow::Borrowed(c.digits()?))),
    })
}

/// `text` for `null` or a plain string.
#[inline(always)]
fn quick_text<'a>(c: &mut Cursor<'a>) -> Option<Option<Cow<'a, str>>> {
    if c.null() {
        return Some(None);
    }
    Some(Some(Cow::Borrowed(c.string()?)))
}

/// `whole` for `null` or plain digits (a sign, a fraction or an exponent is left to `whole`).
#[inline(always)]
fn quick_whole(c: &mut Cursor) -> Option<Option<i64>> {
    if c.null() {
        return Some(None);
    }
    c.digits()?.parse().ok().map(Some)
}

/// `read_amount` for `null`, a plain string or a number that parses.
#[inline(always)]
fn quick_amount(c: &mut Cursor) -> Option<Option<Dec>> {
    let text = match c.peek()? {
        b'n' => return c.null().then_some(None),
        b'"' => c.string()?,
        _ => c.number()?,
    };
    parse_amount(trim_short(text)).ok().map(|v| Some(Dec(v)))
}

/// `money_set` for `null` or an object.
#[inline(always)]
fn quick_money_set<'a>(c: &mut Cursor<'a>) -> Option<Option<MoneySet<'a>>> {
    match c.peek()? {
        b'n' => c.null().then_some(None),
        b'{' => {
            let at = *c;
            if let Some(amount) = usual_set(c) {
                return Some(Some(MoneySet::Read(amount)));
            }
            *c = at;
            Some(Some(MoneySet::Text(c.nested()?)))
        }
        _ => None,
    }
}

const TAX_LINE: &Names = names!["rate", "price", "price_set"];
const DISCOUNT_ALLOCATION: &Names = names!["amount", "amount_set"];

fn tax_line<'a>(r: &mut Reader<'a>, json: &'a str) -> Result<TaxLine<'a>, Error> {
    let mut t = TaxLine::default();
    r.fields(TAX_LINE, Unknown::Skip, |r, f| {
        match f {
            0 => t.rate = read_amount(r)?,
            1 => t.price = read_amount(r)?,
            _ => t.price_set = money_set(r, json)?,
        }
        Ok(())
    })?;
    Ok(t)
}

fn discount_allocation<'a>(r: &mut Reader<'a>, json: &'a str) -> Result<DiscountAllocation<'a>, Error> {
    let mut d = DiscountAllocation::default();
    r.fields(DISCOUNT_ALLOCATION, Unknown::Skip, |r, f| {
        match f {
            0 => d.amount = read_amount(r)?,
            _ => d.amount_set = money_set(r, json)?,
        }
        Ok(())
    })?;
    Ok(d)
}

const SHIPPING_LINE: &Names = names![
    "code",
    "title",
    "price",
    "price_set",
    "discounted_price",
    "discounted_price_set",
    "tax_lines",
    "discount_allocations",
    "is_removed"
];

fn shipping_line<'a>(r: &mut Reader<'a>, json: &'a str) -> Result<ShippingLine<'a>, Error> {
    let mut s = ShippingLine::default();
    r.fields(SHIPPING_LINE, Unknown::Skip, |r, f| {
        match f {
            0 => s.code = text(r)?,
            1 => s.title = text(r)?,
            2 => s.price = read_amount(r)?,
            3 => s.price_set = money_set(r, json)?,
            4 => s.discounted_price = read_amount(r)?,
            5 => s.discounted_price_set = money_set(r, json)?,
            6 => s.tax_lines = list_or_null(r, |r| tax_line(r, json))?,
            7 => s.discount_allocations = list_or_null(r, |r| discount_allocation(r, json))?,
            _ => s.is_removed = flag(r)?,
        }
        Ok(())
    })?;
    Ok(s)
}

fn customer<'a>(r: &mut Reader<'a>) -> Result<Customer<'a>, Error> {
    let mut c = Customer::default();
    r.fields(names!["id", "email", "default_address"], Unknown::Skip, |r, f| {
        match f {
            0 => c.id = id(r)?,
            1 => c.email = text(r)?,
            _ => c.default_address = optional(r, address)?,
        }
        Ok(())
    })?;
    Ok(c)
}

const ADDRESS: &Names = names![
    "first_name",
    "last_name",
    "company",
    "address1",
    "address2",
    "city",
    "province",
    "zip",
    "country",
    "country_code",
    "phone",
];

fn address<'a>(r: &mut Reader<'a>) -> Result<Address<'a>, Error> {
    let mut a = Address::default();
    r.fields(ADDRESS, Unknown::Skip, |r, f| {
        let value = text(r)?;
        match f {
            0 => a.first_name = value,
            1 => a.last_name = value,
            2 => a.company = value,
            3 => a.address1 = value,
            4 => a.address2 = value,
            5 => a.city = value,
            6 => a.province = value,
            7 => a.zip = value,
            8 => a.country = value,
            9 => a.country_code = value,
            _ => a.phone = value,
        }
        Ok(())
    })?;
    Ok(a)
}

fn payment_terms<'a>(r: &mut Reader<'a>) -> Result<PaymentTerms<'a>, Error> {
    let mut t = PaymentTerms::default();
    r.fields(names!["payment_terms_name"], Unknown::Skip, |r, _| {
        t.payment_terms_name = text(r)?;
        Ok(())
    })?;
    Ok(t)
}

fn transaction<'a>(r: &mut Reader<'a>) -> Result<Transaction<'a>, Error> {
    let mut t = Transaction::default();
    r.fields(names!["kind", "status", "gateway", "authorization", "amount", "currency"], Unknown::Skip, |r, f| {
        match f {
            0 => t.kind = text(r)?,
            1 => t.status = text(r)?,
            2 => t.gateway = text(r)?,
            3 => t.authorization = text(r)?,
            4 => t.amount = read_amount(r)?,
            _ => t.currency = text(r)?,
        }
        Ok(())
    })?;
    Ok(t)
}

fn name_values<'a>(r: &mut Reader<'a>) -> Result<Vec<NameValue<'a>>, Error> {
    list_or_null(r, |r| {
        if r.kind() == Kind::Object {
            let (at, mut c) = (r.offset(), r.cursor());
            if let Some(mut nv) = usual_name_value(&mut c) {
                // Its two members and its closing brace, as `fields` counts
                // them (a refusal names the property it stopped at).
                r.spend_many(3)?;
                nv.name = visible_cow(nv.name, r.work());
                if r.work().over() {
                    return Err(r.over_work_at(at));
                }
                r.advance(c);
                return Ok(nv);
            }
        }
        let mut nv = NameValue::default();
        r.fields(names!["name", "value"], Unknown::Skip, |r, f| {
            match f {
                0 => {
                    let at = r.offset();
                    nv.name = visible_cow(r.string()?, r.work());
                    if r.work().over() {
                        return Err(r.over_work_at(at));
                    }
                }
                _ => nv.value = value(r)?,
            }
            Ok(())
        })?
        .require(names!["name", "value"], &[0])?;
        Ok(nv)
    })
}

/// A property or note attribute in the usual shape, read on the way past:
/// `name` and `value` once each (either order), both plain strings. `None`
/// for anything else, which `name_values` then reads member by member (and
/// refuses or reports as before); the usual shape costs a third as much.
#[inline(always)]
fn usual_name_value<'a>(c: &mut Cursor<'a>) -> Option<NameValue<'a>> {
    c.open(b'{')?;
    let (mut seen, mut name, mut value) = (0, "", "");
    loop {
        let field = c.member(names!["name", "value"], &mut seen)?;
        let text = c.string()?;
        if field == 0 {
            name = text;
        } else {
            value = text;
        }
        if !c.more(b'}')? {
            break;
        }
    }
    // The name is cleaned by the caller, which holds the allowance.
    (seen == 0b11).then_some(NameValue { name: Cow::Borrowed(name), value: Value::Text(Cow::Borrowed(value)) })
}

/// A name as it reads (`text::visible_name`), kept borrowed where it can be.
fn visible_cow<'a>(name: Cow<'a, str>, work: &Meter) -> Cow<'a, str> {
    match name {
        Cow::Borrowed(name) => visible_name(name, work),
        Cow::Owned(name) => Cow::Owned(visible_name(&name, work).into_owned()),
    }
}

/// Text or `null` (absent).
fn text<'a>(r: &mut Reader<'a>) -> Result<Option<Cow<'a, str>>, Error> {
    if r.null() {
        return Ok(None);
    }
    r.string().map(Some)
}

/// An ISO 4217 code (`GBP`), or `null`. Shopify sends three capital letters;
/// anything else is a broken payload, refused here so that no rule books
/// or quotes it (a 4 kB "currency" quoted in every line's message cost a
/// 200-line order more fuel than the platform allows).
fn currency_code<'a>(r: &mut Reader<'a>) -> Result<Option<Cow<'a, str>>, Error> {
    let at = r.offset_of_value();
    let code = text(r)?;
    match code.as_deref().map(str::as_bytes) {
        None | Some([b'A'..=b'Z', b'A'..=b'Z', b'A'..=b'Z']) => Ok(code),
        Some(_) => Err(Error::at(
            at,
            format!(
                "{} is not a currency code: expected three capital letters (ISO 4217, like GBP)",
                crate::shared::text::quoted(code.as_deref().unwrap_or_default())
            ),
        )),
    }
}

/// `true`, `false` or `null` (false).
fn flag(r: &mut Reader) -> Result<bool, Error> {
    Ok(!r.null() && r.boolean()?)
}

/// A whole number (quantities may be negative: the rules say why that is wrong), or `null`.
fn whole(r: &mut Reader) -> Result<Option<i64>, Error> {
    if r.null() {
        return Ok(None);
    }
    let at = r.offset_of_value();
    let text = r.number()?;
    text.parse().map(Some).map_err(|_| Error::at(at, format!("expected a whole number, found {}", shown(text))))
}

/// A number's text as far as a message needs it: a number can run to the
/// input cap (its text is ASCII, so any byte is a character boundary).
fn shown(number: &str) -> String {
    match number.get(..40) {
        Some(head) if number.len() > 40 => format!("{head}… ({} characters)", number.len()),
        _ => number.to_owned(),
    }
}

/// A Shopify id: a whole JSON number or a string, kept as its text; or `null`.
fn id<'a>(r: &mut Reader<'a>) -> Result<Option<Id<'a>>, Error> {
    if r.null() {
        return Ok(None);
    }
    let at = r.offset_of_value();
    let id = match r.kind() {
        Kind::String => Id(r.string()?),
        Kind::Number => match r.plain_digits() {
            Some((digits, _)) => Id(Cow::Borrowed(digits)),
            None => {
                let text = shown(r.number()?);
                return Err(Error::at(at, format!("expected an id (a whole number or a string), found {text}")));
            }
        },
        _ => return Err(r.expected("an id (a whole number or a string)")),
    };
    // A Shopify id is a 64-bit number (20 digits at most) or a GraphQL id
    // (`gid://shopify/LineItem/…`); a longer one is no id, and would be
    // copied into the sales order and every message that names the line.
    if id.0.len() > LONGEST_ID {
        let why = format!("expected an id (a whole number or a string), found one of {} characters", id.0.len());
        return Err(Error::at(at, why));
    }
    Ok(Some(id))
}

/// The longest id read (`id`).
const LONGEST_ID: usize = 100;

/// An amount written as a JSON string (`"1.85"`) or number (`0.2`), read
/// exactly, within `MAX_MAGNITUDE`; or `null`.
fn read_amount(r: &mut Reader) -> Result<Option<Dec>, Error> {
    if r.null() {
        return Ok(None);
    }
    let at = r.offset_of_value();
    let text = match r.kind() {
        Kind::String => r.string()?,
        Kind::Number => r.number()?.into(),
        _ => return Err(r.expected("a decimal amount")),
    };
    parse_amount(trim_short(&text)).map(|v| Some(Dec(v))).map_err(|why| Error::at(at, why))
}

/// A value where Shopify expects text, kept as what it is.
fn value<'a>(r: &mut Reader<'a>) -> Result<Value<'a>, Error> {
    Ok(match r.kind() {
        Kind::String => Value::Text(r.string()?),
        Kind::Number => Value::Number(r.number()?.into()),
        Kind::Bool => Value::Bool(r.boolean()?),
        Kind::Null => {
            r.null();
            Value::Null
        }
        Kind::Object => {
            r.skip()?;
            Value::Object
        }
        Kind::Array => {
            r.skip()?;
            Value::Array
        }
        Kind::Invalid => return Err(r.expected("a JSON value")),
    })
}

/// A `*_set` object kept as its text (see `MoneySet`), or `null`.
fn money_set<'a>(r: &mut Reader<'a>, json: &'a str) -> Result<Option<MoneySet<'a>>, Error> {
    if r.null() {
        return Ok(None);
    }
    if r.kind() != Kind::Object {
        return Err(r.expected("an object"));
    }
    let mut c = r.cursor();
    if let Some(amount) = usual_set(&mut c) {
        r.advance(c);
        return Ok(Some(MoneySet::Read(amount)));
    }
    let start = r.offset_of_value();
    r.skip()?;
    Ok(Some(MoneySet::Text(&json[start..r.offset()])))
}

/// A set in the usual shape, read on the way past: `shop_money` and
/// `presentment_money` (either order), each with `amount` and
/// `currency_code` as plain strings. The presentment amount's text, or
/// `None` for anything else (an unknown or repeated key, a number, an
/// escape), which `money_set` then skims: an order booked in the
/// presentment currency would otherwise read every set twice, skimmed and
/// then parsed (about a fifth of a 200-line order's fuel).
#[inline(always)]
fn usual_set<'a>(c: &mut Cursor<'a>) -> Option<&'a str> {
    c.open(b'{')?;
    let (mut sides, mut amount) = (0, None);
    loop {
        let side = c.member(names!["presentment_money", "shop_money"], &mut sides)?;
        c.open(b'{')?;
        let mut fields = 0;
        loop {
            let field = c.member(names!["amount", "currency_code"], &mut fields)?;
            let text = c.string()?;
            if side == 0 && field == 0 {
                amount = Some(text);
            }
            if !c.more(b'}')? {
                break;
            }
        }
        if !c.more(b'}')? {
            return amount;
        }
    }
}

/// An object read by `read`, or `null`.
fn optional<'a, T>(
    r: &mut Reader<'a>,
    read: impl FnOnce(&mut Reader<'a>) -> Result<T, Error>,
) -> Result<Option<T>, Error> {
    if r.null() {
        return Ok(None);
    }
    read(r).map(Some)
}

fn list<'a, T>(r: &mut Reader<'a>, mut read: impl FnMut(&mut Reader<'a>) -> Result<T, Error>) -> Result<Vec<T>, Error> {
    let mut items = Vec::new();
    r.items(|r, _| {
        items.push(read(r)?);
        Ok(())
    })?;
    Ok(items)
}

/// A list, with `null` read as an empty one.
fn list_or_null<'a, T>(
    r: &mut Reader<'a>,
    read: impl FnMut(&mut Reader<'a>) -> Result<T, Error>,
) -> Result<Vec<T>, Error> {
    if r.null() {
        return Ok(Vec::new());
    }
    list(r, read)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The set read by `money_set` from `text`, and what follows it.
    fn set_of(text: &str) -> (Option<MoneySet<'_>>, usize) {
        let mut r = Reader::new(text);
        let set = money_set(&mut r, text).expect("a set");
        (set, r.offset())
    }

    #[test]
    fn a_usual_set_is_read_on_the_way_past_and_any_other_is_kept_to_parse_with_the_same_answer() {
        let usual = [
            r#"{"shop_money":{"amount":"7.49","currency_code":"GBP"},"presentment_money":{"amount":"8.76","currency_code":"EUR"}}"#,
            "{\n  \"presentment_money\": {\n    \"currency_code\": \"EUR\",\n    \"amount\": \" 8.76 \"\n  },\n  \"shop_money\": {\"amount\": \"7.49\"}\n}",
        ];
        for text in usual {
            let (set, end) = set_of(text);
            let set = set.expect("not null");
            assert!(matches!(set, MoneySet::Read(_)), "{text}");
            assert_eq!(end, text.len());
            assert_eq!(set.presentment().map(|d| d.0.to_string()), Some("8.76".to_owned()), "{text}");
        }
        // Read on the way past, but no amount: what the parse would say too.
        let (set, _) = set_of(r#"{"presentment_money":{"amount":"eight","currency_code":"EUR"}}"#);
        assert!(matches!(set, Some(MoneySet::Read("eight"))));
        assert_eq!(set.and_then(|s| s.presentment()), None);
        // Anything else is skimmed, and parsed as before when asked for.
        let other = [
            (r#"{"presentment_money":{"amount":8.76,"currency_code":"EUR"}}"#, Some("8.76")),
            (r#"{"presentment_money":{"amount":"8.76","currency_code":"EUR","extra":[1]}}"#, Some("8.76")),
            (r#"{"presentment_money":{"amount":"8\u002e76"}}"#, Some("8.76")),
            (r#"{"presentment_money":{"amount":null}}"#, None),
            (r#"{"presentment_money":{"amount":"8.76"},"presentment_money":{"amount":"9.00"}}"#, None),
            (r#"{"shop_money":{"amount":"7.49","currency_code":"GBP"}}"#, None),
            (r#"{}"#, None),
        ];
        for (text, amount) in other {
            let (set, end) = set_of(text);
            let set = set.expect("not null");
            assert!(matches!(set, MoneySet::Text(t) if t == text), "{text}");
            assert_eq!(end, text.len());
            assert_eq!(set.presentment().map(|d| d.0.to_string()).as_deref(), amount, "{text}");
        }
        assert!(set_of("null").0.is_none());
    }

    /// What `line_item` gives for `text` under a read budget of `budget`:
    /// the line (as its debug text) or the error, and where reading stopped.
    fn general(text: &str, budget: usize) -> (Result<String, String>, usize) {
        let mut r = Reader::with_budget(text, budget);
        let line =
            line_item(&mut r, text).map(|l| format!("{l:?}")).map_err(|e| format!("{} at {}", e.message, e.offset));
        (line, r.offset())
    }

    /// What `quick_line_item` gives, in the same terms; `None` where it gives up.
    fn quick(text: &str, budget: usize) -> Option<(Result<String, String>, usize)> {
        let mut r = Reader::with_budget(text, budget);
        match quick_line_item(&mut r) {
            Ok(Some(l)) => Some((Ok(format!("{l:?}")), r.offset())),
            Ok(None) => None,
            Err(e) => Some((Err(format!("{} at {}", e.message, e.offset)), r.offset())),
        }
    }

    /// The least budget `line_item` reads `text` within.
    fn least_budget(text: &str) -> usize {
        (0..10_000).find(|&b| general(text, b).0.is_ok()).expect("read within 10,000")
    }

    /// Checks the quick reader against `line_item` on `line`: it gives up,
    /// or it reads the same line to the same offset within the same budget,
    /// and under any smaller budget refuses it with `line_item`'s error (at
    /// the same offset), without leaving it to be read again. Whether it
    /// read the line. The line is followed by more text, as in an order
    /// (near the end of the text, the quick readers give up).
    fn same_as_line_item(line: &str) -> bool {
        let text = &format!("{line}\n    ]\n  }}\n}}\n");
        let Some(read) = quick(text, usize::MAX) else { return false };
        assert_eq!(read, general(text, usize::MAX), "{text}");
        let least = least_budget(text);
        assert_eq!(quick(text, least).map(|q| q.0.is_ok()), Some(true), "{text}: within {least}");
        for budget in 0..least {
            let refused = quick(text, budget).map(|q| q.0);
            assert_eq!(refused, Some(general(text, budget).0), "{text}: within {budget}");
        }
        true
    }

    const USUAL_LINE: &str = r#"{"id":13688971600107,"variant_id":44610569300107,"product_id":8266836400107,"sku":"CUP-12OZ-WHT","name":"CUP-12OZ-WHT","title":"Cup","quantity":12,"current_quantity":10,"price":"1.85","price_set":{"shop_money":{"amount":"1.85","currency_code":"GBP"},"presentment_money":{"amount":"2.10","currency_code":"EUR"}},"taxable":true,"gift_card":false,"requires_shipping":true,"total_discount":"0.00","properties":[{"name":"Charged Price","value":"1.85"},{"value":"Case of 12","name":"Pack"}],"tax_lines":[{"title":"VAT","rate":0.2,"price":"4.44","price_set":{"shop_money":{"amount":"4.44","currency_code":"GBP"},"presentment_money":{"amount":"5.00","currency_code":"EUR"}}}],"discount_allocations":[{"amount":"1.00","amount_set":{"shop_money":{"amount":"1.00","currency_code":"GBP"},"presentment_money":{"amount":"1.20","currency_code":"EUR"}},"discount_application_index":0}]}"#;

    #[test]
    fn a_usual_line_is_read_on_the_way_past_as_line_item_reads_it() {
        let pretty =
            serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(USUAL_LINE).unwrap()).unwrap();
        let variants = [
            USUAL_LINE.to_owned(),
            pretty,
            // Nulls, ids as strings, amounts as numbers, empty and null lists.
            r#"{"id":"gid://shopify/LineItem/1","variant_id":null,"sku":null,"name":"A","quantity":null,"price":1.5,"price_set":null,"gift_card":null,"requires_shipping":null,"properties":null,"tax_lines":[],"discount_allocations":null}"#.to_owned(),
            // Sets in another shape are kept as their text; unknown members of every kind skimmed.
            r#"{"sku":"X","price_set":{"shop_money":{"amount":"1.00"},"extra":[1,{"a":"]"}]},"meta":{"k":[true,null,"\"}"]},"n":-1.5e3,"b":false,"s":"a\\\"b","quantity":3}"#.to_owned(),
            r#"{"tax_lines":[{"rate":"0.20","price":null,"price_set":{"presentment_money":{"amount":8.76}}}],"quantity":0}"#.to_owned(),
        ];
        for text in &variants {
            assert!(same_as_line_item(text), "the quick reader gave up on {text}");
        }
        // Thousands of tax lines outrun the budget: refused where `line_item` refuses them.
        let many = format!(r#"{{"sku":"X","tax_lines":[{}]}}"#, vec![r#"{"rate":0.2,"price":"0.00"}"#; 5000].join(","));
        let text = format!("{many}\n]}}");
        let (quick, general) = (quick(&text, 15_000), general(&text, 15_000));
        assert!(quick.as_ref().is_some_and(|q| q.0.as_ref().is_err_and(|e| e.contains("fields and list items"))));
        assert_eq!(quick.map(|q| q.0), Some(general.0));
    }

    #[test]
    fn the_quick_reader_gives_up_on_what_line_item_must_answer_itself() {
        for text in [
            // An escape in a key or a value, a repeated key.
            r#"{"s\u006bu":"X"}"#,
            r#"{"sku":"X\u0041"}"#,
            r#"{"sku":"X","sku":"Y"}"#,
            // A sign, a fraction or a type the reader refuses.
            r#"{"quantity":-2}"#,
            r#"{"quantity":2.5}"#,
            r#"{"quantity":"2"}"#,
            r#"{"price":"1,85"}"#,
            r#"{"price_set":[]}"#,
            r#"{"properties":[{"name":"Pack","value":1}]}"#,
            r#"{"tax_lines":[{}]}"#,
            // Not an object, an empty one, a trailing comma, white space before a colon.
            r#"[]"#,
            r#"{}"#,
            r#"{"sku":"X",}"#,
            r#"{"sku" :"X","quantity":1,"name":"a long enough name"}"#,
        ] {
            assert!(!same_as_line_item(text), "{text}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// Lines made of the members Shopify sends, some of them in shapes the
        /// quick reader refuses, in any order and spacing: whatever it reads,
        /// it reads as `line_item` does.
        #[test]
        fn the_quick_reader_agrees_with_line_item(
            members in proptest::collection::vec(proptest::sample::select(vec![
                r#""id":1"#, r#""id":"7""#, r#""id":null"#, r#""id":01"#,
                r#""sku":"CUP""#, r#""sku":"C\"UP""#, r#""sku":7"#,
                r#""name":"Cup ☕""#, r#""title":null"#, r#""variant_id":44610569300107"#,
                r#""quantity":12"#, r#""quantity":-1"#, r#""quantity":99999999999999999999"#, r#""current_quantity":0"#,
                r#""price":"1.85""#, r#""price":" 1.85 ""#, r#""price":1e2"#, r#""price":"x""#, r#""price":null"#,
                r#""price_set":{"shop_money":{"amount":"1","currency_code":"GBP"},"presentment_money":{"amount":"2","currency_code":"EUR"}}"#,
                r#""price_set":{"presentment_money":{"amount":"2"}}"#, r#""price_set":{"x":1}"#, r#""price_set":"1""#,
                r#""gift_card":true"#, r#""gift_card":null"#, r#""requires_shipping":false"#,
                r#""properties":[{"name":"Pack","value":"Case of 12"}]"#, r#""properties":[]"#, r#""properties":[{"name":"P"}]"#,
                r#""tax_lines":[{"rate":0.2,"price":"4.44","title":"VAT"}]"#, r#""tax_lines":null"#,
                r#""discount_allocations":[{"amount":"1.00","amount_set":{"shop_money":{"amount":"1.00"}}}]"#,
                r#""discount_allocations":[{"amount":"1.00"},{"amount":"2.00"}]"#,
                r#""taxable":true"#, r#""vendor":"A\\B""#, r#""grams":250"#, r#""meta":{"a":[1,{"b":"}"}]}"#, r#""x":nul"#,
            ]), 0..12),
            spaces in proptest::sample::select(vec!["", " ", "\n  ", "\n\t\t      "]),
        ) {
            let text = format!("{{{spaces}{}{spaces}}}", members.join(&format!(",{spaces}")));
            same_as_line_item(&text);
        }

        /// A recorded order with a byte taken out, or put in, anywhere: an
        /// error's pointer found from the members and items it left
        /// (`Mark`) is the one the full scan from the start finds.
        #[test]
        fn an_error_is_pointed_at_from_its_marks_as_the_full_scan_points_at_it(
            which in 0..2usize,
            at in 0.0..1.0f64,
            cut in proptest::bool::ANY,
            byte in proptest::sample::select(b"{}[],:\"\\ 1an".to_vec()),
        ) {
            let fixture = [
                include_str!("../../../fixtures/orders/volume-10-lines/order.json"),
                include_str!("../../../fixtures/orders/example-on-account/order.json"),
            ][which];
            let mut bytes = fixture.as_bytes().to_vec();
            let i = ((bytes.len() - 1) as f64 * at) as usize;
            if cut { bytes.remove(i); } else { bytes.insert(i, byte); }
            let Ok(text) = String::from_utf8(bytes) else { return Ok(()) };
            let mut lines_read = Vec::new();
            let mut r = Reader::with_budget(&text, READ_BUDGET);
            let error = match read_order(&mut r, &text, &mut lines_read).and_then(|_| r.end()) {
                Ok(()) => return Ok(()),
                Err(e) => e,
            };
            let full = crate::shared::pointer::pointer_past(&text, error.offset, &lines_read);
            proptest::prop_assert_eq!(pointer_of(&text, &error, &lines_read), full, "{:?}", error);
        }
    }
}
