//! The orders flow: a SparkLayer (Shopify) order in, an OrderWise sales order
//! (or the reasons it is held) out. `order.rs` runs the rules in order; each
//! other file is one rule or one side of the mapping.

pub mod address;
pub mod currency;
pub mod delivery;
pub mod edits;
pub mod lifecycle;
pub mod lines;
pub mod order;
pub mod outcome;
pub mod owapi;
pub mod payment;
pub mod po;
pub mod pricing;
pub mod settings;
pub mod shopify;
pub mod totals;
pub mod uom;
pub mod vat;

pub use order::map_order;
