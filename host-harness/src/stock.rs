//! The stock flow on the platform's side: what one `map-stock` call is
//! handed (a `StockCall`), how a recorded case becomes one, how a large
//! export is paged into calls that fit the platform's limits, and the
//! summary of a paged run.
//!
//! Paging. A 50,000-variant export at two locations is 100,000 rows, several
//! MiB as JSON or CSV: over the 1 MiB a call may take, and more work than 11M
//! fuel. The host splits it by OrderWise variant code: every row of one
//! variant in the same call, calls covering consecutive code ranges that
//! together cover every code (`[none, b1)`, `[b1, b2)`, …, `[bn, none)`), each
//! call told its range so that "no row for this variant" is only said inside
//! it. SparkLayer's current levels are split the same way, a case SKU's level
//! going with the variant it is cut from (read from the profile's
//! `reference.variants[].units`). Rows keep their bytes and their order
//! within a call. An export the harness cannot read is not split: it goes
//! whole to one call, which refuses it with its coded reason.

use crate::report::{LocationCount, RunReport, Status};
use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

/// How the export is written (the WIT `export-format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Json,
    Csv,
}

impl ExportFormat {
    /// From a file name: `.csv` is CSV; anything else (`.json`, `.txt`) is what a JSON endpoint returned.
    pub fn of_path(path: &Path) -> ExportFormat {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("csv") => ExportFormat::Csv,
            _ => ExportFormat::Json,
        }
    }
}

/// The range a call covers (the WIT `sku-range`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    #[serde(default)]
    pub first: Option<String>,
    #[serde(default)]
    pub before: Option<String>,
}

/// One `map-stock` call, as a JSON line: `{"export": "<text>", "format":
/// "json"|"csv", "current": "<text>"|null, "range": {"first", "before"}|null}`.
/// The export and current levels are the exact texts (JSON strings), so a
/// recorded poll replays byte for byte. The JSONL a stock `batch` reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StockCall {
    pub export: String,
    pub format: ExportFormat,
    #[serde(default)]
    pub current: Option<String>,
    #[serde(default)]
    pub range: Option<Range>,
}

/// A stock case's files beside its export.
pub const CURRENT: &str = "current.json";
pub const RANGE: &str = "range.json";

impl StockCall {
    pub fn parse(line: &str) -> Result<StockCall, String> {
        serde_json::from_str(line).map_err(|e| {
            format!("a stock call is a JSON object {{\"export\", \"format\", \"current\"?, \"range\"?}}: {e}")
        })
    }

    pub fn to_line(&self) -> String {
        serde_json::to_string(self).expect("strings serialise")
    }

    /// A recorded case: its export (`export.json`, `export.csv` or
    /// `export.txt`), and `current.json` and `range.json` when present.
    pub fn from_case(export: &Path) -> Result<StockCall> {
        let dir = export.parent().context("an export file sits in its case directory")?;
        let text = read_lossy(export)?;
        let current = match dir.join(CURRENT) {
            p if p.is_file() => Some(read_lossy(&p)?),
            _ => None,
        };
        let range = match dir.join(RANGE) {
            p if p.is_file() => Some(
                serde_json::from_str(&read_lossy(&p)?)
                    .with_context(|| format!("{}: expected {{\"first\"?, \"before\"?}}", p.display()))?,
            ),
            _ => None,
        };
        Ok(StockCall { export: text, format: ExportFormat::of_path(export), current, range })
    }
}

fn read_lossy(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// How big a call may be.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    /// Export rows a call at most (a variant's rows are never split).
    pub rows: usize,
    /// Bytes of export and current levels a call at most.
    pub bytes: usize,
}

impl Default for Paging {
    /// 500 rows: about 6M of the 11M fuel with SparkLayer's current
    /// levels to compare (docs/benchmarks.md, "Stock flow"), and well under
    /// the 1 MiB in and out; 768 KiB in at most.
    fn default() -> Self {
        Paging { rows: 500, bytes: 768 * 1024 }
    }
}

/// SparkLayer SKU -> the OrderWise variant code it takes stock from, from a
/// profile's text (variant codes map to themselves; case SKUs, units with no
/// pack, to their variant).
pub fn sku_map(profile: &str) -> Result<BTreeMap<String, String>> {
    let doc: serde_json::Value = serde_json::from_str(profile).context("the profile is not JSON")?;
    let mut map = BTreeMap::new();
    for v in doc["reference"]["variants"].as_array().context("the profile has no reference.variants")? {
        let code = match v {
            serde_json::Value::String(code) => code.clone(),
            other => other["code"].as_str().unwrap_or_default().to_owned(),
        };
        for unit in v["units"].as_array().into_iter().flatten() {
            if unit.get("pack").is_none_or(serde_json::Value::is_null) {
                if let Some(sku) = unit["sku"].as_str() {
                    map.insert(sku.to_owned(), code.clone());
                }
            }
        }
        map.entry(code.clone()).or_insert(code);
    }
    Ok(map)
}

/// One export row: its variant code and its exact text (a JSON object, or a CSV line).
struct Row<'a> {
    code: String,
    text: &'a str,
}

/// Splits an export into calls. With no `skus` map, current levels go by their own SKU.
pub fn split(
    export: &str,
    format: ExportFormat,
    current: Option<&str>,
    skus: Option<&BTreeMap<String, String>>,
    paging: Paging,
) -> Vec<StockCall> {
    let whole =
        || vec![StockCall { export: export.to_owned(), format, current: current.map(str::to_owned), range: None }];
    let Some((header, rows)) = rows_of(export, format) else {
        return whole();
    };
    let current_entries: Option<Vec<(String, &str)>> = match current {
        Some(text) => match serde_json::from_str::<Vec<&RawValue>>(text) {
            Ok(entries) => Some(
                entries
                    .into_iter()
                    .map(|e| {
                        let sku = serde_json::from_str::<serde_json::Value>(e.get())
                            .ok()
                            .and_then(|v| v["sku"].as_str().map(str::to_owned))
                            .unwrap_or_default();
                        let code = skus.and_then(|m| m.get(&sku)).cloned().unwrap_or(sku);
                        (code, e.get())
                    })
                    .collect(),
            ),
            // Unreadable: not split, so the component refuses it whole.
            Err(_) => return whole(),
        },
        None => None,
    };
    let total = export.len() + current.map_or(0, str::len);
    if rows.len() <= paging.rows && total <= paging.bytes {
        return whole();
    }
    // Rows and current bytes per variant code, in code order.
    let mut by_code: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for r in &rows {
        let e = by_code.entry(r.code.as_str()).or_default();
        e.0 += 1;
        e.1 += r.text.len() + 1;
    }
    for (code, text) in current_entries.iter().flatten() {
        by_code.entry(code.as_str()).or_default().1 += text.len() + 1;
    }
    let mut bounds: Vec<&str> = Vec::new();
    let (mut n, mut bytes) = (0, 0);
    for (code, (rows_of_code, bytes_of_code)) in &by_code {
        if n > 0 && (n + rows_of_code > paging.rows || bytes + bytes_of_code > paging.bytes) {
            bounds.push(code);
            (n, bytes) = (0, 0);
        }
        n += rows_of_code;
        bytes += bytes_of_code;
    }
    let chunk_of = |code: &str| bounds.partition_point(|b| *b <= code);
    let mut calls: Vec<(Vec<&str>, Vec<&str>)> = vec![(Vec::new(), Vec::new()); bounds.len() + 1];
    for r in &rows {
        calls[chunk_of(&r.code)].0.push(r.text);
    }
    for (code, text) in current_entries.iter().flatten() {
        calls[chunk_of(code)].1.push(text);
    }
    calls
        .into_iter()
        .enumerate()
        .map(|(i, (rows, current))| {
            let export = match format {
                ExportFormat::Json => format!("[\n{}\n]\n", rows.join(",\n")),
                ExportFormat::Csv => format!("{header}\n{}\n", rows.join("\n")),
            };
            StockCall {
                export,
                format,
                current: current_entries.as_ref().map(|_| format!("[\n{}\n]\n", current.join(",\n"))),
                range: Some(Range {
                    first: i.checked_sub(1).map(|b| bounds[b].to_owned()),
                    before: bounds.get(i).map(|b| (*b).to_owned()),
                }),
            }
        })
        .collect()
}

/// The header (CSV) and the rows with their codes; `None` when the harness
/// cannot read the export (the component will say why).
fn rows_of(export: &str, format: ExportFormat) -> Option<(String, Vec<Row<'_>>)> {
    let text = export.strip_prefix('\u{feff}').unwrap_or(export);
    match format {
        ExportFormat::Json => {
            let items: Vec<&RawValue> = serde_json::from_str(text).ok()?;
            let rows = items
                .into_iter()
                .map(|item| {
                    let sku = serde_json::from_str::<serde_json::Value>(item.get())
                        .ok()
                        .and_then(|v| v["sku"].as_str().map(str::to_owned))
                        .unwrap_or_default();
                    Row { code: sku, text: item.get() }
                })
                .collect();
            Some((String::new(), rows))
        }
        ExportFormat::Csv => {
            // Quoted fields spanning lines are not split here: such an export goes whole.
            if text.contains('"') {
                return None;
            }
            let mut lines = text.lines().filter(|l| !l.trim().is_empty());
            let header = lines.next()?;
            let at = header.split(',').position(|h| h.trim().eq_ignore_ascii_case("sku"))?;
            let rows = lines
                .map(|line| Row { code: line.split(',').nth(at).unwrap_or_default().to_owned(), text: line })
                .collect();
            Some((header.to_owned(), rows))
        }
    }
}

/// A paged stock run: every call's report, and the totals.
pub struct StockRun {
    pub reports: Vec<RunReport>,
}

impl StockRun {
    /// Counts per SparkLayer location, added over the calls.
    pub fn totals(&self) -> Vec<LocationCount> {
        let mut totals: Vec<LocationCount> = Vec::new();
        for o in self.reports.iter().filter_map(|r| r.outcome.as_ref()) {
            for c in &o.locations {
                match totals.iter_mut().find(|t| t.location == c.location) {
                    Some(t) => t.add(c),
                    None => totals.push(c.clone()),
                }
            }
        }
        totals
    }

    /// Every request body, in call order.
    pub fn requests(&self) -> Vec<String> {
        let mut out = Vec::new();
        for o in self.reports.iter().filter_map(|r| r.outcome.as_ref()) {
            #[derive(Deserialize)]
            struct Doc<'a> {
                #[serde(borrow)]
                requests: Vec<&'a RawValue>,
            }
            if let Some(doc) = o.document.as_ref().and_then(|d| serde_json::from_str::<Doc>(d.get()).ok()) {
                out.extend(doc.requests.into_iter().map(|r| r.get().to_owned()));
            }
        }
        out
    }

    /// Whether every call ran and none was refused.
    pub fn passed(&self) -> bool {
        self.reports
            .iter()
            .all(|r| r.failure.is_none() && r.outcome.as_ref().is_some_and(|o| o.status != Status::Rejected))
    }

    /// Writes `request-0001.json`, … into `dir`; returns how many.
    pub fn write_requests(&self, dir: &Path) -> Result<usize> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let requests = self.requests();
        for (i, body) in requests.iter().enumerate() {
            let path = dir.join(format!("request-{:04}.json", i + 1));
            std::fs::write(&path, format!("{body}\n")).with_context(|| format!("writing {}", path.display()))?;
        }
        Ok(requests.len())
    }
}

impl fmt::Display for StockRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let outcomes: Vec<_> = self.reports.iter().filter_map(|r| r.outcome.as_ref()).collect();
        let entries: usize =
            self.requests().iter().map(|r| serde_json::from_str::<Vec<&RawValue>>(r).map_or(0, |v| v.len())).sum();
        writeln!(
            f,
            "== Stock run: {} call(s), {} request(s), {entries} entries",
            self.reports.len(),
            self.requests().len()
        )?;
        let rejected = outcomes.iter().filter(|o| o.status == Status::Rejected).count();
        let stopped = self.reports.iter().filter(|r| r.failure.is_some()).count();
        if rejected + stopped > 0 {
            writeln!(f, "  NOT ALL SENT: {rejected} call(s) rejected, {stopped} stopped by the platform")?;
        }
        writeln!(
            f,
            "  {:<16} {:>9} {:>10} {:>8} {:>8} {:>8}",
            "location", "sent", "unchanged", "clamped", "drifted", "missing"
        )?;
        for t in self.totals() {
            writeln!(
                f,
                "  {:<16} {:>9} {:>10} {:>8} {:>8} {:>8}",
                t.location, t.sent, t.unchanged, t.clamped, t.drifted, t.missing
            )?;
        }
        let mut codes: BTreeMap<&str, usize> = BTreeMap::new();
        for i in outcomes.iter().flat_map(|o| &o.issues) {
            *codes.entry(i.code.as_str()).or_default() += 1;
        }
        if !codes.is_empty() {
            writeln!(f, "== Issues by code (listed; each call lists at most 50 of a code and counts the rest)")?;
            for (code, n) in codes {
                writeln!(f, "  {code:<28} {n:>7}")?;
            }
        }
        writeln!(f, "== Calls (range, status, fuel, peak memory, input, output, wall)")?;
        for r in &self.reports {
            let (key, status) = match (&r.outcome, &r.failure) {
                (Some(o), _) => (o.key.clone().unwrap_or_default(), o.status.to_string()),
                (None, Some(fail)) => (String::new(), format!("stopped: {fail}")),
                (None, None) => (String::new(), "-".into()),
            };
            let m = &r.metrics;
            writeln!(
                f,
                "  {key:<40} {status:<8} {:>10} fuel {:>9} B mem {:>8} B in {:>8} B out {:>7} µs",
                m.fuel, m.peak_memory_bytes, m.input_bytes, m.output_bytes, m.wall_micros
            )?;
        }
        let fuel: u64 = self.reports.iter().map(|r| r.metrics.fuel).sum();
        let max_fuel = self.reports.iter().map(|r| r.metrics.fuel).max().unwrap_or(0);
        let peak = self.reports.iter().map(|r| r.metrics.peak_memory_bytes).max().unwrap_or(0);
        let wall: u64 = self.reports.iter().map(|r| r.metrics.wall_micros).sum();
        writeln!(f, "  total fuel {fuel} (largest call {max_fuel}), peak memory {peak} B, wall {wall} µs")
    }
}

/// Reads a current-levels file, refusing what is plainly not one.
pub fn read_current(path: &Path) -> Result<String> {
    let text = read_lossy(path)?;
    if text.trim().is_empty() {
        bail!("{} is empty: give SparkLayer's current levels as a JSON array, or leave --current out", path.display());
    }
    Ok(text)
}
