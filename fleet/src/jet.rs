//! Names and set-up: the streams, the consumer, the buckets, and connecting.

use anyhow::{Context, Result};
use async_nats::jetstream::{self, consumer, kv, object_store, stream};
use std::time::Duration;

/// Orders as received, one subject per tenant: `orders.<tenant>`.
pub const ORDERS: &str = "ORDERS";
/// Outcomes by status and owner: `outcomes.ready`, `outcomes.review.finance`, `outcomes.rejected`.
pub const OUTCOMES: &str = "OUTCOMES";
/// Orders the platform stopped deterministically, or that kept failing: `deadletter.<tenant>`.
pub const DEAD_LETTERS: &str = "DEADLETTERS";
/// The workers' shared durable pull consumer on `ORDERS`.
pub const CONSUMER: &str = "workers";
/// KV: tenant -> the active version (component and profile digests).
pub const VERSIONS: &str = "versions";
/// KV: worker name -> what it runs and why it refused a version.
pub const WORKERS: &str = "workers";
/// Object store: component and profile bytes, named by their SHA-256.
pub const ARTIFACTS: &str = "artifacts";

/// The header carrying the order key (the SHA-256 of the payload), whatever
/// the message's `Nats-Msg-Id` (a webhook's id, for ingest).
pub const ORDER_KEY: &str = "Fleet-Order-Key";

pub fn order_subject(tenant: &str) -> String {
    format!("orders.{tenant}")
}

/// A tenant name is one subject token and one KV key: letters, digits, `-`, `_`.
pub fn valid_tenant(tenant: &str) -> Result<()> {
    let ok = !tenant.is_empty()
        && tenant.len() <= 64
        && tenant.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    anyhow::ensure!(ok, "tenant {tenant:?} must be 1-64 letters, digits, '-' or '_'");
    Ok(())
}

pub async fn connect(servers: &str, name: &str) -> Result<jetstream::Context> {
    let client = async_nats::ConnectOptions::new()
        .name(name)
        // A server going away is routine in a cluster: keep trying the others.
        .retry_on_initial_connect()
        .max_reconnects(None)
        .connect(servers.split(',').map(str::trim).collect::<Vec<_>>())
        .await
        .with_context(|| format!("connecting to NATS at {servers}"))?;
    Ok(jetstream::new(client))
}

/// What `setup` creates.
#[derive(Debug, Clone)]
pub struct Settings {
    pub replicas: usize,
    /// How long a `Nats-Msg-Id` is remembered for de-duplication.
    pub dedup_window: Duration,
    /// How long orders, outcomes and dead letters are kept.
    pub max_age: Duration,
    /// Deliveries of one order before it is given up (then dead-lettered).
    pub max_deliver: i64,
    /// How long a worker may hold an order unacknowledged before it is redelivered.
    pub ack_wait: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            replicas: 3,
            dedup_window: Duration::from_secs(600),
            max_age: Duration::from_secs(7 * 24 * 3600),
            max_deliver: 5,
            ack_wait: Duration::from_secs(30),
        }
    }
}

/// Creates (or updates) the streams, the consumer and the buckets.
pub async fn setup(js: &jetstream::Context, s: &Settings) -> Result<()> {
    for (name, subject) in [(ORDERS, "orders.>"), (OUTCOMES, "outcomes.>"), (DEAD_LETTERS, "deadletter.>")] {
        js.create_or_update_stream(stream::Config {
            name: name.into(),
            subjects: vec![subject.into()],
            // Limits, not work-queue, retention: an acknowledged order stays
            // for audit and replay until it ages out.
            retention: stream::RetentionPolicy::Limits,
            storage: stream::StorageType::File,
            num_replicas: s.replicas,
            duplicate_window: s.dedup_window,
            max_age: s.max_age,
            ..Default::default()
        })
        .await
        .with_context(|| format!("creating stream {name}"))?;
    }
    let orders = js.get_stream(ORDERS).await.context("opening stream ORDERS")?;
    let config = consumer::pull::Config {
        durable_name: Some(CONSUMER.into()),
        ack_policy: consumer::AckPolicy::Explicit,
        ack_wait: s.ack_wait,
        max_deliver: s.max_deliver,
        max_ack_pending: 10_000,
        num_replicas: s.replicas,
        ..Default::default()
    };
    if orders.consumer_info(CONSUMER).await.is_ok() {
        js.update_consumer_on_stream(config, ORDERS).await.context("updating the workers' consumer")?;
    } else {
        orders.create_consumer(config).await.context("creating the workers' consumer")?;
    }
    for (bucket, history) in [(VERSIONS, 20), (WORKERS, 1)] {
        if js.get_key_value(bucket).await.is_err() {
            js.create_key_value(kv::Config {
                bucket: bucket.into(),
                history,
                num_replicas: s.replicas,
                storage: stream::StorageType::File,
                ..Default::default()
            })
            .await
            .with_context(|| format!("creating key-value bucket {bucket}"))?;
        }
    }
    if js.get_object_store(ARTIFACTS).await.is_err() {
        js.create_object_store(object_store::Config {
            bucket: ARTIFACTS.into(),
            num_replicas: s.replicas,
            storage: stream::StorageType::File,
            ..Default::default()
        })
        .await
        .context("creating object store artifacts")?;
    }
    Ok(())
}

/// A tenant's active version, as the `versions` bucket holds it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Active {
    /// SHA-256 of the component bytes (an object in `artifacts`).
    pub component: String,
    /// SHA-256 of the tenant profile text (an object in `artifacts`).
    pub profile: String,
}

pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let (number, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len()));
    let n: u64 = number.parse().map_err(|_| format!("{text:?} is not a duration like 30s, 500ms, 2m"))?;
    match unit {
        "ms" => Ok(Duration::from_millis(n)),
        "s" | "" => Ok(Duration::from_secs(n)),
        "m" => Ok(Duration::from_secs(n * 60)),
        "h" => Ok(Duration::from_secs(n * 3600)),
        "d" => Ok(Duration::from_secs(n * 86_400)),
        _ => Err(format!("{text:?}: unit must be ms, s, m, h or d")),
    }
}

/// One stored message, as read back.
#[derive(Debug, Clone)]
pub struct Stored {
    pub seq: u64,
    pub subject: String,
    /// When JetStream stored it, Unix ns.
    pub stored_nanos: i128,
    pub payload: bytes::Bytes,
}

/// Every message `stream` holds now, in order (an ordered consumer from the
/// first message to the last sequence at the time of the call).
pub async fn read_all(js: &jetstream::Context, stream: &str) -> Result<Vec<Stored>> {
    let mut handle = js.get_stream(stream).await.with_context(|| format!("opening stream {stream}"))?;
    let state = handle.info().await?.state.clone();
    let mut out = Vec::with_capacity(state.messages as usize);
    if state.messages == 0 {
        return Ok(out);
    }
    let consumer = handle
        .create_consumer(consumer::pull::OrderedConfig {
            deliver_policy: consumer::DeliverPolicy::All,
            ..Default::default()
        })
        .await
        .with_context(|| format!("reading stream {stream}"))?;
    let mut messages = consumer.messages().await?;
    use futures_util::StreamExt;
    while let Some(message) = messages.next().await {
        let message = message.with_context(|| format!("reading stream {stream}"))?;
        let info = message.info().map_err(|e| anyhow::anyhow!("{e}"))?;
        let seq = info.stream_sequence;
        let stored_nanos = info.published.unix_timestamp_nanos();
        out.push(Stored { seq, subject: message.subject.to_string(), stored_nanos, payload: message.payload.clone() });
        if seq >= state.last_sequence {
            break;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_with_their_unit_and_nonsense_is_named() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(7 * 86_400)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5 parsecs").is_err());
    }

    #[test]
    fn tenant_names_are_one_subject_token() {
        assert!(valid_tenant("acme-uk_2").is_ok());
        for bad in ["", "a.b", "a*", "a>", "a b", &"x".repeat(65)] {
            assert!(valid_tenant(bad).is_err(), "{bad:?}");
        }
    }
}
