//! Batch replay of recorded traffic: JSONL in, JSONL out, past every failure.

use crate::common::{component, fixtures, profile, read, test_component, workspace};
use host_harness::batch::{run, Options};
use host_harness::bridge::{ProfileSource, ProfileText};
use host_harness::{Bridge, Flow, Limits};
use std::process::Command;

/// Compact one-line JSON of a fixture payload, as a platform log would hold it.
fn line_of(case: &str) -> String {
    let text = read(fixtures().join("orders").join(case).join("order.json"));
    let value: Box<serde_json::value::RawValue> = serde_json::from_str(&text).unwrap();
    // Re-serialising a RawValue keeps the text; strip the pretty-printing newlines.
    value.get().lines().map(str::trim).collect::<Vec<_>>().join("")
}

/// The hostile component takes any profile text.
fn any_profile() -> ProfileSource<'static> {
    static EMPTY: std::sync::OnceLock<ProfileText> = std::sync::OnceLock::new();
    ProfileSource::Text(EMPTY.get_or_init(|| ProfileText::new("{}".into())))
}

fn output_lines(bytes: &[u8]) -> Vec<serde_json::Map<String, serde_json::Value>> {
    String::from_utf8_lossy(bytes).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn batch_keeps_input_order_and_counts_by_status_and_code() {
    let bridge = Bridge::load(component(), Limits::default(), None).unwrap();
    let cases = ["example-on-account", "po-too-long", "uom-sku-unknown", "payment-upfront-paid"];
    let mut input = String::new();
    for i in 0..25 {
        input.push_str(&line_of(cases[i % cases.len()]));
        input.push('\n');
        if i == 10 {
            input.push_str("not json\n\n"); // a broken record and a blank line
        }
    }
    let mut out = Vec::new();
    let options = Options { workers: 2, reuse: false, progress: false, input_bytes: None, skip_through: 0, stop: None };
    let profile = profile();
    let summary =
        run(&bridge, Flow::Orders, ProfileSource::Text(&profile), input.as_bytes(), &mut out, &options).unwrap();
    assert_eq!(summary.orders, 26);
    assert_eq!(summary.by_status["rejected"], 1);
    assert_eq!(summary.by_issue_code["PO_TOO_LONG"], 6);
    let lines = output_lines(&out);
    let numbers: Vec<u64> = lines.iter().map(|l| l["line"].as_u64().unwrap()).collect();
    let mut expected: Vec<u64> = (1..=11).collect();
    expected.push(12); // "not json"
    expected.extend(14..=27); // after the blank line 13
    assert_eq!(numbers, expected);
    assert_eq!(lines[11]["outcome"]["status"], "rejected");
    assert_eq!(lines[0]["outcome"]["orderKey"], "B2B1042");
    assert!(lines[0]["metrics"]["fuel"].as_u64().unwrap() > 0);
}

#[test]
fn batch_carries_on_past_components_that_misbehave_in_reused_instances() {
    let bridge = Bridge::load(&test_component("hostile"), Limits::default(), None).unwrap();
    let input = "fine\nloop\nfine\npanic\nfine\nalloc\nfine\n";
    let mut out = Vec::new();
    let options = Options { workers: 1, reuse: true, progress: false, input_bytes: None, skip_through: 0, stop: None };
    let summary = run(&bridge, Flow::Orders, any_profile(), input.as_bytes(), &mut out, &options).unwrap();
    assert_eq!(summary.orders, 7);
    assert_eq!(summary.by_status["ready"], 4);
    assert_eq!(summary.by_status["stopped"], 3);
    let kinds: Vec<String> =
        output_lines(&out).iter().map(|l| l["failure"]["kind"].as_str().unwrap_or("-").to_owned()).collect();
    assert_eq!(kinds, ["-", "fuel-exhausted", "-", "trap", "-", "memory-limit", "-"]);
}

#[test]
fn batch_cli_writes_jsonl_and_a_summary() {
    let dir = workspace().join("target/tmp-batch");
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("in.jsonl");
    std::fs::write(&input, format!("{}\n{}\n", line_of("example-on-account"), line_of("customer-unmapped"))).unwrap();
    let output = dir.join("out.jsonl");
    let out = Command::new(env!("CARGO_BIN_EXE_host-harness"))
        .current_dir(workspace())
        .arg("batch")
        .arg("--component")
        .arg(component())
        .args(["--profile", "fixtures/profile.json", "--output"])
        .args([&output, &input])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let summary = String::from_utf8_lossy(&out.stderr);
    assert!(summary.starts_with("2 orders in "), "{summary}");
    assert!(summary.contains("CUSTOMER_UNMAPPED"), "{summary}");
    assert_eq!(output_lines(&std::fs::read(&output).unwrap()).len(), 2);
}

/// A writer that fails once `limit` bytes are written, like a closed pipe.
struct FailingWriter {
    written: usize,
    limit: usize,
}

impl std::io::Write for FailingWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.written + buf.len() > self.limit {
            return Err(std::io::Error::new(std::io::ErrorKind::BrokenPipe, "reader went away"));
        }
        self.written += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn batch_stops_with_an_error_when_the_output_fails_instead_of_hanging() {
    // Run on its own thread with a deadline, so a regression fails this test
    // instead of hanging the whole suite.
    let (tx, rx) = std::sync::mpsc::channel();
    let component = test_component("hostile");
    std::thread::spawn(move || {
        let bridge = Bridge::load(&component, Limits::default(), None).unwrap();
        let input = "fine\n".repeat(5_000);
        let mut out = FailingWriter { written: 0, limit: 2_000 };
        let options =
            Options { workers: 2, reuse: true, progress: false, input_bytes: None, skip_through: 0, stop: None };
        let result = run(&bridge, Flow::Orders, any_profile(), input.as_bytes(), &mut out, &options)
            .map(|_| ())
            .map_err(|e| format!("{e:#}"));
        let _ = tx.send(result);
    });
    let result = rx.recv_timeout(std::time::Duration::from_secs(120)).expect("batch hung after its output failed");
    let error = result.expect_err("the write error is returned");
    assert!(error.contains("reader went away"), "{error}");
}

#[test]
fn batch_refuses_more_workers_than_the_instance_pool_holds() {
    let bridge = Bridge::load(&test_component("hostile"), Limits { instances: 4, ..Limits::default() }, None).unwrap();
    let options = Options { workers: 3, reuse: false, progress: false, input_bytes: None, skip_through: 0, stop: None };
    let error =
        run(&bridge, Flow::Orders, any_profile(), "fine\n".as_bytes(), &mut Vec::new(), &options).err().unwrap();
    assert!(format!("{error:#}").contains("3 workers need 6 instance slots"), "{error:#}");
}
