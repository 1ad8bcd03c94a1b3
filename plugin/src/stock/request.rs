//! The body of SparkLayer's `batch-update-stock`, and its paging.
//!
//! Prevents: SparkLayer refusing a whole request (it answers 400 when one
//! (SKU, location) pair appears twice), a request too large for one POST, and
//! request bodies that differ from run to run for the same stock (entries are
//! sorted by SKU, then location in the settings' order).

use crate::shared::write::{member, Member, Writer};
use crate::stock::settings::{Settings, SparkLocation};

/// One level to send: a SparkLayer SKU at a SparkLayer location (an index into `Settings::locations`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry<'p> {
    pub sku: &'p str,
    pub location: usize,
    pub level: u64,
}

// SparkLayer's field names [doc] (domain brief §6), in one place.
const SKU: Member = member!("sku");
const STOCK_LEVEL: Member = member!("stock_level");
const LOCATION_ID: Member = member!("stock_location_id");
const LOCATION_EXTERNAL_ID: Member = member!("stock_location_external_id");

/// The request bodies: JSON arrays of at most `page_size` entries.
pub fn pages(entries: &[Entry], settings: &Settings) -> Vec<String> {
    entries
        .chunks(settings.page_size)
        .map(|page| {
            let mut w = Writer::with_capacity(page.len() * 80);
            w.begin_array();
            for e in page {
                w.begin_object();
                w.key(SKU).string(e.sku);
                w.key(STOCK_LEVEL).uint(e.level);
                match &settings.locations[e.location].sparklayer {
                    SparkLocation::External(id) => w.key(LOCATION_EXTERNAL_ID).string(id),
                    SparkLocation::Id(id) => w.key(LOCATION_ID).uint(u64::from(*id)),
                };
                w.end_object();
            }
            w.end_array();
            w.finish()
        })
        .collect()
}
