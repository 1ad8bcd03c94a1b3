//! The customer's PO reference, so invoices can be matched to the customer's PO.
//!
//! Prevents: B2B invoices that the customer's accounts team cannot match.

use crate::orders::settings::PoSource;
use crate::orders::shopify::Order;
use crate::profile::Profile;
use crate::shared::issues::{Code, Issue, Severity};
use crate::shared::reference::{Customer, PoPolicy};

/// Reads the PO from the profile's sources in order; the first non-blank wins.
pub fn customer_order_ref(
    profile: &Profile,
    order: &Order,
    customer: Option<&Customer>,
    issues: &mut Vec<Issue>,
) -> Option<String> {
    let found = profile.orders.po_sources.iter().find_map(|source| match source {
        PoSource::NoteAttribute(name) => order
            .note_attributes
            .iter()
            .position(|a| a.name == *name)
            .map(|i| (format!("/note_attributes/{i}/value"), order.note_attributes[i].value.trim()))
            .filter(|(_, v)| !v.is_empty()),
        PoSource::Note => {
            order.note.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(|v| ("/note".to_owned(), v))
        }
    });
    let Some((at, po)) = found else {
        let policy = customer.and_then(|c| c.po_policy).unwrap_or(profile.orders.po_policy);
        let severity = match policy {
            PoPolicy::Required => Severity::Error,
            PoPolicy::Optional => Severity::Warning,
        };
        issues.push(
            Issue::new(
                Code::PO_MISSING,
                "/note_attributes",
                format!(
                    "no PO reference in {}; ask the customer for their PO number",
                    describe(&profile.orders.po_sources)
                ),
            )
            .with_severity(severity),
        );
        return None;
    };
    let length = po.chars().count();
    if length > profile.orders.po_max_length {
        issues.push(Issue::new(
            Code::PO_TOO_LONG,
            at,
            format!(
                "PO reference {po:?} is {length} characters; OrderWise holds {}. It is not truncated: agree a shorter reference with the customer",
                profile.orders.po_max_length
            ),
        ));
    }
    Some(po.to_owned())
}

fn describe(sources: &[PoSource]) -> String {
    let names: Vec<String> = sources
        .iter()
        .map(|s| match s {
            PoSource::NoteAttribute(name) => format!("note attribute {name:?}"),
            PoSource::Note => "the order note".to_owned(),
        })
        .collect();
    names.join(", ")
}
