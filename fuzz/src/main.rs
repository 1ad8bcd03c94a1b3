//! `bridge-fuzz`: structure-aware fuzzing of the orders flow and the profile
//! reader on stable Rust, natively and through the component, with an oracle
//! for the bridge's promises (`oracle.rs`), not only "no panic".
//!
//! ```sh
//! cargo run --release -p bridge-fuzz -- --seconds 60            # what CI runs
//! cargo run --release -p bridge-fuzz -- --orders 10000000 --profiles 1000000 --component-orders 200000
//! ```
//!
//! Inputs are the recorded fixtures, mutated (`mutate.rs`). Every saved
//! regression (`fuzz/regressions/*.json`) is replayed first. An input that
//! panics, traps, breaks a promise, differs between the component and the
//! native core, or maps differently twice is written to `--findings` (default
//! `target/fuzz-findings/`) and the run exits 1; move it into
//! `fuzz/regressions/` (or make it a fixture) once it is fixed.

mod mutate;
mod oracle;

use host_harness::bridge::{ProfileSource, ProfileText, Session};
use host_harness::compare::native_text;
use host_harness::{Bridge, Flow, Limits};
use mutate::Rng;
use plugin::{map_order, Outcome, Profile};
use serde_json::{json, Value};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;
use std::time::{Duration, Instant};

struct Args {
    seconds: Option<u64>,
    orders: u64,
    profiles: u64,
    component_orders: u64,
    seed: u64,
    threads: usize,
    component: PathBuf,
    findings: PathBuf,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        seconds: None,
        orders: 200_000,
        profiles: 20_000,
        component_orders: 5_000,
        seed: 1,
        threads: std::thread::available_parallelism().map_or(2, usize::from),
        component: PathBuf::from("target/wasm32-wasip2/release/plugin.wasm"),
        findings: PathBuf::from("target/fuzz-findings"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        let number = |v: String| v.replace('_', "").parse::<u64>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--seconds" => a.seconds = Some(number(value()?)?),
            "--orders" => a.orders = number(value()?)?,
            "--profiles" => a.profiles = number(value()?)?,
            "--component-orders" => a.component_orders = number(value()?)?,
            "--seed" => a.seed = number(value()?)?,
            "--threads" => a.threads = number(value()?)?.max(1) as usize,
            "--component" => a.component = PathBuf::from(value()?),
            "--findings" => a.findings = PathBuf::from(value()?),
            "-h" | "--help" => {
                println!(
                    "bridge-fuzz [--seconds N | --orders N --profiles N --component-orders N] [--seed S] [--threads T] \
                     [--component PATH] [--findings DIR]\n\n\
                     With --seconds, the time is split 60/20/20 between native orders, profiles and component orders \
                     (the counts are then ignored). Exit 0: nothing found; 1: findings written; 2: could not run."
                );
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?} (see --help)")),
        }
    }
    Ok(a)
}

/// What a run found and counted, shared by the worker threads.
struct Tally {
    done: AtomicU64,
    findings: Mutex<Vec<Value>>,
    dir: PathBuf,
}

impl Tally {
    fn found(&self, kind: &str, reason: &str, payload: &str) {
        let mut all = self.findings.lock().unwrap_or_else(|p| p.into_inner());
        let n = all.len();
        if n < 1_000 {
            let finding = json!({"kind": kind, "reason": reason, "payload": payload});
            let _ = std::fs::create_dir_all(&self.dir);
            let _ = std::fs::write(self.dir.join(format!("{kind}-{n:04}.json")), finding.to_string());
            all.push(finding);
        }
    }
}

fn main() -> ExitCode {
    let args = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("bridge-fuzz: {e}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(0) => ExitCode::SUCCESS,
        Ok(n) => {
            eprintln!("bridge-fuzz: {n} finding(s) written to {}", args.findings.display());
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("bridge-fuzz: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &Args) -> anyhow::Result<usize> {
    let root = workspace();
    let bundled_text = std::fs::read_to_string(root.join("fixtures/profile.json"))?;
    let bundled = Profile::parse(&bundled_text).map_err(|e| anyhow::anyhow!("the bundled profile: {e}"))?;
    let (orders, profiles) = seeds(&root)?;
    anyhow::ensure!(!orders.is_empty() && !profiles.is_empty(), "no seeds under fixtures/");
    // Panics inside the code under test are findings, reported by the tally;
    // any other panic (the driver's own) is printed as usual.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !QUIET.with(std::cell::Cell::get) {
            default_hook(info);
        }
    }));
    let tally = Tally { done: AtomicU64::new(0), findings: Mutex::new(Vec::new()), dir: args.findings.clone() };

    let regressions = replay_regressions(&root, &bundled, &tally)?;
    let deadline = |share: u64| args.seconds.map(|s| Instant::now() + Duration::from_millis(s * 10 * share));
    let summary = |what: &str, n: u64, took: Duration| {
        println!(
            "{what:<18} {n:>11} in {:>7.1} s ({:.0}/s)",
            took.as_secs_f64(),
            n as f64 / took.as_secs_f64().max(1e-9)
        )
    };
    println!("regressions        {regressions:>11} replayed");

    let started = Instant::now();
    // Large seeds (the 200-line orders) cost ~20× a small one to copy and map:
    // one pick in ten, so the run spends its time on variety, not bytes.
    let small: Vec<&Value> = orders.iter().filter(|o| o.to_string().len() < 32_768).collect();
    let pick = |rng: &mut Rng| {
        if rng.chance(90) && !small.is_empty() {
            small[rng.below(small.len())]
        } else {
            &orders[rng.below(orders.len())]
        }
    };
    let n = parallel(args, args.orders, deadline(60), |rng| {
        let payload = mutate::order(pick(rng), rng);
        native_order(&bundled, &payload, rng.chance(2), &tally);
    });
    summary("orders (native)", n, started.elapsed());

    let started = Instant::now();
    let n = parallel(args, args.profiles, deadline(20), |rng| {
        let text = mutate::profile(&profiles[rng.below(profiles.len())], rng);
        match quietly(|| Profile::parse(&text)) {
            Err(_) => tally.found("profile-panic", "Profile::parse panicked", &text),
            Ok(Ok(profile)) => {
                // A profile that parses must map an order without breaking a promise.
                let payload = mutate::order(pick(rng), rng);
                native_order(&profile, &payload, false, &tally);
            }
            Ok(Err(_)) => {}
        }
    });
    summary("profiles (native)", n, started.elapsed());

    let started = Instant::now();
    let n = component_orders(args, &bundled, &bundled_text, &orders, deadline(20), &tally)?;
    summary("orders (component)", n, started.elapsed());

    let findings = tally.findings.lock().unwrap_or_else(|p| p.into_inner()).len();
    println!("findings           {findings:>11}");
    Ok(findings)
}

thread_local! {
    /// Set while the code under test runs, so its panics are not printed.
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` (the code under test) with its panics caught and kept quiet.
fn quietly<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    QUIET.with(|q| q.set(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(false));
    result
}

/// Maps one payload natively and checks it: no panic, the promises, and
/// (when `twice`) the same outcome from the same bytes.
fn native_order(profile: &Profile, payload: &str, twice: bool, tally: &Tally) -> Option<Outcome> {
    let outcome = match quietly(|| map_order(profile, payload)) {
        Ok(o) => o,
        Err(_) => {
            tally.found("order-panic", "map_order panicked", payload);
            return None;
        }
    };
    if let Err(why) = oracle::check(profile, payload, &outcome) {
        tally.found("order-promise", &why, payload);
    }
    if twice && native_text(&map_order(profile, payload)) != native_text(&outcome) {
        tally.found("order-nondeterministic", "the same bytes mapped twice differ", payload);
    }
    Some(outcome)
}

/// Runs `each` on `threads` threads until `count` inputs or the deadline.
fn parallel(args: &Args, count: u64, deadline: Option<Instant>, each: impl Fn(&mut Rng) + Sync) -> u64 {
    let done = AtomicU64::new(0);
    std::thread::scope(|scope| {
        for t in 0..args.threads {
            let (done, each) = (&done, &each);
            scope.spawn(move || {
                let mut rng = Rng(args.seed.wrapping_mul(0x1000_0000_01B3) ^ (t as u64 + 1));
                loop {
                    let n = done.fetch_add(1, Relaxed);
                    let out_of_time = deadline.is_some_and(|d| n % 64 == 0 && Instant::now() >= d);
                    if (deadline.is_none() && n >= count) || out_of_time {
                        break;
                    }
                    each(&mut rng);
                }
            });
        }
    });
    done.load(Relaxed).min(if deadline.is_some() { u64::MAX } else { count })
}

/// Orders through the component (one reused instance, a new one after a
/// trap), each compared with the native core and checked by the oracle.
fn component_orders(
    args: &Args,
    profile: &Profile,
    profile_text: &str,
    orders: &[Value],
    deadline: Option<Instant>,
    tally: &Tally,
) -> anyhow::Result<u64> {
    if args.component_orders == 0 && deadline.is_none() {
        return Ok(0);
    }
    anyhow::ensure!(
        args.component.is_file(),
        "no component at {} (cargo build --release --target wasm32-wasip2 -p plugin)",
        args.component.display()
    );
    let bridge = Bridge::load(&args.component, Limits::default(), None)?;
    let text = ProfileText::new(profile_text.to_owned());
    let open = || bridge.session(ProfileSource::Text(&text)).map_err(|r| anyhow::anyhow!("{:?}", r.failure));
    let mut session = open()?;
    let mut rng = Rng(args.seed ^ 0xC0FF_EE00);
    let (mut n, mut over_cap) = (0, 0u64);
    // The most fuel an answered order took, and its size: the headroom
    // under the platform's budget, printed with the phase.
    let mut highest = (0u64, String::new());
    while deadline.map_or(n < args.component_orders, |d| n % 64 != 0 || Instant::now() < d) {
        let payload = mutate::order(&orders[rng.below(orders.len())], &mut rng);
        n += 1;
        if payload.len() as u64 > Limits::default().input_bytes {
            // The platform refuses it before the component sees it (the
            // harness's own tests cover that); nothing to compare.
            over_cap += 1;
            continue;
        }
        let (component, fuel) = component_text(&mut session, &payload);
        if fuel > highest.0 {
            highest = (fuel, payload.clone());
        }
        if session.poisoned {
            tally.found("component-trap", &component, &payload);
            session = open()?;
            continue;
        }
        if let Some(native) = native_order(profile, &payload, false, tally) {
            if component != native_text(&native) {
                tally.found("component-differs", &format!("component: {component}"), &payload);
            }
        }
    }
    tally.done.fetch_add(n, Relaxed);
    if over_cap > 0 {
        println!("  ({over_cap} over the 1 MiB input cap, not sent to the component)");
    }
    if highest.0 > 0 {
        // Kept beside the findings (not one itself): where to look for headroom.
        let saved = tally.dir.join("highest-fuel.json");
        let _ = std::fs::create_dir_all(&tally.dir);
        let _ = std::fs::write(&saved, json!({"fuel": highest.0, "payload": highest.1}).to_string());
        println!(
            "  (the most fuel an answered order took: {} of {}, {} bytes, saved as {})",
            highest.0,
            Limits::default().fuel,
            highest.1.len(),
            saved.display()
        );
    }
    Ok(n)
}

/// The component's outcome as `compare` writes it, or why it stopped; and
/// the fuel of an answered call (0 for a stopped one).
fn component_text(session: &mut Session, payload: &str) -> (String, u64) {
    let report = session.call(Flow::Orders, payload.as_bytes());
    match report.outcome {
        Some(o) => (host_harness::compare::component_text(&o), report.metrics.fuel),
        None => (format!("stopped: {:?}", report.failure), 0),
    }
}

/// The recorded orders (JSON ones) and profiles under fixtures/.
fn seeds(root: &Path) -> anyhow::Result<(Vec<Value>, Vec<Value>)> {
    let (mut orders, mut profiles) = (Vec::new(), Vec::new());
    profiles.push(serde_json::from_str(&std::fs::read_to_string(root.join("fixtures/profile.json"))?)?);
    let mut cases: Vec<PathBuf> =
        std::fs::read_dir(root.join("fixtures/orders"))?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    cases.sort();
    for case in cases {
        if let Ok(Ok(order)) = std::fs::read_to_string(case.join("order.json")).map(|t| serde_json::from_str(&t)) {
            orders.push(order);
        }
        let profile = std::fs::read_to_string(case.join("profile.json")).unwrap_or_default();
        if let Ok(p) = serde_json::from_str::<Value>(profile.trim_start_matches('\u{feff}')) {
            profiles.push(p);
        }
    }
    Ok((orders, profiles))
}

/// Every saved input (`{"kind": "order-…" | "profile-…", "payload": "…"}`) run first.
fn replay_regressions(root: &Path, profile: &Profile, tally: &Tally) -> anyhow::Result<usize> {
    let dir = root.join("fuzz/regressions");
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect(),
        Err(_) => return Ok(0),
    };
    files.sort();
    for file in &files {
        let saved: Value = serde_json::from_str(&std::fs::read_to_string(file)?)?;
        let payload = saved["payload"].as_str().unwrap_or_default();
        if saved["kind"].as_str().unwrap_or_default().starts_with("profile") {
            if quietly(|| Profile::parse(payload)).is_err() {
                tally.found("profile-panic", &format!("regression {} panics again", file.display()), payload);
            }
        } else {
            native_order(profile, payload, true, tally);
        }
    }
    Ok(files.len())
}

/// The workspace root: where `fixtures/` is, from the current directory up.
fn workspace() -> PathBuf {
    let here = std::env::current_dir().unwrap_or_default();
    here.ancestors().find(|d| d.join("fixtures/profile.json").is_file()).map_or(here.clone(), Path::to_path_buf)
}
