//! The platform's side of the bridge, for local testing: runs a bridge
//! component under the platform's limits, replays recorded payloads of every
//! flow, bakes tenants into components, gates uploads, and reports what happened.

pub mod actions;
pub mod bake;
pub mod batch;
pub mod bench;
pub mod bridge;
pub mod cache;
pub mod check;
pub mod compare;
pub mod corpus;
pub mod diff;
pub mod engine;
pub mod flow;
pub mod html;
pub mod jsonfmt;
pub mod limits;
pub mod reconcile;
pub mod reconcile_corpus;
pub mod replay;
pub mod report;
pub mod sandbox;
pub mod stock;
pub mod tenant;

pub use bridge::Bridge;
pub use flow::Flow;
pub use limits::Limits;
pub use report::{Failure, Metrics, Outcome, RunReport};
