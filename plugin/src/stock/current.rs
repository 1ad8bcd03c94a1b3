//! The levels SparkLayer shows now (what `batch-update-stock` last set, as
//! the platform read it back), for deltas and drift.
//!
//! Prevents: sending 100,000 unchanged levels every 15 minutes (a
//! 50,000-variant tenant with 40 changes sends 40 entries), and drift going
//! unmeasured. A current-levels document that cannot be read is refused whole
//! (`STOCK_CURRENT_INVALID`, nothing sent: the platform reads it again); one
//! unreadable entry is skipped, and its level is then sent as if SparkLayer
//! showed none, which is never wrong.

use crate::profile::Profile;
use crate::shared::issues::{Code, Issue, Severity};
use crate::shared::json::{names, Kind, Names, Reader, Unknown};
use crate::shared::pointer::{indexed, pointer_at_offset};
use crate::stock::packs::variant_of_sku;
use crate::stock::range::SkuRange;
use crate::stock::settings::{Settings, SparkLocation};
use crate::stock::outcome::Findings;
use std::borrow::Cow;

/// SparkLayer's current level of one SKU at one location.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Level<'a> {
    sku: Cow<'a, str>,
    location: usize,
    level: i64,
    index: usize,
}

/// The current levels in range, looked up by (SKU, location).
#[derive(Debug, Default)]
pub struct Current<'a> {
    levels: Vec<Level<'a>>,
}

impl Current<'_> {
    /// SparkLayer's level and the entry's position in the document.
    pub fn get(&self, sku: &str, location: usize) -> Option<(i64, usize)> {
        self.levels
            .binary_search_by(|l| (l.sku.as_bytes(), l.location).cmp(&(sku.as_bytes(), location)))
            .ok()
            .map(|i| (self.levels[i].level, self.levels[i].index))
    }
}

const ENTRY: &Names = names!["sku", "stock_level", "stock_location_id", "stock_location_external_id"];

/// Reads the current levels; `Err` is the rejection.
pub fn read<'a>(
    text: &'a str,
    profile: &Profile,
    settings: &Settings,
    range: &SkuRange,
    findings: &mut Findings,
) -> Result<Current<'a>, Issue> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let refuse = |pointer: String, why: &str| {
        Issue::new(
            Code::STOCK_CURRENT_INVALID,
            pointer,
            format!("SparkLayer's current levels cannot be read: {why}; nothing is sent (read them again and resend)"),
        )
    };
    let mut r = Reader::new(text);
    if r.kind() != Kind::Array {
        return Err(refuse("/current".into(), &format!("expected a JSON array of levels, found {}", r.kind().name())));
    }
    let mut current = Current::default();
    let walked = r.items(|r, index| {
        let start = r.offset_of_value();
        r.skip()?;
        match entry(&text[start..r.offset()], index, settings) {
            Ok(Some(level)) => current.levels.push(level),
            Ok(None) => {}
            Err(why) => {
                let issue = Issue::new(
                    Code::STOCK_CURRENT_INVALID,
                    indexed("/current", index),
                    format!("SparkLayer level {index} {why}; skipped, so that SKU's level is sent whatever it shows"),
                );
                findings.push(issue.with_severity(Severity::Warning));
            }
        }
        Ok(())
    });
    let located = |e: crate::shared::json::Error| refuse(format!("/current{}", pointer_at_offset(text, e.offset)), &e.message);
    walked.map_err(located)?;
    r.end().map_err(located)?;

    // Only what this call covers; a SKU no variant or case gives stock to is stale.
    let reference = &profile.reference;
    current.levels.retain(|l| match variant_of_sku(reference, &l.sku) {
        Some(v) => range.contains(reference.code_of(reference.variant_at(v))),
        None => {
            if range.contains(&l.sku) {
                findings.push(Issue::new(
                    Code::STOCK_SKU_UNKNOWN,
                    indexed("/current", l.index),
                    format!(
                        "SparkLayer shows {} of SKU {} at {}, but no OrderWise variant or case SKU in the profile is that SKU: its availability is never updated",
                        l.level,
                        l.sku,
                        settings.locations[l.location].sparklayer.label()
                    ),
                ));
            }
            false
        }
    });
    current.levels.sort_by(|a, b| (a.sku.as_bytes(), a.location, a.index).cmp(&(b.sku.as_bytes(), b.location, b.index)));
    // SparkLayer holds one level per SKU and location; should the document list two, the first counts.
    current.levels.dedup_by(|later, kept| later.sku == kept.sku && later.location == kept.location);
    Ok(current)
}

/// One entry; `Ok(None)` for a level at a SparkLayer location the settings do not feed.
fn entry<'a>(text: &'a str, index: usize, settings: &Settings) -> Result<Option<Level<'a>>, String> {
    let mut r = Reader::new(text);
    let (mut sku, mut level, mut location) = (None, None, None);
    let mut members = r.object(ENTRY, Unknown::Skip).map_err(|e| format!("is not an object: {}", e.message))?;
    while let Some(f) = members.next(&mut r).map_err(|e| e.message.clone())? {
        match f {
            0 => sku = Some(r.string().map_err(|e| format!("sku: {}", e.message))?),
            1 => {
                let n = r.number().map_err(|e| format!("stock_level: {}", e.message))?;
                let whole = n.strip_prefix('-').unwrap_or(n);
                if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(format!("has stock_level {n}, not a whole number"));
                }
                level = Some(n.parse::<i64>().map_err(|_| format!("has stock_level {n}, beyond any level"))?);
            }
            2 => location = Some(SparkLocation::Id(r.u32().map_err(|e| format!("stock_location_id: {}", e.message))?)),
            _ => location = Some(SparkLocation::External(r.string().map_err(|e| format!("stock_location_external_id: {}", e.message))?.into_owned())),
        }
    }
    let seen = members.seen(&r);
    if seen.has(2) && seen.has(3) {
        return Err("names its location twice (stock_location_id and stock_location_external_id)".into());
    }
    let (Some(sku), Some(level), Some(location)) = (sku, level, location) else {
        return Err("needs sku, stock_level and a stock location".into());
    };
    Ok(settings
        .locations
        .iter()
        .position(|l| l.sparklayer == location)
        .map(|location| Level { sku, location, level, index }))
}
