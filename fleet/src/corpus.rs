//! Order corpora for the fleet's test and benchmark: distinct orders made from
//! the recorded fixtures (each given its own id and name, so each is its own
//! order key and outcome), and hostile payloads.

use anyhow::{Context, Result};
use serde_json::{json, Value};
use std::path::Path;

/// The recorded JSON orders under `cases` that use `profile` (cases with a
/// profile of their own are left out: the fleet maps with the tenant's).
pub fn recorded(cases: &Path, profile: &Path) -> Result<Vec<Value>> {
    let profile = profile.canonicalize().with_context(|| format!("finding {}", profile.display()))?;
    let mut orders = Vec::new();
    for case in host_harness::replay::discover(cases, None)? {
        if case.flow != host_harness::Flow::Orders || case.profile.canonicalize().ok().as_ref() != Some(&profile) {
            continue;
        }
        if let Ok(order @ Value::Object(_)) = serde_json::from_slice::<Value>(&case.input()?) {
            orders.push(order);
        }
    }
    anyhow::ensure!(!orders.is_empty(), "no recorded JSON orders under {} use {}", cases.display(), profile.display());
    Ok(orders)
}

/// `count` distinct orders, cycling through `recorded`, the n-th (from
/// `first`) given id `8000000000 + n` and name `#FL<n>`; one line of JSON each.
pub fn generate(recorded: &[Value], first: usize, count: usize) -> Vec<Vec<u8>> {
    (first..first + count)
        .map(|n| {
            let mut order = recorded[n % recorded.len()].clone();
            order["id"] = json!(8_000_000_000u64 + n as u64);
            order["name"] = json!(format!("#FL{n}"));
            serde_json::to_vec(&order).expect("a JSON value serialises")
        })
        .collect()
}

/// Payloads a hostile or broken sender produces: each must end in exactly
/// one outcome or one dead letter, never stall a worker.
pub fn hostile(recorded: &[Value]) -> Vec<Vec<u8>> {
    let with_lines = recorded
        .iter()
        .find(|o| o["line_items"].as_array().is_some_and(|l| !l.is_empty()))
        .cloned()
        .unwrap_or_else(|| json!({"line_items": [{"sku": "X", "quantity": 1, "price": "1.00"}]}));
    // Thousands of lines: more than the fuel budget maps (a dead letter: fuel-exhausted).
    let mut many_lines = with_lines.clone();
    let line = with_lines["line_items"][0].clone();
    many_lines["line_items"] = Value::Array(vec![line; 4000]);
    many_lines["name"] = json!("#FL-HOSTILE-LINES");
    // Over the 1 MiB input cap (a dead letter: input-too-large).
    let mut oversized = with_lines;
    oversized["note"] = json!("x".repeat(1_200_000));
    oversized["name"] = json!("#FL-HOSTILE-BIG");
    vec![
        b"this is not an order".to_vec(),
        b"{\"id\": \"\xff\xfe not UTF-8\", \"name\": \"#FL-HOSTILE-UTF8\"}".to_vec(),
        format!("{}{}", "[".repeat(50_000), "]".repeat(50_000)).into_bytes(),
        b"null".to_vec(),
        b"{}".to_vec(),
        b"{\"name\": \"#FL-HOSTILE-DUP\", \"name\": \"#FL-HOSTILE-DUP2\", \"line_items\": 7}".to_vec(),
        b"{\"name\": \"#FL-HOSTILE-NUL\\u0000\", \"line_items\": []}".to_vec(),
        b"{\"name\": \"#FL-HOSTILE-TRUNC\", \"line_items\": [{\"sku\": \"CUP".to_vec(),
        serde_json::to_vec(&many_lines).expect("a JSON value serialises"),
        serde_json::to_vec(&oversized).expect("a JSON value serialises"),
    ]
}
