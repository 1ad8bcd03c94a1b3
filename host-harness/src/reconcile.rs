//! `host-harness reconcile` and `report`: the month-end reconciliation and the
//! operations queue, run natively from the plugin's core (`plugin::reconcile`),
//! as the platform would run it. This file reads the files (JSONL in parallel,
//! in chunks, so 100,000 orders never sit in memory as text), and replays the
//! reconciliation fixtures (`fixtures/reconcile/<case>/`) against their goldens.

use anyhow::{bail, Context, Result};
use plugin::reconcile::inputs::export::ExportRow;
use plugin::reconcile::inputs::orders::SparkOrder;
use plugin::reconcile::inputs::outcomes::BridgeOutcome;
use plugin::reconcile::inputs::{self, BadRow, Input, Lost};
use plugin::reconcile::period::Period;
use plugin::reconcile::{self as core, Reconciliation};
use plugin::shared::time::{parse_stamp, Instant, TimeZone};
use plugin::Profile;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

/// The three inputs of a reconciliation.
#[derive(Debug, Clone)]
pub struct Sources {
    /// SparkLayer order payloads, one per line.
    pub orders: PathBuf,
    /// The bridge's outcomes (`batch` output, or the platform's log).
    pub outcomes: PathBuf,
    /// The OrderWise export, CSV or JSON.
    pub export: PathBuf,
}

/// The tenant profile, parsed natively (the same parser as the component's).
pub fn load_profile(path: &Path) -> Result<Profile> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Profile::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// `--as-of`: an RFC 3339 timestamp (a time without offset is read in the
/// tenant's zone); the period's end when not given. Never the wall clock.
pub fn as_of(text: Option<&str>, period: &Period) -> Result<Instant> {
    match text {
        None => Ok(period.end),
        Some(t) => match parse_stamp(t) {
            Some(stamp) => Ok(stamp.instant(period.zone)),
            None => bail!("--as-of {t:?} is not an ISO 8601 timestamp such as 2025-04-01T09:00:00Z"),
        },
    }
}

/// Lines handed to the workers at a time: large enough that a hand-over
/// costs nothing, small enough that the text in flight stays a few MiB.
const CHUNK_LINES: usize = 4096;

/// Every non-blank line of `path`, parsed by `parse(text, line)` on `workers`
/// threads, in file order. A line that is not UTF-8 becomes a `BadRow`.
fn parallel_lines<T: Send>(
    path: &Path,
    input: Input,
    workers: usize,
    parse: impl Fn(&str, u64) -> Result<T, BadRow> + Sync,
) -> Result<(Vec<T>, Vec<BadRow>)> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let (mut out, mut bad) = (Vec::new(), Vec::new());
    let mut line_no = 0u64;
    let workers = workers.max(1);
    loop {
        let mut chunk: Vec<(u64, Vec<u8>)> = Vec::with_capacity(CHUNK_LINES);
        while chunk.len() < CHUNK_LINES {
            let mut buf = Vec::new();
            let n = reader.read_until(b'\n', &mut buf).with_context(|| format!("reading {}", path.display()))?;
            if n == 0 {
                break;
            }
            line_no += 1;
            // A byte-order mark (editors on Windows write one) is no part of
            // the first line's JSON, as the export's reader already holds.
            if line_no == 1 && buf.starts_with("\u{feff}".as_bytes()) {
                buf.drain(..3);
            }
            if !buf.iter().all(u8::is_ascii_whitespace) {
                chunk.push((line_no, buf));
            }
        }
        if chunk.is_empty() {
            break;
        }
        let parse_one = |(line, bytes): &(u64, Vec<u8>)| match std::str::from_utf8(bytes) {
            Ok(text) => parse(text.trim_end_matches(['\n', '\r']), *line),
            Err(e) => Err(BadRow::new(input, *line, format!("not UTF-8 text: {e}"))),
        };
        let per = chunk.len().div_ceil(workers);
        let results: Vec<Vec<Result<T, BadRow>>> = std::thread::scope(|s| {
            let handles: Vec<_> =
                chunk.chunks(per).map(|part| s.spawn(|| part.iter().map(parse_one).collect::<Vec<_>>())).collect();
            handles.into_iter().map(|h| h.join().expect("a parser thread panicked")).collect()
        });
        for r in results.into_iter().flatten() {
            match r {
                Ok(v) => out.push(v),
                Err(b) => bad.push(b),
            }
        }
    }
    Ok((out, bad))
}

pub fn read_orders(profile: &Profile, path: &Path, workers: usize) -> Result<(Vec<SparkOrder>, Vec<BadRow>)> {
    let zone = profile.reconcile.time_zone;
    parallel_lines(path, Input::Orders, workers, |text, line| inputs::orders::read(profile, zone, text, line))
}

pub fn read_outcomes(path: &Path, zone: TimeZone, workers: usize) -> Result<(Vec<BridgeOutcome>, Vec<BadRow>)> {
    parallel_lines(path, Input::Outcomes, workers, |text, line| inputs::outcomes::read(text, line, zone))
}

pub fn read_export(profile: &Profile, path: &Path) -> Result<(Vec<ExportRow>, Vec<BadRow>)> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            // Read all of it, each byte that is not UTF-8 replaced (a Windows-1252
            // "£" in a status), and name every line that held one: stopping at the
            // first made every later order look missing from OrderWise.
            let bytes = e.into_bytes();
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let (rows, mut bad) = inputs::export::read(profile, &profile.reconcile, &text);
            let why =
                "holds bytes that are not UTF-8 (a Windows-1252 export?), read as \u{FFFD}: save the export as UTF-8";
            bad.extend(non_utf8_lines(&bytes).map(|line| BadRow::new(Input::Export, line, why).losing(Lost::Nothing)));
            return Ok((rows, bad));
        }
    };
    Ok(inputs::export::read(profile, &profile.reconcile, &text))
}

/// The 1-based lines of `bytes` that are not UTF-8.
fn non_utf8_lines(bytes: &[u8]) -> impl Iterator<Item = u64> + '_ {
    bytes.split(|&b| b == b'\n').zip(1u64..).filter(|(line, _)| std::str::from_utf8(line).is_err()).map(|(_, n)| n)
}

/// Reads the three inputs and reconciles them.
pub fn run(
    profile: &Profile,
    sources: &Sources,
    period: Period,
    as_of: Instant,
    workers: usize,
) -> Result<Reconciliation> {
    let zone = profile.reconcile.time_zone;
    let (orders, mut bad) = read_orders(profile, &sources.orders, workers)?;
    let (outcomes, bad_outcomes) = read_outcomes(&sources.outcomes, zone, workers)?;
    let (rows, bad_rows) = read_export(profile, &sources.export)?;
    bad.extend(bad_outcomes);
    bad.extend(bad_rows);
    let inputs = core::Inputs { orders, outcomes, rows, bad };
    Ok(core::reconcile(&profile.reconcile, inputs, period, as_of))
}

/// The reconciliation as JSON, with each code's action from docs/issue-codes.md.
pub fn json(rec: &Reconciliation) -> String {
    core::report::to_json(rec, &|c| crate::actions::action(c.as_str()))
}

pub fn csv(rec: &Reconciliation) -> String {
    core::report::to_csv(rec, &|c| crate::actions::action(c.as_str()))
}

/// A one-screen summary for the terminal.
pub fn summary_text(rec: &Reconciliation) -> String {
    let s = &rec.summary;
    let mut out = format!(
        "period {} ({}), as of {}\n",
        rec.period.label(),
        rec.period.zone.name(),
        plugin::shared::time::format_utc(rec.as_of)
    );
    out.push_str(&format!(
        "orders in period {} (read {}, other periods {}); OrderWise rows in period {} (read {}), credit notes {}\n",
        s.orders_in_period, s.orders_read, s.orders_other_period, s.rows_in_period, s.rows_read, s.credit_notes
    ));
    out.push_str(&format!(
        "matched {} by key, {} by PO and customer; {} matched and equal; {} exceptions; {} unreadable rows\n",
        s.matched_by_key, s.matched_by_po, s.matched_equal, s.exceptions, s.bad_rows
    ));
    for c in &rec.by_currency {
        out.push_str(&format!(
            "  {}: SparkLayer gross {} / OrderWise gross {} (difference {}); credit notes {}\n",
            c.currency,
            plugin::shared::money::show(c.sparklayer_gross),
            plugin::shared::money::show(c.orderwise_gross),
            plugin::shared::money::show(c.orderwise_gross - c.sparklayer_gross),
            plugin::shared::money::show(c.credit_gross)
        ));
    }
    for (code, n) in &s.findings_by_code {
        out.push_str(&format!("  {:<26} {n:>8}\n", code.as_str()));
    }
    out
}

// ---- fixtures: fixtures/reconcile/<case>/ --------------------------------

/// A case holds `case.json` (`{"period": "2025-03", "asOf": "…"}`), the three
/// inputs (`orders.jsonl`, `outcomes.jsonl`, `orderwise.csv` or
/// `orderwise.json`) and `expected.json` (the JSON report); the profile is the
/// nearest `profile.json` from the case upwards.
pub const CASE_FILE: &str = "case.json";

#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    pub dir: PathBuf,
}

/// Every reconciliation case under `root` (none is not an error here).
pub fn discover(root: &Path) -> Result<Vec<Case>> {
    let mut out = Vec::new();
    walk(root, root, &mut out).with_context(|| format!("reading {}", root.display()))?;
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<Case>) -> std::io::Result<()> {
    if dir.join(CASE_FILE).is_file() {
        let name = dir.strip_prefix(root).unwrap_or(dir).display().to_string();
        let name = if name.is_empty() {
            dir.file_name().map_or_else(|| dir.display().to_string(), |n| n.to_string_lossy().into_owned())
        } else {
            name
        };
        out.push(Case { name, dir: dir.to_path_buf() });
        return Ok(());
    }
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(root, &path, out)?;
        }
    }
    Ok(())
}

/// What a case produces: its JSON report, pretty-printed as golden files are.
pub fn run_case(case: &Case) -> Result<(Reconciliation, String)> {
    let spec = std::fs::read_to_string(case.dir.join(CASE_FILE))
        .with_context(|| format!("reading {}", case.dir.join(CASE_FILE).display()))?;
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    struct Spec {
        period: String,
        as_of: Option<String>,
    }
    let spec: Spec = serde_json::from_str(&spec).with_context(|| format!("{}: not a case file", case.name))?;
    let profile_path = case
        .dir
        .ancestors()
        .map(|d| d.join("profile.json"))
        .find(|p| p.is_file())
        .with_context(|| format!("no profile.json for case {}", case.name))?;
    let profile = load_profile(&profile_path)?;
    let export = ["orderwise.csv", "orderwise.json"]
        .iter()
        .map(|f| case.dir.join(f))
        .find(|p| p.is_file())
        .with_context(|| format!("case {} has no orderwise.csv or orderwise.json", case.name))?;
    let sources = Sources { orders: case.dir.join("orders.jsonl"), outcomes: case.dir.join("outcomes.jsonl"), export };
    let period = Period::parse(&spec.period, profile.reconcile.time_zone).map_err(anyhow::Error::msg)?;
    let as_of = as_of(spec.as_of.as_deref(), &period)?;
    let rec = run(&profile, &sources, period, as_of, 1)?;
    let text = crate::jsonfmt::pretty(&json(&rec));
    Ok((rec, text))
}

pub struct CaseResult {
    pub case: Case,
    pub codes: Vec<String>,
    pub verdict: crate::replay::Verdict,
}

impl CaseResult {
    pub fn passed(&self) -> bool {
        matches!(self.verdict, crate::replay::Verdict::Same | crate::replay::Verdict::Blessed)
    }
}

/// Runs every case against its `expected.json`; `bless` rewrites them.
pub fn check(cases: &[Case], bless: bool) -> Result<Vec<CaseResult>> {
    use crate::replay::Verdict;
    let mut results = Vec::new();
    for case in cases {
        let (rec, actual) = run_case(case)?;
        let expected_path = case.dir.join(crate::replay::EXPECTED);
        let verdict = if bless {
            std::fs::write(&expected_path, &actual).with_context(|| format!("writing {}", expected_path.display()))?;
            Verdict::Blessed
        } else {
            match std::fs::read_to_string(&expected_path) {
                Ok(expected) => {
                    let expected = crate::jsonfmt::pretty(&expected);
                    if expected == actual {
                        Verdict::Same
                    } else {
                        let (n, e, a) = expected
                            .lines()
                            .chain(std::iter::repeat("(end)"))
                            .zip(actual.lines().chain(std::iter::repeat("(end)")))
                            .enumerate()
                            .find(|(_, (e, a))| e != a)
                            .map(|(n, (e, a))| (n + 1, e.trim().to_owned(), a.trim().to_owned()))
                            .unwrap_or((0, String::new(), String::new()));
                        Verdict::Differs(n, e, a)
                    }
                }
                Err(_) => Verdict::Missing,
            }
        };
        let codes = rec
            .summary
            .findings_by_code
            .iter()
            .map(|(c, n)| format!("{}×{n}", c.as_str().trim_start_matches("RECON_")))
            .collect();
        results.push(CaseResult { case: case.clone(), codes, verdict });
    }
    Ok(results)
}

/// The table QA reads, like `replay`'s.
pub fn table(results: &[CaseResult]) -> String {
    use crate::replay::Verdict;
    let width = results.iter().map(|r| r.case.name.len()).max().unwrap_or(4).max(14);
    let mut out = format!("{:<width$}  {:<9}  findings\n", "reconcile case", "result");
    for r in results {
        let verdict = match &r.verdict {
            Verdict::Same => "ok",
            Verdict::Differs(..) => "DIFFERS",
            Verdict::Missing => "NO GOLDEN",
            Verdict::Blessed => "blessed",
        };
        out.push_str(&format!("{:<width$}  {:<9}  {}\n", r.case.name, verdict, r.codes.join(", ")));
        if let Verdict::Differs(line, expected, actual) = &r.verdict {
            out.push_str(&format!("    line {line}: expected {expected}\n    line {line}: actual   {actual}\n"));
        }
    }
    let failed = results.iter().filter(|r| !r.passed()).count();
    out.push_str(&format!("reconcile cases: {} passed, {} failed\n", results.len() - failed, failed));
    out
}
