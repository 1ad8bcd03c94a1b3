//! The one `Engine` a harness run uses, configured the way the platform runs
//! components: fuel for the instruction budget, epochs for the wall-clock cap,
//! and the pooling allocator for fast per-order instantiation.

use crate::limits::Limits;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;
use wasmtime::{Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Result};

/// One epoch tick. The wall-clock cap is counted in ticks, so it is enforced
/// to within one tick (1 ms) of the limit.
pub const EPOCH_TICK: Duration = Duration::from_millis(1);

pub fn build(limits: &Limits) -> Result<Engine> {
    let mut config = Config::new();
    // Fuel: ≈ one unit per wasm instruction; deterministic, so budgets replay exactly.
    config.consume_fuel(true);
    // Epochs: a cheap check at loop headers and function entries; the ticker
    // thread advances the epoch, and each call gets a deadline in ticks.
    config.epoch_interruption(true);

    let mut pool = PoolingAllocationConfig::new();
    // Each slot is reserved up front: keep the count to what the workers use
    // (`Limits::instances`, two per worker).
    let slots = limits.instances.max(1);
    pool.total_component_instances(slots);
    // A wit-bindgen component holds a few core instances (the program, shims,
    // fix-ups); 16 leaves room without reserving much.
    pool.total_core_instances(slots.saturating_mul(16));
    pool.total_memories(slots.saturating_mul(2));
    pool.total_tables(slots.saturating_mul(4));
    // No linear memory may exceed the platform's cap: instantiation itself fails
    // for a component that declares more than the cap as its minimum.
    let memory_cap = usize::try_from(limits.memory_bytes).unwrap_or(usize::MAX);
    pool.max_memory_size(memory_cap.max(64 * 1024));
    // Reset freed memory slots by looking, not assuming: with PAGEMAP_SCAN
    // (Linux >= 6.7) wasmtime finds the pages an instance actually wrote and
    // copies just those back from the memory image, keeping every other page
    // mapped. A baked tenant's image (megabytes of reference data an order
    // only reads) then costs no page faults on the next instance. Where the
    // ioctl is missing, `Auto` falls back to resetting `keep_resident` bytes
    // with memset and decommitting the rest.
    pool.pagemap_scan(Enabled::Auto);
    pool.linear_memory_keep_resident(memory_cap.max(64 * 1024));
    // Tables likewise: zero up to 64 KiB (8,192 funcrefs) of a freed table with
    // memset rather than giving its pages back. The component's two tables are
    // a page each; with the default (0) each was reset by madvise(DONTNEED):
    // two syscalls per order, each a TLB shootdown across the worker threads
    // (they share one address space), then a copy-on-write fault when the next
    // instance lazily fills the table. `decommit_batch_size` stays at 1: with
    // nothing left to decommit, batching only holds freed slots back.
    pool.table_keep_resident(64 * 1024);
    config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    // Copy-on-write memory images: data segments are mapped, not copied, at instantiation.
    config.memory_init_cow(true);
    Engine::new(&config)
}

/// Advances the engine's epoch every tick until dropped.
pub struct EpochTicker {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl EpochTicker {
    /// Without the ticker no wall-clock cap holds, so failing to start it is
    /// an error, not something to carry on without.
    pub fn start(engine: &Engine) -> Result<EpochTicker> {
        let stop = Arc::new(AtomicBool::new(false));
        let (engine, flag) = (engine.clone(), stop.clone());
        let thread = std::thread::Builder::new()
            .name("epoch-ticker".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(EPOCH_TICK);
                    engine.increment_epoch();
                }
            })
            .map_err(|e| wasmtime::format_err!("starting the epoch thread for the wall-clock cap: {e}"))?;
        Ok(EpochTicker { stop, thread: Some(thread) })
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
