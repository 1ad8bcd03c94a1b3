//! The stock and catalog flows through the harness: recorded cases, paging
//! of a large export, deltas, and a 0.2.0 component that does not offer them.

use crate::common::{component, fixtures, test_component, workspace};
use host_harness::bridge::{ProfileSource, ProfileText};
use host_harness::replay::{discover, replay, Verdict};
use host_harness::report::Status;
use host_harness::stock::{sku_map, split, ExportFormat, Paging, StockCall, StockRun};
use host_harness::{Bridge, Failure, Flow, Limits};
use std::process::Command;
use std::sync::OnceLock;

fn bridge() -> &'static Bridge {
    static BRIDGE: OnceLock<Bridge> = OnceLock::new();
    BRIDGE.get_or_init(|| Bridge::load(component(), Limits::default(), None).expect("the built component loads"))
}

fn stock_profile() -> ProfileText {
    ProfileText::read(&fixtures().join("stock/profile.json")).unwrap()
}

#[test]
fn every_stock_and_catalog_case_replays_to_its_golden_outcome() {
    let cases = discover(&fixtures().join("stock"), None).unwrap();
    assert!(cases.iter().any(|c| c.flow == Flow::Stock) && cases.iter().any(|c| c.flow == Flow::Catalog));
    assert!(cases.len() >= 40, "expected a case per rule, found {}", cases.len());
    let results = replay(bridge(), &cases, false).unwrap();
    let failures: Vec<String> = results
        .iter()
        .filter(|r| r.verdict != Verdict::Same)
        .map(|r| format!("{}: {:?}", r.case.name, r.verdict))
        .collect();
    assert!(failures.is_empty(), "cases that differ from their golden outcome:\n{}", failures.join("\n"));
}

#[test]
fn the_shared_example_export_becomes_the_shared_example_request_plus_the_case_sku() {
    let profile = stock_profile();
    let mut call =
        StockCall::from_case(&fixtures().join("stock/example-shared-export-changes-only/export.json")).unwrap();
    call.current = None;
    let report = bridge().run(Flow::Stock, ProfileSource::Text(&profile), call.to_line().as_bytes());
    let outcome = report.outcome.expect("an outcome");
    assert_eq!(outcome.status, Status::Ready);
    let document: serde_json::Value = serde_json::from_str(outcome.document.unwrap().get()).unwrap();
    // The shared example's two levels (negative stock sent as 0), and the
    // case-of-12 SKU the profile sells: floor(1440 / 12) = 120.
    assert_eq!(
        document["requests"][0],
        serde_json::json!([
            {"sku": "CUP-12OZ-WHT", "stock_level": 1440, "stock_location_external_id": "OW-1"},
            {"sku": "CUP-12OZ-WHT-C12", "stock_level": 120, "stock_location_external_id": "OW-1"},
            {"sku": "TEA-EB-80", "stock_level": 0, "stock_location_external_id": "OW-1"}
        ])
    );
}

#[test]
fn the_same_export_gives_the_same_bytes_every_time() {
    let profile = stock_profile();
    let call =
        StockCall::from_case(&fixtures().join("stock/duplicate-conflicting-rows-use-the-lower/export.json")).unwrap();
    let line = call.to_line();
    let texts: Vec<String> = (0..3)
        .map(|_| {
            host_harness::replay::golden_text(&bridge().run(
                Flow::Stock,
                ProfileSource::Text(&profile),
                line.as_bytes(),
            ))
        })
        .collect();
    assert_eq!(texts[0], texts[1]);
    assert_eq!(texts[1], texts[2]);
}

/// A generated tenant with two mapped locations, its export and SparkLayer's
/// levels with `changes` of them different.
fn generated(variants: usize, changes: usize) -> (ProfileText, String, String) {
    let base = std::fs::read_to_string(fixtures().join("stock/profile.json")).unwrap();
    let size = host_harness::tenant::Size { variants, units: variants / 5, customers: 0 };
    let text = host_harness::tenant::generate(&base, size).unwrap();
    let text = host_harness::tenant::with_stock_locations(&text, 2).unwrap();
    let (export, current) = host_harness::tenant::stock_export(&text, ExportFormat::Json, changes).unwrap();
    (ProfileText::new(text), export, current)
}

#[test]
fn a_paged_export_covers_every_variant_once_and_a_delta_run_sends_only_the_changes() {
    let (profile, export, current) = generated(3_000, 40);
    let skus = sku_map(&profile.text).unwrap();
    let paging = Paging { rows: 500, ..Paging::default() };
    let full = split(&export, ExportFormat::Json, None, Some(&skus), paging);
    assert!(full.len() >= 12, "6,014 rows in calls of at most 500 rows: {} calls", full.len());
    // Consecutive ranges, open at both ends.
    assert_eq!(full[0].range.as_ref().unwrap().first, None);
    assert_eq!(full.last().unwrap().range.as_ref().unwrap().before, None);
    for pair in full.windows(2) {
        assert_eq!(pair[0].range.as_ref().unwrap().before, pair[1].range.as_ref().unwrap().first);
    }
    let run = |calls: &[StockCall]| StockRun {
        reports: calls
            .iter()
            .map(|c| bridge().run(Flow::Stock, ProfileSource::Text(&profile), c.to_line().as_bytes()))
            .collect(),
    };
    let sent = run(&full);
    assert!(sent.passed(), "{sent}");
    let totals = sent.totals();
    // 3,006 stocked variants (the base's 7 less a discontinued one, plus
    // 3,000) and 301 case SKUs (the base's one, and every other of the 600
    // generated units; the rest are pack selections, which get no entry), at
    // each of two locations; no row missing.
    assert_eq!(totals.iter().map(|t| t.sent).sum::<u64>(), 2 * (3_006 + 301), "{sent}");
    assert!(totals.iter().all(|t| t.missing == 0), "{sent}");

    let delta = split(&export, ExportFormat::Json, Some(&current), Some(&skus), paging);
    let changed = run(&delta);
    assert!(changed.passed(), "{changed}");
    let entries: usize =
        changed.requests().iter().map(|r| serde_json::from_str::<Vec<serde_json::Value>>(r).unwrap().len()).sum();
    assert_eq!(entries, 40, "{changed}");
    assert_eq!(changed.totals().iter().map(|t| t.sent).sum::<u64>(), 40);
}

#[test]
fn a_component_built_for_0_2_0_runs_orders_and_says_it_does_not_offer_stock() {
    let old = Bridge::load(&test_component("hostile"), Limits::default(), None).unwrap();
    assert_eq!(old.contract(), "0.2.0");
    assert!(old.offers(Flow::Orders) && !old.offers(Flow::Stock));
    let profile = stock_profile();
    let orders = old.run(Flow::Orders, ProfileSource::Text(&profile), b"{}");
    assert_eq!(orders.failure, None);
    let stock = old.run(
        Flow::Stock,
        ProfileSource::Text(&profile),
        StockCall { export: "[]".into(), format: ExportFormat::Json, current: None, range: None }.to_line().as_bytes(),
    );
    assert_eq!(
        stock.failure,
        Some(Failure::NotOffered(
            "the component exports bridge@0.2.0 without the `stock` interface: the stock flow needs a 0.2.1 or later component"
                .into()
        ))
    );
    assert_eq!(bridge().contract(), "0.2.1");
}

#[test]
fn a_stock_line_that_is_not_a_stock_call_is_refused_before_the_component() {
    let profile = stock_profile();
    let report = bridge().run(Flow::Stock, ProfileSource::Text(&profile), b"[{\"sku\":\"TEA-EB-80\",\"freeStock\":1}]");
    assert!(matches!(report.failure, Some(Failure::InvalidInput(_))), "{:?}", report.failure);
}

#[test]
fn cli_runs_a_stock_export_prints_the_summary_and_writes_the_requests() {
    let out_dir = workspace().join("target").join("stock-cli-requests");
    let _ = std::fs::remove_dir_all(&out_dir);
    let out = Command::new(env!("CARGO_BIN_EXE_host-harness"))
        .current_dir(workspace())
        .args(["run", "--component", component().to_str().unwrap(), "--flow", "stock", "--human"])
        .args(["--profile", "fixtures/stock/profile.json", "--out", out_dir.to_str().unwrap()])
        .args(["--current", "fixtures/stock/deltas-only-changed-levels-are-sent/current.json"])
        .arg("fixtures/stock/deltas-only-changed-levels-are-sent/export.json")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("== Stock run: 1 call(s), 1 request(s), 2 entries"), "{text}");
    assert!(text.contains("  OW-1                     2          5        0        0        0"), "{text}");
    let body = std::fs::read_to_string(out_dir.join("request-0001.json")).unwrap();
    assert_eq!(
        body,
        "[{\"sku\":\"CUP-12OZ-WHT-C12\",\"stock_level\":120,\"stock_location_external_id\":\"OW-1\"},{\"sku\":\"TEA-EB-80\",\"stock_level\":35,\"stock_location_external_id\":\"OW-1\"}]\n"
    );
}

#[test]
fn cli_replays_the_stock_fixtures_green() {
    let out = Command::new(env!("CARGO_BIN_EXE_host-harness"))
        .current_dir(workspace())
        .args(["replay", "--component", component().to_str().unwrap(), "fixtures/stock"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains(" 0 failed"), "{text}");
}
