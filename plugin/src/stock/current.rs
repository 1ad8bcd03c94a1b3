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
use crate::shared::pointer::{indexed, pointer_of};
use crate::stock::outcome::Findings;
use crate::stock::range::SkuRange;
use crate::stock::settings::{Settings, SparkLocation};

/// SparkLayer's level of one SKU (by rank) at one location, keyed as `map` keys levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Level {
    key: u64,
    level: i64,
    index: usize,
}

/// The key of a (SKU rank, location) pair: sorts as the requests are sorted.
pub fn key(rank: u32, location: usize) -> u64 {
    (u64::from(rank) << 16) | location as u64
}

/// The current levels in range, looked up by (SKU rank, location) key.
#[derive(Debug, Default)]
pub struct Current {
    levels: Vec<Level>,
}

impl Current {
    /// SparkLayer's level and the entry's position in the document.
    pub fn get(&self, key: u64) -> Option<(i64, usize)> {
        self.levels.binary_search_by_key(&key, |l| l.key).ok().map(|i| (self.levels[i].level, self.levels[i].index))
    }
}

const ENTRY: &Names = names!["sku", "stock_level", "stock_location_id", "stock_location_external_id"];

/// Reads the current levels; `Err` is the rejection.
pub fn read(
    text: &str,
    profile: &Profile,
    settings: &Settings,
    range: &SkuRange,
    findings: &mut Findings,
) -> Result<Current, Issue> {
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
    let reference = &profile.reference;
    let mut current = Current::default();
    let walked = r.items(|r, index| {
        let start = r.offset_of_value();
        r.skip()?;
        let (sku, location, level) = match entry(&text[start..r.offset()], settings) {
            Ok(Some(found)) => found,
            // A SparkLayer location the settings do not feed: not the bridge's.
            Ok(None) => return Ok(()),
            Err(why) => {
                let issue = Issue::new(
                    Code::STOCK_CURRENT_INVALID,
                    indexed("/current", index),
                    format!("SparkLayer level {index} {why}; skipped, so that SKU's level is sent whatever it shows"),
                );
                findings.push(issue.with_severity(Severity::Warning));
                return Ok(());
            }
        };
        match settings.index.rank_of(reference, &sku) {
            // Only what this call covers: a case SKU goes with its variant.
            Some((rank, v)) if range.contains(reference.code_of(reference.variant_at(v))) => {
                current.levels.push(Level { key: key(rank, location), level, index });
            }
            Some(_) => {}
            None if range.contains(&sku) => findings.push(Issue::new(
                Code::STOCK_SKU_UNKNOWN,
                indexed("/current", index),
                format!(
                    "SparkLayer shows {level} of SKU {sku} at {}, but no OrderWise variant or case SKU in the profile is that SKU: its availability is never updated",
                    settings.locations[location].sparklayer.label()
                ),
            )),
            None => {}
        }
        Ok(())
    });
    let located = |e: crate::shared::json::Error| refuse(format!("/current{}", pointer_of(text, &e, &[])), &e.message);
    walked.map_err(located)?;
    r.end().map_err(located)?;
    current.levels.sort_unstable_by_key(|l| (l.key, l.index));
    // SparkLayer holds one level per SKU and location; should the document list two, the first counts.
    current.levels.dedup_by_key(|l| l.key);
    Ok(current)
}

/// One entry: (SKU, location position, level); `Ok(None)` for a level at a
/// SparkLayer location the settings do not feed.
fn entry<'a>(text: &'a str, settings: &Settings) -> Result<Option<(std::borrow::Cow<'a, str>, usize, i64)>, String> {
    let mut r = Reader::new(text);
    let (mut sku, mut level, mut location) = (None, None, None);
    let mut members = r.object(ENTRY, Unknown::Skip).map_err(|e| format!("is not an object: {}", e.message))?;
    while let Some(f) = members.next(&mut r).map_err(|e| e.message.clone())? {
        match f {
            0 => sku = Some(r.string().map_err(|e| format!("sku: {}", e.message))?),
            1 => {
                let n = r.number().map_err(|e| format!("stock_level: {}", e.message))?;
                let digits = n.strip_prefix('-').unwrap_or(n);
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(format!("has stock_level {n}, not a whole number"));
                }
                level = Some(n.parse::<i64>().map_err(|_| format!("has stock_level {n}, beyond any level"))?);
            }
            2 => location = Some(Err(r.u32().map_err(|e| format!("stock_location_id: {}", e.message))?)),
            _ => location = Some(Ok(r.string().map_err(|e| format!("stock_location_external_id: {}", e.message))?)),
        }
    }
    let seen = members.seen(&r);
    if seen.has(2) && seen.has(3) {
        return Err("names its location twice (stock_location_id and stock_location_external_id)".into());
    }
    let (Some(sku), Some(level), Some(location)) = (sku, level, location) else {
        return Err("needs sku, stock_level and a stock location".into());
    };
    // An external id (text) or SparkLayer's numeric id, compared without copying.
    let at = settings.locations.iter().position(|l| match (&l.sparklayer, &location) {
        (SparkLocation::External(a), Ok(b)) => a == b,
        (SparkLocation::Id(a), Err(b)) => a == b,
        _ => false,
    });
    Ok(at.map(|at| (sku, at, level)))
}
