//! The stock flow: an OrderWise stock export in, SparkLayer
//! `batch-update-stock` requests out (per SparkLayer SKU and location, per
//! pack, deltas only when SparkLayer's current levels are given), with drift
//! alerts; and the catalog and pack set-up check that runs ahead of orders.
//! `map.rs` runs the stock rules in order and `catalog.rs` the set-up check;
//! each other file is one rule or one side of the mapping. docs/stock.md
//! describes the flow.

pub mod catalog;
pub mod current;
pub mod drift;
pub mod export;
pub mod index;
pub mod levels;
pub mod map;
pub mod outcome;
pub mod packs;
pub mod range;
pub mod request;
pub mod settings;

pub use catalog::check_catalog;
pub use map::{map_stock, Input};
