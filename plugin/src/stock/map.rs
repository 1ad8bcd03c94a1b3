//! One stock call, rule by rule: read the export (refused whole if broken),
//! read SparkLayer's current levels, resolve each row to a variant and a
//! SparkLayer location, merge duplicates, make whole levels per SparkLayer
//! SKU, find missing rows in a full export, compare with SparkLayer for
//! deltas and drift, and page the requests.

use crate::profile::Profile;
use crate::shared::issues::{Code, Issue};
use crate::shared::pointer::indexed;
use crate::stock::current::{self, key, Current};
use crate::stock::drift::{describe, difference, drifted, percent_of};
use crate::stock::export::{self, Format, Stated};
use crate::stock::levels::{merge, whole, Merge};
use crate::stock::outcome::{Findings, LocationCount, Status, StockOutcome};
use crate::stock::packs::{skus_of, units_shown};
use crate::stock::range::SkuRange;
use crate::stock::request::{self, Entry};
use crate::stock::settings::{ExportKind, Settings};
use rust_decimal::Decimal;

/// One stock call's input (mirrors the WIT `stock-input`).
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    pub export: &'a str,
    pub format: Format,
    pub current: Option<&'a str>,
    pub range: &'a SkuRange,
}

/// A readable row placed: the variant (position in the reference data) and
/// the SparkLayer location (position in the settings' `locations`).
#[derive(Debug, Clone, Copy)]
struct Placed {
    variant: u32,
    location: u32,
    free: Decimal,
    row: u32,
}

/// A level to send, before the comparison with SparkLayer: keyed by (SKU rank, location).
#[derive(Debug, Clone, Copy)]
struct Level {
    key: u64,
    level: u64,
    clamped: bool,
    missing: Missing,
}

/// Whether a level stands for a full export's missing row, and if so whether 0 is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Missing {
    No,
    SentAsZero,
    NotSent,
}

/// Maps one export (or one range of it). Deterministic: the same profile and
/// input give the same outcome, byte for byte.
pub fn map_stock(profile: &Profile, input: Input) -> StockOutcome {
    let Some(settings) = profile.stock.as_ref() else {
        return StockOutcome::rejected(
            0,
            Issue::new(
                Code::STOCK_NOT_CONFIGURED,
                "",
                "the tenant profile has no `stock` section: the export kind and the location map must be set before any level is sent",
            ),
        );
    };
    let mut findings = Findings::default();
    let export = match export::read(input.export, input.format, &mut findings) {
        Ok(export) => export,
        Err(issue) => return StockOutcome::rejected(0, issue),
    };
    let rows = u32::try_from(export.read).unwrap_or(u32::MAX);
    if settings.export == ExportKind::Full && export.read == 0 {
        let why = format!(
            "a full export with no rows for {} would leave every SKU without stock: the export definition returned nothing (or the wrong kind is set); nothing is sent",
            input.range.describe()
        );
        return StockOutcome::rejected(rows, Issue::new(Code::STOCK_EXPORT_INVALID, "/export", why));
    }
    let current = match input.current {
        Some(text) => match current::read(text, profile, settings, input.range, &mut findings) {
            Ok(current) => Some(current),
            Err(issue) => return StockOutcome::rejected(rows, issue),
        },
        None => None,
    };

    let mut placed = place(profile, settings, input.range, &export.rows, &mut findings);
    let unreadable = Unreadable::of(profile, settings, &export);
    drop(export);
    let mut levels = Vec::with_capacity(placed.len() + placed.len() / 4);
    merge_and_convert(profile, settings, &mut placed, &mut levels, &mut findings);
    if settings.export == ExportKind::Full {
        if let Err(issue) = missing(profile, settings, input.range, &placed, &unreadable, &mut levels, &mut findings) {
            return StockOutcome::rejected(rows, issue);
        }
    }
    let (entries, locations) = compare(profile, settings, levels, current.as_ref(), &mut findings);
    StockOutcome {
        status: Status::Ready,
        requests: request::pages(&entries, settings),
        rows,
        locations,
        issues: findings.finish(),
    }
}

/// Each row's variant and SparkLayer location; rows that have none are findings.
fn place(
    profile: &Profile,
    settings: &Settings,
    range: &SkuRange,
    rows: &[export::Row],
    findings: &mut Findings,
) -> Vec<Placed> {
    let reference = &profile.reference;
    let mut placed = Vec::with_capacity(rows.len());
    for row in rows {
        if !range.contains(&row.sku) {
            findings.push_with(Code::STOCK_ROW_INVALID, || Issue::new(
                Code::STOCK_ROW_INVALID,
                row.pointer(),
                format!(
                    "{} ({}) is outside the part of the export this call covers ({}); skipped here: the host pages the export by variant code",
                    row.place(),
                    row.sku,
                    range.describe()
                ),
            ));
            continue;
        }
        let Some(variant) = reference.variant_index(&row.sku) else {
            let padded =
                if row.sku.trim() != row.sku { " (it has surrounding spaces; codes match exactly)" } else { "" };
            let case = if reference.unit(&row.sku, None).is_some() {
                " (it is a case SKU: OrderWise exports the each it is cut from)"
            } else {
                ""
            };
            findings.push_with(Code::STOCK_SKU_UNKNOWN, || {
                Issue::new(
                    Code::STOCK_SKU_UNKNOWN,
                    format!("{}/sku", row.pointer()),
                    format!(
                    "{}: {} is not an OrderWise variant in the profile{padded}{case}; its free stock {} is not sent",
                    row.place(),
                    row.sku,
                    row.free_stock.normalize()
                ),
                )
            });
            continue;
        };
        let Some(orderwise) = row.location.or(settings.export_location_id) else {
            findings.push_with(Code::STOCK_ROW_INVALID, || Issue::new(
                Code::STOCK_ROW_INVALID,
                row.pointer(),
                format!(
                    "{} ({}) has no StocklocationId and the settings name no `exportLocationId` for such rows; skipped, never sent to a default location",
                    row.place(),
                    row.sku
                ),
            ));
            continue;
        };
        let Some(location) = settings.location_index(orderwise) else {
            findings.push_with(Code::STOCK_LOCATION_UNMAPPED, || Issue::new(
                Code::STOCK_LOCATION_UNMAPPED,
                format!("{}/StocklocationId", row.pointer()),
                format!(
                    "{}: {} has free stock {} at OrderWise stock location {orderwise}, which the settings map to no SparkLayer location; not sent (never to a default location)",
                    row.place(),
                    row.sku,
                    row.free_stock.normalize()
                ),
            ));
            continue;
        };
        placed.push(Placed {
            variant: variant as u32,
            location: location as u32,
            free: row.free_stock,
            row: row.index as u32,
        });
    }
    placed
}

/// Merges rows per (variant, location) and turns each into a level per SparkLayer SKU.
fn merge_and_convert(
    profile: &Profile,
    settings: &Settings,
    placed: &mut [Placed],
    levels: &mut Vec<Level>,
    findings: &mut Findings,
) {
    let reference = &profile.reference;
    placed.sort_unstable_by_key(|p| (p.variant, p.location, p.row));
    let mut values = Vec::new();
    for group in placed.chunk_by(|a, b| a.variant == b.variant && a.location == b.location) {
        let first = group[0];
        let (v, location) = (first.variant as usize, first.location as usize);
        let (free, how) = if group.len() == 1 {
            (first.free, Merge::Single)
        } else {
            values.clear();
            values.extend(group.iter().map(|p| p.free));
            merge(&values)
        };
        let level = whole(free);
        if how != Merge::Single || level.clamped || level.floored {
            // Off the happy path: the findings, with names and pointers.
            let code = reference.code_of(reference.variant_at(v));
            let at = settings.locations[location].sparklayer.label();
            let pointer = indexed("/export", first.row as usize);
            let rows = || group.iter().map(|p| p.row.to_string()).collect::<Vec<_>>().join(", ");
            match how {
                Merge::Single => {}
                Merge::Identical(n) => findings.push_with(Code::STOCK_DUPLICATE_ROWS, || {
                    Issue::new(
                        Code::STOCK_DUPLICATE_ROWS,
                        pointer.clone(),
                        format!(
                            "{code} at {at}: {n} identical rows (rows {}) collapsed into one, free stock {}",
                            rows(),
                            free.normalize()
                        ),
                    )
                }),
                Merge::Conflicting => {
                    let said = values.iter().map(|v| v.normalize().to_string()).collect::<Vec<_>>().join(", ");
                    findings.push_with(Code::STOCK_CONFLICTING_ROWS, || Issue::new(
                        Code::STOCK_CONFLICTING_ROWS,
                        pointer.clone(),
                        format!(
                            "{code} at {at}: rows {} disagree (free stock {said}); the lowest, {}, is used (never the sum, never the higher: no overselling); fix the export definition",
                            rows(),
                            free.normalize()
                        ),
                    ));
                }
            }
            // The row whose figure is used (the lowest of rows that disagree).
            let used = group.iter().find(|p| p.free == free).map_or(first.row, |p| p.row);
            let used = indexed("/export", used as usize);
            if level.clamped {
                findings.push_with(Code::STOCK_NEGATIVE_CLAMPED, || {
                    Issue::new(
                        Code::STOCK_NEGATIVE_CLAMPED,
                        format!("{used}/freeStock"),
                        format!("{code} at {at}: free stock {} is negative; SparkLayer is sent 0", free.normalize()),
                    )
                });
            } else if level.floored {
                findings.push_with(Code::STOCK_FRACTIONAL_FLOORED, || {
                    Issue::new(
                        Code::STOCK_FRACTIONAL_FLOORED,
                        format!("{used}/freeStock"),
                        format!(
                            "{code} at {at}: free stock {} is not whole; rounded down to {}",
                            free.normalize(),
                            level.each
                        ),
                    )
                });
            }
        }
        let mut fed = 0;
        settings.index.skus_of(reference, v, |rank, multiplier| {
            fed += 1;
            let shown = units_shown(level.each, multiplier);
            levels.push(Level { key: key(rank, location), level: shown, clamped: level.clamped, missing: Missing::No });
        });
        if fed == 0 {
            // Prevents: a row vanishing with no word. The variant's own code is
            // a case SKU of another variant in the profile (a unit wins, as in the
            // orders flow), and it has no cases of its own, so it feeds no SKU.
            let code = reference.code_of(reference.variant_at(v));
            let each = reference.unit(code, None).map_or(code, |u| reference.code_of(reference.variant_of(u)));
            let at = settings.locations[location].sparklayer.label();
            findings.push_with(Code::STOCK_VARIANT_IS_A_CASE, || {
                Issue::new(
                    Code::STOCK_VARIANT_IS_A_CASE,
                    indexed("/export", first.row as usize),
                    format!(
                        "{code} at {at}: free stock {} is not sent: the profile also maps SparkLayer SKU {code} as a case of {each}, so its level comes from {each}'s stock; remove that unit or this variant from the profile",
                        free.normalize()
                    ),
                )
            });
        }
    }
}

/// The export's unreadable rows, as `missing` needs them: where a row is
/// there but unreadable, and how many unreadable rows had no SKU that could
/// be read (any variant's, for all we know).
struct Unreadable {
    /// (variant, location index), sorted; `EVERY` location where the row's
    /// location could not be read. Empty in the usual case.
    places: Vec<(u32, u32)>,
    unknown: usize,
}

/// In `Unreadable::places`: the row may have been for any location.
const EVERY: u32 = u32::MAX;

impl Unreadable {
    fn of(profile: &Profile, settings: &Settings, export: &export::Export) -> Unreadable {
        let reference = &profile.reference;
        let mut places = Vec::new();
        for row in &export.unread {
            // A SKU read (codes match exactly) names its variant or none: only a
            // row whose SKU could not be read may be any variant's.
            let Some(v) = reference.variant_index(&row.sku) else { continue };
            // A location that is not mapped (or no location, with no default)
            // would have been skipped had the row been read: it excuses nothing.
            let location = match row.location {
                Stated::At(id) => settings.location_index(id),
                Stated::Unstated => settings.export_location_id.and_then(|id| settings.location_index(id)),
                Stated::Unreadable => Some(EVERY as usize),
            };
            places.extend(location.map(|l| (v as u32, l as u32)));
        }
        places.sort_unstable();
        Unreadable { places, unknown: export.unreadable() - export.unread.len() }
    }

    /// Whether an unreadable row may hold variant `v`'s level at location `l`.
    fn has(&self, v: u32, l: u32) -> bool {
        !self.places.is_empty()
            && (self.places.binary_search(&(v, l)).is_ok() || self.places.binary_search(&(v, EVERY)).is_ok())
    }
}

/// A full export's missing rows: every variant in range (not discontinued)
/// needs a row at every mapped location. Sent as 0 only when the settings
/// say so, and then never when so many are missing that the export looks cut
/// short, nor while some rows could not be read.
///
/// Prevents: a variant whose row is in the export but unreadable (a free
/// stock of "1,440") being called missing and zeroed at the row's location,
/// so that a product in stock stops selling; and the same row hiding the
/// variant's true gap at another location. Its `STOCK_ROW_INVALID` speaks for it; and while an
/// unreadable row's SKU could not be read, no gap can be told from it, so none is zeroed.
fn missing(
    profile: &Profile,
    settings: &Settings,
    range: &SkuRange,
    placed: &[Placed],
    unreadable: &Unreadable,
    levels: &mut Vec<Level>,
    findings: &mut Findings,
) -> Result<(), Issue> {
    let reference = &profile.reference;
    // `placed` is sorted by (variant, location).
    let has = |variant: u32, location: u32| {
        placed.binary_search_by(|p| (p.variant, p.location).cmp(&(variant, location))).is_ok()
    };
    let (mut considered, mut gaps) = (0usize, Vec::new());
    let locations = settings.locations.len() as u32;
    for v in settings.index.variants_in(reference, range.first.as_deref(), range.before.as_deref()) {
        if reference.variant_at(v as usize).discontinued || (0..locations).all(|l| unreadable.has(v, l)) {
            continue;
        }
        considered += 1;
        let gap = |l: u32| !has(v, l) && !unreadable.has(v, l);
        if (0..locations).any(gap) {
            gaps.push((v, (0..locations).filter(|&l| gap(l)).collect::<Vec<u32>>()));
        }
    }
    if gaps.is_empty() {
        return Ok(());
    }
    // The truncation guard holds whenever zeros are asked for, even when this
    // call withholds them for its unreadable rows: an export cut short is
    // refused whole, as it always was.
    let send_zero = settings.send_zero_for_missing && unreadable.unknown == 0;
    if settings.send_zero_for_missing
        && Decimal::from(gaps.len()) * Decimal::ONE_HUNDRED > settings.max_missing_percent * Decimal::from(considered)
    {
        let why = format!(
            "{} of the {considered} variants in {} have no row in this full export, more than the {}% `maxMissingPercent` allows: the export looks cut short, and sending 0 for them would empty the store; nothing is sent",
            gaps.len(),
            range.describe(),
            settings.max_missing_percent.normalize()
        );
        return Err(Issue::new(Code::STOCK_EXPORT_INVALID, "/export", why));
    }
    gaps.sort_unstable_by_key(|(v, _)| *v);
    for (v, absent) in gaps {
        let v = v as usize;
        let code = reference.code_of(reference.variant_at(v));
        let names: Vec<&str> = skus_of(reference, v).iter().map(|s| s.sku).collect();
        let at: Vec<String> = absent.iter().map(|&l| settings.locations[l as usize].sparklayer.label()).collect();
        let unsure;
        let what = if send_zero {
            "sent as 0 (sendZeroForMissing)"
        } else if settings.send_zero_for_missing {
            unsure = format!(
                "not sent as 0 although sendZeroForMissing is set: {} row{} of this export could not be read (STOCK_ROW_INVALID) and may be this variant's; SparkLayer keeps showing its last level until the export reads clean",
                unreadable.unknown,
                if unreadable.unknown == 1 { "" } else { "s" }
            );
            unsure.as_str()
        } else {
            "not sent: SparkLayer keeps showing its last level, which may be stale"
        };
        findings.push_with(Code::STOCK_ROW_MISSING, || {
            Issue::new(
                Code::STOCK_ROW_MISSING,
                "/export",
                format!(
                    "the full export has no row for {code} at {} (SparkLayer SKU {}); {what}",
                    at.join(", "),
                    names.join(", ")
                ),
            )
        });
        let missing = if send_zero { Missing::SentAsZero } else { Missing::NotSent };
        for &location in &absent {
            settings.index.skus_of(reference, v, |rank, _| {
                levels.push(Level { key: key(rank, location as usize), level: 0, clamped: false, missing });
            });
        }
    }
    Ok(())
}

/// Deltas and drift against SparkLayer's current levels; the entries to send and the counts.
fn compare<'p>(
    profile: &'p Profile,
    settings: &'p Settings,
    mut levels: Vec<Level>,
    current: Option<&Current>,
    findings: &mut Findings,
) -> (Vec<Entry<'p>>, Vec<LocationCount>) {
    let reference = &profile.reference;
    let mut counts: Vec<LocationCount> = settings
        .locations
        .iter()
        .map(|l| LocationCount { location: l.sparklayer.label(), ..LocationCount::default() })
        .collect();
    // The request order: SKU (by rank), then location. Never two entries for
    // one (SKU, location), which SparkLayer refuses whole: `skus_of` gives
    // every SKU one variant, so there is none; were there, the lower level
    // would stay (never oversell).
    levels.sort_unstable_by_key(|l| (l.key, l.level));
    levels.dedup_by_key(|l| l.key);
    let mut entries = Vec::with_capacity(levels.len());
    for level in levels {
        let (rank, location) = ((level.key >> 16) as u32, (level.key & 0xFFFF) as usize);
        let count = &mut counts[location];
        if level.missing != Missing::No {
            count.missing += 1;
            if level.missing == Missing::NotSent {
                continue;
            }
        }
        count.clamped += u32::from(level.clamped);
        if let Some((shown, index)) = current.and_then(|c| c.get(level.key)) {
            if i128::from(shown) == i128::from(level.level) {
                count.unchanged += 1;
                continue;
            }
            if let Some(drift) = &settings.drift {
                if drifted(drift, level.level, shown) {
                    count.drifted += 1;
                    findings.push_with(Code::STOCK_DRIFT, || Issue::new(
                        Code::STOCK_DRIFT,
                        indexed("/current", index),
                        format!(
                            "{} at {}: SparkLayer shows {shown}, OrderWise implies {} ({} apart, {}), beyond the drift threshold ({}); the OrderWise level is sent",
                            settings.index.sku(reference, rank),
                            count.location,
                            level.level,
                            difference(level.level, shown),
                            percent_of(level.level, shown),
                            describe(drift)
                        ),
                    ));
                }
            }
        }
        count.sent += 1;
        entries.push(Entry { sku: settings.index.sku(reference, rank), location, level: level.level });
    }
    (entries, counts)
}
