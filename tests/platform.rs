//! The platform's contract: limits contain misbehaving components, the upload
//! gate refuses what the platform cannot run, compiled components are cached.

use crate::common::{component, fixtures, order, profile, run_order, test_component, workspace};
use host_harness::check::{check, Options};
use host_harness::report::Status;
use host_harness::{Bridge, Failure, Flow, Limits};
use std::process::Command;

fn hostile(limits: Limits) -> Bridge {
    Bridge::load(&test_component("hostile"), limits, None).expect("the hostile component loads")
}

fn failure_of(bridge: &Bridge, order: &str) -> Failure {
    let report = run_order(bridge, &profile(), order.as_bytes());
    report.failure.unwrap_or_else(|| panic!("{order:?} should have been stopped, got {:?}", report.outcome))
}

#[test]
fn an_endless_loop_is_stopped_by_the_fuel_budget_and_says_where() {
    let report = run_order(&hostile(Limits::default()), &profile(), b"loop");
    assert_eq!(
        report.failure,
        Some(Failure::FuelExhausted("map-order used all 11000000 units of its fuel budget (--fuel)".into()))
    );
    // Where the fuel ran out is kept for the developer (scripts/fuel-profile.py samples it).
    assert!(report.backtrace.as_deref().unwrap_or("").contains("hostile.wasm!"), "{:?}", report.backtrace);
}

#[test]
fn an_endless_loop_with_fuel_to_spare_is_stopped_by_the_wall_clock_cap() {
    let limits = Limits { fuel: u64::MAX / 2, wall_millis: 50, ..Limits::default() };
    let report = run_order(&hostile(limits), &profile(), b"loop");
    assert_eq!(
        report.failure,
        Some(Failure::Timeout("map-order ran past the 50 ms wall-clock cap (--wall-ms)".into()))
    );
    assert!(report.metrics.map_micros >= 50_000, "stopped after {} µs", report.metrics.map_micros);
}

#[test]
fn unbounded_allocation_is_stopped_at_the_memory_cap() {
    let report = run_order(&hostile(Limits::default()), &profile(), b"alloc");
    assert!(matches!(report.failure, Some(Failure::MemoryLimit(_))), "{:?}", report.failure);
    assert!(report.metrics.peak_memory_bytes <= Limits::default().memory_bytes);
}

#[test]
fn a_panic_is_a_trap_with_the_panic_message_in_the_logs() {
    let report = run_order(&hostile(Limits::default()), &profile(), b"panic");
    match &report.failure {
        Some(Failure::Trap(detail)) => assert_eq!(detail, "wasm trap: wasm `unreachable` instruction executed"),
        other => panic!("expected a trap, got {other:?}"),
    }
    assert!(report.logs.contains("hostile component: panicking on purpose"), "{}", report.logs);
}

#[test]
fn traps_and_stack_overflow_are_reported_as_traps() {
    let bridge = hostile(Limits::default());
    assert_eq!(failure_of(&bridge, "trap"), Failure::Trap("wasm trap: wasm `unreachable` instruction executed".into()));
    assert_eq!(failure_of(&bridge, "stack"), Failure::Trap("wasm trap: call stack exhausted".into()));
    // Where it happened is kept for the developer.
    let report = run_order(&bridge, &profile(), b"trap");
    assert!(report.backtrace.as_deref().unwrap_or("").contains("hostile.wasm!"), "{:?}", report.backtrace);
    // With nothing in the logs, the report says how to get a panic's message.
    assert!(report.logs.is_empty());
    assert!(report.to_string().contains("host-harness run --native --profile PROFILE ORDER"), "{report}");
}

#[test]
fn an_over_size_outcome_and_a_non_json_sales_order_are_refused() {
    let bridge = hostile(Limits::default());
    assert!(matches!(failure_of(&bridge, "big-output"), Failure::OutputTooLarge(_)));
    assert!(matches!(failure_of(&bridge, "not-json"), Failure::InvalidOutput(_)));
}

#[test]
fn the_next_order_runs_normally_after_a_stopped_one() {
    let bridge = hostile(Limits::default());
    for order in ["loop", "alloc", "panic", "stack"] {
        assert!(run_order(&bridge, &profile(), order.as_bytes()).failure.is_some());
        let next = run_order(&bridge, &profile(), b"fine");
        assert_eq!(next.failure, None, "after {order}");
        assert_eq!(next.outcome.unwrap().status, Status::Ready);
    }
}

#[test]
fn a_reused_session_is_poisoned_by_a_trap_and_refuses_further_orders() {
    let bridge = hostile(Limits::default());
    let profile = profile();
    let mut session =
        bridge.session(host_harness::bridge::ProfileSource::Text(&profile)).map_err(|r| r.failure).unwrap();
    assert!(session.call(Flow::Orders, b"fine").failure.is_none());
    assert!(session.call(Flow::Orders, b"trap").failure.is_some());
    assert!(session.poisoned);
    assert_eq!(
        session.call(Flow::Orders, b"fine").failure,
        Some(Failure::Trap("this instance was stopped by an earlier call".into()))
    );
}

fn gate(path: &std::path::Path, size_cap: u64) -> host_harness::check::CheckReport {
    let profile = profile();
    let smoke = fixtures().join("orders");
    check(path, &Options { limits: Limits::default(), size_cap, profile: Some(&profile), smoke: &smoke })
}

fn verdict(report: &host_harness::check::CheckReport, name: &str) -> (bool, String) {
    let c = report.checks.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no {name} check"));
    (c.passed, c.detail.clone())
}

#[test]
fn the_upload_gate_passes_the_real_component() {
    let report = gate(component(), host_harness::check::DEFAULT_SIZE_CAP);
    assert!(report.passed(), "{report}");
    assert!(verdict(&report, "smoke").1.ends_with("recorded cases replay to their expected outcomes"));
}

#[test]
fn the_bridge_imports_nothing_but_its_contract_types_so_the_platform_grants_it_no_wasi() {
    // plugin/src/no_wasi.rs keeps wasi-libc's stdio and environment out; a
    // new use of std that reaches them (printing, reading a variable) would
    // bring the WASI imports, and the shim instances that link them, back.
    let engine = wasmtime::Engine::default();
    let bridge = wasmtime::component::Component::from_file(&engine, component()).unwrap();
    let imports: Vec<String> = bridge.component_type().imports(&engine).map(|(name, _)| name.to_owned()).collect();
    assert_eq!(imports, ["sparklayer-orderwise:bridge/types@0.2.1"]);
}

#[test]
fn the_upload_gate_refuses_a_component_that_imports_the_filesystem() {
    let report = gate(&test_component("forbidden-import"), host_harness::check::DEFAULT_SIZE_CAP);
    assert!(!report.passed());
    let (passed, detail) = verdict(&report, "imports");
    assert!(!passed);
    assert!(detail.contains("wasi:filesystem/preopens@0.2."), "{detail}");
    assert!(verdict(&report, "exports").0, "the export itself is fine");
}

#[test]
fn the_upload_gate_refuses_an_incompatible_contract_version() {
    let report = gate(&test_component("future-major"), host_harness::check::DEFAULT_SIZE_CAP);
    let (passed, detail) = verdict(&report, "exports");
    assert!(!passed);
    assert_eq!(detail, "sparklayer-orderwise:bridge/tenant@0.3.0 is not semver-compatible with the host's sparklayer-orderwise:bridge/tenant@0.2.1");
}

#[test]
fn the_upload_gate_enforces_the_size_cap() {
    let report = gate(component(), 100_000);
    let (passed, detail) = verdict(&report, "size");
    assert!(!passed);
    assert!(detail.contains("bytes of code (cap 100000)"), "{detail}");
}

#[test]
fn check_exits_non_zero_with_a_readable_report() {
    let out = Command::new(env!("CARGO_BIN_EXE_host-harness"))
        .current_dir(workspace())
        .arg("check")
        .arg(test_component("forbidden-import"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("FAIL imports      forbidden:"), "{text}");
    assert!(text.trim_end().ends_with("check(s) failed"), "{text}");
}

#[test]
fn a_compiled_component_is_cached_by_content_hash() {
    let dir = workspace().join("target/tmp-compile-cache");
    let _ = std::fs::remove_dir_all(&dir);
    let first = Bridge::load(component(), Limits::default(), Some(&dir)).unwrap();
    assert!(!first.from_cache());
    let second = Bridge::load(component(), Limits::default(), Some(&dir)).unwrap();
    assert!(second.from_cache());
    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(files.len(), 1);
    // The cached artefact behaves like a fresh compile.
    let order = order("example-on-account");
    let a = run_order(&first, &profile(), &order).outcome.unwrap().to_pretty_json();
    let b = run_order(&second, &profile(), &order).outcome.unwrap().to_pretty_json();
    assert_eq!(a, b);
    // A different component (or engine setting) gets its own entry.
    Bridge::load(&test_component("hostile"), Limits::default(), Some(&dir)).unwrap();
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);
}

/// The initial linear memory the component declares (`--initial-memory` in
/// `.cargo/config.toml`).
fn declared_initial_memory() -> u64 {
    let config = crate::common::read(workspace().join(".cargo/config.toml"));
    let (_, rest) = config.split_once("--initial-memory=").expect(".cargo/config.toml sets --initial-memory");
    rest.split(|c: char| !c.is_ascii_digit()).next().and_then(|n| n.parse().ok()).expect("a byte count")
}

#[test]
fn every_recorded_order_maps_within_the_declared_initial_memory_so_no_instance_grows_it() {
    // A memory that grew is shrunk back with `mprotect` when its pooled slot
    // is next instantiated: a TLB shootdown across the workers per order,
    // which tripled batch's kernel time when the component's data outgrew
    // the declared size (docs/benchmarks.md, "Kernel time in fresh mode").
    let initial = declared_initial_memory();
    let bridge = Bridge::load(component(), Limits::default(), None).expect("the component loads");
    let bundled = profile();
    let mut cases: Vec<_> = std::fs::read_dir(fixtures().join("orders")).unwrap().map(|e| e.unwrap().path()).collect();
    cases.sort();
    let mut answered = 0;
    for case in cases {
        let own = case.join("profile.json");
        let profile =
            if own.is_file() { host_harness::bridge::ProfileText::read(&own).unwrap() } else { bundled.clone() };
        // A case's payload is order.json, or order.txt for one that is not JSON.
        let payload = std::fs::read(case.join("order.json")).or_else(|_| std::fs::read(case.join("order.txt")));
        let report = run_order(&bridge, &profile, &payload.unwrap());
        // A few cases are refused before mapping (an invalid profile, on purpose).
        if report.failure.is_some() {
            continue;
        }
        answered += 1;
        assert!(
            report.metrics.peak_memory_bytes <= initial,
            "{} peaked at {} bytes of linear memory, over the {initial} the component declares: raise --initial-memory",
            case.display(),
            report.metrics.peak_memory_bytes
        );
    }
    assert!(answered > 50, "the recorded order cases are there ({answered} answered)");
}
