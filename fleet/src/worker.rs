//! `fleet worker`: takes orders from the shared durable pull consumer, maps
//! each with its tenant's active version (fresh instance per order, the
//! harness's limits), stores the outcome and only then acknowledges the order.
//!
//! - Outcomes go to `outcomes.<status>[.<owner>]` with `Nats-Msg-Id` = order
//!   key + component digest, so a redelivered order mapped again by the same
//!   version is stored once.
//! - Deterministic failures (trap, fuel, memory, time, sizes, contract) go to
//!   `deadletter.<tenant>` with the reason, and the order is terminated: a
//!   retry would fail the same way.
//! - Transient faults (no version loaded yet, a publish that was not
//!   acknowledged) are negatively acknowledged with a growing delay; at the
//!   consumer's `max_deliver` the order is dead-lettered as `gave-up`.
//! - Versions come from the `versions` bucket: each new one is fetched from
//!   the object store, checked against its digest, run through the upload gate
//!   and swapped in between two orders; one that fails the gate is refused
//!   and the old one kept, with the reason logged and recorded in `workers`.

use crate::jet::{self, Active};
use anyhow::{Context, Result};
use async_nats::jetstream::consumer::PullConsumer;
use async_nats::jetstream::message::PublishMessage as Publish;
use async_nats::jetstream::{self as js, kv, AckKind};
use futures_util::StreamExt;
use host_harness::bridge::ProfileText;
use host_harness::report::{Failure, Outcome, Severity, Status};
use host_harness::{Bridge, Flow, Limits};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::io::AsyncReadExt;
use tokio::sync::{mpsc, Semaphore};

#[derive(Debug, Clone)]
pub struct Options {
    pub servers: String,
    /// This worker's name: its key in the `workers` bucket and in outcomes.
    pub name: String,
    pub limits: Limits,
    pub cache_dir: Option<PathBuf>,
    /// Recorded cases the upload gate replays (`check --smoke`).
    pub smoke: PathBuf,
    pub size_cap: u64,
    /// Orders pulled per request.
    pub batch: usize,
    /// First retry delay of a transient fault; doubled per delivery, at most a minute.
    pub backoff: Duration,
    /// Outcomes published but not yet acknowledged by JetStream, at most.
    pub in_flight: usize,
}

/// A loaded, gated version.
struct Version {
    active: Active,
    bridge: Bridge,
    profile: ProfileText,
}

/// What a worker records in the `workers` bucket (read by `fleet status`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct WorkerRecord {
    pub worker: String,
    pub pid: u32,
    /// The version each tenant's orders are mapped with now.
    pub tenants: BTreeMap<String, Active>,
    /// Versions this worker refused, newest last (at most 20).
    pub refused: Vec<Refusal>,
    /// Unix seconds of the last update (a heartbeat every 10 s).
    pub seen: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Refusal {
    pub tenant: String,
    pub component: String,
    pub profile: String,
    pub reason: String,
}

/// An outcome as stored on `outcomes.*`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutcomeMessage<O> {
    pub order_key: String,
    pub tenant: String,
    /// SHA-256 of the component that mapped the order.
    pub component: String,
    /// SHA-256 of the tenant profile it was mapped with.
    pub profile: String,
    pub worker: String,
    /// The order's sequence in `ORDERS`, its deliveries so far, and when
    /// JetStream stored it (Unix ns): publish-to-outcome latency is measured from there.
    pub order_seq: u64,
    pub deliveries: i64,
    pub order_stored_nanos: i128,
    pub fuel: u64,
    /// Exactly what `host-harness batch` writes as `outcome` for the order.
    pub outcome: O,
}

/// A dead letter as stored on `deadletter.<tenant>`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeadLetter {
    pub order_key: String,
    pub tenant: String,
    /// Empty when no version was loaded for the tenant.
    pub component: String,
    pub profile: String,
    pub worker: String,
    pub order_seq: u64,
    pub deliveries: i64,
    /// The failure's kind (`trap`, `fuel-exhausted`, … as in batch output), or `gave-up`.
    pub reason: String,
    pub detail: String,
}

/// Failures a retry would repeat: the order is dead-lettered at once.
pub fn deterministic(failure: &Failure) -> bool {
    match failure {
        Failure::InputTooLarge(_)
        | Failure::OutputTooLarge(_)
        | Failure::FuelExhausted(_)
        | Failure::Timeout(_)
        | Failure::MemoryLimit(_)
        | Failure::Trap(_)
        | Failure::InvalidOutput(_)
        | Failure::InvalidInput(_) => true,
        // A gated version parses its profile and offers orders: seeing these
        // means a configuration in flux, which a retry may outlive.
        Failure::ProfileInvalid(_) | Failure::NotOffered(_) => false,
    }
}

/// `outcomes.ready`, `outcomes.rejected`, `outcomes.review.<owner>` where the
/// owner is that of the first error (else the first issue).
pub fn outcome_subject(outcome: &Outcome) -> String {
    match outcome.status {
        Status::Review => {
            let first = outcome.issues.iter().find(|i| i.severity == Severity::Error).or(outcome.issues.first());
            match first {
                Some(issue) => format!("outcomes.review.{}", issue.owner),
                None => "outcomes.review".into(),
            }
        }
        status => format!("outcomes.{status}"),
    }
}

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

pub async fn run(options: Options) -> Result<()> {
    anyhow::ensure!(
        !options.name.is_empty() && options.name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "worker name {:?} must be letters, digits, '-' or '_'",
        options.name
    );
    let js = jet::connect(&options.servers, &options.name).await?;
    // A cluster that just lost a server answers with timeouts while it
    // elects new leaders: starting up is retried for a while, not given up.
    let mut attempt = 0;
    let (versions, workers, consumer, max_deliver, loader, mut tenants, mut record) = loop {
        attempt += 1;
        match start(&js, &options).await {
            Ok(started) => break started,
            Err(e) if attempt < 30 => {
                eprintln!("worker {}: starting up: {e:#}; retrying", options.name);
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
            Err(e) => return Err(e),
        }
    };
    put_record(&workers, &mut record).await;

    let (tx, mut updates) = mpsc::unbounded_channel();
    let watcher = tokio::spawn(watch_versions(versions, loader, tx));

    let permits = Arc::new(Semaphore::new(options.in_flight.max(1)));
    let mut heartbeat = tokio::time::interval(Duration::from_secs(10));
    let ack_wait = consumer.cached_info().config.ack_wait;
    let ctx =
        Ctx { js: js.clone(), name: options.name.clone(), max_deliver, ack_wait, backoff: options.backoff, permits };
    eprintln!("worker {}: taking orders from {}/{}", options.name, jet::ORDERS, jet::CONSUMER);
    'pull: loop {
        let mut messages = match consumer
            .stream()
            .max_messages_per_batch(options.batch.max(1))
            .heartbeat(Duration::from_secs(5))
            .messages()
            .await
        {
            Ok(m) => m,
            Err(e) => {
                eprintln!("worker {}: pulling orders failed ({e}); retrying in 1 s", options.name);
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        loop {
            tokio::select! {
                biased;
                update = updates.recv() => match update {
                    Some(update) => {
                        apply(update, &mut tenants, &mut record);
                        put_record(&workers, &mut record).await;
                    }
                    None => anyhow::bail!("the version watcher stopped: {:?}", watcher.await),
                },
                _ = heartbeat.tick() => put_record(&workers, &mut record).await,
                next = messages.next() => match next {
                    Some(Ok(message)) => ctx.handle(message, &tenants).await,
                    Some(Err(e)) => eprintln!("worker {}: {e}", options.name),
                    None => continue 'pull,
                },
            }
        }
    }
}

type Started = (kv::Store, kv::Store, PullConsumer, i64, Loader, HashMap<String, Arc<Version>>, WorkerRecord);

/// Opens the buckets and the consumer, and loads (and gates) every tenant's
/// current version: a worker takes no order before it has them.
async fn start(js: &js::Context, options: &Options) -> Result<Started> {
    let versions = js.get_key_value(jet::VERSIONS).await.context("opening bucket versions (run `fleet setup`)")?;
    let workers = js.get_key_value(jet::WORKERS).await.context("opening bucket workers (run `fleet setup`)")?;
    let artifacts = js.get_object_store(jet::ARTIFACTS).await.context("opening object store artifacts")?;
    let orders = js.get_stream(jet::ORDERS).await.context("opening stream ORDERS (run `fleet setup`)")?;
    let consumer: PullConsumer =
        orders.get_consumer(jet::CONSUMER).await.map_err(|e| anyhow::anyhow!("opening the workers' consumer: {e}"))?;
    let max_deliver = consumer.cached_info().config.max_deliver;
    let mut record = WorkerRecord { worker: options.name.clone(), pid: std::process::id(), ..Default::default() };
    let mut tenants = HashMap::new();
    let mut loader = Loader { artifacts, options: options.clone(), wanted: HashMap::new() };
    let mut keys = versions.keys().await.context("listing versions")?;
    let mut names = Vec::new();
    while let Some(key) = keys.next().await {
        names.push(key.context("listing versions")?);
    }
    for tenant in names {
        let Some(value) = versions.get(&tenant).await.context("reading versions")? else {
            continue;
        };
        match loader.consider(&tenant, &value).await {
            Some(Update::Refused(refusal)) => {
                apply(Update::Refused(refusal), &mut tenants, &mut record);
                // A new worker has no old version to keep: it keeps the
                // newest earlier one that passes the gate, as its peers do.
                if let Some(update) = loader.fallback(&versions, &tenant).await? {
                    apply(update, &mut tenants, &mut record);
                }
            }
            Some(update) => apply(update, &mut tenants, &mut record),
            None => {}
        }
    }
    Ok((versions, workers, consumer, max_deliver, loader, tenants, record))
}

/// What the version watcher tells the order loop.
enum Update {
    Applied(String, Arc<Version>),
    Refused(Refusal),
}

fn apply(update: Update, tenants: &mut HashMap<String, Arc<Version>>, record: &mut WorkerRecord) {
    match update {
        Update::Applied(tenant, version) => {
            eprintln!(
                "worker {}: tenant {tenant} now runs component {} with profile {}",
                record.worker,
                short(&version.active.component),
                short(&version.active.profile)
            );
            record.tenants.insert(tenant.clone(), version.active.clone());
            tenants.insert(tenant, version);
        }
        Update::Refused(refusal) => {
            eprintln!(
                "worker {}: REFUSED component {} for tenant {} (keeping {}): {}",
                record.worker,
                short(&refusal.component),
                refusal.tenant,
                record.tenants.get(&refusal.tenant).map_or("no version", |a| short(&a.component)),
                refusal.reason
            );
            record.refused.push(refusal);
            let excess = record.refused.len().saturating_sub(20);
            record.refused.drain(..excess);
        }
    }
}

async fn put_record(workers: &kv::Store, record: &mut WorkerRecord) {
    record.seen = now_secs();
    let value = serde_json::to_vec(record).unwrap_or_default();
    if let Err(e) = workers.put(&record.worker, value.into()).await {
        eprintln!("worker {}: recording its state failed: {e}", record.worker);
    }
}

fn short(digest: &str) -> &str {
    host_harness::report::short(digest)
}

/// Fetches, verifies and gates versions; remembers what each tenant last
/// asked for so an unchanged key is not loaded twice.
struct Loader {
    artifacts: js::object_store::ObjectStore,
    options: Options,
    wanted: HashMap<String, Active>,
}

impl Loader {
    async fn consider(&mut self, tenant: &str, value: &[u8]) -> Option<Update> {
        let refuse = |active: Option<&Active>, reason: String| {
            Some(Update::Refused(Refusal {
                tenant: tenant.to_owned(),
                component: active.map(|a| a.component.clone()).unwrap_or_default(),
                profile: active.map(|a| a.profile.clone()).unwrap_or_default(),
                reason,
            }))
        };
        let active: Active = match serde_json::from_slice(value) {
            Ok(a) => a,
            Err(e) => return refuse(None, format!("the versions entry is not {{component, profile}}: {e}")),
        };
        if self.wanted.get(tenant) == Some(&active) {
            return None;
        }
        self.wanted.insert(tenant.to_owned(), active.clone());
        match self.load(&active).await {
            Ok(version) => Some(Update::Applied(tenant.to_owned(), Arc::new(version))),
            Err(reason) => refuse(Some(&active), reason),
        }
    }

    /// An object's bytes, checked against its name. Reading is retried (a
    /// cluster electing leaders times out for a few seconds); a digest that
    /// does not match is refused at once.
    /// The newest earlier version of `tenant` that passes the gate (at most
    /// five are tried), for a worker whose current one was refused.
    async fn fallback(&self, versions: &kv::Store, tenant: &str) -> Result<Option<Update>> {
        let mut entries = versions.history(tenant).await.context("reading the versions history")?;
        let mut earlier = Vec::new();
        while let Some(entry) = entries.next().await {
            if let Ok(active) = serde_json::from_slice::<Active>(&entry.context("reading the versions history")?.value)
            {
                earlier.push(active);
            }
        }
        let refused = earlier.pop();
        for active in earlier.iter().rev().filter(|a| Some(*a) != refused.as_ref()).take(5) {
            match self.load(active).await {
                Ok(version) => {
                    eprintln!("worker {}: tenant {tenant} falls back to an earlier version", self.options.name);
                    return Ok(Some(Update::Applied(tenant.to_owned(), Arc::new(version))));
                }
                Err(reason) => eprintln!("worker {}: earlier version refused too: {reason}", self.options.name),
            }
        }
        Ok(None)
    }

    async fn fetch(&self, digest: &str) -> Result<Vec<u8>, String> {
        let mut attempt = 0;
        let bytes = loop {
            attempt += 1;
            match self.read(digest).await {
                Ok(bytes) => break bytes,
                Err(e) if attempt < 15 => {
                    eprintln!("worker {}: {e}; retrying", self.options.name);
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
                Err(e) => return Err(e),
            }
        };
        let actual = host_harness::cache::sha256_hex(&bytes);
        if actual != digest {
            return Err(format!("object {} holds bytes whose SHA-256 is {}", short(digest), short(&actual)));
        }
        Ok(bytes)
    }

    async fn read(&self, digest: &str) -> Result<Vec<u8>, String> {
        let mut object = self
            .artifacts
            .get(digest)
            .await
            .map_err(|e| format!("object {} not read from {}: {e}", short(digest), jet::ARTIFACTS))?;
        let mut bytes = Vec::new();
        object.read_to_end(&mut bytes).await.map_err(|e| format!("reading object {}: {e}", short(digest)))?;
        Ok(bytes)
    }

    async fn load(&self, active: &Active) -> Result<Version, String> {
        let component = self.fetch(&active.component).await?;
        let profile = self.fetch(&active.profile).await?;
        let profile = String::from_utf8(profile).map_err(|_| "the profile is not UTF-8 text".to_owned())?;
        let profile = ProfileText::new(profile);
        let options = self.options.clone();
        let active = active.clone();
        tokio::task::spawn_blocking(move || gate(component, profile, active, &options))
            .await
            .map_err(|e| format!("the gate stopped: {e}"))?
    }
}

/// The upload gate (`host-harness check`) on the version, then loads it.
fn gate(component: Vec<u8>, profile: ProfileText, active: Active, options: &Options) -> Result<Version, String> {
    let path = std::env::temp_dir().join(format!("fleet-{}-{}.wasm", options.name, short(&active.component)));
    std::fs::write(&path, &component).map_err(|e| format!("writing {}: {e}", path.display()))?;
    let report = host_harness::check::check(
        &path,
        &host_harness::check::Options {
            limits: options.limits,
            size_cap: options.size_cap,
            profile: Some(&profile),
            smoke: &options.smoke,
        },
    );
    let _ = std::fs::remove_file(&path);
    if !report.passed() {
        let failed: Vec<String> =
            report.checks.iter().filter(|c| !c.passed).map(|c| format!("{}: {}", c.name, c.detail)).collect();
        return Err(format!("the upload gate failed: {}", failed.join("; ")));
    }
    let bridge = Bridge::from_bytes(&component, options.limits, options.cache_dir.as_deref())
        .map_err(|e| format!("loading the gated component: {e:#}"))?;
    Ok(Version { active, bridge, profile })
}

/// How often the version watcher reads the bucket afresh (see `watch_versions`).
const RESYNC: Duration = Duration::from_secs(5);

/// Tells the order loop of every version set in the bucket. The watch
/// brings a change at once; every `RESYNC` the bucket is also read afresh,
/// because a watch can stall without an error once a server is lost (the
/// fleet test saw a worker started during a kill never hear of a later
/// version; async-nats issue #1596 describes the same), and a watch that
/// reports an error is opened again rather than polled on. `Loader::consider`
/// passes over a version it already has, so reading one twice costs nothing.
async fn watch_versions(versions: kv::Store, mut loader: Loader, tx: mpsc::UnboundedSender<Update>) -> Result<()> {
    let mut resync = tokio::time::interval(RESYNC);
    loop {
        let mut watch = match versions.watch_all().await {
            Ok(w) => w,
            Err(e) => {
                eprintln!("worker {}: watching versions failed ({e}); retrying", loader.options.name);
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        loop {
            tokio::select! {
                entry = watch.next() => match entry {
                    Some(Ok(entry)) if entry.operation != kv::Operation::Put => eprintln!(
                        "worker {}: the versions key of tenant {} was deleted; keeping its version (set another to change it)",
                        loader.options.name, entry.key
                    ),
                    Some(Ok(entry)) => {
                        if let Some(update) = loader.consider(&entry.key, &entry.value).await {
                            tx.send(update)?;
                        }
                    }
                    Some(Err(e)) => {
                        eprintln!("worker {}: version watch: {e}; watching again", loader.options.name);
                        break;
                    }
                    None => break,
                },
                _ = resync.tick() => read_versions(&versions, &mut loader, &tx).await?,
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Considers every tenant's current version as the bucket holds it now. A
/// read that fails is left to the next tick (the cluster may be electing).
async fn read_versions(versions: &kv::Store, loader: &mut Loader, tx: &mpsc::UnboundedSender<Update>) -> Result<()> {
    let Ok(mut keys) = versions.keys().await else { return Ok(()) };
    let mut tenants = Vec::new();
    while let Some(key) = keys.next().await {
        let Ok(key) = key else { return Ok(()) };
        tenants.push(key);
    }
    for tenant in tenants {
        if let Ok(Some(value)) = versions.get(tenant.as_str()).await {
            if let Some(update) = loader.consider(&tenant, &value).await {
                tx.send(update)?;
            }
        }
    }
    Ok(())
}

/// What handling one order needs.
struct Ctx {
    js: js::Context,
    name: String,
    max_deliver: i64,
    ack_wait: Duration,
    backoff: Duration,
    permits: Arc<Semaphore>,
}

impl Ctx {
    fn delay(&self, deliveries: i64) -> Duration {
        let doublings = u32::try_from(deliveries.saturating_sub(1).clamp(0, 16)).unwrap_or(16);
        self.backoff.saturating_mul(1 << doublings).min(Duration::from_secs(60))
    }

    async fn handle(&self, message: js::Message, tenants: &HashMap<String, Arc<Version>>) {
        let (seq, deliveries, stored) = match message.info() {
            Ok(info) => (info.stream_sequence, info.delivered, info.published.unix_timestamp_nanos()),
            Err(e) => {
                eprintln!("worker {}: a message without JetStream metadata ({e}); terminated", self.name);
                let _ = message.ack_with(AckKind::Term).await;
                return;
            }
        };
        let tenant = message.subject.strip_prefix("orders.").unwrap_or("").to_owned();
        let key = message
            .headers
            .as_ref()
            .and_then(|h| h.get(jet::ORDER_KEY))
            .map(|v| v.as_str().to_owned())
            .unwrap_or_else(|| crate::order_key(&message.payload));
        let Some(version) = tenants.get(&tenant) else {
            let detail = format!("no version is active for tenant {tenant:?}");
            return self.transient(message, &key, &tenant, None, seq, deliveries, detail).await;
        };
        let source = match version.bridge.profile_for(Some(&version.profile)) {
            Ok(source) => source,
            Err(e) => {
                return self.transient(message, &key, &tenant, Some(version), seq, deliveries, e.to_string()).await
            }
        };
        // The call is CPU-bound (and capped at the wall-clock limit).
        let report = tokio::task::block_in_place(|| version.bridge.run(Flow::Orders, source, &message.payload));
        match (&report.outcome, &report.failure) {
            (Some(outcome), _) => {
                let body = OutcomeMessage {
                    order_key: key.clone(),
                    tenant,
                    component: version.active.component.clone(),
                    profile: version.active.profile.clone(),
                    worker: self.name.clone(),
                    order_seq: seq,
                    deliveries,
                    order_stored_nanos: stored,
                    fuel: report.metrics.fuel,
                    outcome,
                };
                let id = format!("{key}:{}", version.active.component);
                self.store_then(message, outcome_subject(outcome), id, &body, AckKind::Ack, deliveries).await;
            }
            (None, Some(failure)) if deterministic(failure) => {
                let letter = DeadLetter {
                    order_key: key.clone(),
                    tenant: tenant.clone(),
                    component: version.active.component.clone(),
                    profile: version.active.profile.clone(),
                    worker: self.name.clone(),
                    order_seq: seq,
                    deliveries,
                    reason: failure.kind().into(),
                    detail: failure.to_string(),
                };
                let id = format!("{key}:{}", version.active.component);
                self.store_then(message, format!("deadletter.{tenant}"), id, &letter, AckKind::Term, deliveries).await;
            }
            (None, Some(failure)) => {
                let detail = failure.to_string();
                self.transient(message, &key, &tenant, Some(version), seq, deliveries, detail).await
            }
            (None, None) => {
                let detail = "the harness returned neither an outcome nor a failure".to_owned();
                self.transient(message, &key, &tenant, Some(version), seq, deliveries, detail).await
            }
        }
    }

    /// A fault a retry may outlive: retried later, dead-lettered at the last delivery.
    #[allow(clippy::too_many_arguments)]
    async fn transient(
        &self,
        message: js::Message,
        key: &str,
        tenant: &str,
        version: Option<&Arc<Version>>,
        seq: u64,
        deliveries: i64,
        detail: String,
    ) {
        if self.max_deliver > 0 && deliveries >= self.max_deliver {
            let component = version.map(|v| v.active.component.clone()).unwrap_or_default();
            let letter = DeadLetter {
                order_key: key.to_owned(),
                tenant: tenant.to_owned(),
                profile: version.map(|v| v.active.profile.clone()).unwrap_or_default(),
                worker: self.name.clone(),
                order_seq: seq,
                deliveries,
                reason: "gave-up".into(),
                detail: format!("after {deliveries} deliveries: {detail}"),
                component: component.clone(),
            };
            let id = format!("{key}:{component}");
            return self
                .store_then(message, format!("deadletter.{tenant}"), id, &letter, AckKind::Term, deliveries)
                .await;
        }
        let delay = self.delay(deliveries);
        eprintln!("worker {}: order {} (seq {seq}) retried in {delay:?}: {detail}", self.name, short(key));
        if let Err(e) = message.ack_with(AckKind::Nak(Some(delay))).await {
            eprintln!("worker {}: nak of seq {seq} failed ({e}); it is redelivered after the ack wait", self.name);
        }
    }

    /// Publishes `body`, and once JetStream has stored it, settles the order
    /// with `then` (ack, or term for a dead letter). The wait for the store
    /// runs beside the next orders, at most `in_flight` at a time.
    async fn store_then(
        &self,
        message: js::Message,
        subject: String,
        id: String,
        body: &impl Serialize,
        then: AckKind,
        deliveries: i64,
    ) {
        let payload = match serde_json::to_vec(body) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("worker {}: serialising a result failed ({e}); retried", self.name);
                let _ = message.ack_with(AckKind::Nak(Some(self.delay(deliveries)))).await;
                return;
            }
        };
        let Ok(permit) = Arc::clone(&self.permits).acquire_owned().await else {
            return;
        };
        let payload = bytes::Bytes::from(payload);
        let publish = move || Publish::build().payload(payload.clone()).message_id(&id);
        let mut stored = self.js.send_publish(subject.clone(), publish()).await;
        let (js, name, delay) = (self.js.clone(), self.name.clone(), self.delay(deliveries));
        // Between attempts the order is kept (progress acknowledgements) without
        // waiting past half the ack wait, so no other worker gets it meanwhile.
        let pause_cap = (self.ack_wait / 2).max(Duration::from_millis(100));
        tokio::spawn(async move {
            let started = std::time::Instant::now();
            let mut attempt = 0u32;
            let settled = loop {
                let acked = match stored {
                    Ok(future) => future.await.map(|_| ()).map_err(|e| e.to_string()),
                    Err(e) => Err(e.to_string()),
                };
                match acked {
                    Ok(()) => break message.ack_with(then).await,
                    // A stream electing a new leader (a server lost) refuses for
                    // seconds: retried here, so the outage costs no delivery.
                    Err(e) if started.elapsed() < STORE_RETRY_FOR => {
                        if attempt == 0 {
                            log_store_retry(&name, &e);
                        }
                        attempt += 1;
                        let _ = message.ack_with(AckKind::Progress).await;
                        let pause = Duration::from_millis(100u64 << attempt.min(6)).min(pause_cap);
                        tokio::time::sleep(pause).await;
                        stored = js.send_publish(subject.clone(), publish()).await;
                    }
                    Err(e) => {
                        eprintln!("worker {name}: the result was not stored ({e}); the order is retried in {delay:?}");
                        break message.ack_with(AckKind::Nak(Some(delay))).await;
                    }
                }
            };
            if let Err(e) = settled {
                eprintln!("worker {name}: acknowledging an order failed ({e}); it is redelivered after the ack wait");
            }
            drop(permit);
        });
    }
}

/// How long one delivery keeps trying to store its result before handing
/// the order back (a nak with back-off, which costs a delivery).
const STORE_RETRY_FOR: Duration = Duration::from_secs(60);

/// One line a second at most: an outage fails every order in flight at once.
fn log_store_retry(name: &str, error: &str) {
    static LAST: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let now = now_secs();
    if LAST.swap(now, std::sync::atomic::Ordering::Relaxed) != now {
        eprintln!("worker {name}: a result was not stored ({error}); retrying while JetStream recovers");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use host_harness::report::{Issue, Owner};

    fn issue(severity: Severity, owner: Owner) -> Issue {
        Issue { code: "X".into(), severity, owner, pointer: String::new(), message: String::new() }
    }

    fn outcome(status: Status, issues: Vec<Issue>) -> Outcome {
        Outcome { flow: Flow::Orders, status, key: None, issues, document: None, locations: Vec::new() }
    }

    #[test]
    fn outcomes_are_routed_by_status_and_the_owner_of_the_first_error() {
        assert_eq!(outcome_subject(&outcome(Status::Ready, vec![])), "outcomes.ready");
        assert_eq!(
            outcome_subject(&outcome(Status::Rejected, vec![issue(Severity::Error, Owner::Ecommerce)])),
            "outcomes.rejected"
        );
        let review = vec![issue(Severity::Warning, Owner::Operations), issue(Severity::Error, Owner::Finance)];
        assert_eq!(outcome_subject(&outcome(Status::Review, review)), "outcomes.review.finance");
        let warnings = vec![issue(Severity::Warning, Owner::Operations)];
        assert_eq!(outcome_subject(&outcome(Status::Review, warnings)), "outcomes.review.operations");
    }

    #[test]
    fn what_a_retry_would_repeat_is_dead_lettered_and_configuration_in_flux_is_retried() {
        for f in [
            Failure::Trap("unreachable".into()),
            Failure::FuelExhausted(String::new()),
            Failure::MemoryLimit(String::new()),
            Failure::Timeout(String::new()),
            Failure::InputTooLarge(String::new()),
            Failure::OutputTooLarge(String::new()),
            Failure::InvalidOutput(String::new()),
        ] {
            assert!(deterministic(&f), "{f}");
        }
        assert!(!deterministic(&Failure::ProfileInvalid(String::new())));
        assert!(!deterministic(&Failure::NotOffered(String::new())));
    }
}
