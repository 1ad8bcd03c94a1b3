//! Every issue code is documented once in docs/issue-codes.md, with the
//! severity and owner it really has, and is exercised by at least one fixture.

use plugin::shared::issues::{Code, Owner, Severity};

fn doc() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/issue-codes.md");
    std::fs::read_to_string(path).expect("docs/issue-codes.md exists")
}

fn rows(doc: &str) -> Vec<Vec<String>> {
    doc.lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| l.split('|').map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()).collect())
        .collect()
}

#[test]
fn every_code_is_documented_once_with_its_severity_and_owner() {
    let doc = doc();
    let rows = rows(&doc);
    for code in Code::ALL {
        let name = format!("`{}`", code.as_str());
        let found: Vec<_> = rows.iter().filter(|r| r[0] == name).collect();
        assert_eq!(found.len(), 1, "{name} should have exactly one row in docs/issue-codes.md");
        let severity = match code.default_severity() {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        };
        assert!(found[0][1].starts_with(severity), "{name}: severity {severity} expected, doc says {}", found[0][1]);
        let owner = match code.owner() {
            Owner::Finance => "finance",
            Owner::Operations => "operations",
            Owner::Ecommerce => "ecommerce",
            Owner::Integration => "integration",
        };
        assert_eq!(found[0][2], owner, "{name}: owner");
    }
}

#[test]
fn the_doc_lists_no_code_the_component_cannot_emit() {
    let known: Vec<String> = Code::ALL.iter().map(|c| format!("`{}`", c.as_str())).collect();
    for row in rows(&doc()) {
        assert!(known.contains(&row[0]), "{} is documented but not in plugin/src/issues.rs", row[0]);
    }
}

#[test]
fn every_code_is_exercised_by_a_fixture_case() {
    // Orders, stock and reconciliation cases alike.
    let mut goldens = String::new();
    for flow in ["orders", "stock", "reconcile"] {
        let cases = format!("{}/../fixtures/{flow}", env!("CARGO_MANIFEST_DIR"));
        for case in std::fs::read_dir(cases).unwrap() {
            if let Ok(text) = std::fs::read_to_string(case.unwrap().path().join("expected.json")) {
                goldens.push_str(&text);
            }
        }
    }
    let missing: Vec<&str> =
        Code::ALL.iter().map(|c| c.as_str()).filter(|c| !goldens.contains(&format!("\"code\": \"{c}\""))).collect();
    assert!(missing.is_empty(), "codes no fixture case produces: {missing:?}");
}
