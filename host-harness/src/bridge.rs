//! Loading a bridge component and running calls through it, as the platform
//! would: one `Engine`, the component compiled once (and cached on disk) and
//! pre-linked (`InstancePre`), and per call a `Store` with its own budgets.
//!
//! Store policy. `Bridge::run` gives every call a fresh instance: it
//! instantiates, gets the profile (hands out the baked one, or parses the
//! text), makes the flow's call and throws the instance away, so no call can
//! observe another's memory or inherit a poisoned instance (the default, and
//! what `run`, `replay`, `check` and `diff` use). A `Session` keeps one
//! instance with the profile and makes many calls in it (what the WIT
//! `profile` resource is shaped for, and what `batch --reuse` uses): faster,
//! but calls share one linear memory (the memory high-water mark carries over,
//! and a bug that kept state would leak between orders), so a session is
//! discarded after any trap or limit.

use crate::cache::{self, Source};
use crate::engine::{self, EpochTicker, EPOCH_TICK};
use crate::flow::Flow;
use crate::limits::Limits;
use crate::report::{Failure, Metrics, Outcome, ProfileUse, RunReport, Stage};
use crate::sandbox::OrderState;
use serde::Serialize;
use std::path::Path;
use std::time::Instant;
use wasmtime::component::{Linker, ResourceAny};
use wasmtime::error::Context as _;
use wasmtime::{Engine, Result, Store, Trap};

pub(crate) mod bindings {
    wasmtime::component::bindgen!({
        world: "bridge",
        path: "../wit",
    });
}

use bindings::exports::sparklayer_orderwise::bridge::{orders, stock, tenant};
use bindings::sparklayer_orderwise::bridge::types as wit;
use wasmtime::component::InstancePre;

/// The contract's exports as this host finds them in a component: `tenant`
/// and `orders` (every 0.2.x), `stock` when it is 0.2.1 or later. The
/// bindings are generated for 0.2.1; wasmtime looks each export up by its
/// semver-compatible name (`…/orders@0.2.1` finds a component's
/// `…/orders@0.2.0`: `NameMap`'s alternate key `@0.2`), so a 0.2.0 component
/// links, and only the stock interface, which it lacks, is absent.
#[derive(Clone)]
pub(crate) struct Linked {
    pub pre: InstancePre<OrderState>,
    tenant: tenant::GuestIndices,
    orders: orders::GuestIndices,
    stock: Option<stock::GuestIndices>,
}

/// One instance's exports. `tenant` is loaded with the instance (every
/// session needs its profile); a flow's interface is loaded on its first
/// call, because loading type-checks every function of the interface against
/// the bindings, per instance: `stock`'s alone was about 2% of a fresh-instance
/// order's time, for an order that never calls it (docs/benchmarks.md).
pub(crate) struct Exports {
    pub instance: wasmtime::component::Instance,
    pub tenant: tenant::Guest,
    orders: Option<orders::Guest>,
    stock: Option<stock::Guest>,
}

/// A flow's interface, as `Linked::interface` hands it out.
pub(crate) enum Interface<'a> {
    Orders(&'a orders::Guest),
    Stock(&'a stock::Guest),
}

impl Linked {
    pub fn instantiate(&self, store: &mut Store<OrderState>) -> Result<Exports> {
        let instance = self.pre.instantiate(&mut *store)?;
        let tenant = self.tenant.load(&mut *store, &instance)?;
        Ok(Exports { instance, tenant, orders: None, stock: None })
    }

    /// The interface `flow` calls, loaded into `exports` on first use.
    pub fn interface<'e>(
        &self,
        store: &mut Store<OrderState>,
        exports: &'e mut Exports,
        flow: Flow,
    ) -> Result<Interface<'e>> {
        let instance = exports.instance;
        Ok(match flow {
            Flow::Orders => {
                let orders = match exports.orders.take() {
                    Some(loaded) => loaded,
                    None => self.orders.load(&mut *store, &instance)?,
                };
                Interface::Orders(exports.orders.insert(orders))
            }
            Flow::Stock | Flow::Catalog => {
                let indices = self.stock.as_ref().ok_or_else(|| wasmtime::format_err!("no stock interface"))?;
                let stock = match exports.stock.take() {
                    Some(loaded) => loaded,
                    None => indices.load(&mut *store, &instance)?,
                };
                Interface::Stock(exports.stock.insert(stock))
            }
        })
    }

    /// Whether the component exports the stock interface (0.2.1 and later).
    pub fn offers_stock(&self) -> bool {
        self.stock.is_some()
    }
}

/// A tenant profile as the harness holds it: the exact text and its SHA-256,
/// which is how a baked component is matched to the profile it holds.
#[derive(Debug, Clone)]
pub struct ProfileText {
    pub text: String,
    pub digest: String,
}

impl ProfileText {
    pub fn new(text: String) -> Self {
        let digest = cache::sha256_hex(text.as_bytes());
        ProfileText { text, digest }
    }

    pub fn read(path: &Path) -> anyhow::Result<Self> {
        let text =
            std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("reading profile {}: {e}", path.display()))?;
        Ok(ProfileText::new(text))
    }
}

/// Where a call gets its profile.
#[derive(Debug, Clone, Copy)]
pub enum ProfileSource<'a> {
    /// The profile baked into the component.
    Baked,
    /// This profile, parsed in the instance.
    Text(&'a ProfileText),
}

/// What a component says of a profile (the WIT `profile-summary`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileSummary {
    pub name: String,
    pub baked_digest: Option<String>,
    pub variants: u32,
    pub units: u32,
    pub customers: u32,
    pub tax_rates: u32,
    pub delivery_methods: u32,
    pub stock_locations: u32,
}

impl From<wit::ProfileSummary> for ProfileSummary {
    fn from(s: wit::ProfileSummary) -> Self {
        ProfileSummary {
            name: s.name,
            baked_digest: s.baked_digest,
            variants: s.variants,
            units: s.units,
            customers: s.customers,
            tax_rates: s.tax_rates,
            delivery_methods: s.delivery_methods,
            stock_locations: s.stock_locations,
        }
    }
}

/// A compiled, pre-linked bridge component ready to run calls.
pub struct Bridge {
    engine: Engine,
    pre: Linked,
    /// The contract version the component's `orders` export names (e.g. `0.2.0`).
    contract: String,
    limits: Limits,
    source: Source,
    baked: Option<ProfileSummary>,
    // Dropped last: stops the epoch thread.
    _ticker: EpochTicker,
}

impl Bridge {
    /// Compiles (or loads from `cache_dir`) the component file and links it
    /// against the no-capability WASI host.
    pub fn load(path: &Path, limits: Limits, cache_dir: Option<&Path>) -> Result<Bridge> {
        let bytes = std::fs::read(path).with_context(|| format!("reading component {}", path.display()))?;
        Bridge::from_bytes(&bytes, limits, cache_dir).with_context(|| format!("loading component {}", path.display()))
    }

    pub fn from_bytes(bytes: &[u8], limits: Limits, cache_dir: Option<&Path>) -> Result<Bridge> {
        // The engine also reads WebAssembly text (the `wat` feature, for the
        // test components); an upload must be a component binary.
        crate::check::component_binary(bytes).map_err(|why| wasmtime::format_err!("{why}"))?;
        let engine = engine::build(&limits)?;
        let (component, source) =
            cache::load_or_compile(&engine, bytes, cache_dir).context("compiling the component")?;
        // The upload gate's import policy holds for every command, not only `check`.
        let forbidden = crate::check::forbidden_imports(&engine, &component);
        if !forbidden.is_empty() {
            wasmtime::bail!(
                "the component imports {}, which the platform does not allow (only the WASI 0.2 interfaces Rust's standard library needs; see `check`)",
                forbidden.join(", ")
            );
        }
        let pre = link(&engine, &component)?;
        let contract = contract_version(&engine, &component);
        let _ticker = EpochTicker::start(&engine)?;
        let mut bridge = Bridge { engine, pre, contract, limits, source, baked: None, _ticker };
        bridge.baked = bridge.probe_baked().context("asking the component for its baked profile")?;
        Ok(bridge)
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Whether the component serves `flow` (the stock flows need 0.2.1).
    pub fn offers(&self, flow: Flow) -> bool {
        match flow {
            Flow::Orders => true,
            Flow::Stock | Flow::Catalog => self.pre.offers_stock(),
        }
    }

    /// The contract version the component was built for (`0.2.0`, `0.2.1`, …).
    pub fn contract(&self) -> &str {
        &self.contract
    }

    pub fn from_cache(&self) -> bool {
        self.source == Source::Cache
    }

    /// The profile baked into the component, if any.
    pub fn baked(&self) -> Option<&ProfileSummary> {
        self.baked.as_ref()
    }

    /// The profile a call should use: the baked one when the component holds
    /// one and `text` is absent or is that very profile (same SHA-256), else
    /// `text` parsed in the instance.
    pub fn profile_for<'a>(&self, text: Option<&'a ProfileText>) -> anyhow::Result<ProfileSource<'a>> {
        let baked_digest = self.baked.as_ref().and_then(|b| b.baked_digest.as_deref());
        match (baked_digest, text) {
            (Some(_), None) => Ok(ProfileSource::Baked),
            (Some(digest), Some(t)) if t.digest == digest => Ok(ProfileSource::Baked),
            (_, Some(t)) => Ok(ProfileSource::Text(t)),
            (None, None) => anyhow::bail!("the component has no profile baked in: pass --profile"),
        }
    }

    /// One call in a fresh instance: set up (instantiate, get the profile),
    /// then the flow's call. Never fails as a Rust error for anything the
    /// component does: traps, exhausted fuel or time and over-size data are
    /// reported in the `RunReport`.
    pub fn run(&self, flow: Flow, profile: ProfileSource, input: &[u8]) -> RunReport {
        let started = Instant::now();
        match self.session(profile) {
            Ok(mut session) => {
                let mut report = session.call(flow, input);
                report.metrics.setup_fuel = session.setup_fuel;
                report.metrics.setup_micros = session.setup_micros;
                report.metrics.wall_micros = started.elapsed().as_micros() as u64;
                report
            }
            Err(mut report) => {
                report.metrics.input_bytes = input.len() as u64;
                report.metrics.wall_micros = started.elapsed().as_micros() as u64;
                *report
            }
        }
    }

    /// Instantiates in a fresh store and throws the instance away (benchmarks).
    pub fn instantiate_only(&self) -> Result<()> {
        let mut store = self.store();
        self.pre.instantiate(&mut store)?;
        Ok(())
    }

    fn store(&self) -> Store<OrderState> {
        let mut store = Store::new(&self.engine, OrderState::new(self.limits.memory_bytes));
        store.limiter(|state| &mut state.limiter);
        // Instantiation (data segments, start functions) and getting the
        // profile share the setup budget; each call then gets its own.
        // Setting fuel only fails on an engine without fuel, which `engine::build` never makes.
        store.set_fuel(self.limits.setup_fuel).expect("the engine meters fuel");
        store.set_epoch_deadline(self.deadline_ticks());
        store
    }

    /// The baked profile's summary, from a throw-away instance.
    fn probe_baked(&self) -> Result<Option<ProfileSummary>> {
        let mut store = self.store();
        let instance = self.pre.instantiate(&mut store)?;
        let tenant = &instance.tenant;
        let Some(profile) = tenant.profile().call_baked(&mut store)? else {
            return Ok(None);
        };
        let summary = tenant.profile().call_summary(&mut store, profile)?;
        profile.resource_drop(&mut store)?;
        Ok(Some(summary.into()))
    }

    /// A new instance holding the profile, ready for calls.
    pub fn session(&self, profile: ProfileSource) -> Result<Session<'_>, Box<RunReport>> {
        let started = Instant::now();
        let mut store = self.store();
        let profile_use = match profile {
            ProfileSource::Baked => {
                ProfileUse::Baked(self.baked.as_ref().and_then(|b| b.baked_digest.clone()).unwrap_or_default())
            }
            ProfileSource::Text(t) => ProfileUse::Parsed(t.digest.clone()),
        };
        let fail = |store: &Store<OrderState>, failure: Failure, fuel: u64| {
            Box::new(RunReport {
                outcome: None,
                failure: Some(failure),
                metrics: Metrics {
                    setup_fuel: fuel,
                    setup_micros: started.elapsed().as_micros() as u64,
                    peak_memory_bytes: store.data().limiter.peak as u64,
                    ..Metrics::default()
                },
                limits: self.limits,
                profile: Some(profile_use.clone()),
                logs: store.data().log_text(0),
                backtrace: None,
            })
        };
        let setup = self.pre.instantiate(&mut store).and_then(|instance| {
            let resource = instance.tenant.profile();
            let got = match profile {
                ProfileSource::Baked => resource.call_baked(&mut store)?.ok_or(None),
                ProfileSource::Text(t) => resource.call_parse(&mut store, &t.text)?.map_err(Some),
            };
            Ok((instance, got))
        });
        let setup_fuel = self.limits.setup_fuel - store.get_fuel().unwrap_or(0);
        let (instance, got) = match setup {
            Ok(ok) => ok,
            Err(e) => {
                let (failure, backtrace) = classify(&store, e, self.limits, Stage::Setup, "setup");
                let mut report = fail(&store, failure, setup_fuel);
                report.backtrace = backtrace;
                return Err(report);
            }
        };
        let profile = match got {
            Ok(profile) => profile,
            Err(Some(e)) => {
                let failure = Failure::ProfileInvalid(format!("field {:?}: {}", e.field, e.message));
                return Err(fail(&store, failure, setup_fuel));
            }
            Err(None) => {
                let failure = Failure::ProfileInvalid("the component holds no baked profile".into());
                return Err(fail(&store, failure, setup_fuel));
            }
        };
        Ok(Session {
            bridge: self,
            store,
            instance,
            profile,
            profile_use,
            setup_fuel,
            setup_micros: started.elapsed().as_micros() as u64,
            calls: 0,
            poisoned: false,
            log_offset: 0,
        })
    }

    fn deadline_ticks(&self) -> u64 {
        (self.limits.wall_millis.saturating_mul(1000) / EPOCH_TICK.as_micros() as u64).max(1)
    }
}

/// Links a compiled component against the no-capability WASI host and checks
/// that it exports the bridge world.
pub(crate) fn link(engine: &Engine, component: &wasmtime::component::Component) -> Result<Linked> {
    let mut linker: Linker<OrderState> = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker).context("linking WASI")?;
    let pre =
        linker.instantiate_pre(component).context("the component imports something the platform does not provide")?;
    let missing = "the component does not export the bridge world";
    let tenant = tenant::GuestIndices::new(&pre).context(missing)?;
    let orders = orders::GuestIndices::new(&pre).context(missing)?;
    let stock = stock::GuestIndices::new(&pre).ok();
    Ok(Linked { pre, tenant, orders, stock })
}

/// The version in the name of the component's `orders` export, or `?`.
fn contract_version(engine: &Engine, component: &wasmtime::component::Component) -> String {
    component
        .component_type()
        .exports(engine)
        .find_map(|(name, _)| name.strip_prefix("sparklayer-orderwise:bridge/orders@").map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned())
}

/// One live instance holding a profile.
pub struct Session<'b> {
    bridge: &'b Bridge,
    store: Store<OrderState>,
    instance: Exports,
    profile: ResourceAny,
    profile_use: ProfileUse,
    /// Fuel and time spent instantiating and getting the profile.
    pub setup_fuel: u64,
    pub setup_micros: u64,
    /// Calls made in this instance.
    pub calls: u64,
    /// Set after a trap or limit: the instance must not be used again.
    pub poisoned: bool,
    log_offset: usize,
}

impl Session<'_> {
    /// Peak linear memory of this instance so far, bytes.
    pub fn peak_memory(&self) -> u64 {
        self.store.data().limiter.peak as u64
    }

    /// Makes one call of `flow` in this instance under the per-call limits.
    pub fn call(&mut self, flow: Flow, input: &[u8]) -> RunReport {
        let limits = self.bridge.limits;
        let started = Instant::now();
        let mut metrics = Metrics { input_bytes: input.len() as u64, ..Metrics::default() };
        let mut backtrace = None;
        let result = self.invoke(flow, input, &mut metrics, &mut backtrace);
        metrics.map_micros = started.elapsed().as_micros() as u64;
        metrics.wall_micros = metrics.map_micros;
        metrics.peak_memory_bytes = self.store.data().limiter.peak as u64;
        let logs = self.store.data().log_text(self.log_offset);
        self.log_offset = self.store.data().logs.contents().len();
        self.calls += 1;
        let (outcome, failure) = match result {
            Ok(outcome) => (Some(outcome), None),
            Err(failure) => {
                // Input and output caps are checked outside the instance; anything
                // else stopped it mid-call and its state can no longer be trusted.
                self.poisoned |= !matches!(
                    failure,
                    Failure::InputTooLarge(_)
                        | Failure::OutputTooLarge(_)
                        | Failure::NotOffered(_)
                        | Failure::InvalidInput(_)
                );
                (None, Some(failure))
            }
        };
        RunReport { outcome, failure, metrics, limits, profile: Some(self.profile_use.clone()), logs, backtrace }
    }

    fn invoke(
        &mut self,
        flow: Flow,
        input: &[u8],
        metrics: &mut Metrics,
        backtrace: &mut Option<String>,
    ) -> Result<Outcome, Failure> {
        let limits = self.bridge.limits;
        if self.poisoned {
            return Err(Failure::Trap("this instance was stopped by an earlier call".into()));
        }
        if !self.bridge.offers(flow) {
            return Err(Failure::NotOffered(format!(
                "the component exports bridge@{} without the `stock` interface: the {flow} flow needs a 0.2.1 or later component",
                self.bridge.contract
            )));
        }
        // The WIT takes strings: bytes that are not UTF-8 are replaced, and the
        // component then reports the payload as invalid rather than never seeing it.
        // Checked with SIMD first (simdutf8; `str::from_utf8` was still 2.5% of a
        // 10-line order's fresh-instance time, the lossy conversion 5%:
        // docs/benchmarks.md); the lossy conversion only for text that fails.
        let input = match simdutf8::basic::from_utf8(input) {
            Ok(text) => std::borrow::Cow::Borrowed(text),
            Err(_) => String::from_utf8_lossy(input),
        };
        // What the component is handed (a stock call's export and current levels).
        let prepared = flow.prepare(&input).map_err(Failure::InvalidInput)?;
        metrics.input_bytes = prepared.bytes();
        if metrics.input_bytes > limits.input_bytes {
            return Err(Failure::InputTooLarge(format!("{} bytes, limit {}", metrics.input_bytes, limits.input_bytes)));
        }
        let store = &mut self.store;
        store.set_fuel(limits.fuel).map_err(|e| Failure::Trap(format!("{e:#}")))?;
        store.set_epoch_deadline(self.bridge.deadline_ticks());
        let called = self
            .bridge
            .pre
            .interface(&mut *store, &mut self.instance, flow)
            .and_then(|interface| flow.call(&mut *store, interface, self.profile, prepared));
        metrics.fuel = limits.fuel - store.get_fuel().unwrap_or(0);
        let outcome = called
            .map_err(|e| {
                let (failure, trace) = classify(store, e, limits, Stage::Call, flow.function());
                *backtrace = trace;
                failure
            })?
            .map_err(Failure::InvalidOutput)?;
        let size = json_size(&outcome);
        metrics.output_bytes = size;
        if size > limits.output_bytes {
            return Err(Failure::OutputTooLarge(format!("{size} bytes, limit {}", limits.output_bytes)));
        }
        Ok(outcome)
    }
}

/// The bytes of `value` as JSON, counted as they are written rather than
/// kept: the outcome's size is all the output cap needs.
fn json_size(value: &impl serde::Serialize) -> u64 {
    struct Count(u64);
    impl std::io::Write for Count {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len() as u64;
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Serialising the harness's own types cannot fail; if it ever did, the
    // outcome is treated as over any cap rather than as empty.
    match serde_json::to_writer(&mut count, value) {
        Ok(()) => count.0,
        Err(_) => u64::MAX,
    }
}

/// Names why the platform stopped the component, and keeps the wasm backtrace
/// of a trap, or of where the fuel ran out, for the developer (a fuel stop's
/// backtrace is what scripts/fuel-profile.py samples). `what` names the call
/// ("setup", "map-order"), so a stopped call says which budget it broke.
fn classify(
    store: &Store<OrderState>,
    error: wasmtime::Error,
    limits: Limits,
    stage: Stage,
    what: &str,
) -> (Failure, Option<String>) {
    if store.data().limiter.refused {
        let detail =
            format!("{what} asked for more than {} bytes of linear memory (--memory-bytes)", limits.memory_bytes);
        return (Failure::MemoryLimit(detail), None);
    }
    let (budget, flag) = match stage {
        Stage::Setup => (limits.setup_fuel, "--setup-fuel"),
        Stage::Call => (limits.fuel, "--fuel"),
    };
    match error.downcast_ref::<Trap>() {
        Some(Trap::OutOfFuel) => {
            let detail = match stage {
                Stage::Setup => format!(
                    "setup (instantiate and get the profile) used all {budget} units of its fuel budget ({flag})"
                ),
                Stage::Call => format!("{what} used all {budget} units of its fuel budget ({flag})"),
            };
            (Failure::FuelExhausted(detail), Some(format!("{error:?}")))
        }
        Some(Trap::Interrupt) => (
            Failure::Timeout(format!("{what} ran past the {} ms wall-clock cap (--wall-ms)", limits.wall_millis)),
            None,
        ),
        Some(trap) => (Failure::Trap(trap.to_string()), Some(format!("{error:?}"))),
        None => (Failure::Trap(format!("{error:#}")), None),
    }
}
