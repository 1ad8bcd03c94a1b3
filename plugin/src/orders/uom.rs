//! Units of measure: which OrderWise variant a sold line depletes, and how many.
//!
//! Prevents: a case of 12 depleting the wrong SKU, 2 cases booked as 2 eaches,
//! a pack selection that cannot be read taken as "no pack", and a custom line
//! or gift card booked as stock. OrderWise is the master of SKUs and units;
//! the profile's reference data says how a SparkLayer SKU (and pack
//! selection) becomes an OrderWise variant × multiplier.

use crate::orders::settings::NonStock;
use crate::orders::shopify::{LineItem, Value};
use crate::profile::Profile;
use crate::shared::issues::{Code, Issue, Severity};
use crate::shared::meter::Meter;
use crate::shared::text::{same, trim_start_where, visible, LOOKUP};
use crate::shared::write::{message, Quoted};
use std::borrow::Cow;

/// Where a sold line lands in OrderWise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved<'p> {
    pub variant_code: &'p str,
    pub multiplier: u32,
}

/// The pack chosen on a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pack<'i> {
    /// No pack property: the SKU is sold as itself.
    None,
    Selected(Cow<'i, str>),
    /// A pack property whose value cannot be read with certainty: the line is held.
    Unreadable(Issue),
}

impl Pack<'_> {
    pub fn name(&self) -> Option<&str> {
        match self {
            Pack::Selected(p) => Some(p),
            _ => None,
        }
    }
}

/// The pack selection of a line, from the profile's pack property names.
/// A pack property that is null, blank (after removing invisible
/// characters) or not text, or two that disagree, cannot be read with
/// certainty; so cannot a property that looks like a pack selection but is
/// not one the profile names. Each holds the line rather than map it as eaches.
pub fn pack_selection<'i>(profile: &Profile, item: &'i LineItem, at: &str, work: &Meter) -> Pack<'i> {
    let names = &profile.orders.pack_properties;
    let mut chosen: Option<Cow<'i, str>> = None;
    for (i, property) in item.properties.iter().enumerate() {
        if !is_pack_property(profile, &property.name) {
            continue;
        }
        let unreadable = |why: String| {
            Pack::Unreadable(Issue::new(
                Code::PACK_UNREADABLE,
                message![at, "/properties/", i, "/value"],
                message![
                    "pack property ",
                    Quoted(&property.name),
                    " ",
                    &why,
                    "; the line is held, never mapped as eaches"
                ],
            ))
        };
        let value = match &property.value {
            Value::Text(t) => visible(t, work),
            other => return unreadable(message!["holds ", &other.describe(), ", not a pack name"]),
        };
        if value.is_empty() {
            return unreadable("is blank".to_owned());
        }
        match &chosen {
            Some(first) if *first != value => {
                return unreadable(message![
                    "says ",
                    Quoted(&value),
                    " but an earlier pack property says ",
                    Quoted(first)
                ]);
            }
            Some(_) => {}
            None => chosen = Some(value),
        }
    }
    // Flagged even beside a configured pack property: two places a theme
    // might put the pack are one too many to choose between.
    let unconfigured =
        item.properties.iter().position(|p| looks_like_pack(&p.name, work) && !is_pack_property(profile, &p.name));
    match unconfigured {
        Some(i) => Pack::Unreadable(Issue::new(
            Code::PACK_PROPERTY_UNCONFIGURED,
            message![at, "/properties/", i],
            message![
                "line property ",
                Quoted(&item.properties[i].name),
                " looks like a pack selection but orders.packProperties (",
                &names.join(", "),
                ") does not name it; add it there (or rename the theme's property) so the pack is read, not ignored"
            ],
        )),
        None => chosen.map_or(Pack::None, Pack::Selected),
    }
}

/// Whether a line property is one of the profile's pack properties. The
/// names were read as they read (`NameValue::name`): a theme or a copy and
/// paste that puts a zero-width space or a byte-order mark before "Pack"
/// must not turn a pack of 50 into one each.
pub fn is_pack_property(profile: &Profile, name: &str) -> bool {
    profile.orders.pack_properties.iter().any(|n| same(n, name))
}

/// A property name a theme would give a pack selection ("Pack", "Pack Size",
/// "Case"): it starts with "pack" or "case", ignoring case. Hidden
/// properties (`_…`) are the app's own, never a customer's choice.
fn looks_like_pack(name: &str, work: &Meter) -> bool {
    // A mark before the word ("*Pack", "→ Case", a character no rule knows)
    // does not hide it; ASCII punctuation does ("(case sensitive) Gift
    // code", "# Case reference" are other things), as does the underscore
    // of a hidden property. (Most names start with a letter: nothing to trim.)
    let starts = |name: &str, word: &str| name.get(..word.len()).is_some_and(|s| s.eq_ignore_ascii_case(word));
    let is_pack = |name: &str| starts(name, "pack") || starts(name, "case");
    match name.as_bytes().first() {
        Some(b'p' | b'P' | b'c' | b'C') => is_pack(name),
        Some(b) if b.is_ascii_alphanumeric() || b.is_ascii_punctuation() && *b != b'*' => false,
        _ => {
            // Each mark passed over is counted as a lookup (`text::LOOKUP`):
            // a name can run to the input cap.
            let mark = |c: char| c == '*' || c.is_whitespace() || (!c.is_ascii() && !c.is_alphanumeric());
            trim_start_where(name, LOOKUP, work, mark).is_some_and(is_pack)
        }
    }
}

/// What kind of line this is, for the stock it depletes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Stock,
    /// No SKU and no product variant: a line the merchant typed in.
    Custom,
    GiftCard,
}

/// `sku` is the line's, trimmed (`lines::map_line`).
pub fn kind(item: &LineItem, sku: &str) -> Kind {
    let no_sku = sku.is_empty();
    if item.gift_card {
        Kind::GiftCard
    } else if no_sku && item.variant_id.is_none() {
        Kind::Custom
    } else {
        Kind::Stock
    }
}

/// Resolves a line to an OrderWise variant: stock by SKU and pack, non-stock
/// kinds as the profile's `nonStock` settings say. `at` is the line's pointer.
pub fn resolve_line<'p>(
    profile: &'p Profile,
    item: &LineItem,
    sku: &str,
    pack: &Pack,
    at: &str,
    issues: &mut Vec<Issue>,
) -> Option<Resolved<'p>> {
    let settings = &profile.orders.non_stock;
    let label = item.name.as_deref().or(item.title.as_deref()).unwrap_or(sku);
    match kind(item, sku) {
        Kind::GiftCard => non_stock(profile, &settings.gift_cards, "giftCards", label, "a gift card", at, issues),
        Kind::Custom => {
            non_stock(profile, &settings.custom_lines, "customLines", label, "a custom line with no SKU", at, issues)
        }
        Kind::Stock => {
            if let Pack::Unreadable(issue) = pack {
                issues.push(issue.clone());
                return None;
            }
            match resolve(profile, sku, pack.name(), at) {
                Ok(resolved) => Some(resolved),
                // A line that needs no shipping and is no OrderWise variant is a service.
                Err(issue) if item.requires_shipping == Some(false) && issue.code == Code::SKU_UNKNOWN => {
                    non_stock(profile, &settings.services, "services", label, "a service (no shipping)", at, issues)
                }
                Err(issue) => {
                    issues.push(issue);
                    None
                }
            }
        }
    }
}

fn non_stock<'p>(
    profile: &'p Profile,
    choice: &NonStock,
    setting: &str,
    label: &str,
    what: &str,
    at: &str,
    issues: &mut Vec<Issue>,
) -> Option<Resolved<'p>> {
    match choice {
        NonStock::Variant(code) => {
            // The profile is refused unless the variant exists (`Settings::link`).
            let Some(variant) = profile.reference.variant(code) else {
                let why = message![
                    "line ",
                    Quoted(label),
                    " is ",
                    what,
                    "; its non-stock variant ",
                    code,
                    " is not in the profile"
                ];
                issues.push(Issue::new(Code::NON_STOCK_LINE, at, why));
                return None;
            };
            issues.push(
                Issue::new(
                    Code::NON_STOCK_LINE,
                    at,
                    message![
                        "line ",
                        Quoted(label),
                        " is ",
                        what,
                        ": booked to non-stock variant ",
                        code,
                        " (orders.nonStock.",
                        setting,
                        ")"
                    ],
                )
                .with_severity(Severity::Info),
            );
            Some(Resolved { variant_code: profile.reference.code_of(variant), multiplier: 1 })
        }
        NonStock::Review => {
            issues.push(Issue::new(
                Code::NON_STOCK_LINE,
                at,
                message![
                    "line ",
                    Quoted(label),
                    " is ",
                    what,
                    ", with no stock to deplete; orders.nonStock.",
                    setting,
                    " says review: book it by hand, or set a non-stock variant for such lines"
                ],
            ));
            None
        }
    }
}

/// Resolves a line's SKU and optional pack selection. `at` is the line's pointer.
pub fn resolve<'p>(profile: &'p Profile, sku: &str, pack: Option<&str>, at: &str) -> Result<Resolved<'p>, Issue> {
    let reference = &profile.reference;
    if sku.is_empty() {
        return Err(Issue::new(
            Code::SKU_UNKNOWN,
            message![at, "/sku"],
            "line has no SKU, so no OrderWise variant can be chosen; give the product variant a SKU that matches its OrderWise variant code",
        ));
    }
    if let Some(unit) = reference.unit(sku, pack) {
        let variant_code = reference.code_of(reference.variant_of(unit));
        return Ok(Resolved { variant_code, multiplier: unit.multiplier });
    }
    if let Some(pack) = pack {
        // A pack was chosen but nothing says how many eaches it holds: never guess 1.
        return Err(Issue::new(
            Code::UOM_UNMAPPED,
            message![at, "/properties"],
            message![
                "SKU ",
                sku,
                " was ordered as pack ",
                Quoted(pack),
                ", which has no unit mapping; add a unit {sku: ",
                Quoted(sku),
                ", pack: ",
                Quoted(pack),
                ", multiplier} under the variant it depletes in the profile's reference.variants"
            ],
        ));
    }
    if let Some(variant) = reference.variant(sku) {
        return Ok(Resolved { variant_code: reference.code_of(variant), multiplier: 1 });
    }
    Err(Issue::new(
        Code::SKU_UNKNOWN,
        message![at, "/sku"],
        message![
            "SKU ",
            sku,
            " is not an OrderWise variant code and has no unit mapping (codes match exactly, case-sensitive); create the variant in OrderWise or map the SKU in the units of a variant (profile reference.variants)"
        ],
    ))
}

/// SparkLayer's quantity rules for the SKU as sold (in its pack, if one was
/// chosen): pack-size multiples, min and max, in units sold. `(at, field)`
/// is the line and the quantity field checked (`current_quantity` in an
/// edited order).
/// Prevents: quantities SparkLayer should have refused reaching the warehouse.
pub fn check_quantity(
    profile: &Profile,
    sku: &str,
    pack: Option<&str>,
    quantity: u64,
    (at, field): (&str, &str),
) -> Vec<Issue> {
    let Some(rule) = profile.reference.quantity_rule(sku, pack) else {
        return Vec::new();
    };
    let mut issues = Vec::new();
    // Pieced together (`message!`): these can stand twice on each of 200 lines.
    let mut flag = |what: &str, limit: u32| {
        issues.push(Issue::new(
            Code::PACK_QUANTITY_INVALID,
            message![at, "/", field],
            message![
                "SKU ",
                sku,
                " quantity ",
                quantity,
                " ",
                what,
                " ",
                limit,
                "; correct the order in SparkLayer or the SKU's quantity rules"
            ],
        ))
    };
    if let Some(pack) = rule.pack_size {
        if !quantity.is_multiple_of(u64::from(pack)) {
            flag("is not a multiple of its pack size", pack);
        }
    }
    if let Some(min) = rule.min {
        if quantity < u64::from(min) {
            flag("is below the minimum order quantity", min);
        }
    }
    if let Some(max) = rule.max {
        if quantity > u64::from(max) {
            flag("is above the maximum order quantity", max);
        }
    }
    issues
}

#[cfg(test)]
mod tests {
    use super::looks_like_pack;
    use crate::shared::meter::Meter;

    #[test]
    fn a_mark_before_pack_does_not_hide_it_but_a_hidden_property_stays_hidden() {
        for name in ["Pack", "pack size", "Case", "*Pack", "→ Case of", "\u{E0001}Pack"] {
            assert!(looks_like_pack(name, &Meter::unlimited()), "{name}");
        }
        for name in
            ["_Pack", "", "Size", "_case", "Colour", "(case sensitive) Gift code", "\"Case\" study", "# Case reference"]
        {
            assert!(!looks_like_pack(name, &Meter::unlimited()), "{name}");
        }
    }
}
