//! Replaying recorded cases against their golden outcomes.
//!
//! A case is a directory holding a recorded payload and its expected outcome
//! (`expected.json`); the payload's file name says which flow it belongs to
//! (`order.json`, or `order.txt` for a body that is not JSON: the orders flow;
//! `export.json` / `export.csv` / `export.txt`, with `current.json` and
//! `range.json` beside it when the case has them: the stock flow;
//! `setup.json`: the catalog check; see `Flow::payload_files`). The profile is the nearest `profile.json` from
//! the case directory upwards, so a case can carry its own and the rest share
//! one. A component with a profile baked in replays the cases whose profile is
//! that very profile (same SHA-256) with the baked one.

use crate::bridge::{Bridge, ProfileText};
use crate::flow::Flow;
use crate::jsonfmt::pretty;
use crate::report::RunReport;
use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const EXPECTED: &str = "expected.json";
pub const PROFILE: &str = "profile.json";

#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    pub flow: Flow,
    pub dir: PathBuf,
    pub payload: PathBuf,
    pub profile: PathBuf,
}

impl Case {
    /// What a call of the case's flow is handed: the payload file's bytes, or
    /// for a stock case the call built from its files (`crate::stock::StockCall`).
    pub fn input(&self) -> Result<Vec<u8>> {
        match self.flow {
            Flow::Stock => Ok(crate::stock::StockCall::from_case(&self.payload)?.to_line().into_bytes()),
            _ => std::fs::read(&self.payload).with_context(|| format!("reading {}", self.payload.display())),
        }
    }
}

/// Finds every case under `root`, sorted by name so runs are repeatable.
pub fn discover(root: &Path, profile_override: Option<&Path>) -> Result<Vec<Case>> {
    let mut dirs = Vec::new();
    collect(root, &mut dirs).with_context(|| format!("reading cases under {}", root.display()))?;
    dirs.sort();
    let mut cases = Vec::new();
    for dir in dirs {
        let found = Flow::ALL
            .into_iter()
            .flat_map(|flow| flow.payload_files().iter().map(move |f| (flow, f)))
            .map(|(flow, f)| (flow, dir.join(f)))
            .find(|(_, p)| p.is_file());
        let Some((flow, payload)) = found else {
            continue;
        };
        let profile = match (dir.join(PROFILE), profile_override) {
            (own, _) if own.is_file() => own,
            (_, Some(p)) => p.to_path_buf(),
            (_, None) => nearest_profile(&dir)
                .with_context(|| format!("no {PROFILE} for case {} (none in it or above it)", dir.display()))?,
        };
        let name = dir.strip_prefix(root).unwrap_or(&dir).display().to_string();
        let name = match name.is_empty() {
            // Replaying one case directory: name it after itself.
            true => dir
                .canonicalize()
                .ok()
                .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or(name),
            false => name,
        };
        cases.push(Case { name, flow, dir, payload, profile });
    }
    if cases.is_empty() {
        let files: Vec<&str> = Flow::ALL.iter().flat_map(|f| f.payload_files().iter().copied()).collect();
        bail!("no cases under {}: a case is a directory with one of {}", root.display(), files.join(", "));
    }
    Ok(cases)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    out.push(dir.to_path_buf());
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        }
    }
    Ok(())
}

/// The nearest `profile.json` in the case directory or any directory above it,
/// so one case can be replayed on its own and still find the shared profile.
fn nearest_profile(dir: &Path) -> Option<PathBuf> {
    dir.ancestors().map(|d| d.join(PROFILE)).find(|p| p.is_file())
}

/// What a run produced, as the text compared with `expected.json`.
pub fn golden_text(report: &RunReport) -> String {
    match (&report.outcome, &report.failure) {
        (Some(outcome), None) => outcome.to_pretty_json(),
        _ => {
            #[derive(serde::Serialize)]
            struct Stopped<'a> {
                failure: &'a Option<crate::report::Failure>,
            }
            pretty(&serde_json::to_string(&Stopped { failure: &report.failure }).expect("a failure serialises"))
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Same,
    /// First differing line: (line number, expected, actual).
    Differs(usize, String, String),
    Missing,
    Blessed,
}

pub struct CaseResult {
    pub case: Case,
    pub report: RunReport,
    pub verdict: Verdict,
}

/// Runs every case; with `bless`, writes what each produced as its expectation.
pub fn replay(bridge: &Bridge, cases: &[Case], bless: bool) -> Result<Vec<CaseResult>> {
    let mut profiles: BTreeMap<PathBuf, ProfileText> = BTreeMap::new();
    let mut results = Vec::new();
    for case in cases {
        if !profiles.contains_key(&case.profile) {
            profiles.insert(case.profile.clone(), ProfileText::read(&case.profile)?);
        }
        let profile = bridge.profile_for(Some(&profiles[&case.profile]))?;
        let payload = case.input()?;
        let report = bridge.run(case.flow, profile, &payload);
        let actual = golden_text(&report);
        let expected_path = case.dir.join(EXPECTED);
        let verdict = if bless {
            std::fs::write(&expected_path, &actual).with_context(|| format!("writing {}", expected_path.display()))?;
            Verdict::Blessed
        } else {
            match std::fs::read_to_string(&expected_path) {
                Ok(expected) => compare(&pretty(&expected), &actual),
                Err(_) => Verdict::Missing,
            }
        };
        results.push(CaseResult { case: case.clone(), report, verdict });
    }
    Ok(results)
}

fn compare(expected: &str, actual: &str) -> Verdict {
    if expected == actual {
        return Verdict::Same;
    }
    let mut e = expected.lines();
    let mut a = actual.lines();
    let mut n = 0;
    loop {
        n += 1;
        match (e.next(), a.next()) {
            (Some(x), Some(y)) if x == y => continue,
            (x, y) => {
                return Verdict::Differs(n, x.unwrap_or("(end)").trim().into(), y.unwrap_or("(end)").trim().into())
            }
        }
    }
}

/// The table QA reads: one row per case, then a summary line.
pub fn table(results: &[CaseResult]) -> String {
    let width = results.iter().map(|r| r.case.name.len()).max().unwrap_or(4).max(4);
    let mut out = format!("{:<width$}  {:<8}  {:>10}  {:<9}  issues\n", "case", "status", "fuel", "result");
    for r in results {
        let (status, codes) = match (&r.report.outcome, &r.report.failure) {
            (Some(o), _) => {
                (o.status.to_string(), o.issues.iter().map(|i| i.code.as_str()).collect::<Vec<_>>().join(", "))
            }
            (None, Some(f)) => ("stopped".to_owned(), f.to_string()),
            (None, None) => ("-".to_owned(), String::new()),
        };
        let verdict = match &r.verdict {
            Verdict::Same => "ok",
            Verdict::Differs(..) => "DIFFERS",
            Verdict::Missing => "NO GOLDEN",
            Verdict::Blessed => "blessed",
        };
        out.push_str(&format!(
            "{:<width$}  {:<8}  {:>10}  {:<9}  {}\n",
            r.case.name, status, r.report.metrics.fuel, verdict, codes
        ));
        if let Verdict::Differs(line, expected, actual) = &r.verdict {
            out.push_str(&format!("    line {line}: expected {expected}\n    line {line}: actual   {actual}\n"));
        }
    }
    let failed = results.iter().filter(|r| !r.passed()).count();
    out.push_str(&format!("{} passed, {} failed\n", results.len() - failed, failed));
    out
}

impl CaseResult {
    pub fn passed(&self) -> bool {
        matches!(self.verdict, Verdict::Same | Verdict::Blessed)
    }
}
