//! The stock flow's settings: the `stock` section of the tenant profile.
//! Which kind of export definition the tenant runs (full or changes only),
//! what a full export's missing rows mean, where OrderWise locations go in
//! SparkLayer, how requests are paged and when a level has drifted.
//! docs/profile.md documents every field.
//!
//! Prevents: a guessed export kind (an absent row read as "unchanged" in a
//! full export hides stale availability; read as 0 in a changes-only export it
//! zeroes the store), stock sent to a default location, and an unpaged request
//! that SparkLayer refuses whole.

use crate::shared::json::{names, Error, Names, Reader, Unknown};
use crate::shared::reference::{read_amount, Reference};
use crate::stock::index::StockIndex;
use rust_decimal::Decimal;

/// What the export definition writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    /// Every stocked variant at every location: a variant with no row is a finding.
    Full,
    /// Only rows that changed since the last run: an absent row means "unchanged".
    ChangesOnly,
}

/// How SparkLayer names a stock location in `batch-update-stock`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SparkLocation {
    /// `stock_location_external_id` (text).
    External(String),
    /// `stock_location_id` (SparkLayer's numeric id).
    Id(u32),
}

impl SparkLocation {
    /// As reports and summaries name it.
    pub fn label(&self) -> String {
        match self {
            SparkLocation::External(e) => e.clone(),
            SparkLocation::Id(id) => id.to_string(),
        }
    }
}

/// One OrderWise stock location and the SparkLayer location it feeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocationMap {
    pub orderwise: u32,
    pub sparklayer: SparkLocation,
}

/// When a level counts as drifted: SparkLayer's current level differs from
/// what OrderWise implies by more than `absolute` units and/or `percent` of
/// the OrderWise level (in the unit SparkLayer shows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    pub absolute: Option<u64>,
    pub percent: Option<Decimal>,
    /// With both thresholds: drifted only when beyond both (`true`, the
    /// default: few false alarms on small and on large levels alike), or
    /// beyond either.
    pub both: bool,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub export: ExportKind,
    /// In a full export, send 0 for a SparkLayer SKU and location with no row (default: not sent).
    pub send_zero_for_missing: bool,
    /// With `send_zero_for_missing`: above this share of the call's variants
    /// missing, the export is taken as truncated and refused (never zeroes).
    pub max_missing_percent: Decimal,
    /// The OrderWise location of rows with no `StocklocationId` (a
    /// single-location export definition); without it such rows are refused.
    pub export_location_id: Option<u32>,
    /// OrderWise location -> SparkLayer location, in the order entries are sorted by.
    pub locations: Vec<LocationMap>,
    /// Entries per `batch-update-stock` request.
    pub page_size: usize,
    pub drift: Option<Drift>,
    /// The catalog in SKU order (built by `link`).
    pub index: StockIndex,
}

/// The largest page: SparkLayer's batch endpoints are for batches, not the catalog in one body.
pub const MAX_PAGE_SIZE: u32 = 10_000;
const DEFAULT_PAGE_SIZE: usize = 500;
const DEFAULT_MAX_MISSING_PERCENT: Decimal = Decimal::from_parts(10, 0, 0, false, 0);

const FIELDS: &Names =
    names!["export", "sendZeroForMissing", "maxMissingPercent", "exportLocationId", "locations", "pageSize", "drift",];
const LOCATION: &Names = names!["stockLocationId", "externalId", "sparkLayerId"];
const DRIFT: &Names = names!["absolute", "percent", "when"];

impl Settings {
    pub fn read(r: &mut Reader) -> Result<Settings, Error> {
        let mut s = Settings {
            export: ExportKind::Full,
            send_zero_for_missing: false,
            max_missing_percent: DEFAULT_MAX_MISSING_PERCENT,
            export_location_id: None,
            locations: Vec::new(),
            page_size: DEFAULT_PAGE_SIZE,
            drift: None,
            index: StockIndex::default(),
        };
        let seen = r.fields_cold(FIELDS, Unknown::Refuse, &mut |r, f| {
            let at = r.offset_of_value();
            match f {
                0 => {
                    s.export = match r.string_cold()?.as_ref() {
                        "full" => ExportKind::Full,
                        "changes-only" => ExportKind::ChangesOnly,
                        other => {
                            return Err(Error::at(
                                at,
                                format!("unknown value {other:?}, expected \"full\" or \"changes-only\""),
                            ))
                        }
                    }
                }
                1 => s.send_zero_for_missing = r.boolean()?,
                2 => {
                    s.max_missing_percent = read_amount(r)?;
                    if s.max_missing_percent < Decimal::ZERO || s.max_missing_percent > Decimal::ONE_HUNDRED {
                        return Err(Error::at(at, "must be a percentage from 0 to 100"));
                    }
                }
                3 if r.null() => {}
                3 => s.export_location_id = Some(r.u32_cold()?),
                4 => s.locations = read_locations(r)?,
                5 => {
                    let n = r.u32_cold()?;
                    if n == 0 || n > MAX_PAGE_SIZE {
                        return Err(Error::at(at, format!("must be from 1 to {MAX_PAGE_SIZE} entries a request")));
                    }
                    s.page_size = n as usize;
                }
                _ if r.null() => {}
                _ => s.drift = Some(read_drift(r)?),
            }
            Ok(())
        })?;
        seen.require(FIELDS, &[0, 4])?;
        Ok(s)
    }

    /// Resolves what the settings name in the reference data. Errors are
    /// (pointer relative to the `stock` section, message).
    pub fn link(&mut self, reference: &Reference) -> Result<(), (String, String)> {
        for (i, l) in self.locations.iter().enumerate() {
            if reference.stock_location(l.orderwise).is_none() {
                let why = format!("stock location {} is not in the reference stockLocations", l.orderwise);
                return Err((format!("/locations/{i}/stockLocationId"), why));
            }
        }
        if let Some(id) = self.export_location_id {
            if !self.locations.iter().any(|l| l.orderwise == id) {
                let why = format!("stock location {id} is not one of the mapped `locations`");
                return Err(("/exportLocationId".to_owned(), why));
            }
        }
        self.index = StockIndex::build(reference);
        Ok(())
    }

    /// The index in `locations` of an OrderWise location.
    pub fn location_index(&self, orderwise: u32) -> Option<usize> {
        self.locations.iter().position(|l| l.orderwise == orderwise)
    }
}

fn read_locations(r: &mut Reader) -> Result<Vec<LocationMap>, Error> {
    let list_at = r.offset_of_value();
    let mut out: Vec<LocationMap> = Vec::new();
    r.items_cold(&mut |r, _| {
        let at = r.offset_of_value();
        let (mut orderwise, mut sparklayer) = (0, None);
        let seen = r.fields_cold(LOCATION, Unknown::Refuse, &mut |r, f| {
            let value_at = r.offset_of_value();
            match f {
                0 => orderwise = r.u32_cold()?,
                1 => {
                    let text = r.string_cold()?;
                    if text.trim().is_empty() || text.trim() != text {
                        return Err(Error::at(
                            value_at,
                            "external ids are matched exactly: no empty values or surrounding spaces",
                        ));
                    }
                    sparklayer = Some(SparkLocation::External(text.into_owned()));
                }
                _ => sparklayer = Some(SparkLocation::Id(r.u32_cold()?)),
            }
            Ok(())
        })?;
        seen.require(LOCATION, &[0])?;
        if seen.has(1) && seen.has(2) {
            return Err(Error::at(at, "give the SparkLayer location once: `externalId` or `sparkLayerId`, not both"));
        }
        let Some(sparklayer) = sparklayer else {
            return Err(Error::at(seen.end, "missing field `externalId` (or `sparkLayerId`): the SparkLayer location"));
        };
        if out.iter().any(|l| l.orderwise == orderwise) {
            return Err(Error::at(at, format!("stock location {orderwise} is mapped twice")));
        }
        if out.iter().any(|l| l.sparklayer == sparklayer) {
            let why = format!(
                "SparkLayer location {} is fed by two OrderWise locations: their stock would overwrite each other",
                sparklayer.label()
            );
            return Err(Error::at(at, why));
        }
        out.push(LocationMap { orderwise, sparklayer });
        Ok(())
    })?;
    if out.is_empty() {
        return Err(Error::at(list_at, "map at least one OrderWise stock location to a SparkLayer location"));
    }
    Ok(out)
}

fn read_drift(r: &mut Reader) -> Result<Drift, Error> {
    let at = r.offset_of_value();
    let mut drift = Drift { absolute: None, percent: None, both: true };
    r.fields_cold(DRIFT, Unknown::Refuse, &mut |r, f| {
        let value_at = r.offset_of_value();
        match f {
            0 => drift.absolute = Some(u64::from(r.u32_cold()?)),
            1 => {
                let p = read_amount(r)?;
                if p <= Decimal::ZERO {
                    return Err(Error::at(value_at, "must be a percentage above 0, e.g. \"20\""));
                }
                drift.percent = Some(p);
            }
            _ => {
                drift.both = match r.string_cold()?.as_ref() {
                    "both" => true,
                    "either" => false,
                    other => {
                        return Err(Error::at(
                            value_at,
                            format!("unknown value {other:?}, expected \"both\" or \"either\""),
                        ))
                    }
                }
            }
        }
        Ok(())
    })?;
    if drift.absolute.is_none() && drift.percent.is_none() {
        return Err(Error::at(at, "give a threshold: `absolute` (units), `percent`, or both"));
    }
    Ok(drift)
}
