//! The month-end reconciliation: its fixtures replay green, the CLI writes
//! JSON, CSV and HTML, and the operations queue is built from outcomes.

use crate::common::{fixtures, workspace};
use host_harness::reconcile::{check, discover, run_case};
use plugin::shared::issues::Code;
use std::process::{Command, Output};

fn harness(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_host-harness")).current_dir(workspace()).args(args).output().unwrap()
}

fn out_dir(name: &str) -> std::path::PathBuf {
    let dir = workspace().join("target/tmp-reconcile").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn reconciliation_fixtures_replay_green_and_cover_every_finding_type() {
    let cases = discover(&fixtures().join("reconcile")).unwrap();
    assert!(cases.len() >= 10, "{} cases", cases.len());
    let results = check(&cases, false).unwrap();
    let failed: Vec<&str> = results.iter().filter(|r| !r.passed()).map(|r| r.case.name.as_str()).collect();
    assert!(failed.is_empty(), "reconciliation cases differ from expected.json: {failed:?}");
    let mut seen = std::collections::BTreeSet::new();
    for case in &cases {
        let (rec, _) = run_case(case).unwrap();
        seen.extend(rec.findings.iter().map(|f| f.code));
    }
    let missing: Vec<&str> = Code::ALL
        .iter()
        .filter(|c| c.as_str().starts_with("RECON_") && !seen.contains(c))
        .map(|c| c.as_str())
        .collect();
    assert!(missing.is_empty(), "finding types no reconciliation case produces: {missing:?}");
}

#[test]
fn an_order_at_half_past_eleven_bst_on_the_last_day_is_in_that_month() {
    let case = discover(&fixtures().join("reconcile/period-cut-at-midnight-london-time")).unwrap();
    let (rec, _) = run_case(&case[0]).unwrap();
    let mut keys: Vec<&str> = rec.findings.iter().filter_map(|f| f.key.as_deref()).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["B2B2801", "B2B2804"], "23:30 BST on 31 March and 00:15 GMT on 1 March are March's");
    assert_eq!((rec.summary.orders_other_period, rec.summary.rows_other_period), (2, 2));
}

#[test]
fn penny_differences_are_each_reported_though_the_month_total_agrees() {
    let case = discover(&fixtures().join("reconcile/penny-differences-cancel-in-the-total")).unwrap();
    let (rec, _) = run_case(&case[0]).unwrap();
    let pennies: Vec<String> =
        rec.findings.iter().filter_map(|f| f.difference()).map(|d| d.to_string()).collect::<Vec<_>>();
    assert_eq!(pennies, ["0.01", "-0.01"]);
    let gbp = &rec.by_currency[0];
    assert_eq!(gbp.orderwise_gross - gbp.sparklayer_gross, rust_decimal::Decimal::ZERO);
}

#[test]
fn reconcile_writes_json_csv_and_html_and_says_what_it_read() {
    let dir = out_dir("cli");
    let case = fixtures().join("reconcile/po-currency-and-not-invoiced");
    let (json, csv, html) = (dir.join("r.json"), dir.join("r.csv"), dir.join("r.html"));
    let p = |f: &str| case.join(f).to_str().unwrap().to_owned();
    let out = harness(&[
        "reconcile",
        "--orders",
        &p("orders.jsonl"),
        "--outcomes",
        &p("outcomes.jsonl"),
        "--orderwise",
        &p("orderwise.csv"),
        "--period",
        "2025-03",
        "--as-of",
        "2025-04-01T09:00:00Z",
        "--json",
        json.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
        "--html",
        html.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("matched 5 by key, 0 by PO and customer; 2 matched and equal; 5 exceptions"), "{stdout}");
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["summary"]["exceptions"], 5);
    let currency =
        report["findings"].as_array().unwrap().iter().find(|f| f["code"] == "RECON_CURRENCY_DIFFERS").unwrap();
    assert!(currency["action"].as_str().unwrap().starts_with("Re-book the OrderWise order"), "{currency}");
    // EUR is never added into GBP.
    let currencies: Vec<&str> =
        report["totals"]["byCurrency"].as_array().unwrap().iter().map(|c| c["currency"].as_str().unwrap()).collect();
    assert_eq!(currencies, ["EUR", "GBP"]);
    let csv = std::fs::read_to_string(&csv).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next().unwrap(), plugin::reconcile::report::CSV_HEADER);
    assert_eq!(lines.count(), 5, "one row per exception: {csv}");
    let html = std::fs::read_to_string(&html).unwrap();
    assert!(html.starts_with("<!doctype html>") && html.contains("<svg"), "a page with its chart");
    for external in ["<script", "<link", "src=", "@import", "url("] {
        assert!(!html.contains(external), "the page must be self-contained: found {external}");
    }
}

#[test]
fn report_builds_the_queue_with_stalled_orders_and_stock_drift_on_top() {
    let dir = out_dir("queue");
    let case = fixtures().join("reconcile/not-in-orderwise-held-rejected-stalled-lost");
    let p = |f: &str| case.join(f).to_str().unwrap().to_owned();
    let (json, csv, html) = (dir.join("q.json"), dir.join("q.csv"), dir.join("q.html"));
    // The stock flow's run of the day, made as the platform makes it: the
    // export paged into calls, each mapped by the component.
    let drift = fixtures().join("stock/drift-beyond-absolute-and-percentage-alerts");
    let d = |f: &str| drift.join(f).to_str().unwrap().to_owned();
    let stock_profile = fixtures().join("stock/profile.json");
    let pages = harness(&[
        "stock-pages",
        "--profile",
        stock_profile.to_str().unwrap(),
        "--current",
        &d("current.json"),
        &d("export.json"),
    ]);
    assert!(pages.status.success(), "{}", String::from_utf8_lossy(&pages.stderr));
    let (calls, stock) = (dir.join("calls.jsonl"), dir.join("stock.jsonl"));
    std::fs::write(&calls, &pages.stdout).unwrap();
    let component = crate::common::component().to_str().unwrap().to_owned();
    let batch = harness(&[
        "batch",
        "--component",
        &component,
        "--flow",
        "stock",
        "--profile",
        stock_profile.to_str().unwrap(),
        "--output",
        stock.to_str().unwrap(),
        calls.to_str().unwrap(),
    ]);
    assert!(batch.status.success(), "{}", String::from_utf8_lossy(&batch.stderr));
    // A second call the platform stopped: its line carries no outcome, so
    // only the file it is in says it is a stock call, not an order's.
    let mut log = std::fs::read_to_string(&stock).unwrap();
    log.push_str("{\"line\":2,\"outcome\":null,\"failure\":{\"kind\":\"fuel-exhausted\"}}\n");
    std::fs::write(&stock, log).unwrap();
    let out = harness(&[
        "report",
        &p("outcomes.jsonl"),
        "--stock",
        stock.to_str().unwrap(),
        "--orders",
        &p("orders.jsonl"),
        "--orderwise",
        fixtures().join("reconcile/matched-and-equal/orderwise.csv").to_str().unwrap(),
        "--as-of",
        "2025-03-31T18:00:00+01:00",
        "--json",
        json.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
        "--html",
        html.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        stdout.starts_with("6 orders with an outcome: 2 ready, 2 in review, 1 rejected, 1 stopped; 1 stalled"),
        "{stdout}"
    );
    assert!(stdout.contains("1 stock drift in 2 stock calls (0 refused, 1 stopped)"), "{stdout}");
    let queue: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(queue["stalled"][0]["orderKey"], "B2B2304");
    assert_eq!(queue["drift"][0]["range"], "all", "the stock call's range: {}", queue["drift"]);
    assert!(queue["drift"][0]["message"].as_str().unwrap().starts_with("MILK-UHT-1L at OW-1"), "{}", queue["drift"]);
    let page = std::fs::read_to_string(&html).unwrap();
    let (stalled, drift, review) =
        (page.find("id=stalled").unwrap(), page.find("id=stock").unwrap(), page.find("id=queue").unwrap());
    assert!(
        stalled < drift && drift < review && page.contains("MILK-UHT-1L at OW-1"),
        "stalled, then drift, then the queue"
    );
    assert!(page.contains("0 stock call(s) refused and 1 stopped:"), "the stopped stock call is on the page");
    let waiting: Vec<(&str, &str)> = queue["waiting"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["owner"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        waiting,
        [
            ("finance", "PAY_ON_ACCOUNT_CREDIT"),
            ("operations", "SKU_UNKNOWN"),
            ("ecommerce", "ADDRESS_INCOMPLETE"),
            ("integration", "PAYLOAD_INVALID"),
            ("integration", "RECON_REJECTED")
        ]
    );
    let csv = std::fs::read_to_string(&csv).unwrap();
    assert!(csv.lines().nth(1).unwrap().starts_with("integration,RECON_STALLED,ready,B2B2304,"), "{csv}");
    assert!(csv.lines().nth(2).unwrap().starts_with("operations,STOCK_DRIFT,ready,all,"), "{csv}");
}

#[test]
fn replay_runs_the_reconciliation_cases_beside_the_orders() {
    let component = crate::common::component().to_str().unwrap().to_owned();
    let out = harness(&["replay", "--component", &component, "fixtures"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    let cases = discover(&fixtures().join("reconcile")).unwrap().len();
    assert!(text.ends_with(&format!("reconcile cases: {cases} passed, 0 failed\n")), "{text}");
    let only = harness(&["reconcile", "--check", "fixtures/reconcile"]);
    assert!(only.status.success(), "{}", String::from_utf8_lossy(&only.stdout));
}

#[test]
fn a_profile_reconcile_section_is_validated_with_pointers() {
    let base = std::fs::read_to_string(fixtures().join("profile.json")).unwrap();
    let bad = base.replacen("\"orders\": {", "\"reconcile\": {\"timeZone\": \"Europe/Paris\"},\n  \"orders\": {", 1);
    let err = plugin::Profile::parse(&bad).unwrap_err();
    assert_eq!(err.field, "/reconcile/timeZone");
    assert!(err.message.contains("fixed UTC offset"), "{err}");
    let bad = base.replacen("\"orders\": {", "\"reconcile\": {\"stalledAfterHour\": 4},\n  \"orders\": {", 1);
    assert_eq!(plugin::Profile::parse(&bad).unwrap_err().field, "/reconcile/stalledAfterHour");
    let good = base.replacen(
        "\"orders\": {",
        "\"reconcile\": {\"timeZone\": \"+02:00\", \"stalledAfterHours\": 4},\n  \"orders\": {",
        1,
    );
    let profile = plugin::Profile::parse(&good).unwrap();
    assert_eq!(profile.reconcile.stalled_after_hours, 4);
}
