//! The platform's per-order limits, and the store limiter that enforces the
//! memory cap while recording peak linear memory.

use serde::Serialize;

/// Limits applied to every order. Defaults follow the strictest platform we
/// target (Shopify Functions: 11M instructions for 200 lines, 10 MB memory).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    /// Fuel (≈ wasm instructions) for one `map-order` call.
    pub fuel: u64,
    /// Fuel for instantiating the component and parsing the profile.
    pub setup_fuel: u64,
    /// Wall-clock time for one call (setup or one order), milliseconds.
    pub wall_millis: u64,
    /// Linear memory, bytes, for the whole instance.
    pub memory_bytes: u64,
    /// Order payload size, bytes.
    pub input_bytes: u64,
    /// Outcome size (its JSON text), bytes.
    pub output_bytes: u64,
    /// Instances alive at once (the pooling allocator's slots): two per worker
    /// thread, so a worker can build a replacement while its old instance drops.
    pub instances: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            fuel: 11_000_000,
            setup_fuel: 50_000_000,
            // ~100x a 200-line order here: a cap for runaway code, not a benchmark.
            wall_millis: 1_000,
            memory_bytes: 10 * 1024 * 1024,
            input_bytes: 1024 * 1024,
            output_bytes: 1024 * 1024,
            instances: Limits::instances_for(std::thread::available_parallelism().map_or(2, |n| n.get())),
        }
    }
}

impl Limits {
    /// Pool slots for `workers` threads (at least 4).
    pub fn instances_for(workers: usize) -> u32 {
        u32::try_from(workers.saturating_mul(2)).unwrap_or(u32::MAX).max(4)
    }
}

/// Refuses growth past the cap and remembers the largest size asked for.
#[derive(Debug, Default)]
pub struct MemoryLimiter {
    pub cap: usize,
    pub peak: usize,
    /// Set when a growth was refused, so a trap can be reported as the memory limit.
    pub refused: bool,
}

impl wasmtime::ResourceLimiter for MemoryLimiter {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        if desired > self.cap {
            self.refused = true;
            return Ok(false);
        }
        self.peak = self.peak.max(desired);
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        // Tables hold function references; 100k entries is far beyond any mapper.
        Ok(desired <= 100_000)
    }
}
