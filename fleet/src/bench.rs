//! `fleet bench`: end-to-end orders per second and publish-to-outcome
//! latency on a local 3-server cluster (replicas 3) with 1, 2, … workers.
//!
//! Throughput: a burst of distinct orders published as fast as JetStream
//! takes them; orders / (last outcome stored − first order stored).
//! Latency: orders published at a steady rate below capacity; per order, when
//! its outcome was stored minus when the order was stored (both JetStream
//! timestamps, one clock on one machine).

use crate::jet;
use crate::local::{self, Cluster, Worker};
use crate::worker::OutcomeMessage;
use anyhow::{Context, Result};
use serde::Serialize;
use std::path::PathBuf;
use std::time::Duration;

pub struct Options {
    pub nats_server: PathBuf,
    /// The `fleet` binary the workers run as.
    pub fleet: PathBuf,
    pub component: PathBuf,
    pub profile: PathBuf,
    /// Recorded cases the orders are made from (`fixtures/orders`).
    pub cases: PathBuf,
    /// The upload gate's smoke cases (`fixtures`).
    pub smoke: PathBuf,
    pub workers: Vec<usize>,
    pub burst: usize,
    pub paced: usize,
    pub rate: f64,
    pub dir: PathBuf,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    pub workers: usize,
    pub burst: usize,
    pub burst_seconds: f64,
    pub orders_per_second: f64,
    pub paced: usize,
    pub rate: f64,
    pub p50_millis: f64,
    pub p99_millis: f64,
    pub max_millis: f64,
}

const TENANT: &str = "bench";

pub async fn bench(options: &Options) -> Result<Vec<Row>> {
    let recorded = crate::corpus::recorded(&options.cases, &options.profile)?;
    let component =
        std::fs::read(&options.component).with_context(|| format!("reading {}", options.component.display()))?;
    let profile = std::fs::read(&options.profile).with_context(|| format!("reading {}", options.profile.display()))?;
    let mut rows = Vec::new();
    for &n in &options.workers {
        let dir = options.dir.join(format!("workers-{n}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        let cluster = Cluster::start(&options.nats_server, &dir, 3)?;
        cluster.ready(Duration::from_secs(30)).await?;
        let js = jet::connect(&cluster.urls(), "fleet-bench").await?;
        local::setup(&js, &jet::Settings::default(), Duration::from_secs(60)).await?;
        let active = crate::version::upload(&js, &component, &profile).await?;
        crate::version::activate(&js, TENANT, &active).await?;
        let names: Vec<String> = (1..=n).map(|i| format!("bench-{i}")).collect();
        let mut workers = Vec::new();
        for name in &names {
            let log = dir.join(format!("{name}.log"));
            workers.push(Worker::start(&options.fleet, &cluster.urls(), name, &options.smoke, &log, &[])?);
        }
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        local::wait_for_workers(&js, &refs, TENANT, &active.component, Duration::from_secs(180)).await?;

        let burst = crate::corpus::generate(&recorded, 0, options.burst);
        crate::publish::publish(&js, TENANT, &burst, None).await?;
        local::wait_drained(&js, burst.len() as u64, Duration::from_secs(600)).await?;
        let orders = jet::read_all(&js, jet::ORDERS).await?;
        let outcomes = jet::read_all(&js, jet::OUTCOMES).await?;
        let first = orders.first().map_or(0, |m| m.stored_nanos);
        let last = outcomes.iter().map(|m| m.stored_nanos).max().unwrap_or(first);
        let burst_seconds = (last - first) as f64 / 1e9;

        let paced = crate::corpus::generate(&recorded, options.burst, options.paced);
        crate::publish::publish(&js, TENANT, &paced, Some(options.rate)).await?;
        local::wait_drained(&js, (burst.len() + paced.len()) as u64, Duration::from_secs(600)).await?;
        let last_burst_seq = orders.last().map_or(0, |m| m.seq);
        let mut latencies: Vec<f64> = Vec::new();
        for m in jet::read_all(&js, jet::OUTCOMES).await? {
            let outcome: OutcomeMessage<serde_json::Value> = serde_json::from_slice(&m.payload)?;
            if outcome.order_seq > last_burst_seq {
                latencies.push((m.stored_nanos - outcome.order_stored_nanos) as f64 / 1e6);
            }
        }
        latencies.sort_by(f64::total_cmp);
        let pct = |p: usize| latencies.get(latencies.len().saturating_sub(1) * p / 100).copied().unwrap_or(0.0);
        rows.push(Row {
            workers: n,
            burst: burst.len(),
            burst_seconds,
            orders_per_second: burst.len() as f64 / burst_seconds.max(f64::EPSILON),
            paced: latencies.len(),
            rate: options.rate,
            p50_millis: pct(50),
            p99_millis: pct(99),
            max_millis: latencies.last().copied().unwrap_or(0.0),
        });
        drop(workers);
        drop(cluster);
    }
    Ok(rows)
}
