//! What one order's run produced: the outcome (or why there is none) and the
//! measurements a platform engineer needs. One struct serves both outputs:
//! JSON for machines, `Display` for people.

use crate::limits::Limits;
use serde::Serialize;
use serde_json::value::RawValue;
use std::fmt;

/// One issue as the component reported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    pub code: String,
    pub severity: String,
    pub owner: String,
    pub pointer: String,
    pub message: String,
}

/// The component's answer for one order, in the harness's own types.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    pub status: String,
    pub order_key: Option<String>,
    pub issues: Vec<Issue>,
    /// Kept as the exact JSON text the component produced.
    pub sales_order: Option<Box<RawValue>>,
}

impl Outcome {
    /// The outcome as pretty JSON: the format of golden files.
    pub fn to_pretty_json(&self) -> String {
        crate::jsonfmt::pretty(&serde_json::to_string(self).unwrap_or_default())
    }
}

/// Why an order produced no outcome: the platform stopped the component.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "detail")]
pub enum Failure {
    /// The payload exceeded the input size cap; the component was not called.
    InputTooLarge(String),
    /// The outcome exceeded the output size cap.
    OutputTooLarge(String),
    /// The call used all of its fuel (instruction budget).
    FuelExhausted(String),
    /// The call ran past the wall-clock cap (epoch interruption).
    Timeout(String),
    /// The component asked for more linear memory than the cap.
    MemoryLimit(String),
    /// The component trapped (panic, unreachable, stack overflow, out-of-bounds access).
    Trap(String),
    /// The component broke the contract (a sales order that is not JSON).
    InvalidOutput(String),
    /// The profile was refused by the component (`profile-error`).
    ProfileInvalid(String),
}

impl Failure {
    /// The failure's kind, as it appears in JSON (`fuel-exhausted`, `timeout`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            Failure::InputTooLarge(_) => "input-too-large",
            Failure::OutputTooLarge(_) => "output-too-large",
            Failure::FuelExhausted(_) => "fuel-exhausted",
            Failure::Timeout(_) => "timeout",
            Failure::MemoryLimit(_) => "memory-limit",
            Failure::Trap(_) => "trap",
            Failure::InvalidOutput(_) => "invalid-output",
            Failure::ProfileInvalid(_) => "profile-invalid",
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (kind, detail) = match self {
            Failure::InputTooLarge(d) => ("input too large", d),
            Failure::OutputTooLarge(d) => ("output too large", d),
            Failure::FuelExhausted(d) => ("fuel exhausted", d),
            Failure::Timeout(d) => ("timeout", d),
            Failure::MemoryLimit(d) => ("memory limit", d),
            Failure::Trap(d) => ("trap", d),
            Failure::InvalidOutput(d) => ("invalid output", d),
            Failure::ProfileInvalid(d) => ("profile invalid", d),
        };
        write!(f, "{kind}: {detail}")
    }
}

/// Measurements of one run.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Metrics {
    /// Fuel consumed by `map-order` (≈ wasm instructions).
    pub fuel: u64,
    /// Fuel consumed instantiating this order's fresh instance and parsing the profile.
    pub setup_fuel: u64,
    /// Peak linear memory of the instance, bytes.
    pub peak_memory_bytes: u64,
    /// Time to instantiate and parse the profile, microseconds (0 in a reused session).
    pub setup_micros: u64,
    /// Time of the map-order call, microseconds.
    pub map_micros: u64,
    /// Wall time of the whole run, microseconds.
    pub wall_micros: u64,
    pub input_bytes: u64,
    pub output_bytes: u64,
}

/// Everything known about one order's run.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunReport {
    pub outcome: Option<Outcome>,
    pub failure: Option<Failure>,
    pub metrics: Metrics,
    pub limits: Limits,
    /// What the component wrote to stdout / stderr (bounded).
    pub logs: String,
    /// Where a trapping component was, for its developer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backtrace: Option<String>,
}

impl fmt::Display for RunReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = &self.metrics;
        let l = &self.limits;
        let over = |used: u64, cap: u64| if used > cap { "  << OVER LIMIT" } else { "" };
        writeln!(f, "== Outcome")?;
        match (&self.outcome, &self.failure) {
            (_, Some(failure)) => writeln!(f, "  stopped by the platform: {failure}")?,
            (Some(o), None) => {
                writeln!(f, "  status:    {}", o.status)?;
                writeln!(f, "  order key: {}", o.order_key.as_deref().unwrap_or("(none)"))?;
                if o.issues.is_empty() {
                    writeln!(f, "  issues:    none")?;
                }
                for i in &o.issues {
                    writeln!(f, "  - {} [{} / {}] at {:?}", i.code, i.severity, i.owner, i.pointer)?;
                    writeln!(f, "      {}", i.message)?;
                }
            }
            (None, None) => writeln!(f, "  (none)")?,
        }
        writeln!(f, "== Resources (used / limit)")?;
        writeln!(f, "  fuel, map-order:     {:>12} / {}{}", m.fuel, l.fuel, over(m.fuel, l.fuel))?;
        writeln!(f, "  fuel, setup:         {:>12} / {}", m.setup_fuel, l.setup_fuel)?;
        writeln!(f, "  peak linear memory:  {:>12} / {} bytes", m.peak_memory_bytes, l.memory_bytes)?;
        writeln!(f, "  input size:          {:>12} / {} bytes", m.input_bytes, l.input_bytes)?;
        writeln!(f, "  output size:         {:>12} / {} bytes", m.output_bytes, l.output_bytes)?;
        writeln!(
            f,
            "  wall time:           {:>12} / {} µs per call (setup {} µs, map {} µs)",
            m.wall_micros,
            l.wall_millis.saturating_mul(1000),
            m.setup_micros,
            m.map_micros
        )?;
        if let Some(trace) = &self.backtrace {
            writeln!(f, "== Wasm backtrace")?;
            for line in trace.lines() {
                writeln!(f, "  {line}")?;
            }
        }
        if !self.logs.is_empty() {
            writeln!(f, "== Component logs")?;
            for line in self.logs.lines() {
                writeln!(f, "  {line}")?;
            }
        }
        Ok(())
    }
}
