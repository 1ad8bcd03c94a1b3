//! What one order's run produced: the outcome (or why there is none) and the
//! measurements a platform engineer needs. One struct serves both outputs:
//! JSON for machines, `Display` for people.

use crate::flow::Flow;
use crate::limits::Limits;
use serde::Serialize;
use serde_json::value::RawValue;
use std::fmt;

/// What the platform should do with a transaction (the WIT `status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ready,
    Review,
    Rejected,
}

/// How serious an issue is (the WIT `severity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

/// The team that has to act on an issue (the WIT `owner`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Owner {
    Finance,
    Operations,
    Ecommerce,
    Integration,
}

macro_rules! named {
    ($($t:ty { $($v:ident => $name:literal),* })*) => {$(
        impl $t {
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$v => $name),* }
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )*};
}

named! {
    Status { Ready => "ready", Review => "review", Rejected => "rejected" }
    Severity { Error => "error", Warning => "warning", Info => "info" }
    Owner { Finance => "finance", Operations => "operations", Ecommerce => "ecommerce", Integration => "integration" }
}

/// One issue as the component reported it. The code stays text: codes are
/// data the component defines, and a newer version may bring new ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    pub code: String,
    pub severity: Severity,
    pub owner: Owner,
    pub pointer: String,
    pub message: String,
}

/// The component's answer for one call, in the harness's own types: the same
/// shape for every flow, with the key and document named as the flow names them
/// (`orderKey`, `salesOrder` for orders).
#[derive(Debug, Clone)]
pub struct Outcome {
    pub flow: Flow,
    pub status: Status,
    pub key: Option<String>,
    pub issues: Vec<Issue>,
    /// Kept as the exact JSON text the component produced.
    pub document: Option<Box<RawValue>>,
    /// A stock call's counts per SparkLayer location (also in its document).
    pub locations: Vec<LocationCount>,
}

/// What a stock call did at one SparkLayer location (the WIT `location-count`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct LocationCount {
    pub location: String,
    pub sent: u64,
    pub unchanged: u64,
    pub clamped: u64,
    pub drifted: u64,
    pub missing: u64,
}

impl LocationCount {
    pub fn add(&mut self, other: &LocationCount) {
        self.sent += other.sent;
        self.unchanged += other.unchanged;
        self.clamped += other.clamped;
        self.drifted += other.drifted;
        self.missing += other.missing;
    }
}

impl Serialize for Outcome {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("status", &self.status)?;
        if let Some(key) = self.flow.key_field() {
            map.serialize_entry(key, &self.key)?;
        }
        map.serialize_entry("issues", &self.issues)?;
        map.serialize_entry(self.flow.document_field(), &self.document)?;
        map.end()
    }
}

impl Outcome {
    /// The outcome as pretty JSON: the format of golden files.
    pub fn to_pretty_json(&self) -> String {
        crate::jsonfmt::pretty(&serde_json::to_string(self).expect("an outcome of text, enums and JSON serialises"))
    }
}

/// Which budget a call ran under: setting up the instance (instantiate and
/// get the profile) or the flow's own call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    Setup,
    Call,
}

/// Where the profile a run used came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "digest")]
pub enum ProfileUse {
    /// Baked into the component; its SHA-256.
    Baked(String),
    /// Parsed in the instance from the profile text; its SHA-256.
    Parsed(String),
}

impl fmt::Display for ProfileUse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProfileUse::Baked(d) => write!(f, "baked into the component (sha256 {})", short(d)),
            ProfileUse::Parsed(d) => write!(f, "parsed in the instance (sha256 {})", short(d)),
        }
    }
}

/// The first 12 hex digits of a digest, as people quote them.
pub fn short(digest: &str) -> &str {
    digest.get(..12).unwrap_or(digest)
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
    /// The component broke the contract (a document that is not JSON).
    InvalidOutput(String),
    /// The profile was refused by the component (`profile-error`).
    ProfileInvalid(String),
    /// The component does not offer the flow (a 0.2.0 component has no `stock`).
    NotOffered(String),
    /// The harness could not build the call from the recorded input (a stock
    /// call line that is not one); the component was not called.
    InvalidInput(String),
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
            Failure::NotOffered(_) => "not-offered",
            Failure::InvalidInput(_) => "invalid-input",
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
            Failure::NotOffered(d) => ("flow not offered", d),
            Failure::InvalidInput(d) => ("invalid input", d),
        };
        write!(f, "{kind}: {detail}")
    }
}

/// Measurements of one run.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Metrics {
    /// Fuel consumed by the flow's call, e.g. `map-order` (≈ wasm instructions).
    pub fuel: u64,
    /// Fuel consumed setting up this call's fresh instance: instantiating it and
    /// parsing the profile (or, baked, only handing it out).
    pub setup_fuel: u64,
    /// Peak linear memory of the instance, bytes.
    pub peak_memory_bytes: u64,
    /// Time to instantiate and get the profile, microseconds (0 in a reused session).
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
    /// Where the profile came from; None when setup failed before it was read.
    pub profile: Option<ProfileUse>,
    /// What the component wrote to stdout / stderr (bounded).
    pub logs: String,
    /// Where a trapping component was, or where its fuel ran out, for its developer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backtrace: Option<String>,
}

impl fmt::Display for RunReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = &self.metrics;
        let l = &self.limits;
        let over = |used: u64, cap: u64| if used >= cap { "  << LIMIT REACHED" } else { "" };
        writeln!(f, "== Outcome")?;
        match (&self.outcome, &self.failure) {
            (_, Some(failure)) => writeln!(f, "  stopped by the platform: {failure}")?,
            (Some(o), None) => {
                writeln!(f, "  status:    {}", o.status)?;
                writeln!(f, "  key:       {}", o.key.as_deref().unwrap_or("(none)"))?;
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
        writeln!(f, "  fuel, call:          {:>12} / {} (--fuel){}", m.fuel, l.fuel, over(m.fuel, l.fuel))?;
        writeln!(
            f,
            "  fuel, setup:         {:>12} / {} (--setup-fuel){}",
            m.setup_fuel,
            l.setup_fuel,
            over(m.setup_fuel, l.setup_fuel)
        )?;
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
        if let Some(profile) = &self.profile {
            writeln!(f, "  profile:             {profile}")?;
        }
        if let Some(trace) = &self.backtrace {
            writeln!(f, "== Wasm backtrace")?;
            for line in trace.lines() {
                writeln!(f, "  {line}")?;
            }
        }
        if self.logs.is_empty() && matches!(self.failure, Some(Failure::Trap(_))) {
            // The bridge imports no WASI: a panic traps without a message.
            writeln!(f, "== Component logs: none (the bridge has no stderr)")?;
            writeln!(f, "  for a panic's message and source line, map the order with the harness's own core:")?;
            writeln!(f, "  host-harness run --native --profile PROFILE ORDER")?;
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
