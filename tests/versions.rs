//! `diff`: what deploying a new version would change, on recorded orders.

use crate::common::{component, fixtures, rule_changed_component, workspace};
use host_harness::corpus;
use host_harness::diff::diff;
use host_harness::{Bridge, Flow, Limits};
use std::process::Command;

#[test]
fn diff_of_a_version_against_itself_is_empty() {
    let bridge = Bridge::load(component(), Limits::default(), None).unwrap();
    let entries = corpus::load(&fixtures().join("orders"), None, Flow::Orders).unwrap();
    let report = diff(&bridge, &bridge, &entries).unwrap();
    assert_eq!(report.orders, entries.len());
    assert_eq!(report.changed(), 0, "{report}");
}

#[test]
fn diff_shows_a_deliberate_rule_change_grouped_by_kind() {
    let old = Bridge::load(component(), Limits::default(), None).unwrap();
    let new = Bridge::load(rule_changed_component(), Limits::default(), None).unwrap();
    let entries = corpus::load(&fixtures().join("orders"), None, Flow::Orders).unwrap();
    let report = diff(&old, &new, &entries).unwrap();
    // Only the customer whose PO policy is optional is affected.
    let order = "po-missing-optional-customer (B2B1081)".to_owned();
    assert_eq!(report.changed(), 1, "{report}");
    assert_eq!(report.groups["status: ready → review"], vec![order.clone()]);
    assert_eq!(report.groups["issue added: PO_MISSING (error, finance) at /note_attributes"], vec![order.clone()]);
    assert_eq!(report.groups["issue removed: PO_MISSING (warning, finance) at /note_attributes"], vec![order.clone()]);
    assert_eq!(
        report.details[&order],
        [
            "status ready → review",
            "+PO_MISSING (error, finance) at /note_attributes",
            "-PO_MISSING (warning, finance) at /note_attributes"
        ]
    );
}

#[test]
fn diff_cli_prints_groups_and_can_fail_on_change() {
    let out = Command::new(env!("CARGO_BIN_EXE_host-harness"))
        .current_dir(workspace())
        .arg("diff")
        .args([component(), rule_changed_component()])
        .args(["fixtures/orders", "--exit-code"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.starts_with(&format!(
            "{} orders replayed through both versions: 1 changed",
            corpus::load(&fixtures().join("orders"), None, Flow::Orders).unwrap().len()
        )),
        "{text}"
    );
    assert!(text.contains("[1 order] status: ready → review"), "{text}");
}
