//! Catalog and pack drift: SparkLayer's pack and quantity-rule set-up
//! checked against OrderWise's variants and units of measure, ahead of orders.
//!
//! Prevents: the first order for a SparkLayer "case of 6" that OrderWise does
//! not know being held as `UOM_UNMAPPED` (or a pack of 6 booked as 12 eaches)
//! when the set-up could have been fixed the day it changed. Every finding
//! names the SKU, both sides' figures and the owner.
//!
//! The set-up is a JSON array, one entry per SparkLayer SKU:
//! `{"sku", "size"?, "packs"?: [{"name", "size"}], "packSize"?, "min"?, "max"?}`
//! (`size`: eaches in one unit of the SKU as SparkLayer describes it, e.g. 12
//! for a "Case of 12" SKU; `packs`: the pack selections offered on it;
//! `packSize` / `min` / `max`: its quantity rule). docs/stock.md has the details.

use crate::profile::Profile;
use crate::shared::issues::{Code, Issue};
use crate::shared::json::{names, Kind, Names, Reader, Unknown};
use crate::shared::pointer::{indexed, pointer_of};
use crate::shared::reference::QuantityRule;
use crate::shared::text::{trim, visible};
use crate::stock::outcome::{CatalogOutcome, Findings, Status};
use std::collections::BTreeSet;

const ENTRY: &Names = names!["sku", "size", "packs", "packSize", "min", "max"];
const PACK: &Names = names!["name", "size"];

/// One SparkLayer SKU's set-up as read.
#[derive(Debug, Default)]
struct Setup {
    sku: String,
    size: Option<u32>,
    packs: Vec<(String, u32)>,
    rule: Option<QuantityRule>,
}

/// Checks the set-up. Deterministic; findings in set-up order.
pub fn check_catalog(profile: &Profile, setup: &str) -> CatalogOutcome {
    let text = setup.strip_prefix('\u{feff}').unwrap_or(setup);
    let rejected = |pointer: String, why: String| CatalogOutcome {
        status: Status::Rejected,
        skus: 0,
        packs: 0,
        issues: vec![Issue::new(Code::CATALOG_SETUP_INVALID, pointer, why)],
    };
    let mut r = Reader::new(text);
    if r.kind() != Kind::Array {
        let found = match text.trim_start() {
            "" => "nothing",
            t if t.starts_with('<') => "an HTML page (the set-up endpoint answered with an error or sign-in page)",
            _ => r.kind().name(),
        };
        return rejected(
            "/setup".into(),
            format!("SparkLayer's set-up must be a JSON array of SKUs, found {found}; nothing was checked"),
        );
    }
    let mut findings = Findings::default();
    let (mut skus, mut packs, mut seen) = (0u32, 0u32, BTreeSet::new());
    let walked = r.items(|r, index| {
        let start = r.offset_of_value();
        r.skip()?;
        skus += 1;
        let at = indexed("/setup", index);
        match entry(&text[start..r.offset()]) {
            Ok(setup) => {
                packs += setup.packs.len() as u32;
                if !seen.insert(setup.sku.clone()) {
                    findings.push(Issue::new(
                        Code::CATALOG_SETUP_INVALID,
                        format!("{at}/sku"),
                        format!("SKU {} is listed twice in SparkLayer's set-up (SparkLayer SKUs are unique): which one is live?", setup.sku),
                    ));
                } else {
                    check(profile, &setup, &at, &mut findings);
                }
            }
            Err(why) => findings.push(Issue::new(
                Code::CATALOG_SETUP_INVALID,
                at,
                format!("set-up entry {index} {why}; skipped, the others are checked"),
            )),
        }
        Ok(())
    });
    if let Err(e) = walked.and_then(|_| r.end()) {
        let pointer = format!("/setup{}", pointer_of(text, &e, &[]));
        return rejected(
            pointer,
            format!("SparkLayer's set-up is not valid JSON at byte {}: {}; nothing was checked", e.offset, e.message),
        );
    }
    let status = if findings.any_error() { Status::Review } else { Status::Ready };
    CatalogOutcome { status, skus, packs, issues: findings.finish() }
}

fn entry(text: &str) -> Result<Setup, String> {
    let mut r = Reader::new(text);
    let mut setup = Setup::default();
    let mut rule = QuantityRule::default();
    let mut members = r.object(ENTRY, Unknown::Skip).map_err(|e| format!("is not an object: {}", e.message))?;
    while let Some(f) = members.next(&mut r).map_err(|e| e.message.clone())? {
        let field = ENTRY_NAMES[f];
        let whole = |r: &mut Reader| -> Result<u32, String> {
            match r.u32() {
                Ok(0) => Err(format!("has `{field}` 0; a size or rule is at least 1")),
                Ok(n) => Ok(n),
                Err(e) => Err(format!("`{field}`: {}", e.message)),
            }
        };
        match f {
            // Trimmed, as the orders flow reads a line's SKU (`lines::map_line`).
            0 => setup.sku = trim(&r.string().map_err(|e| format!("`sku`: {}", e.message))?, r.work()).to_owned(),
            1 => setup.size = Some(whole(&mut r)?),
            2 => {
                let mut packs = Vec::new();
                r.items(|r, _| {
                    let (mut name, mut size) = (None, None);
                    let seen = r.fields(PACK, Unknown::Skip, |r, f| {
                        match f {
                            // As the orders flow reads a pack property (`uom::pack_selection`):
                            // what a buyer sees, so "Case of 50 " is the pack "Case of 50".
                            0 => name = Some(visible(&r.string()?, r.work()).into_owned()),
                            _ => size = Some(r.u32()?),
                        }
                        Ok(())
                    })?;
                    seen.require(PACK, &[0, 1])?;
                    packs.push((name.unwrap_or_default(), size.unwrap_or_default()));
                    Ok(())
                })
                .map_err(|e| format!("`packs`: {}", e.message))?;
                if packs.iter().any(|(_, size)| *size == 0) {
                    return Err("has a pack of size 0".into());
                }
                if packs.iter().any(|(name, _)| name.is_empty()) {
                    return Err(
                        "has a pack whose name is blank: an order naming it would be held (PACK_UNREADABLE)".into()
                    );
                }
                setup.packs = packs;
            }
            3 => rule.pack_size = Some(whole(&mut r)?),
            4 => rule.min = Some(whole(&mut r)?),
            _ => rule.max = Some(whole(&mut r)?),
        }
    }
    let seen = members.seen(&r);
    if !seen.has(0) || setup.sku.is_empty() {
        return Err("has no `sku`".into());
    }
    if seen.has(3) || seen.has(4) || seen.has(5) {
        setup.rule = Some(rule);
    }
    Ok(setup)
}

const ENTRY_NAMES: [&str; 6] = ["sku", "size", "packs", "packSize", "min", "max"];

/// The rules for one SparkLayer SKU.
fn check(profile: &Profile, setup: &Setup, at: &str, findings: &mut Findings) {
    let reference = &profile.reference;
    let sku = setup.sku.as_str();
    let mut discontinued_said = BTreeSet::new();
    let mut discontinued = |variant: usize, pointer: String, sold: &str, findings: &mut Findings| {
        let v = reference.variant_at(variant);
        if v.discontinued && discontinued_said.insert(variant) {
            findings.push(Issue::new(
                Code::CATALOG_VARIANT_DISCONTINUED,
                pointer,
                format!(
                    "SparkLayer still sells {sold}, which depletes OrderWise variant {}, discontinued in OrderWise: stop selling it in SparkLayer, or reinstate the variant",
                    reference.code_of(v)
                ),
            ));
        }
    };
    // The SKU sold as itself: a case unit, else a variant code.
    let itself = match reference.unit(sku, None) {
        Some(unit) => Some((reference.variant_index_of(unit), unit.multiplier)),
        None => reference.variant_index(sku).map(|v| (v, 1)),
    };
    // A SKU the profile maps only through its packs (`units[]` with this SKU
    // and a `pack`): an order that names a pack maps (the packs are checked
    // below); one without a pack would be held. Whether SparkLayer sells it
    // singly the set-up does not say, so this is said, not alarmed.
    let mapped_packs: Vec<&str> = setup
        .packs
        .iter()
        .filter(|(name, _)| reference.unit(sku, Some(name)).is_some())
        .map(|(name, _)| name.as_str())
        .collect();
    match itself {
        None if !mapped_packs.is_empty() => findings.push(Issue::new(
            Code::CATALOG_SKU_PACKS_ONLY,
            format!("{at}/sku"),
            format!(
                "SKU {sku} is mapped only through its packs ({}): an order that names one maps, one without a pack would be held (SKU_UNKNOWN); if SparkLayer sells it singly too, add a unit with this SKU and no pack",
                mapped_packs.iter().map(|p| format!("{p:?}")).collect::<Vec<_>>().join(", ")
            ),
        )),
        None => findings.push(Issue::new(
            Code::CATALOG_SKU_UNMAPPED,
            format!("{at}/sku"),
            format!(
                "SparkLayer sells SKU {sku}{}, but it is no OrderWise variant and no case unit in the profile: its first order will be held (SKU_UNKNOWN); create or map it in OrderWise and the profile",
                setup.size.map(|s| format!(" (a unit of {s})")).unwrap_or_default()
            ),
        )),
        Some((variant, multiplier)) => {
            if let Some(size) = setup.size.filter(|&s| s != multiplier) {
                findings.push(Issue::new(
                    Code::CATALOG_PACK_SIZE_MISMATCH,
                    format!("{at}/size"),
                    format!(
                        "SparkLayer sells SKU {sku} as a unit of {size}, but OrderWise's unit for it is {multiplier} × {}: orders would book the wrong number of eaches; agree the size on both sides",
                        reference.code_of(reference.variant_at(variant))
                    ),
                ));
            }
            discontinued(variant, format!("{at}/sku"), &format!("SKU {sku}"), findings);
            if let Some(rule) = setup.rule {
                let held = reference.quantity_rule(sku, None).unwrap_or_default();
                if held != rule {
                    findings.push(Issue::new(
                        Code::CATALOG_RULE_STALE,
                        at.to_owned(),
                        format!(
                            "SKU {sku}: SparkLayer's quantity rule is {}, the profile holds {}: orders are checked against a stale rule; update the profile's `rule`",
                            show_rule(rule),
                            show_rule(held)
                        ),
                    ));
                }
            }
        }
    }
    for (k, (name, size)) in setup.packs.iter().enumerate() {
        let pointer = format!("{at}/packs/{k}");
        match reference.unit(sku, Some(name)) {
            None => findings.push(Issue::new(
                Code::CATALOG_PACK_UNMAPPED,
                format!("{pointer}/name"),
                format!(
                    "SparkLayer offers SKU {sku} in pack {name:?} ({size}), with no OrderWise unit of measure in the profile: its first order will be held (UOM_UNMAPPED); add {{sku, pack, multiplier}} to the variant it depletes"
                ),
            )),
            Some(unit) => {
                let variant = reference.variant_index_of(unit);
                if unit.multiplier != *size {
                    findings.push(Issue::new(
                        Code::CATALOG_PACK_SIZE_MISMATCH,
                        format!("{pointer}/size"),
                        format!(
                            "SparkLayer's pack {name:?} on SKU {sku} holds {size}, OrderWise's unit holds {} × {}: orders would book {} eaches a pack instead of {size}; agree the size on both sides",
                            unit.multiplier,
                            reference.code_of(reference.variant_at(variant)),
                            unit.multiplier
                        ),
                    ));
                }
                discontinued(variant, format!("{pointer}/name"), &format!("SKU {sku} in pack {name:?}"), findings);
            }
        }
    }
}

fn show_rule(rule: QuantityRule) -> String {
    let part = |name: &str, v: Option<u32>| v.map(|v| format!("{name} {v}"));
    let parts: Vec<String> = [part("packSize", rule.pack_size), part("min", rule.min), part("max", rule.max)]
        .into_iter()
        .flatten()
        .collect();
    if parts.is_empty() {
        "none".to_owned()
    } else {
        parts.join(", ")
    }
}
