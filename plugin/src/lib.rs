//! SparkLayer B2B <-> OrderWise: the bridge's domain core.
//!
//! Plain Rust that builds natively (unit and property tests) and for
//! `wasm32-wasip2` (the component); `glue.rs` is the only WIT-aware file.
//!
//! - `shared/`: what every flow uses: money, issue codes, JSON reading and
//!   pointers, and the tenant's reference data.
//! - `profile.rs`: the tenant profile: reference data plus each flow's settings.
//! - `orders/`: SparkLayer order -> OrderWise sales order, one file per rule.
//! - `stock/`: OrderWise stock export -> SparkLayer `batch-update-stock`
//!   requests, drift alerts, and the catalog / pack set-up check.
//! - `reconcile/`: month-end reconciliation of SparkLayer orders, the bridge's
//!   outcomes and OrderWise's export (run natively by the harness for now).

pub mod orders;
pub mod profile;
pub mod reconcile;
pub mod shared;
pub mod stock;

#[cfg(target_arch = "wasm32")]
mod glue;
#[cfg(target_arch = "wasm32")]
mod no_wasi;
#[cfg(target_arch = "wasm32")]
mod scratch;

pub use orders::map_order;
pub use orders::outcome::{Outcome, Status};
pub use profile::{Profile, ProfileError};
