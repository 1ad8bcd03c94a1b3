//! SparkLayer B2B order -> OrderWise sales order: the bridge's domain core.
//!
//! Plain Rust that builds natively (unit and property tests) and for
//! `wasm32-wasip2` (the component); `glue.rs` is the only WIT-aware file.

pub mod address;
pub mod delivery;
pub mod issues;
pub mod lines;
pub mod money;
pub mod order;
pub mod outcome;
pub mod owapi;
pub mod payment;
pub mod po;
pub mod pointer;
pub mod pricing;
pub mod profile;
pub mod shopify;
pub mod totals;
pub mod uom;

#[cfg(target_arch = "wasm32")]
mod glue;

pub use order::map_order;
pub use outcome::{Outcome, Status};
pub use profile::{Profile, ProfileError};
