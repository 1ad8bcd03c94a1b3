//! The harness library running the real component.

use crate::common::{component, fixtures, order, profile, run_order};
use host_harness::bridge::ProfileText;
use host_harness::replay::{discover, replay, Verdict};
use host_harness::report::Status;
use host_harness::{Bridge, Failure, Limits};
use std::sync::OnceLock;

/// One compiled component with the default limits, shared by the tests.
fn bridge() -> &'static Bridge {
    static BRIDGE: OnceLock<Bridge> = OnceLock::new();
    BRIDGE.get_or_init(|| Bridge::load(component(), Limits::default(), None).expect("the built component loads"))
}

fn example_order() -> Vec<u8> {
    order("example-on-account")
}

#[test]
fn every_bundled_case_replays_to_its_golden_outcome() {
    let cases = discover(&fixtures().join("orders"), None).unwrap();
    assert!(cases.len() >= 25, "expected at least 25 cases, found {}", cases.len());
    let results = replay(bridge(), &cases, false).unwrap();
    let failures: Vec<String> = results
        .iter()
        .filter(|r| r.verdict != Verdict::Same)
        .map(|r| format!("{}: {:?}", r.case.name, r.verdict))
        .collect();
    assert!(failures.is_empty(), "cases that differ from their golden outcome:\n{}", failures.join("\n"));
}

#[test]
fn example_order_is_ready_with_the_source_totals_po_and_quantities() {
    let report = run_order(bridge(), &profile(), &example_order());
    assert_eq!(report.failure, None);
    let outcome = report.outcome.unwrap();
    assert_eq!(outcome.status, Status::Ready);
    assert_eq!(outcome.key.as_deref(), Some("B2B1042"));
    let order = outcome.document.unwrap();
    let text = order.get();
    for expected in [
        r#""orderNet":112.86"#,
        r#""orderTax":16.17"#,
        r#""orderGross":129.03"#,
        r#""customerOrderRef":"PO-45821""#,
        r#""eCommerceOrderNumber":"B2B1042""#,
        r#""systemOrderType":2"#,
        r#""onHold":false"#,
    ] {
        assert!(text.contains(expected), "sales order lacks {expected}: {text}");
    }
    let quantities: Vec<&str> = text
        .match_indices(r#""quantity":"#)
        .map(|(i, _)| &text[i + 11..])
        .map(|t| &t[..t.find(',').unwrap()])
        .collect();
    assert_eq!(quantities, ["24", "5", "4"]);
}

#[test]
fn malformed_payloads_are_rejected_with_a_coded_issue_not_a_trap() {
    let bridge = bridge();
    let profile = profile();
    for (body, pointer) in [
        (&b"not json at all"[..], ""),
        (b"", ""),
        (b"   \n", ""),
        (b"[1, 2, 3]", ""),
        (br##"{"name": "#B1", "line_items": {"sku": "X"}}"##, "/line_items"),
        (br##"{"name": "#B1", "line_items": [{"quantity": "2"}]}"##, "/line_items/0/quantity"),
        (b"\xff\xfe not utf-8", ""),
    ] {
        let report = run_order(bridge, &profile, body);
        assert_eq!(report.failure, None, "the component must not trap on {body:?}");
        let outcome = report.outcome.unwrap();
        assert_eq!(outcome.status, Status::Rejected, "{body:?}");
        assert_eq!(outcome.issues[0].code, "PAYLOAD_INVALID", "{body:?}");
        assert_eq!(outcome.issues[0].pointer, pointer, "{body:?}");
        assert!(outcome.document.is_none());
    }
}

#[test]
fn a_bad_profile_is_a_clear_error_naming_the_field() {
    let bridge = bridge();
    let order = example_order();
    let text = profile().text;
    let bad_rate = text.replace(r#""rate": "0.05""#, r#""rate": "5""#);
    let typo = text.replace(r#""poMaxLength""#, r#""poMaxLen""#);
    let cases = [("{not json".to_owned(), ""), (bad_rate, "/reference/taxRates/2/rate"), (typo, "/orders/poMaxLen")];
    for (text, field) in cases {
        let report = run_order(bridge, &ProfileText::new(text), &order);
        match report.failure {
            Some(Failure::ProfileInvalid(detail)) => {
                assert!(detail.starts_with(&format!("field {field:?}")), "{detail}");
            }
            other => panic!("expected a profile error, got {other:?}"),
        }
    }
    let report = run_order(bridge, &ProfileText::new(text.replace(r#""poMaxLength""#, r#""poMaxLen""#)), &order);
    assert!(format!("{:?}", report.failure).contains("unknown field `poMaxLen`"));
}

#[test]
fn the_same_bytes_give_the_same_outcome_bytes() {
    let bridge = bridge();
    let profile = profile();
    let first = run_order(bridge, &profile, &example_order()).outcome.unwrap().to_pretty_json();
    let second = run_order(bridge, &profile, &example_order()).outcome.unwrap().to_pretty_json();
    assert_eq!(first, second);
}

#[test]
fn measurements_are_reported_against_the_limits() {
    let report = run_order(bridge(), &profile(), &example_order());
    let m = &report.metrics;
    assert!(m.fuel > 0 && m.fuel < report.limits.fuel, "fuel {}", m.fuel);
    assert!(m.setup_fuel > 0);
    assert!(m.peak_memory_bytes >= 64 * 1024, "a wasm instance has at least one page");
    assert_eq!(m.input_bytes, example_order().len() as u64);
    assert!(m.output_bytes > 1000);
}

#[test]
fn a_tiny_fuel_budget_stops_the_order_with_a_named_reason() {
    let limits = Limits { fuel: 10_000, ..Limits::default() };
    let bridge = Bridge::load(component(), limits, None).unwrap();
    let report = run_order(&bridge, &profile(), &example_order());
    assert_eq!(
        report.failure,
        Some(Failure::FuelExhausted("map-order used all 10000 units of its fuel budget (--fuel)".into()))
    );
    assert_eq!(report.metrics.fuel, 10_000);
}

#[test]
fn a_tiny_setup_budget_stops_the_setup_and_says_so() {
    let limits = Limits { setup_fuel: 20_000, ..Limits::default() };
    let bridge = Bridge::load(component(), limits, None).unwrap();
    let report = run_order(&bridge, &profile(), &example_order());
    assert_eq!(
        report.failure,
        Some(Failure::FuelExhausted(
            "setup (instantiate and get the profile) used all 20000 units of its fuel budget (--setup-fuel)".into()
        ))
    );
    assert_eq!((report.metrics.setup_fuel, report.metrics.fuel), (20_000, 0));
}

#[test]
fn a_payload_over_the_input_cap_is_not_passed_to_the_component() {
    let limits = Limits { input_bytes: 100, ..Limits::default() };
    let report = run_order(&Bridge::load(component(), limits, None).unwrap(), &profile(), &example_order());
    assert!(matches!(report.failure, Some(Failure::InputTooLarge(_))), "{:?}", report.failure);
    assert_eq!(report.metrics.fuel, 0);
}

#[test]
fn a_component_whose_initial_memory_exceeds_the_cap_is_refused_at_load() {
    let limits = Limits { memory_bytes: 64 * 1024, ..Limits::default() };
    let error = Bridge::load(component(), limits, None).err().expect("load must fail");
    assert!(format!("{error:#}").contains("which exceeds the limit of 0x10000 bytes"), "{error:#}");
}
