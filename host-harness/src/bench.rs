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
    /// Median µs, fresh instance: instantiate + parse profile + map.
    pub fresh_micros: f64,
    pub fresh_orders_per_second: f64,
    /// Median µs, instantiate + map with the profile parse excluded
    /// (the setup cost a platform pays once per instance is subtracted).
    pub instantiate_and_map_micros: f64,
    /// Median µs of map-order in a reused instance.
    pub reused_micros: f64,
    pub reused_orders_per_second: f64,
    /// Median µs of the same core compiled natively.
    pub native_micros: f64,
    /// reused / native.
    pub component_to_native: f64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BenchReport {
    pub component_bytes: u64,
    pub compile_millis: f64,
    pub cache_load_millis: f64,
    /// Median µs to instantiate in a fresh store (pooling allocator).
    pub instantiate_micros: f64,
    /// Median µs to instantiate and parse the profile.
    pub setup_micros: f64,
    pub setup_fuel: u64,
    pub iterations: usize,
    pub orders: Vec<OrderBench>,
}

fn median(mut samples: Vec<Duration>) -> f64 {
    samples.sort_unstable();
    samples.get(samples.len() / 2).map_or(0.0, |d| d.as_secs_f64() * 1e6)
}

fn time<T>(iterations: usize, mut f: impl FnMut() -> T) -> f64 {
    for _ in 0..iterations.div_ceil(10) {
        std::hint::black_box(f());
    }
    median(
        (0..iterations)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(f());
                start.elapsed()
            })
            .collect(),
    )
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

    let instantiate_micros = time(iterations, || bridge.instantiate_only().is_ok());
    let setup_micros = time(iterations, || bridge.session(profile_json).is_ok());
    let setup_fuel = bridge.session(profile_json).map(|s| s.setup_fuel).unwrap_or(0);
    let native_profile = plugin::Profile::parse(profile_json).map_err(|e| anyhow::anyhow!("{e}"))?;

    let mut results = Vec::new();
    for path in orders {
        let payload = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        let text = String::from_utf8_lossy(&payload).into_owned();
        let fuel = bridge.run(profile_json, &payload).metrics.fuel;
        let fresh_micros = time(iterations, || bridge.run(profile_json, &payload).outcome.is_some());
        let mut session = bridge.session(profile_json).map_err(|r| anyhow::anyhow!("{:?}", r.failure))?;
        let reused_micros = time(iterations, || session.map(&payload).outcome.is_some());
        let native_micros = time(iterations, || {
            let outcome = plugin::map_order(&native_profile, &text);
            serde_json::to_string(&outcome.sales_order).map(|s| s.len())
        });
        let lines = plugin::shopify::parse(&text).ok().and_then(|o| o.line_items).map_or(0, |l| l.len());
        results.push(OrderBench {
            name: path.parent().and_then(|p| p.file_name()).unwrap_or(path.as_os_str()).to_string_lossy().into_owned(),
            lines,
            input_bytes: payload.len(),
            fuel,
            fresh_micros,
            fresh_orders_per_second: 1e6 / fresh_micros,
            instantiate_and_map_micros: instantiate_micros + reused_micros,
            reused_micros,
            reused_orders_per_second: 1e6 / reused_micros,
            native_micros,
            component_to_native: reused_micros / native_micros,
        });
    }
    Ok(BenchReport {
        component_bytes: bytes.len() as u64,
        compile_millis,
        cache_load_millis,
        instantiate_micros,
        setup_micros,
        setup_fuel,
        iterations,
        orders: results,
    })
}

impl fmt::Display for BenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "component:   {} bytes", self.component_bytes)?;
        writeln!(
            f,
            "compile:     {:.1} ms fresh, {:.2} ms from the on-disk cache",
            self.compile_millis, self.cache_load_millis
        )?;
        writeln!(f, "instantiate: {:.1} µs (pooling allocator, fresh store)", self.instantiate_micros)?;
        writeln!(
            f,
            "setup:       {:.1} µs, {} fuel (instantiate + parse profile)",
            self.setup_micros, self.setup_fuel
        )?;
        writeln!(f, "medians of {} iterations, single thread:", self.iterations)?;
        writeln!(
            f,
            "{:<20} {:>5} {:>8} {:>10} {:>10} {:>10} {:>10} {:>10} {:>8}",
            "order", "lines", "bytes", "fuel", "fresh µs", "inst+map", "reused µs", "native µs", "ratio"
        )?;
        for o in &self.orders {
            writeln!(
                f,
                "{:<20} {:>5} {:>8} {:>10} {:>10.1} {:>10.1} {:>10.1} {:>10.1} {:>7.2}x",
                o.name,
                o.lines,
                o.input_bytes,
                o.fuel,
                o.fresh_micros,
                o.instantiate_and_map_micros,
                o.reused_micros,
                o.native_micros,
                o.component_to_native
            )?;
        }
        writeln!(f, "orders/s:")?;
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
