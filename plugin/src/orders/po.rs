//! The customer's PO reference, so invoices can be matched to the customer's PO.
//!
//! Prevents: B2B invoices that the customer's accounts team cannot match, and
//! a PO field that holds no PO (`{}`, `false`, a lone zero-width space)
//! reaching OrderWise as one.

use crate::orders::settings::PoSource;
use crate::orders::shopify::{Order, Value};
use crate::profile::Profile;
use crate::shared::issues::{Code, Issue, Severity};
use crate::shared::meter::Meter;
use crate::shared::reference::{Customer, PoPolicy};
use crate::shared::text::{has_break, has_letter_or_digit, is_invisible, quoted, trim_where, visible};
use std::borrow::Cow;

/// The PO found, and whether it came from the order note (which is still
/// sent as delivery instructions: it may hold them too).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Po {
    pub reference: Option<String>,
    pub from_note: bool,
}

/// Reads the PO from the profile's sources in order; the first that holds one wins.
pub fn customer_order_ref(
    profile: &Profile,
    order: &Order,
    customer: Option<&Customer>,
    issues: &mut Vec<Issue>,
) -> Po {
    let settings = &profile.orders;
    let note = order.note.as_ref().map_or(Value::Absent, |n| Value::Text(Cow::Borrowed(n)));
    for (k, source) in settings.po_sources.iter().enumerate() {
        for (at, value) in candidates(order, &note, source) {
            match read(value, &settings.po_placeholders, &order.work) {
                Ok(None) => continue,
                Ok(Some(po)) => {
                    check_length(profile, &po, at, issues);
                    disagree(profile, order, &note, k, at, &po, issues);
                    return Po { reference: Some(po), from_note: *source == PoSource::Note };
                }
                Err(NotPo { what, typed }) => {
                    // A note of several lines is the customer's message, kept as
                    // delivery instructions; a placeholder, the customer's way of
                    // giving none; anywhere else the writer is at fault.
                    let then = match source {
                        PoSource::Note => "it goes to the special instructions as a note",
                        _ if typed => "the customer gave no PO",
                        _ => "the checkout or app writing it needs fixing",
                    };
                    issues.push(Issue::new(
                        Code::PO_INVALID,
                        at.pointer(),
                        format!("{} holds {what}, which is not a PO reference; {then}", describe(source)),
                    ))
                }
            }
        }
    }
    let policy = customer.and_then(|c| c.po_policy).unwrap_or(settings.po_policy);
    let severity = match policy {
        PoPolicy::Required => Severity::Error,
        PoPolicy::Optional => Severity::Warning,
    };
    let sources: Vec<String> = settings.po_sources.iter().map(describe).collect();
    issues.push(
        Issue::new(
            Code::PO_MISSING,
            "/note_attributes",
            format!("no PO reference in {}; ask the customer for their PO number", sources.join(", ")),
        )
        .with_severity(severity),
    );
    Po::default()
}

/// Where a source's value is, its pointer written only for an issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum At {
    PoNumber,
    Note,
    Attribute(usize),
}

impl At {
    fn pointer(self) -> String {
        match self {
            At::PoNumber => "/po_number".to_owned(),
            At::Note => "/note".to_owned(),
            At::Attribute(i) => format!("/note_attributes/{i}/value"),
        }
    }
}

/// A source's values with where they are. Every attribute of the name, in
/// order: a checkout that wrote "PO Number" twice, the first blank, still
/// wrote the PO.
fn candidates<'o>(
    order: &'o Order,
    note: &'o Value<'o>,
    source: &'o PoSource,
) -> impl Iterator<Item = (At, &'o Value<'o>)> + 'o {
    let (single, name) = match source {
        PoSource::PoNumber => (Some((At::PoNumber, &order.po_number)), None),
        PoSource::Note => (Some((At::Note, note)), None),
        PoSource::NoteAttribute(name) => (None, Some(name)),
    };
    let attributes =
        order.note_attributes.iter().enumerate().filter_map(move |(i, a)| {
            name.filter(|name| same_name(&a.name, name)).map(|_| (At::Attribute(i), &a.value))
        });
    single.into_iter().chain(attributes)
}

/// `PO_CONFLICT` when a later source (not the note, which is usually other
/// text) holds another PO than the one sent: the first in `poSources` wins,
/// and the other would otherwise be lost without trace.
///
/// Prevents: an invoice carrying the PO the checkout wrote while the buyer
/// typed another one elsewhere, and nobody told.
fn disagree(profile: &Profile, order: &Order, note: &Value, from: usize, at: At, po: &str, issues: &mut Vec<Issue>) {
    let sources = &profile.orders.po_sources;
    for source in sources[from..].iter().filter(|s| **s != PoSource::Note) {
        for (other_at, value) in candidates(order, note, source).filter(|(other_at, _)| *other_at != at) {
            let Ok(Some(other)) = read(value, &profile.orders.po_placeholders, &order.work) else { continue };
            if !other.eq_ignore_ascii_case(po) {
                issues.push(Issue::new(
                    Code::PO_CONFLICT,
                    other_at.pointer(),
                    format!(
                        "{} holds PO {}, but {} holds {}, which is sent (the first in orders.poSources); confirm which PO the customer's invoice must carry",
                        describe(source),
                        quoted(&other),
                        describe(&sources[from]),
                        quoted(po)
                    ),
                ));
                return;
            }
        }
    }
}

/// Why a source's value is not a PO: what it holds, and whether the
/// customer typed it (a placeholder) rather than a checkout or app writing
/// something malformed.
struct NotPo {
    what: String,
    typed: bool,
}

/// A PO from a source's value: one line of text with a letter or digit in
/// it that is not a placeholder (`orders.poPlaceholders`), or a whole number
/// (an app that wrote the PO as a JSON number still wrote the PO). Absent,
/// null and blank values hold no PO; text with a line break or tab inside is
/// not one (a PO reference is one line: dropping the break would join
/// "PO-4582" to the next line's words), nor is anything else.
///
/// Prevents: "N/A", "TBC" or "-", typed where a checkout insists on a PO,
/// sent as the customer's PO and the order released without one.
///
/// A source, the note above all, can run to the input cap, and is passed
/// whole up to three times here (for a break, to clean it, for a letter or
/// digit), and again to compare it with the PO sent: each pass is counted by
/// the byte (`Meter::pass`), besides the characters looked at one by one.
/// Once the allowance is spent the answers are cheap, not right: the call
/// is refused (`map_order`).
fn read(value: &Value, placeholders: &[String], work: &Meter) -> Result<Option<String>, NotPo> {
    let placeholder = |po: &str| placeholders.iter().any(|p| p.eq_ignore_ascii_case(po));
    let typed = |what: String| Err(NotPo { what, typed: true });
    match value {
        Value::Absent | Value::Null => Ok(None),
        Value::Text(text) => {
            let inner = trim_where(text, 1, work, |c| c.is_whitespace() || is_invisible(c)).unwrap_or(text);
            if work.pass(inner.len()) && has_break(inner, work) {
                let what = format!("text with a line break or tab inside, {}", quoted(text));
                return Err(NotPo { what, typed: false });
            }
            let po = if work.pass(text.len()) { visible(text, work) } else { Cow::Borrowed(&**text) };
            match po.as_ref() {
                "" => Ok(None),
                po if !(work.pass(po.len()) && has_letter_or_digit(po, work)) => {
                    typed(format!("{}, with no letter or digit", quoted(po)))
                }
                po if placeholder(po) => typed(format!("{}, a placeholder (orders.poPlaceholders)", quoted(po))),
                _ => Ok(Some(po.into_owned())),
            }
        }
        Value::Number(n) if placeholder(n) => typed(format!("{n}, a placeholder (orders.poPlaceholders)")),
        Value::Number(n) if n.bytes().all(|b| b.is_ascii_digit()) => Ok(Some(n.to_string())),
        other => Err(NotPo { what: other.describe(), typed: false }),
    }
}

/// Note attribute names as people type them: "PO number" is the profile's
/// "PO Number" (the PO would otherwise be passed over for the next source,
/// the order note, and the note's delivery instructions sent as the PO).
/// Case is ignored for ASCII letters; both names were read as they read
/// (invisible characters removed, white space trimmed): the attribute's by
/// the payload reader, the configured one by `Settings::read`.
fn same_name(attribute: &str, configured: &str) -> bool {
    attribute.eq_ignore_ascii_case(configured)
}

fn check_length(profile: &Profile, po: &str, at: At, issues: &mut Vec<Issue>) {
    let max = profile.orders.po_max_length;
    let length = po.chars().count();
    if length > max {
        issues.push(Issue::new(
            Code::PO_TOO_LONG,
            at.pointer(),
            format!(
                "PO reference {} is {length} characters; OrderWise holds {max}. It is not truncated: agree a shorter reference with the customer",
                quoted(po)
            ),
        ));
    }
}

fn describe(source: &PoSource) -> String {
    match source {
        PoSource::PoNumber => "Shopify's po_number field".to_owned(),
        PoSource::NoteAttribute(name) => format!("note attribute {name:?}"),
        PoSource::Note => "the order note".to_owned(),
    }
}
