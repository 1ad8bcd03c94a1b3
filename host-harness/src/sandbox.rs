//! Per-order store state: a WASI context with no ambient capabilities.
//!
//! The component gets no preopened directories, no environment variables, no
//! arguments, no network and no stdin. Clocks are frozen and randomness is a
//! fixed sequence, so even a component that reads them stays deterministic.
//! Its stderr (panic messages, logs) is captured, bounded, for the report.

use crate::limits::MemoryLimiter;
use std::time::Duration;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{HostMonotonicClock, HostWallClock, WasiCtx, WasiCtxView, WasiView};

/// Captured guest output is capped so a chatty component cannot exhaust the host.
pub const LOG_CAPACITY: usize = 64 * 1024;

pub struct OrderState {
    /// Built on the component's first WASI call: the bridge imports none, so
    /// its instances never pay for it (docs/benchmarks.md).
    wasi: Option<WasiCtx>,
    table: ResourceTable,
    pub limiter: MemoryLimiter,
    pub logs: MemoryOutputPipe,
}

impl OrderState {
    pub fn new(memory_cap: u64) -> Self {
        OrderState {
            wasi: None,
            table: ResourceTable::new(),
            limiter: MemoryLimiter {
                cap: usize::try_from(memory_cap).unwrap_or(usize::MAX),
                ..MemoryLimiter::default()
            },
            logs: MemoryOutputPipe::new(LOG_CAPACITY),
        }
    }

    fn no_capabilities(&self) -> WasiCtx {
        WasiCtx::builder()
            .stdout(self.logs.clone())
            .stderr(self.logs.clone())
            .wall_clock(FrozenClock)
            .monotonic_clock(FrozenClock)
            .secure_random(FixedRandom(0))
            .insecure_random(FixedRandom(0))
            .insecure_random_seed(0)
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .build()
    }
}

impl OrderState {
    /// What the component wrote since byte `from` of its captured output.
    pub fn log_text(&self, from: usize) -> String {
        let bytes = self.logs.contents();
        String::from_utf8_lossy(bytes.get(from..).unwrap_or_default()).into_owned()
    }
}

impl WasiView for OrderState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        if self.wasi.is_none() {
            self.wasi = Some(self.no_capabilities());
        }
        let ctx = self.wasi.as_mut().expect("built just above");
        WasiCtxView { ctx, table: &mut self.table }
    }
}

/// Always 1970-01-01T00:00:00Z, and a monotonic clock that never advances.
struct FrozenClock;

impl HostWallClock for FrozenClock {
    fn resolution(&self) -> Duration {
        Duration::from_secs(1)
    }
    fn now(&self) -> Duration {
        Duration::ZERO
    }
}

impl HostMonotonicClock for FrozenClock {
    fn resolution(&self) -> u64 {
        1
    }
    fn now(&self) -> u64 {
        0
    }
}

/// A fixed byte sequence (a counter): reproducible, and obviously not random.
struct FixedRandom(u64);

impl rand_core::TryRng for FixedRandom {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        self.try_next_u64().map(|v| v as u32)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        self.0 = self.0.wrapping_add(1);
        Ok(self.0)
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), Self::Error> {
        for chunk in dest.chunks_mut(8) {
            let v = self.try_next_u64()?.to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
        Ok(())
    }
}
