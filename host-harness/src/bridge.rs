//! Loading a bridge component and running orders through it, as the platform
//! would: one `Engine`, the component compiled once (and cached on disk) and
//! pre-linked (`InstancePre`), and per order a `Store` with its own budget.
//!
//! Store policy. `Bridge::run` gives every order a fresh instance: it
//! instantiates, parses the profile, maps the order and throws the instance
//! away, so no order can observe another's memory or inherit a poisoned
//! instance (the default, and what `run`, `replay`, `check` and `diff` use).
//! A `Session` keeps one instance with the profile parsed once and maps many
//! orders in it (what the WIT `profile` resource is shaped for, and what
//! `batch --reuse` uses): faster, but orders share one linear memory (the
//! memory high-water mark carries over, and a bug that kept state would leak
//! between orders), so a session is discarded after any trap or limit.

use crate::cache::{self, Source};
use crate::engine::{self, EpochTicker, EPOCH_TICK};
use crate::limits::Limits;
use crate::report::{Failure, Issue, Metrics, Outcome, RunReport};
use crate::sandbox::OrderState;
use std::path::Path;
use std::time::Instant;
use wasmtime::component::{Linker, ResourceAny};
use wasmtime::error::Context as _;
use wasmtime::{Engine, Result, Store, Trap};

mod bindings {
    wasmtime::component::bindgen!({
        world: "bridge",
        path: "../wit",
    });
}

use bindings::sparklayer_orderwise::bridge::types as wit;
use bindings::BridgePre;

/// A compiled, pre-linked bridge component ready to run orders.
pub struct Bridge {
    engine: Engine,
    pre: BridgePre<OrderState>,
    limits: Limits,
    source: Source,
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
        let engine = engine::build(&limits)?;
        let (component, source) =
            cache::load_or_compile(&engine, bytes, cache_dir).context("compiling the component")?;
        let mut linker: Linker<OrderState> = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker).context("linking WASI")?;
        let pre = linker
            .instantiate_pre(&component)
            .context("the component imports something the platform does not provide")?;
        let pre = BridgePre::new(pre).context("the component does not export the bridge world")?;
        let _ticker = EpochTicker::start(&engine);
        Ok(Bridge { engine, pre, limits, source, _ticker })
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    pub fn from_cache(&self) -> bool {
        self.source == Source::Cache
    }

    /// Runs one order in a fresh instance: parse the profile, then map the order.
    /// Never fails as a Rust error for anything the component does: traps,
    /// exhausted fuel or time and over-size data are reported in the `RunReport`.
    pub fn run(&self, profile_json: &str, order: &[u8]) -> RunReport {
        let started = Instant::now();
        match self.session(profile_json) {
            Ok(mut session) => {
                let mut report = session.map(order);
                report.metrics.setup_fuel = session.setup_fuel;
                report.metrics.setup_micros = session.setup_micros;
                report.metrics.wall_micros = started.elapsed().as_micros() as u64;
                report
            }
            Err(mut report) => {
                report.metrics.input_bytes = order.len() as u64;
                report.metrics.wall_micros = started.elapsed().as_micros() as u64;
                *report
            }
        }
    }

    /// Instantiates in a fresh store and throws the instance away (benchmarks).
    pub fn instantiate_only(&self) -> Result<()> {
        let mut store = Store::new(&self.engine, OrderState::new(self.limits.memory_bytes));
        store.limiter(|state| &mut state.limiter);
        store.set_fuel(self.limits.setup_fuel)?;
        store.set_epoch_deadline(self.deadline_ticks());
        self.pre.instantiate(&mut store)?;
        Ok(())
    }

    /// A new instance with the profile parsed, ready to map orders.
    pub fn session(&self, profile_json: &str) -> Result<Session<'_>, Box<RunReport>> {
        let started = Instant::now();
        let mut store = Store::new(&self.engine, OrderState::new(self.limits.memory_bytes));
        store.limiter(|state| &mut state.limiter);
        // Instantiation (data segments, start functions) and profile parsing
        // share the setup budget; each order then gets its own.
        let mut budget = || -> Result<()> {
            store.set_fuel(self.limits.setup_fuel)?;
            store.set_epoch_deadline(self.deadline_ticks());
            Ok(())
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
                logs: store.data().log_text(0),
                backtrace: None,
            })
        };
        if let Err(e) = budget() {
            return Err(fail(&store, Failure::Trap(format!("{e:#}")), 0));
        }
        let setup = self.pre.instantiate(&mut store).and_then(|instance| {
            let parsed =
                instance.sparklayer_orderwise_bridge_mapper().profile().call_parse(&mut store, profile_json)?;
            Ok((instance, parsed))
        });
        let setup_fuel = self.limits.setup_fuel - store.get_fuel().unwrap_or(0);
        let (instance, parsed) = match setup {
            Ok(ok) => ok,
            Err(e) => {
                let (failure, backtrace) = classify(&store, e, self.limits);
                let mut report = fail(&store, failure, setup_fuel);
                report.backtrace = backtrace;
                return Err(report);
            }
        };
        let profile = match parsed {
            Ok(profile) => profile,
            Err(e) => {
                let failure = Failure::ProfileInvalid(format!("field {:?}: {}", e.field, e.message));
                return Err(fail(&store, failure, setup_fuel));
            }
        };
        Ok(Session {
            bridge: self,
            store,
            instance,
            profile,
            setup_fuel,
            setup_micros: started.elapsed().as_micros() as u64,
            orders: 0,
            poisoned: false,
            log_offset: 0,
        })
    }

    fn deadline_ticks(&self) -> u64 {
        (self.limits.wall_millis.saturating_mul(1000) / EPOCH_TICK.as_micros() as u64).max(1)
    }
}

/// One live instance with a parsed profile.
pub struct Session<'b> {
    bridge: &'b Bridge,
    store: Store<OrderState>,
    instance: bindings::Bridge,
    profile: ResourceAny,
    /// Fuel and time spent instantiating and parsing the profile.
    pub setup_fuel: u64,
    pub setup_micros: u64,
    /// Orders mapped in this instance.
    pub orders: u64,
    /// Set after a trap or limit: the instance must not be used again.
    pub poisoned: bool,
    log_offset: usize,
}

impl Session<'_> {
    /// Peak linear memory of this instance so far, bytes.
    pub fn peak_memory(&self) -> u64 {
        self.store.data().limiter.peak as u64
    }

    /// Maps one order in this instance under the per-order limits.
    pub fn map(&mut self, order: &[u8]) -> RunReport {
        let limits = self.bridge.limits;
        let started = Instant::now();
        let mut metrics = Metrics { input_bytes: order.len() as u64, ..Metrics::default() };
        let mut backtrace = None;
        let result = self.call(order, &mut metrics, &mut backtrace);
        metrics.map_micros = started.elapsed().as_micros() as u64;
        metrics.wall_micros = metrics.map_micros;
        metrics.peak_memory_bytes = self.store.data().limiter.peak as u64;
        let logs = self.store.data().log_text(self.log_offset);
        self.log_offset = self.store.data().logs.contents().len();
        self.orders += 1;
        let (outcome, failure) = match result {
            Ok(outcome) => (Some(outcome), None),
            Err(failure) => {
                // Input and output caps are checked outside the instance; anything
                // else stopped it mid-call and its state can no longer be trusted.
                self.poisoned |= !matches!(failure, Failure::InputTooLarge(_) | Failure::OutputTooLarge(_));
                (None, Some(failure))
            }
        };
        RunReport { outcome, failure, metrics, limits, logs, backtrace }
    }

    fn call(
        &mut self,
        order: &[u8],
        metrics: &mut Metrics,
        backtrace: &mut Option<String>,
    ) -> Result<Outcome, Failure> {
        let limits = self.bridge.limits;
        if self.poisoned {
            return Err(Failure::Trap("this instance was stopped by an earlier order".into()));
        }
        if metrics.input_bytes > limits.input_bytes {
            return Err(Failure::InputTooLarge(format!("{} bytes, limit {}", metrics.input_bytes, limits.input_bytes)));
        }
        // The WIT takes a string: bytes that are not UTF-8 are replaced, and the
        // component then reports the payload as invalid rather than never seeing it.
        let order = String::from_utf8_lossy(order);
        let store = &mut self.store;
        store.set_fuel(limits.fuel).map_err(|e| Failure::Trap(format!("{e:#}")))?;
        store.set_epoch_deadline(self.bridge.deadline_ticks());
        let mapper = self.instance.sparklayer_orderwise_bridge_mapper();
        let mapped = mapper.profile().call_map_order(&mut *store, self.profile, &order);
        metrics.fuel = limits.fuel - store.get_fuel().unwrap_or(0);
        let mapped = mapped.map_err(|e| {
            let (failure, trace) = classify(store, e, limits);
            *backtrace = trace;
            failure
        })?;
        let outcome = convert(mapped).map_err(Failure::InvalidOutput)?;
        let size = serde_json::to_string(&outcome).map(|s| s.len() as u64).unwrap_or(u64::MAX);
        metrics.output_bytes = size;
        if size > limits.output_bytes {
            return Err(Failure::OutputTooLarge(format!("{size} bytes, limit {}", limits.output_bytes)));
        }
        Ok(outcome)
    }
}

/// Names why the platform stopped the component, and keeps the wasm backtrace
/// of a trap for the developer.
fn classify(store: &Store<OrderState>, error: wasmtime::Error, limits: Limits) -> (Failure, Option<String>) {
    if store.data().limiter.refused {
        let detail = format!("the component asked for more than {} bytes of linear memory", limits.memory_bytes);
        return (Failure::MemoryLimit(detail), None);
    }
    match error.downcast_ref::<Trap>() {
        Some(Trap::OutOfFuel) => (Failure::FuelExhausted(format!("used all {} units of fuel", limits.fuel)), None),
        Some(Trap::Interrupt) => {
            (Failure::Timeout(format!("ran past the {} ms wall-clock cap", limits.wall_millis)), None)
        }
        Some(trap) => (Failure::Trap(trap.to_string()), Some(format!("{error:?}"))),
        None => (Failure::Trap(format!("{error:#}")), None),
    }
}

fn convert(o: wit::Outcome) -> Result<Outcome, String> {
    let sales_order = match o.sales_order {
        Some(text) => Some(
            serde_json::value::RawValue::from_string(text)
                .map_err(|e| format!("the component returned a sales order that is not JSON: {e}"))?,
        ),
        None => None,
    };
    Ok(Outcome {
        status: match o.status {
            wit::Status::Ready => "ready",
            wit::Status::Review => "review",
            wit::Status::Rejected => "rejected",
        }
        .to_owned(),
        order_key: o.order_key,
        issues: o
            .issues
            .into_iter()
            .map(|i| Issue {
                code: i.code,
                severity: match i.severity {
                    wit::Severity::Error => "error",
                    wit::Severity::Warning => "warning",
                    wit::Severity::Info => "info",
                }
                .to_owned(),
                owner: match i.owner {
                    wit::Owner::Finance => "finance",
                    wit::Owner::Operations => "operations",
                    wit::Owner::Ecommerce => "ecommerce",
                    wit::Owner::Integration => "integration",
                }
                .to_owned(),
                pointer: i.pointer,
                message: i.message,
            })
            .collect(),
        sales_order,
    })
}
