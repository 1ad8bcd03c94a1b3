//! The bridge component on a worker fleet over NATS JetStream: orders arrive
//! (webhook or recorded corpus) on a replicated stream, workers map each with
//! the tenant's active component through the harness library, and outcomes and
//! dead letters are stored on their own streams. See docs/deployment.md.

pub mod bench;
pub mod corpus;
pub mod ingest;
pub mod jet;
pub mod local;
pub mod publish;
pub mod status;
pub mod version;
pub mod worker;

/// The order key: the SHA-256 of the payload bytes. A recorded order
/// published twice is one order; an edited order (a different body) is
/// another, even under the same Shopify id, so no edit is ever de-duplicated away.
pub fn order_key(payload: &[u8]) -> String {
    host_harness::cache::sha256_hex(payload)
}
