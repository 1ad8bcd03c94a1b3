//! The real `host-harness` binary, as QA and CI call it.

use crate::common::{component, fixtures, test_component, workspace};
use std::path::Path;
use std::process::{Command, Output};

fn harness(args: &[&str]) -> Output {
    let component = component().to_str().unwrap().to_owned();
    let mut full = vec![args[0], "--component", &component];
    full.extend_from_slice(&args[1..]);
    Command::new(env!("CARGO_BIN_EXE_host-harness")).current_dir(workspace()).args(&full).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn run_prints_the_outcome_as_json() {
    let out = harness(&["run", "--profile", "fixtures/profile.json", "fixtures/orders/example-on-account/order.json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = stdout(&out);
    assert!(text.starts_with("{\n  \"status\": \"ready\",\n  \"orderKey\": \"B2B1042\","), "{text}");
    assert!(text.contains("\"orderGross\": 129.03"), "{text}");
}

#[test]
fn run_native_maps_with_the_harness_core_and_says_the_same_as_the_component() {
    // The developer's route to a panic's message: the component has no stderr.
    let order = "fixtures/orders/example-on-account/order.json";
    let out = harness(&["run", "--native", "--profile", "fixtures/profile.json", order]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let bridge = host_harness::Bridge::load(component(), host_harness::Limits::default(), None).unwrap();
    let profile = host_harness::bridge::ProfileText::read(&workspace().join("fixtures/profile.json")).unwrap();
    let run = crate::common::run_order(&bridge, &profile, &std::fs::read(workspace().join(order)).unwrap());
    let component_says = host_harness::compare::component_text(run.outcome.as_ref().unwrap());
    assert_eq!(stdout(&out).trim_end(), component_says);

    let without_profile = harness(&["run", "--native", order]);
    assert!(!without_profile.status.success());
    assert!(String::from_utf8_lossy(&without_profile.stderr).contains("--profile"));
}

#[test]
fn run_reads_the_order_from_stdin_when_no_file_is_given() {
    let component = component().to_str().unwrap().to_owned();
    let order = std::fs::File::open(fixtures().join("orders/example-on-account/order.json")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_host-harness"))
        .current_dir(workspace())
        .args(["run", "--component", &component, "--profile", "fixtures/profile.json"])
        .stdin(order)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(stdout(&out).contains("\"customerOrderRef\": \"PO-45821\""));
}

#[test]
fn run_human_shows_status_issues_and_resources() {
    let out =
        harness(&["run", "--profile", "fixtures/profile.json", "--human", "fixtures/orders/po-too-long/order.json"]);
    let text = stdout(&out);
    assert!(text.contains("status:    review"), "{text}");
    assert!(text.contains("- PO_TOO_LONG [error / finance]"), "{text}");
    for label in ["fuel, call:", "fuel, setup:", "peak linear memory:", "input size:", "output size:", "wall time:"] {
        assert!(text.contains(label), "missing {label}: {text}");
    }
}

#[test]
fn replay_of_the_bundled_fixtures_passes() {
    let out = harness(&["replay", "fixtures"]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.lines().last().unwrap().ends_with(" passed, 0 failed"), "{text}");
}

fn copy_case(name: &str, to: &Path) {
    let from = fixtures().join("orders").join(name);
    std::fs::create_dir_all(to).unwrap();
    for f in ["order.json", "expected.json"] {
        std::fs::copy(from.join(f), to.join(f)).unwrap();
    }
    std::fs::copy(fixtures().join("profile.json"), to.parent().unwrap().join("profile.json")).unwrap();
}

#[test]
fn replay_fails_on_a_changed_expectation_and_bless_rewrites_it() {
    let dir = workspace().join("target/tmp-replay-bless");
    let _ = std::fs::remove_dir_all(&dir);
    let case = dir.join("example");
    copy_case("example-on-account", &case);
    let expected = std::fs::read_to_string(case.join("expected.json")).unwrap();
    std::fs::write(case.join("expected.json"), expected.replace("\"ready\"", "\"review\"")).unwrap();
    let dir_arg = dir.to_str().unwrap();

    let out = harness(&["replay", dir_arg]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("DIFFERS"), "{text}");
    assert!(text.contains("expected \"status\": \"review\","), "{text}");

    let out = harness(&["replay", "--bless", dir_arg]);
    assert!(out.status.success());
    assert_eq!(std::fs::read_to_string(case.join("expected.json")).unwrap(), expected);
    assert!(harness(&["replay", dir_arg]).status.success());
}

#[test]
fn a_missing_component_is_a_clear_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_host-harness"))
        .args(["run", "--component", "nowhere.wasm", "--profile", "fixtures/profile.json"])
        .current_dir(workspace())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("component nowhere.wasm not found"));
}

#[test]
fn bench_prints_every_figure_for_each_order() {
    let out = harness(&[
        "bench",
        "--iterations",
        "3",
        "--variants",
        "2000",
        "--units",
        "400",
        "--customers",
        "200",
        "--json",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["iterations"], 3);
    let names: Vec<&str> = report["orders"].as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["example-on-account", "volume-10-lines", "volume-200-lines"]);
    let big = &report["orders"][2];
    assert_eq!(big["lines"], 200);
    assert!(big["fuel"].as_u64().unwrap() > report["orders"][1]["fuel"].as_u64().unwrap());
    for field in ["fresh", "reused", "native"] {
        assert!(big[field]["min"].as_f64().unwrap() > 0.0, "{field}");
        assert!(big[field]["median"].as_f64().unwrap() >= big[field]["min"].as_f64().unwrap(), "{field}");
    }
    assert!(big["componentToNative"].as_f64().unwrap() > 0.0);
    // The two tenants side by side: the generated one holds the bundled one's
    // entries plus the requested ones, costs more to parse, and nothing more per order.
    let [small, large] = [&report["tenants"][0], &report["tenants"][1]];
    assert_eq!(large["variants"].as_u64().unwrap(), small["variants"].as_u64().unwrap() + 2000);
    assert_eq!(large["order"], "volume-10-lines");
    assert!(large["parseFuel"].as_u64().unwrap() > small["parseFuel"].as_u64().unwrap());
    assert!(large["setupFuel"].as_u64().unwrap() < 10_000, "a baked profile is handed out, not parsed");
    for t in [small, large] {
        assert!(t["fresh"]["min"].as_f64().unwrap() > 0.0);
    }
}

#[test]
fn a_single_case_directory_replays_with_the_shared_profile_above_it() {
    let out = harness(&["replay", "fixtures/orders/po-too-long"]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.ends_with("1 passed, 0 failed\n"), "{text}");
}

#[test]
fn jsonl_keeps_json_values_and_non_json_bodies_byte_for_byte() {
    let out = Command::new(env!("CARGO_BIN_EXE_host-harness"))
        .current_dir(workspace())
        .args(["jsonl", "fixtures/orders"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = stdout(&out);
    assert!(text.lines().any(|l| l == "<html><body>502 Bad Gateway</body></html>"), "non-JSON body changed");
    // Several cases are variants of the example order (same name): one of
    // them keeps its decimal string and its number as they were written.
    let examples: Vec<&str> = text.lines().filter(|l| l.contains("\"#B2B1042\"")).collect();
    assert!(
        examples.iter().any(|l| l.contains(r#""total_price":"129.03""#) && l.contains(r#""rate":0.2"#)),
        "{examples:?}"
    );
}

#[test]
fn diff_counts_each_changed_order_once_per_group_with_its_key() {
    // `hostile` answers every order `ready` with an empty sales order and no
    // key: volume-10-lines loses ten lines' fields, yet it is one order.
    let hostile = test_component("hostile");
    let out = Command::new(env!("CARGO_BIN_EXE_host-harness"))
        .current_dir(workspace())
        .arg("diff")
        .arg(component())
        .arg(&hostile)
        .arg("fixtures/orders/volume-10-lines")
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.starts_with("1 orders replayed through both versions: 1 changed\n"), "{text}");
    // The key comes from the version that found one (the old), so the order can be looked up.
    assert!(
        text.contains("\n[1 order] salesOrder field: /orderLines/*/itemNet\n    volume-10-lines (B2B2010)\n"),
        "{text}"
    );
    assert!(!text.contains("orders] "), "a group counted more than the one order: {text}");
    // Its ten changed lines are all in its details.
    assert_eq!(text.matches("/itemNet: ").count(), 10, "{text}");
}

#[test]
fn stock_pages_offers_no_out_flag_and_run_keeps_it() {
    let export = "fixtures/stock/deltas-only-changed-levels-are-sent/export.json";
    let dir = workspace().join("target/tmp-stock-pages-out");
    let _ = std::fs::remove_dir_all(&dir);
    let pages = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_host-harness")).current_dir(workspace()).args(args).output().unwrap()
    };
    let help = stdout(&pages(&["stock-pages", "--help"]));
    assert!(help.contains("--rows-per-call") && !help.contains("--out"), "{help}");
    let out = pages(&["stock-pages", export, "--out", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unexpected argument '--out'"));
    assert!(!dir.exists());

    // `run --flow stock` still writes the request bodies there.
    let out = harness(&[
        "run",
        "--flow",
        "stock",
        "--profile",
        "fixtures/stock/profile.json",
        "--out",
        dir.to_str().unwrap(),
        export,
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.join("request-0001.json").is_file());
}

#[test]
fn jsonl_says_which_cases_it_cannot_write_as_a_line() {
    let dir = workspace().join("target/tmp-jsonl-skipped");
    let _ = std::fs::remove_dir_all(&dir);
    let case = |name: &str, file: &str, body: &[u8]| {
        std::fs::create_dir_all(dir.join(name)).unwrap();
        std::fs::write(dir.join(name).join(file), body).unwrap();
    };
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(fixtures().join("profile.json"), dir.join("profile.json")).unwrap();
    case("a-json-order", "order.json", b"{\n  \"id\": 1\n}\n");
    case("b-html-page", "order.txt", b"<html><body>502 Bad Gateway</body></html>\n");
    case("c-empty-body", "order.txt", b"");
    case("d-html-over-lines", "order.txt", b"<html>\n<body>502</body>\n</html>\n");
    let out = Command::new(env!("CARGO_BIN_EXE_host-harness")).arg("jsonl").arg(&dir).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(stdout(&out), "{\"id\":1}\n<html><body>502 Bad Gateway</body></html>\n");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "jsonl: skipped 2 cases whose payload is not one line (an empty body, or a body that is not JSON and \
         spans lines): c-empty-body, d-html-over-lines\n"
    );
}
