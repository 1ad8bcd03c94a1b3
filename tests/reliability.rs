//! The harness loses nothing and says what happened (issue 12): outputs are
//! never damaged by a failed or interrupted run, exit codes tell a bad run
//! from a good one, every command enforces the upload gate's import policy,
//! contract violations are named, and the gate checks what it claims to.

use crate::common::{component, fixtures, test_component, workspace};
use host_harness::{Bridge, Limits};
use std::process::{Command, Output, Stdio};

fn harness(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_host-harness")).current_dir(workspace()).args(args).output().unwrap()
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = workspace().join("target/tmp-reliability").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_batch_into_a_device_or_a_fifo_writes_through_it_and_leaves_it_in_place() {
    use std::os::unix::fs::FileTypeExt;
    // A FIFO stands in for /dev/null, which the test must not put at risk:
    // the output used to be moved into place, replacing the device with a file.
    let dir = scratch("fifo-output");
    let fifo = dir.join("results.fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs");
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let input = dir.join("orders.jsonl");
    let order = std::fs::read(fixtures().join("orders/example-on-account/order.json")).unwrap();
    let line: serde_json::Value = serde_json::from_slice(&order).unwrap();
    std::fs::write(&input, format!("{line}\n{line}\n")).unwrap();
    let component = component().to_str().unwrap();
    let out = harness(&[
        "batch",
        "--component",
        component,
        "--profile",
        "fixtures/profile.json",
        "-o",
        fifo.to_str().unwrap(),
        input.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // Checked before the reader is joined: had the FIFO been replaced, no
    // writer would ever open it and the reader would wait for ever.
    assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo(), "the FIFO was replaced by a file");
    assert!(!dir.join(".results.fifo.partial").exists());
    let written = reader.join().unwrap();
    assert_eq!(written.lines().count(), 2, "{written}");
    assert!(written.lines().all(|l| l.contains("\"status\":\"ready\"")), "{written}");

    // Nothing to resume from in a device.
    let out = harness(&[
        "batch",
        "--component",
        component,
        "--resume",
        "--profile",
        "fixtures/profile.json",
        "-o",
        "/dev/null",
        input.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("not a regular file"), "{}", text(&out.stderr));
    assert!(std::fs::metadata("/dev/null").unwrap().file_type().is_char_device());
}

#[test]
fn a_batch_whose_input_is_missing_leaves_the_earlier_results_untouched() {
    let dir = scratch("missing-input");
    let results = dir.join("results.jsonl");
    std::fs::write(&results, "{\"line\":1}\n").unwrap();
    let out = harness(&[
        "batch",
        "--profile",
        "fixtures/profile.json",
        "-o",
        results.to_str().unwrap(),
        dir.join("missing.jsonl").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("missing.jsonl"), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(&results).unwrap(), "{\"line\":1}\n");
}

#[test]
fn an_interrupted_batch_leaves_whole_lines_says_how_far_and_resumes() {
    let dir = scratch("interrupted");
    // Each payload spins until the 100 ms wall-clock cap: 60 take ~6 s on one worker.
    let input = dir.join("slow.jsonl");
    std::fs::write(&input, "loop\n".repeat(60)).unwrap();
    let results = dir.join("results.jsonl");
    let hostile = test_component("hostile");
    let args = |resume: bool| {
        let mut a = vec![
            "batch".to_owned(),
            "--component".into(),
            hostile.to_str().unwrap().into(),
            "--profile".into(),
            "fixtures/profile.json".into(),
            "--workers".into(),
            "1".into(),
            "--fuel".into(),
            "100000000000".into(),
            "--wall-ms".into(),
            "100".into(),
            "-o".into(),
            results.to_str().unwrap().into(),
        ];
        if resume {
            a.push("--resume".into());
        }
        a.push(input.to_str().unwrap().into());
        a
    };
    let child = Command::new(env!("CARGO_BIN_EXE_host-harness"))
        .current_dir(workspace())
        .args(args(false))
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let killed = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("INTERRUPTED: answered through input line"), "{stderr}");
    let first = std::fs::read_to_string(&results).unwrap();
    assert!(first.ends_with('\n'), "only whole lines");
    let answered: Vec<u64> = first
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["line"].as_u64().unwrap())
        .collect();
    assert!(!answered.is_empty() && answered.len() < 60, "{} answered before the interrupt", answered.len());
    assert_eq!(answered, (1..=answered.len() as u64).collect::<Vec<_>>());

    let out = harness(&args(true).iter().map(String::as_str).collect::<Vec<_>>());
    // Every payload was stopped by the wall-clock cap: a run that completed, with orders stopped.
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let all = std::fs::read_to_string(&results).unwrap();
    assert!(all.starts_with(&first), "the earlier lines are kept as they were");
    let lines: Vec<u64> =
        all.lines().map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, (1..=60).collect::<Vec<_>>());
}

#[test]
fn batch_exit_codes_tell_all_answered_from_some_stopped() {
    let dir = scratch("exit-codes");
    let hostile = test_component("hostile");
    let run = |payloads: &str| {
        let input = dir.join("in.jsonl");
        std::fs::write(&input, payloads).unwrap();
        let args = ["batch", "--component", hostile.to_str().unwrap(), "--profile", "fixtures/profile.json"];
        let out =
            harness(&[&args[..], &["-o", dir.join("out.jsonl").to_str().unwrap(), input.to_str().unwrap()]].concat());
        (out.status.code(), text(&out.stderr))
    };
    assert_eq!(run("fine\nfine\n").0, Some(0));
    let (code, stderr) = run("trap\ntrap\n");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("trap"), "{stderr}");
}

#[test]
fn every_command_that_instantiates_refuses_a_forbidden_import() {
    let forbidden = test_component("forbidden-import");
    let order = fixtures().join("orders/example-on-account/order.json");
    for args in [
        vec![
            "run",
            "--component",
            forbidden.to_str().unwrap(),
            "--profile",
            "fixtures/profile.json",
            order.to_str().unwrap(),
        ],
        vec!["replay", "--component", forbidden.to_str().unwrap(), "fixtures/orders/example-on-account"],
        vec![
            "batch",
            "--component",
            forbidden.to_str().unwrap(),
            "--profile",
            "fixtures/profile.json",
            order.to_str().unwrap(),
        ],
    ] {
        let out = harness(&args);
        assert_eq!(out.status.code(), Some(2), "{}: {}", args[0], text(&out.stderr));
        assert!(text(&out.stderr).contains("which the platform does not allow"), "{}: {}", args[0], text(&out.stderr));
    }
    assert!(Bridge::load(&forbidden, Limits::default(), None).is_err());
}

#[test]
fn a_ready_outcome_without_a_sales_order_is_a_contract_failure() {
    let bridge = Bridge::load(&test_component("hostile"), Limits::default(), None).unwrap();
    let profile = host_harness::bridge::ProfileText::new("{}".into());
    for (payload, why) in [
        ("ready-without-order", "a ready outcome without a sales order"),
        ("rejected-with-order", "a rejected outcome with a sales order"),
        ("not-json", "not JSON"),
    ] {
        let report = bridge.run(
            host_harness::Flow::Orders,
            host_harness::bridge::ProfileSource::Text(&profile),
            payload.as_bytes(),
        );
        assert!(report.outcome.is_none(), "{payload}");
        let failure = report.failure.expect("a failure");
        assert_eq!(failure.kind(), "invalid-output", "{payload}");
        assert!(failure.to_string().contains(why), "{payload}: {failure}");
    }
}

#[test]
fn the_gate_refuses_text_and_gates_with_the_tenants_profile() {
    let dir = scratch("gate");
    let wat = dir.join("bridge.wat");
    std::fs::write(&wat, "(component)").unwrap();
    let out = harness(&["check", wat.to_str().unwrap(), "--profile", "fixtures/profile.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("FAIL component    WebAssembly text (WAT)"), "{}", text(&out.stdout));
    assert!(!text(&out.stdout).contains("a valid WebAssembly component"));

    // No silent default: an unbaked version is gated with the tenant's profile, named.
    let plugin = component().to_str().unwrap();
    let out = harness(&["check", plugin]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("no tenant profile"), "{}", text(&out.stdout));

    // A tenant profile this version cannot load fails the gate, whatever the bundled one does.
    let mut tenant: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures().join("profile.json")).unwrap()).unwrap();
    tenant["orders"]["poPolicy"] = serde_json::json!("sometimes");
    let tenant_path = dir.join("tenant.json");
    std::fs::write(&tenant_path, tenant.to_string()).unwrap();
    let out = harness(&["check", plugin, "--profile", tenant_path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let report = text(&out.stdout);
    assert!(report.contains("FAIL instantiate") && report.contains("/orders/poPolicy"), "{report}");
}
