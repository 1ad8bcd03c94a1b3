//! Loading a bridge component and running orders through it, as the platform
//! would: one `Engine`, the component compiled once and pre-linked
//! (`InstancePre`), and a fresh `Store` per order so no order can see another's
//! state or inherit a poisoned instance after a trap.

use crate::limits::Limits;
use crate::report::{Failure, Issue, Metrics, Outcome, RunReport};
use crate::sandbox::OrderState;
use std::path::Path;
use std::time::Instant;
use wasmtime::component::{Component, Linker};
use wasmtime::error::Context as _;
use wasmtime::{Config, Engine, Result, Store, Trap};

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
    component_bytes: u64,
}

/// The engine configuration every run uses: fuel metering for the instruction budget.
pub fn engine() -> Result<Engine> {
    let mut config = Config::new();
    config.consume_fuel(true);
    Engine::new(&config).context("creating the wasmtime engine")
}

impl Bridge {
    /// Compiles the component file and links it against the no-capability WASI host.
    pub fn load(path: &Path, limits: Limits) -> Result<Bridge> {
        let bytes =
            std::fs::read(path).with_context(|| format!("reading component {}", path.display()))?;
        Bridge::from_bytes(&bytes, limits)
            .with_context(|| format!("loading component {}", path.display()))
    }

    pub fn from_bytes(bytes: &[u8], limits: Limits) -> Result<Bridge> {
        let engine = engine()?;
        let component = Component::new(&engine, bytes).context("compiling the component")?;
        let mut linker: Linker<OrderState> = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker).context("linking WASI")?;
        let pre = linker
            .instantiate_pre(&component)
            .context("the component imports something the platform does not provide")?;
        let pre = BridgePre::new(pre).context("the component does not export the bridge world")?;
        Ok(Bridge {
            engine,
            pre,
            limits,
            component_bytes: bytes.len() as u64,
        })
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    pub fn component_bytes(&self) -> u64 {
        self.component_bytes
    }

    /// Runs one order in a fresh instance: parse the profile, then map the order.
    /// Never fails as a Rust error for anything the component does: traps,
    /// exhausted fuel and over-size data are reported in the `RunReport`.
    pub fn run(&self, profile_json: &str, order: &[u8]) -> RunReport {
        let started = Instant::now();
        let mut metrics = Metrics {
            input_bytes: order.len() as u64,
            ..Metrics::default()
        };
        let mut store = Store::new(&self.engine, OrderState::new(self.limits.memory_bytes));
        store.limiter(|state| &mut state.limiter);
        let result = self.run_in(&mut store, profile_json, order, &mut metrics);
        metrics.wall_micros = started.elapsed().as_micros() as u64;
        metrics.peak_memory_bytes = store.data().limiter.peak as u64;
        let logs = String::from_utf8_lossy(&store.data().logs.contents()).into_owned();
        let (outcome, failure) = match result {
            Ok(outcome) => (Some(outcome), None),
            Err(failure) => (None, Some(failure)),
        };
        RunReport {
            outcome,
            failure,
            metrics,
            limits: self.limits,
            logs,
        }
    }

    fn run_in(
        &self,
        store: &mut Store<OrderState>,
        profile_json: &str,
        order: &[u8],
        metrics: &mut Metrics,
    ) -> Result<Outcome, Failure> {
        if metrics.input_bytes > self.limits.input_bytes {
            return Err(Failure::InputTooLarge(format!(
                "{} bytes, limit {}",
                metrics.input_bytes, self.limits.input_bytes
            )));
        }
        // The WIT takes a string: bytes that are not UTF-8 are replaced, and the
        // component then reports the payload as invalid rather than never seeing it.
        let order = String::from_utf8_lossy(order);

        // Instantiation (data segments, start functions) and profile parsing
        // share the setup budget; the order budget below is for map-order alone.
        store
            .set_fuel(self.limits.setup_fuel)
            .map_err(|e| Failure::Trap(e.to_string()))?;
        let setup = self.pre.instantiate(&mut *store).and_then(|bridge| {
            let profile = bridge.sparklayer_orderwise_bridge_mapper().profile();
            profile
                .call_parse(&mut *store, profile_json)
                .map(|parsed| (bridge, parsed))
        });
        metrics.setup_fuel = self.limits.setup_fuel - store.get_fuel().unwrap_or(0);
        let (bridge, parsed) = setup.map_err(|e| classify(store, e))?;
        let mapper = bridge.sparklayer_orderwise_bridge_mapper();
        let profile = parsed
            .map_err(|e| Failure::ProfileInvalid(format!("field {:?}: {}", e.field, e.message)))?;

        store
            .set_fuel(self.limits.fuel)
            .map_err(|e| Failure::Trap(e.to_string()))?;
        let mapped = mapper
            .profile()
            .call_map_order(&mut *store, profile, &order)
            .map_err(|e| classify(store, e));
        metrics.fuel = self.limits.fuel - store.get_fuel().unwrap_or(0);
        let outcome = convert(mapped?).map_err(Failure::Trap)?;

        let size = serde_json::to_string(&outcome)
            .map(|s| s.len() as u64)
            .unwrap_or(u64::MAX);
        metrics.output_bytes = size;
        if size > self.limits.output_bytes {
            return Err(Failure::OutputTooLarge(format!(
                "{size} bytes, limit {}",
                self.limits.output_bytes
            )));
        }
        Ok(outcome)
    }
}

/// Names why the platform stopped the component.
fn classify(store: &Store<OrderState>, error: wasmtime::Error) -> Failure {
    let detail = format!("{error:#}");
    if store.data().limiter.refused {
        return Failure::MemoryLimit(format!(
            "the component asked for more than {} bytes of linear memory ({detail})",
            store.data().limiter.cap
        ));
    }
    match error.downcast_ref::<Trap>() {
        Some(Trap::OutOfFuel) => Failure::FuelExhausted(detail),
        _ => Failure::Trap(detail),
    }
}

fn convert(o: wit::Outcome) -> Result<Outcome, String> {
    let sales_order =
        match o.sales_order {
            Some(text) => Some(serde_json::value::RawValue::from_string(text).map_err(|e| {
                format!("the component returned a sales order that is not JSON: {e}")
            })?),
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
