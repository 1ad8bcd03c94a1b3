//! `host-harness bench`: the platform-facing performance figures, measured on
//! this machine (method and results in docs/benchmarks.md).
//!
//! Two tenants side by side: the bundled profile and a generated large one
//! (50,000 variants by default): what parsing each costs unbaked, what baking
//! costs, and what a fresh-instance order costs with each baked in. Then, per
//! order with the bundled profile baked: the fresh-instance path (instantiate +
//! `profile.baked()` + map), the map-only path of a reused instance, and the
//! same core compiled natively (`plugin::map_order` plus the JSON
//! serialisation the WIT glue does), so the in-component overhead is a ratio.

use crate::bridge::{Bridge, ProfileSource, ProfileText};
use crate::flow::Flow;
use crate::limits::Limits;
use crate::tenant::Size;
use anyhow::{Context, Result};
use serde::Serialize;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderBench {
    pub name: String,
    pub lines: usize,
    pub input_bytes: usize,
    pub fuel: u64,
    /// µs, fresh instance of the baked component: instantiate + `profile.baked()` + map.
    pub fresh: Stat,
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

/// One tenant's profile: what parsing it costs unbaked, what baking it
/// costs, and what a fresh-instance order costs with it baked.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantBench {
    pub name: String,
    pub profile_bytes: u64,
    pub variants: u32,
    pub units: u32,
    pub customers: u32,
    /// Fuel to instantiate the unbaked component and parse the profile.
    pub parse_fuel: u64,
    /// µs for the same (fewer iterations: it is the slow path).
    pub parse: Stat,
    pub bake_millis: f64,
    pub baked_bytes: u64,
    /// Linear memory every instance of the baked component starts with.
    pub initial_memory_bytes: u64,
    /// The order measured with the profile baked in.
    pub order: String,
    /// Fuel to instantiate the baked component and take its profile.
    pub setup_fuel: u64,
    /// Fuel of map-order.
    pub map_fuel: u64,
    /// µs to instantiate the baked component.
    pub instantiate: Stat,
    /// µs, fresh instance: instantiate + `profile.baked()` + map-order.
    pub fresh: Stat,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BenchReport {
    pub component_bytes: u64,
    pub compile_millis: f64,
    pub cache_load_millis: f64,
    /// µs to instantiate the unbaked component in a fresh store (pooling allocator).
    pub instantiate: Stat,
    pub iterations: usize,
    /// The bundled (small) tenant and the generated large one, side by side.
    pub tenants: Vec<TenantBench>,
    /// Marginal fuel per added reference entry (variant, unit or customer)
    /// between the two tenants' unbaked parses.
    pub parse_fuel_per_entry: f64,
    /// Per order, with the bundled profile baked in.
    pub orders: Vec<OrderBench>,
}

pub struct Options<'a> {
    pub component: &'a Path,
    pub profile: &'a ProfileText,
    pub orders: &'a [PathBuf],
    /// The order the tenants are compared on.
    pub tenant_order: &'a Path,
    /// The generated tenant's size.
    pub large: Size,
    pub iterations: usize,
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

/// Times `f` in a loop of its own, after a tenth as many untimed warm-up
/// calls. Each path gets its own loop, as it runs in use (order after order):
/// timed interleaved with other paths (as until 2026-11-28), each evicted the
/// others' code and data from the caches, which is not its own cost
/// (docs/benchmarks.md, "Measuring each path in its own loop").
fn timed_loop(iterations: usize, mut f: impl FnMut() -> bool) -> Stat {
    for _ in 0..iterations.div_ceil(10) {
        std::hint::black_box(f());
    }
    stat((0..iterations).map(|_| timed(&mut f)).collect())
}

pub fn bench(options: &Options) -> Result<BenchReport> {
    let iterations = options.iterations;
    // Generous budgets: the figures are the point, not the caps.
    let limits = Limits { fuel: 100_000_000, setup_fuel: crate::bake::DEFAULT_BAKE_FUEL, ..Default::default() };
    let bytes = std::fs::read(options.component).with_context(|| format!("reading {}", options.component.display()))?;
    let bridge = Bridge::from_bytes(&bytes, limits, None)?;

    let start = Instant::now();
    let compiled = wasmtime::component::Component::new(bridge.engine(), &bytes)?;
    let compile_millis = start.elapsed().as_secs_f64() * 1e3;
    let serialized = compiled.serialize()?;
    let start = Instant::now();
    // SAFETY: the bytes were produced by `serialize` on this engine just above.
    let _loaded = unsafe { wasmtime::component::Component::deserialize(bridge.engine(), &serialized)? };
    let cache_load_millis = start.elapsed().as_secs_f64() * 1e3;
    let instantiate = timed_loop(iterations, || bridge.instantiate_only().is_ok());

    let large = ProfileText::new(crate::tenant::generate(&options.profile.text, options.large)?);
    let tenant_order =
        std::fs::read(options.tenant_order).with_context(|| format!("reading {}", options.tenant_order.display()))?;
    let order_name = case_name(options.tenant_order);
    let mut tenants = Vec::new();
    let mut small_baked = None;
    for (name, profile) in [("bundled".to_owned(), options.profile), (large_name(options.large), &large)] {
        let (tenant, baked) = bench_tenant(&bridge, &bytes, name, profile, &tenant_order, &order_name, iterations)?;
        tenants.push(tenant);
        small_baked.get_or_insert(baked);
    }
    let entries = |t: &TenantBench| f64::from(t.variants + t.units + t.customers);
    let parse_fuel_per_entry = (tenants[1].parse_fuel as f64 - tenants[0].parse_fuel as f64)
        / (entries(&tenants[1]) - entries(&tenants[0])).max(1.0);

    let baked = small_baked.context("the bundled tenant was baked")?;
    let native_profile = plugin::Profile::parse(&options.profile.text).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut orders = Vec::new();
    for path in options.orders {
        orders.push(bench_order(&baked, &native_profile, path, iterations)?);
    }
    Ok(BenchReport {
        component_bytes: bytes.len() as u64,
        compile_millis,
        cache_load_millis,
        instantiate,
        iterations,
        tenants,
        parse_fuel_per_entry,
        orders,
    })
}

fn large_name(size: Size) -> String {
    format!("+{} variants, {} units, {} customers", size.variants, size.units, size.customers)
}

fn case_name(path: &Path) -> String {
    path.parent().and_then(|p| p.file_name()).unwrap_or(path.as_os_str()).to_string_lossy().into_owned()
}

fn bench_tenant(
    bridge: &Bridge,
    component: &[u8],
    name: String,
    profile: &ProfileText,
    order: &[u8],
    order_name: &str,
    iterations: usize,
) -> Result<(TenantBench, Bridge)> {
    let parse_fuel = match bridge.session(ProfileSource::Text(profile)) {
        Ok(session) => session.setup_fuel,
        Err(report) => anyhow::bail!("{name}: the unbaked component could not parse the profile: {:?}", report.failure),
    };
    let parse = timed_loop(iterations.div_ceil(10).max(3), || bridge.session(ProfileSource::Text(profile)).is_ok());
    let (baked, report) = crate::bake::bake_and_load(component, profile, bridge.limits())?;
    let run = baked.run(Flow::Orders, ProfileSource::Baked, order);
    if run.failure.is_some() {
        anyhow::bail!("{name}: {order_name} was stopped: {:?}", run.failure);
    }
    let instantiate = timed_loop(iterations, || baked.instantiate_only().is_ok());
    let fresh = timed_loop(iterations, || baked.run(Flow::Orders, ProfileSource::Baked, order).outcome.is_some());
    let tenant = TenantBench {
        name,
        profile_bytes: profile.text.len() as u64,
        variants: report.summary.variants,
        units: report.summary.units,
        customers: report.summary.customers,
        parse_fuel,
        parse,
        bake_millis: report.millis,
        baked_bytes: report.baked_bytes,
        initial_memory_bytes: report.initial_memory_bytes,
        order: order_name.to_owned(),
        setup_fuel: run.metrics.setup_fuel,
        map_fuel: run.metrics.fuel,
        instantiate,
        fresh,
    };
    Ok((tenant, baked))
}

fn bench_order(baked: &Bridge, native_profile: &plugin::Profile, path: &Path, iterations: usize) -> Result<OrderBench> {
    let payload = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let text = String::from_utf8_lossy(&payload).into_owned();
    let fuel = baked.run(Flow::Orders, ProfileSource::Baked, &payload).metrics.fuel;
    let fresh = timed_loop(iterations, || baked.run(Flow::Orders, ProfileSource::Baked, &payload).outcome.is_some());
    let mut session = baked.session(ProfileSource::Baked).map_err(|r| anyhow::anyhow!("{:?}", r.failure))?;
    let reused = timed_loop(iterations, || session.call(Flow::Orders, &payload).outcome.is_some());
    let native = timed_loop(iterations, || {
        let outcome = plugin::map_order(native_profile, &text);
        outcome.sales_order.map(|s| s.to_json()).is_some()
    });
    let lines = plugin::orders::shopify::parse(&text).ok().and_then(|o| o.line_items).map_or(0, |l| l.len());
    Ok(OrderBench {
        name: case_name(path),
        lines,
        input_bytes: payload.len(),
        fuel,
        fresh,
        reused,
        native,
        fresh_orders_per_second: 1e6 / fresh.median,
        reused_orders_per_second: 1e6 / reused.median,
        component_to_native: reused.min / native.min,
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
        writeln!(
            f,
            "µs below are median / minimum of {} iterations, each path in a loop of its own, one thread",
            self.iterations
        )?;
        writeln!(f, "instantiate: {} µs (unbaked component, pooling allocator, fresh store)", s(self.instantiate))?;
        writeln!(f)?;
        writeln!(f, "tenants side by side (fresh instance per order, profile baked in):")?;
        let row = |f: &mut fmt::Formatter<'_>, label: &str, cell: &dyn Fn(&TenantBench) -> String| {
            write!(f, "  {label:<34}")?;
            for t in &self.tenants {
                write!(f, " {:>28}", cell(t))?;
            }
            writeln!(f)
        };
        row(f, "tenant", &|t| t.name.chars().take(28).collect())?;
        row(f, "profile bytes", &|t| t.profile_bytes.to_string())?;
        row(f, "variants / units / customers", &|t| format!("{} / {} / {}", t.variants, t.units, t.customers))?;
        row(f, "unbaked: instantiate + parse fuel", &|t| t.parse_fuel.to_string())?;
        row(f, "unbaked: instantiate + parse µs", &|t| s(t.parse))?;
        row(f, "bake ms", &|t| format!("{:.0}", t.bake_millis))?;
        row(f, "baked component bytes", &|t| t.baked_bytes.to_string())?;
        row(f, "initial linear memory bytes", &|t| t.initial_memory_bytes.to_string())?;
        row(f, "order", &|t| t.order.clone())?;
        row(f, "setup fuel (instantiate + baked)", &|t| t.setup_fuel.to_string())?;
        row(f, "map-order fuel", &|t| t.map_fuel.to_string())?;
        row(f, "instantiate µs", &|t| s(t.instantiate))?;
        row(f, "instantiate + map µs", &|t| s(t.fresh))?;
        writeln!(f, "  parse fuel per added entry: {:.0}", self.parse_fuel_per_entry)?;
        writeln!(f)?;
        writeln!(f, "orders (bundled profile baked in):")?;
        writeln!(
            f,
            "{:<20} {:>5} {:>7} {:>9} {:>16} {:>16} {:>16} {:>6}",
            "order", "lines", "bytes", "fuel", "instantiate+map", "reused map", "native", "ratio"
        )?;
        for o in &self.orders {
            writeln!(
                f,
                "{:<20} {:>5} {:>7} {:>9} {:>16} {:>16} {:>16} {:>5.2}x",
                o.name,
                o.lines,
                o.input_bytes,
                o.fuel,
                s(o.fresh),
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
