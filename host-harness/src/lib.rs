//! The platform's side of the bridge, for local testing: runs a bridge
//! component under the platform's limits, replays recorded orders, and
//! reports what happened.

pub mod batch;
pub mod bench;
pub mod bridge;
pub mod cache;
pub mod check;
pub mod corpus;
pub mod diff;
pub mod engine;
pub mod jsonfmt;
pub mod limits;
pub mod replay;
pub mod report;
pub mod sandbox;

pub use bridge::Bridge;
pub use limits::Limits;
pub use report::{Failure, Metrics, Outcome, RunReport};
