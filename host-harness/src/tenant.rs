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

/// A stock export for a tenant profile (`host-harness stock-export`): one row
/// for every variant that is not discontinued at every OrderWise location
/// its `stock` section maps, with free stock that varies (some negative,
/// some fractional); and SparkLayer's current levels as they would be after
/// that export was sent (case SKUs in whole cases), except `changes` of them,
/// spread evenly, which SparkLayer shows one higher. Deterministic.
pub fn stock_export(profile: &str, format: crate::stock::ExportFormat, changes: usize) -> Result<(String, String)> {
    use crate::stock::ExportFormat;
    let doc: Value = serde_json::from_str(profile).context("the profile is not JSON")?;
    let locations: Vec<(u64, Value)> = doc["stock"]["locations"]
        .as_array()
        .context("the profile has no stock.locations: generate from one with a `stock` section (fixtures/stock/profile.json)")?
        .iter()
        .map(|l| {
            let spark = match (l.get("externalId"), l.get("sparkLayerId")) {
                (Some(e), _) => json!({ "stock_location_external_id": e }),
                (_, Some(id)) => json!({ "stock_location_id": id }),
                _ => json!({}),
            };
            (l["stockLocationId"].as_u64().unwrap_or_default(), spark)
        })
        .collect();
    let variants = doc["reference"]["variants"].as_array().context("the profile has no reference.variants")?;
    let mut export = String::new();
    let mut levels: Vec<Value> = Vec::new();
    if format == ExportFormat::Csv {
        export.push_str("sku,freeStock,StocklocationId\n");
    } else {
        export.push_str("[\n");
    }
    let mut first = true;
    for (i, v) in variants.iter().enumerate() {
        let (code, units) = match v {
            Value::String(code) => (code.as_str(), Vec::new()),
            other => {
                if other["discontinued"].as_bool() == Some(true) {
                    continue;
                }
                (other["code"].as_str().unwrap_or_default(), other["units"].as_array().cloned().unwrap_or_default())
            }
        };
        for (k, (location, spark)) in locations.iter().enumerate() {
            // Mostly whole numbers up to 2,000; now and then negative or part-used.
            let base = ((i * 7919 + k * 104_729) % 2_000) as i64;
            let free = match i % 97 {
                0 => format!("-{}", base % 5 + 1),
                1 => format!("{base}.5"),
                _ => base.to_string(),
            };
            let each = free.split('.').next().unwrap_or("0").parse::<i64>().unwrap_or(0).max(0) as u64;
            if format == ExportFormat::Csv {
                let _ = writeln!(export, "{code},{free},{location}");
            } else {
                if !first {
                    export.push_str(",\n");
                }
                let _ = write!(
                    export,
                    "{{\"sku\":{},\"freeStock\":{free},\"StocklocationId\":{location}}}",
                    Value::String(code.into())
                );
            }
            first = false;
            let mut level = |sku: &str, n: u64| {
                let mut entry = json!({ "sku": sku, "stock_level": n });
                if let (Value::Object(e), Value::Object(s)) = (&mut entry, spark) {
                    e.extend(s.clone());
                }
                levels.push(entry);
            };
            level(code, each);
            for u in &units {
                if u.get("pack").is_none_or(Value::is_null) {
                    let m = u["multiplier"].as_u64().unwrap_or(1).max(1);
                    level(u["sku"].as_str().unwrap_or_default(), each / m);
                }
            }
        }
    }
    if format == ExportFormat::Json {
        export.push_str("\n]\n");
    }
    if changes > 0 && !levels.is_empty() {
        let step = (levels.len() / changes).max(1);
        for entry in levels.iter_mut().step_by(step).take(changes) {
            let n = entry["stock_level"].as_u64().unwrap_or(0);
            entry["stock_level"] = json!(n + 1);
        }
    }
    let mut current = String::from("[\n");
    for (n, e) in levels.iter().enumerate() {
        current.push_str(&e.to_string());
        current.push_str(if n + 1 < levels.len() { ",\n" } else { "\n" });
    }
    current.push_str("]\n");
    Ok((export, current))
}

/// The profile with `n` OrderWise stock locations (ids 1..=n) in its reference
/// data, each mapped in its `stock` section to SparkLayer `OW-{id}`.
pub fn with_stock_locations(profile: &str, n: usize) -> Result<String> {
    let mut doc: Value = serde_json::from_str(profile).context("the profile is not JSON")?;
    if doc.get("stock").is_none() {
        bail!("the profile has no `stock` section to map locations in (start from fixtures/stock/profile.json)");
    }
    let ids = 1..=n;
    doc["reference"]["stockLocations"] =
        Value::Array(ids.clone().map(|id| json!({ "id": id, "name": format!("Warehouse {id}") })).collect());
    doc["stock"]["locations"] =
        Value::Array(ids.map(|id| json!({ "stockLocationId": id, "externalId": format!("OW-{id}") })).collect());
    if let Some(stock) = doc["stock"].as_object_mut() {
        stock.remove("exportLocationId");
    }
    Ok(layout(&doc))
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
