//! `fleet status`: what the fleet holds and owes.

use crate::jet::{self, Active};
use crate::worker::WorkerRecord;
use anyhow::{Context, Result};
use async_nats::jetstream::Context as Js;
use futures_util::{StreamExt, TryStreamExt};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    /// Messages in `ORDERS` (every distinct order received and not aged out).
    pub orders: u64,
    /// Orders not yet delivered to any worker.
    pub pending: u64,
    /// Delivered and not yet acknowledged (in flight).
    pub ack_pending: u64,
    /// Orders delivered more than once and still unacknowledged.
    pub redelivered: u64,
    pub dead_letters: u64,
    /// Outcomes by subject (`outcomes.ready`, `outcomes.review.finance`, …).
    pub outcomes: BTreeMap<String, u64>,
    pub versions: BTreeMap<String, Active>,
    pub workers: Vec<WorkerRecord>,
}

pub async fn status(js: &Js) -> Result<Status> {
    let mut orders = js.get_stream(jet::ORDERS).await.context("opening stream ORDERS (run `fleet setup`)")?;
    let consumer = orders.consumer_info(jet::CONSUMER).await.context("reading the workers' consumer")?;
    let mut status = Status {
        orders: orders.info().await?.state.messages,
        pending: consumer.num_pending,
        ack_pending: consumer.num_ack_pending as u64,
        redelivered: consumer.num_redelivered as u64,
        ..Status::default()
    };
    let mut dead = js.get_stream(jet::DEAD_LETTERS).await.context("opening stream DEADLETTERS")?;
    status.dead_letters = dead.info().await?.state.messages;
    let outcomes = js.get_stream(jet::OUTCOMES).await.context("opening stream OUTCOMES")?;
    let by_subject = outcomes.info_with_subjects("outcomes.>").await.context("counting outcomes by subject")?;
    status.outcomes = by_subject.map_ok(|(s, n)| (s, n as u64)).try_collect().await?;
    status.versions = crate::version::active(js).await?;
    let workers = js.get_key_value(jet::WORKERS).await.context("opening bucket workers")?;
    let mut keys = workers.keys().await?;
    while let Some(key) = keys.next().await {
        if let Some(value) = workers.get(key?).await? {
            if let Ok(record) = serde_json::from_slice(&value) {
                status.workers.push(record);
            }
        }
    }
    Ok(status)
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let short = host_harness::report::short;
        writeln!(f, "orders stored        {:>9}", self.orders)?;
        writeln!(f, "pending              {:>9}", self.pending)?;
        writeln!(f, "in flight (unacked)  {:>9}", self.ack_pending)?;
        writeln!(f, "redelivered          {:>9}", self.redelivered)?;
        writeln!(f, "dead letters         {:>9}", self.dead_letters)?;
        writeln!(f, "outcomes:")?;
        for (subject, n) in &self.outcomes {
            writeln!(f, "  {subject:<28} {n:>9}")?;
        }
        writeln!(f, "active versions:")?;
        for (tenant, a) in &self.versions {
            writeln!(f, "  {tenant:<16} component {}  profile {}", short(&a.component), short(&a.profile))?;
        }
        writeln!(f, "workers:")?;
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        for w in &self.workers {
            let runs: Vec<String> = w.tenants.iter().map(|(t, a)| format!("{t}={}", short(&a.component))).collect();
            writeln!(f, "  {:<16} seen {:>4} s ago  runs {}", w.worker, now.saturating_sub(w.seen), runs.join(" "))?;
            for r in &w.refused {
                writeln!(f, "    refused {} for {}: {}", short(&r.component), r.tenant, r.reason)?;
            }
        }
        Ok(())
    }
}
