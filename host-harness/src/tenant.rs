//! `host-harness tenant`: a tenant-sized profile for tests and benchmarks.
//!
//! Starts from a base profile (the bundled one by default) and appends
//! generated OrderWise variants, case / pack unit mappings, quantity rules and
//! customers, so every recorded fixture order still maps exactly as against
//! the base, now looked up among tens of thousands of entries. Deterministic:
//! the same sizes give the same bytes.

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use std::fmt::Write as _;

/// How many entries to add.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    pub variants: usize,
    /// Unit mappings (case SKUs and pack selections), on the first variants.
    pub units: usize,
    pub customers: usize,
}

impl Size {
    /// The wholesale tenant of issue 7: 50,000 variants, 10,000 unit mappings, 5,000 customers.
    pub const LARGE: Size = Size { variants: 50_000, units: 10_000, customers: 5_000 };
}

const PRODUCTS: &[&str] = &[
    "CUP", "LID", "TEA", "NAP", "MILK", "SUGAR", "BAG", "BOX", "TRAY", "STRAW", "FORK", "SPOON", "GLOVE", "WIPE",
    "BIN", "FOIL", "FILM", "LABEL", "TAPE", "PAD",
];
const SIZES: &[&str] = &["8OZ", "12OZ", "16OZ", "1L", "500", "1000", "S", "M", "L", "XL"];
const COLOURS: &[&str] = &["WHT", "BLK", "KRA", "BLU", "RED", "GRN", "CLR"];
const CASES: &[u32] = &[6, 12, 24, 48, 50, 100];

/// The base profile with `size` entries added, as JSON text (one entry per line).
pub fn generate(base: &str, size: Size) -> Result<String> {
    let mut doc: Value = serde_json::from_str(base).context("the base profile is not JSON")?;
    let reference = doc.get_mut("reference").context("the base profile has no `reference` section")?;
    let (Some(variants), Some(customers)) = (
        reference.get("variants").and_then(Value::as_array).cloned(),
        reference.get("customers").and_then(Value::as_array).cloned(),
    ) else {
        bail!("the base profile's reference needs `variants` and `customers` arrays");
    };
    if size.units > size.variants {
        bail!(
            "{} unit mappings need at least as many variants (each maps onto one), not {}",
            size.units,
            size.variants
        );
    }
    let mut all_variants = variants;
    all_variants.extend((0..size.variants).map(|i| variant(i, i < size.units)));
    let mut all_customers = customers;
    all_customers.extend((0..size.customers).map(customer));
    reference["variants"] = Value::Array(all_variants);
    reference["customers"] = Value::Array(all_customers);
    if let Some(name) = doc.get("name").and_then(Value::as_str) {
        let label = format!(
            "{name} + {} variants, {} units, {} customers (generated)",
            size.variants, size.units, size.customers
        );
        doc["name"] = Value::String(label);
    }
    Ok(layout(&doc))
}

fn variant(i: usize, with_unit: bool) -> Value {
    let code = format!(
        "{}-{}-{}-{:05}",
        PRODUCTS[i % PRODUCTS.len()],
        SIZES[(i / PRODUCTS.len()) % SIZES.len()],
        COLOURS[(i / 7) % COLOURS.len()],
        i
    );
    if !i.is_multiple_of(10) && !with_unit {
        // A variant with nothing but a code is written as the code.
        return Value::String(code);
    }
    let mut v = json!({ "code": code });
    // SparkLayer quantity rules are set on a minority of SKUs.
    if i.is_multiple_of(10) {
        v["rule"] = json!({ "min": 1 + (i % 5) as u32, "max": 10_000 });
    }
    if with_unit {
        let multiplier = CASES[i % CASES.len()];
        // Every other mapping is a case SKU of its own, the rest a pack
        // selection on the each SKU (SparkLayer's "order in packs of N").
        let unit = if i.is_multiple_of(2) {
            json!({ "sku": format!("{code}-C{multiplier}"), "multiplier": multiplier })
        } else {
            json!({ "sku": code, "pack": format!("Case of {multiplier}"), "multiplier": multiplier,
                    "rule": { "max": 500 } })
        };
        v["units"] = json!([unit]);
    }
    v
}

fn customer(i: usize) -> Value {
    let mut c = json!({
        "shopifyId": 8_100_000_000_000u64 + i as u64,
        "email": format!("buyer{i}@trade-customer-{}.co.uk", i % 997),
        "orderwiseId": 100_000 + i,
    });
    if i.is_multiple_of(2) {
        c["credit"] = json!({ "accountCustomer": true, "availableToSpend": format!("{}.00", 1_000 + (i % 50) * 500) });
    }
    if i.is_multiple_of(10) {
        c["poPolicy"] = json!("optional");
    }
    c
}

/// Pretty-prints with one array entry per line: readable, and about the size
/// an export job would write.
fn layout(doc: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, doc, 0);
    out.push('\n');
    out
}

fn write_value(out: &mut String, v: &Value, depth: usize) {
    let pad = "  ".repeat(depth + 1);
    match v {
        Value::Object(map) if !map.is_empty() => {
            out.push_str("{\n");
            for (n, (k, x)) in map.iter().enumerate() {
                let _ = write!(out, "{pad}{}: ", Value::String(k.clone()));
                write_value(out, x, depth + 1);
                out.push_str(if n + 1 < map.len() { ",\n" } else { "\n" });
            }
            let _ = write!(out, "{}}}", "  ".repeat(depth));
        }
        Value::Array(items) if items.iter().any(|x| x.is_object() || x.is_array()) => {
            out.push_str("[\n");
            for (n, x) in items.iter().enumerate() {
                let _ = write!(out, "{pad}{x}");
                out.push_str(if n + 1 < items.len() { ",\n" } else { "\n" });
            }
            let _ = write!(out, "{}]", "  ".repeat(depth));
        }
        other => {
            let _ = write!(out, "{other}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = r#"{"name": "t", "reference": {"variants": [{"code": "A"}], "customers": []}, "orders": {}}"#;

    #[test]
    fn adds_the_requested_entries_after_the_base_ones() {
        let text = generate(BASE, Size { variants: 30, units: 10, customers: 4 }).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        let variants = doc["reference"]["variants"].as_array().unwrap();
        assert_eq!(variants.len(), 31);
        assert_eq!(variants[0]["code"], "A");
        assert_eq!(variants.iter().filter(|v| v.get("units").is_some()).count(), 10);
        assert!(variants.iter().any(Value::is_string), "plain variants are written as their code");
        assert_eq!(doc["reference"]["customers"].as_array().unwrap().len(), 4);
        assert_eq!(text, generate(BASE, Size { variants: 30, units: 10, customers: 4 }).unwrap(), "deterministic");
    }

    #[test]
    fn generated_keys_are_unique() {
        let text = generate(BASE, Size { variants: 5000, units: 2000, customers: 2000 }).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        let code = |v: &Value| v.as_str().or(v["code"].as_str()).unwrap().to_owned();
        let mut codes: Vec<String> = doc["reference"]["variants"].as_array().unwrap().iter().map(code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 5001);
    }
}
