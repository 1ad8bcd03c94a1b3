//! `host-harness bake`: a component with a tenant's profile already parsed.
//!
//! Pre-initialisation with wasmtime-wizer (its synchronous path, on this
//! harness's own engine and no-capability WASI): instrument the component,
//! instantiate it, call `tenant.bake(profile, sha256)` under the setup
//! budget, and snapshot the instance's memory and globals into a new
//! component. Every instance of the result starts with the parsed, validated
//! profile in its memory image (mapped copy-on-write by the pooling
//! allocator), and `profile.baked()` hands it out for a few hundred
//! instructions, whatever the size of the tenant.
//!
//! The baked component is still a complete bridge component: `profile.parse`
//! works as before, so it also runs profiles other than the baked one.

use crate::bridge::{link, Bridge, ProfileSummary, ProfileText};
use crate::engine::{self, EpochTicker, EPOCH_TICK};
use crate::limits::Limits;
use crate::sandbox::OrderState;
use anyhow::{anyhow, bail, Context, Result};
use serde::Serialize;
use std::future::Future;
use std::task::{Context as TaskContext, Poll, Waker};
use std::time::Instant;
use wasmtime::component::{Component, Instance, WasmList};
use wasmtime::{Engine, Store};
use wasmtime_wizer::{ComponentInstanceState, Wizer};

/// A baked component and what it cost to make.
pub struct Baked {
    pub bytes: Vec<u8>,
    pub report: BakeReport,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BakeReport {
    /// SHA-256 of the profile text baked in.
    pub profile_digest: String,
    pub profile_bytes: u64,
    pub summary: ProfileSummary,
    /// Fuel `tenant.bake` used (the same parse an unbaked instance pays per setup).
    pub parse_fuel: u64,
    /// Linear memory at the snapshot: every instance of the baked component starts with it.
    pub initial_memory_bytes: u64,
    pub component_bytes: u64,
    pub baked_bytes: u64,
    pub millis: f64,
}

/// Memory the snapshot may take past the cap: four 64 KiB pages, twice what
/// wizer's accessor takes for our one memory.
const SNAPSHOT_PAGES: u64 = 4 * 65_536;

/// The fuel a bake may spend parsing the profile: a one-off build step, so
/// far above the per-instance setup budget (a 65,000-entry tenant takes tens of millions).
pub const DEFAULT_BAKE_FUEL: u64 = 2_000_000_000;

/// Bakes `profile` into `component` under `limits`, with `fuel` for the parse
/// and a wall-clock cap of at least a minute (memory and the rest as `limits` say).
/// A component the platform would refuse (not a component binary, a
/// forbidden import) is refused here with the same reason, before any of it runs.
pub fn bake(component: &[u8], profile: &ProfileText, limits: Limits, fuel: u64) -> Result<Baked> {
    // A minute, not the per-call second: the parse of a large tenant is a
    // one-off build step bounded by its fuel; the clock only catches a hang.
    let limits = Limits { setup_fuel: fuel, wall_millis: limits.wall_millis.max(60_000), ..limits };
    let started = Instant::now();
    // Room past the cap in the engine for the snapshot's pages (below); the
    // limiter holds the parse to the cap itself.
    let engine = engine::build(&Limits { memory_bytes: limits.memory_bytes.saturating_add(SNAPSHOT_PAGES), ..limits })?;
    crate::check::component_binary(component).map_err(anyhow::Error::msg)?;
    let mut wizer = Wizer::new();
    // Keep every export as it is (wasmtime issue #13168: dropping the init
    // function can produce an invalid component); `bake` refuses a second call.
    wizer.keep_init_func(true);
    let (cx, instrumented) =
        wizer.instrument_component(component).map_err(anyhow::Error::from).context("instrumenting the component")?;

    let _ticker = EpochTicker::start(&engine)?;
    let compiled = Component::new(&engine, &instrumented)
        .map_err(anyhow::Error::from)
        .context("compiling the instrumented component")?;
    admit(&engine, &compiled)?;
    let pre = link(&engine, &compiled)?;
    let mut store = Store::new(&engine, OrderState::new(limits.memory_bytes));
    store.limiter(|state| &mut state.limiter);
    store.set_fuel(limits.setup_fuel)?;
    store.set_epoch_deadline((limits.wall_millis.saturating_mul(1000) / EPOCH_TICK.as_micros() as u64).max(1));
    let exports = pre.instantiate(&mut store).map_err(anyhow::Error::from).context("instantiating the component")?;
    let called = exports.tenant.call_bake(&mut store, &profile.text, &profile.digest);
    let parse_fuel = limits.setup_fuel - store.get_fuel().unwrap_or(0);
    let summary = match called {
        Ok(Ok(summary)) => ProfileSummary::from(summary),
        Ok(Err(e)) => bail!("the component refused the profile: field {:?}: {}", e.field, e.message),
        // The trap's wasm backtrace says nothing an integrator can act on.
        Err(_) if store.data().limiter.refused => bail!(
            "baking this {}-byte profile needs more than {} bytes of linear memory, the cap every instance \
             runs under (--memory-bytes; {} reached before the refusal): the baked instance starts with the \
             parsed tables and the freed profile text, so its memory must fit the platform's cap. Split the \
             tenant's reference data, or raise the platform's memory cap and bake with the same --memory-bytes \
             (docs/baking.md, \"Memory\")",
            profile.text.len(),
            limits.memory_bytes,
            store.data().limiter.peak
        ),
        Err(e) => {
            return Err(anyhow!("{e:?}")).context(format!(
                "tenant.bake stopped (fuel used {parse_fuel} of --bake-fuel {}, wall cap {} ms)",
                limits.setup_fuel, limits.wall_millis
            ))
        }
    };
    if summary.baked_digest.as_deref() != Some(profile.digest.as_str()) {
        bail!("the component baked the profile but reports digest {:?}, not {}", summary.baked_digest, profile.digest);
    }
    let initial_memory_bytes = store.data().limiter.peak as u64;
    // Wizer's memory accessor grows the memory by a page to hand back its
    // pointer and length (wasmtime-wizer 48 `component/instrument.rs`), and
    // is called twice (`snapshot.rs`); the image keeps the size from before
    // (`initial_memory_bytes`), so these pages are allowed past the cap.
    // Without them, a bake that ended within two pages of the cap trapped in
    // the accessor, and the harness panicked.
    store.data_mut().limiter.cap = store.data().limiter.cap.saturating_add(SNAPSHOT_PAGES as usize);
    let bytes =
        block_on(wizer.snapshot_component(&cx, &mut Snapshot { store: &mut store, instance: exports.instance }))
            .map_err(anyhow::Error::from)
            .context("snapshotting the instance")?;
    let report = BakeReport {
        profile_digest: profile.digest.clone(),
        profile_bytes: profile.text.len() as u64,
        summary,
        parse_fuel,
        initial_memory_bytes,
        component_bytes: component.len() as u64,
        baked_bytes: bytes.len() as u64,
        millis: started.elapsed().as_secs_f64() * 1e3,
    };
    Ok(Baked { bytes, report })
}

/// `Bridge::load`'s import policy, applied before the component is
/// instantiated: otherwise `bake` would run a component that every other
/// command refuses to run. Checked on the instrumented component, which is
/// compiled anyway (wizer adds exports, never imports).
fn admit(engine: &Engine, compiled: &Component) -> Result<()> {
    let forbidden = crate::check::forbidden_imports(engine, compiled);
    if !forbidden.is_empty() {
        bail!(
            "the component imports {}, which the platform does not allow (only the WASI 0.2 interfaces Rust's \
             standard library needs; see `check`)",
            forbidden.join(", ")
        );
    }
    Ok(())
}

/// Bakes and loads the result, checking that it hands out the profile it was given.
pub fn bake_and_load(component: &[u8], profile: &ProfileText, limits: Limits) -> Result<(Bridge, BakeReport)> {
    let baked = bake(component, profile, limits, DEFAULT_BAKE_FUEL)?;
    let bridge = Bridge::from_bytes(&baked.bytes, limits, None)?;
    let digest = bridge.baked().and_then(|b| b.baked_digest.as_deref());
    if digest != Some(profile.digest.as_str()) {
        bail!("the baked component does not hand out the baked profile (it reports {digest:?})");
    }
    Ok((bridge, baked.report))
}

/// What wizer reads the instance's state through: its accessor functions,
/// called synchronously on our store.
struct Snapshot<'a> {
    store: &'a mut Store<OrderState>,
    instance: Instance,
}

impl Snapshot<'_> {
    fn call<R: wasmtime::component::ComponentType + wasmtime::component::Lift + Send + Sync + 'static>(
        &mut self,
        interface: &str,
        func: &str,
    ) -> R {
        let exported = (|| {
            let (_, iface) = self.instance.get_export(&mut *self.store, None, interface)?;
            let (_, index) = self.instance.get_export(&mut *self.store, Some(&iface), func)?;
            self.instance.get_typed_func::<(), (R,)>(&mut *self.store, index).ok()
        })();
        // Wizer asks only for accessors its own instrumentation added.
        let typed = exported.unwrap_or_else(|| panic!("wizer accessor {interface}#{func} is missing"));
        typed.call(&mut *self.store, ()).unwrap_or_else(|e| panic!("wizer accessor {func} trapped: {e:?}")).0
    }
}

impl ComponentInstanceState for Snapshot<'_> {
    async fn call_func_ret_list_u8(&mut self, instance: &str, func: &str, contents: impl FnOnce(&[u8]) + Send) {
        let list: WasmList<u8> = self.call(instance, func);
        contents(list.as_le_slice(&*self.store));
    }

    async fn call_func_ret_s32(&mut self, instance: &str, func: &str) -> i32 {
        self.call(instance, func)
    }

    async fn call_func_ret_s64(&mut self, instance: &str, func: &str) -> i64 {
        self.call(instance, func)
    }

    async fn call_func_ret_f32(&mut self, instance: &str, func: &str) -> u32 {
        self.call::<f32>(instance, func).to_bits()
    }

    async fn call_func_ret_f64(&mut self, instance: &str, func: &str) -> u64 {
        self.call::<f64>(instance, func).to_bits()
    }
}

/// Runs a future whose every step is synchronous (our `Snapshot` never waits).
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = TaskContext::from_waker(Waker::noop());
    match future.as_mut().poll(&mut cx) {
        Poll::Ready(value) => value,
        Poll::Pending => unreachable!("snapshotting made no asynchronous call"),
    }
}

impl std::fmt::Display for BakeReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = &self.summary;
        writeln!(f, "baked profile {:?}", s.name)?;
        writeln!(f, "  sha256:          {}", self.profile_digest)?;
        writeln!(f, "  profile:         {} bytes", self.profile_bytes)?;
        writeln!(
            f,
            "  reference data:  {} variants, {} units, {} customers, {} tax rates, {} delivery methods, {} stock locations",
            s.variants, s.units, s.customers, s.tax_rates, s.delivery_methods, s.stock_locations
        )?;
        writeln!(f, "  parse fuel:      {} (paid once, here)", self.parse_fuel)?;
        writeln!(f, "  initial memory:  {} bytes per instance (copy-on-write image)", self.initial_memory_bytes)?;
        writeln!(f, "  component:       {} bytes -> {} bytes baked", self.component_bytes, self.baked_bytes)?;
        writeln!(f, "  took:            {:.0} ms", self.millis)
    }
}
