//! `host-harness bench`: the platform-facing performance figures, measured on
//! this machine (method and results in docs/benchmarks.md).
//!
//! For each order: the fresh-instance path the harness uses by default
//! (instantiate + parse profile + map), the map-only path of a reused instance,
//! and the same core compiled natively (`plugin::map_order` plus the JSON
//! serialisation the WIT glue does), so the in-component overhead is a ratio.

use crate::bridge::Bridge;
use anyhow::{Context, Result};
use serde::Serialize;
use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderBench {
    pub name: String,
    pub lines: usize,
    pub input_bytes: usize,
    pub fuel: u64,
    /// µs, fresh instance: instantiate + parse profile + map.
    pub fresh: Stat,
    /// µs, instantiate + map-order: the profile parse excluded (a platform
    /// keeping the parsed profile pays it once per instance, not per order).
    pub instantiate_and_map: Stat,
    /// µs of map-order in a reused instance.
    pub reused: Stat,
    /// µs of the same core compiled natively.
    pub native: Stat,
    /// Orders per second on one thread, from the medians.
    pub fresh_orders_per_second: f64,
    pub reused_orders_per_second: f64,
    /// reused / native, from the minimums (the least disturbed figures).
    pub component_to_native: f64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BenchReport {
    pub component_bytes: u64,
    pub compile_millis: f64,
    pub cache_load_millis: f64,
    /// µs to instantiate in a fresh store (pooling allocator).
    pub instantiate: Stat,
    /// µs to instantiate and parse the profile.
    pub setup: Stat,
    pub setup_fuel: u64,
    pub iterations: usize,
    pub orders: Vec<OrderBench>,
}

/// Median and minimum of a set of timings, in µs. On a shared machine the
/// minimum is the least disturbed figure; the median is the typical one.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Stat {
    pub median: f64,
    pub min: f64,
}

fn stat(mut samples: Vec<Duration>) -> Stat {
    samples.sort_unstable();
    let us = |d: Option<&Duration>| d.map_or(0.0, |d| d.as_secs_f64() * 1e6);
    Stat { median: us(samples.get(samples.len() / 2)), min: us(samples.first()) }
}

fn timed<T>(f: &mut impl FnMut() -> T) -> Duration {
    let start = Instant::now();
    std::hint::black_box(f());
    start.elapsed()
}

/// Times several closures interleaved (a, b, c, a, b, c, …) so that noise from
/// the rest of the machine falls on all of them alike.
fn interleaved<const N: usize>(iterations: usize, fs: &mut [&mut dyn FnMut() -> bool; N]) -> [Stat; N] {
    for _ in 0..iterations.div_ceil(10) {
        for f in fs.iter_mut() {
            std::hint::black_box(f());
        }
    }
    let mut samples: [Vec<Duration>; N] = std::array::from_fn(|_| Vec::with_capacity(iterations));
    for _ in 0..iterations {
        for (f, s) in fs.iter_mut().zip(samples.iter_mut()) {
            s.push(timed(f));
        }
    }
    samples.map(stat)
}

pub fn bench(
    component: &std::path::Path,
    profile_json: &str,
    orders: &[PathBuf],
    iterations: usize,
) -> Result<BenchReport> {
    let limits = crate::limits::Limits { fuel: 100_000_000, ..Default::default() };
    let bytes = std::fs::read(component).with_context(|| format!("reading {}", component.display()))?;
    let bridge = Bridge::from_bytes(&bytes, limits, None)?;

    let start = Instant::now();
    let compiled = wasmtime::component::Component::new(bridge.engine(), &bytes)?;
    let compile_millis = start.elapsed().as_secs_f64() * 1e3;
    let serialized = compiled.serialize()?;
    let start = Instant::now();
    // SAFETY: the bytes were produced by `serialize` on this engine just above.
    let _loaded = unsafe { wasmtime::component::Component::deserialize(bridge.engine(), &serialized)? };
    let cache_load_millis = start.elapsed().as_secs_f64() * 1e3;

    let [instantiate, setup] = interleaved(
        iterations,
        &mut [&mut || bridge.instantiate_only().is_ok(), &mut || bridge.session(profile_json).is_ok()],
    );
    let setup_fuel = bridge.session(profile_json).map(|s| s.setup_fuel).unwrap_or(0);
    let native_profile = plugin::Profile::parse(profile_json).map_err(|e| anyhow::anyhow!("{e}"))?;

    let mut results = Vec::new();
    for path in orders {
        let payload = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        let text = String::from_utf8_lossy(&payload).into_owned();
        let fuel = bridge.run(profile_json, &payload).metrics.fuel;
        let mut session = bridge.session(profile_json).map_err(|r| anyhow::anyhow!("{:?}", r.failure))?;
        let [fresh, reused, native] = interleaved(
            iterations,
            &mut [
                &mut || bridge.run(profile_json, &payload).outcome.is_some(),
                &mut || session.map(&payload).outcome.is_some(),
                &mut || {
                    let outcome = plugin::map_order(&native_profile, &text);
                    serde_json::to_string(&outcome.sales_order).is_ok()
                },
            ],
        );
        let lines = plugin::shopify::parse(&text).ok().and_then(|o| o.line_items).map_or(0, |l| l.len());
        results.push(OrderBench {
            name: path.parent().and_then(|p| p.file_name()).unwrap_or(path.as_os_str()).to_string_lossy().into_owned(),
            lines,
            input_bytes: payload.len(),
            fuel,
            fresh,
            instantiate_and_map: Stat { median: instantiate.median + reused.median, min: instantiate.min + reused.min },
            reused,
            native,
            fresh_orders_per_second: 1e6 / fresh.median,
            reused_orders_per_second: 1e6 / reused.median,
            component_to_native: reused.min / native.min,
        });
    }
    Ok(BenchReport {
        component_bytes: bytes.len() as u64,
        compile_millis,
        cache_load_millis,
        instantiate,
        setup,
        setup_fuel,
        iterations,
        orders: results,
    })
}

impl fmt::Display for BenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = |x: Stat| format!("{:.1} / {:.1}", x.median, x.min);
        writeln!(f, "component:   {} bytes", self.component_bytes)?;
        writeln!(
            f,
            "compile:     {:.1} ms fresh, {:.2} ms from the on-disk cache",
            self.compile_millis, self.cache_load_millis
        )?;
        writeln!(f, "µs below are median / minimum of {} interleaved iterations, one thread", self.iterations)?;
        writeln!(f, "instantiate: {} µs (pooling allocator, fresh store)", s(self.instantiate))?;
        writeln!(f, "setup:       {} µs, {} fuel (instantiate + parse profile)", s(self.setup), self.setup_fuel)?;
        writeln!(
            f,
            "{:<20} {:>5} {:>7} {:>9} {:>16} {:>16} {:>16} {:>16} {:>6}",
            "order", "lines", "bytes", "fuel", "fresh", "instantiate+map", "reused map", "native", "ratio"
        )?;
        for o in &self.orders {
            writeln!(
                f,
                "{:<20} {:>5} {:>7} {:>9} {:>16} {:>16} {:>16} {:>16} {:>5.2}x",
                o.name,
                o.lines,
                o.input_bytes,
                o.fuel,
                s(o.fresh),
                s(o.instantiate_and_map),
                s(o.reused),
                s(o.native),
                o.component_to_native
            )?;
        }
        writeln!(f, "orders/s (one thread, medians):")?;
        for o in &self.orders {
            writeln!(
                f,
                "  {:<20} fresh {:>8.0}   reused {:>8.0}",
                o.name, o.fresh_orders_per_second, o.reused_orders_per_second
            )?;
        }
        Ok(())
    }
}
