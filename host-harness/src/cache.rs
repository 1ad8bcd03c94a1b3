//! Compiled components cached on disk by content hash.
//!
//! Compiling a component takes most of a `run`; the platform compiles each
//! uploaded version once. The key is the SHA-256 of the uploaded bytes and of
//! the engine's compatibility hash (wasmtime version and settings), so a new
//! harness build or engine setting never loads a stale artefact. Only files
//! this harness wrote itself are deserialised: precompiled bytes that came with
//! an upload are never loaded (`Component::new` refuses them anyway).

use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use wasmtime::component::Component;
use wasmtime::{Engine, Result};

/// Feeds `Hash` output into SHA-256, for the engine's compatibility hash.
struct ShaHasher(Sha256);

impl Hasher for ShaHasher {
    fn finish(&self) -> u64 {
        0 // unused: the digest is read from the inner hasher
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}

/// The cache key for these bytes under this engine, as hex.
pub fn key(engine: &Engine, bytes: &[u8]) -> String {
    let mut hasher = ShaHasher(Sha256::new());
    engine.precompile_compatibility_hash().hash(&mut hasher);
    hasher.0.update(Sha256::digest(bytes));
    hex(&hasher.0.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of `bytes` as lowercase hex: how profiles and components are named.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Where compiled components go unless `--cache-dir` says otherwise.
pub fn default_dir() -> PathBuf {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir)
        .join("host-harness")
}

/// Whether the component came from the cache or was compiled now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Cache,
    Compiled,
}

/// Loads the compiled component from `dir` or compiles and stores it there.
pub fn load_or_compile(engine: &Engine, bytes: &[u8], dir: Option<&Path>) -> Result<(Component, Source)> {
    let Some(dir) = dir else {
        return Ok((Component::new(engine, bytes)?, Source::Compiled));
    };
    let path = dir.join(format!("{}.cwasm", key(engine, bytes)));
    if path.is_file() {
        // SAFETY: the file is named by the hash of the source bytes and this
        // engine's configuration and was written by `store` below from
        // `Component::serialize`; a corrupt or foreign file fails the
        // header and version checks and falls through to a fresh compile.
        if let Ok(component) = unsafe { Component::deserialize_file(engine, &path) } {
            return Ok((component, Source::Cache));
        }
    }
    let component = Component::new(engine, bytes)?;
    // A cache that cannot be written only costs the next run a compile.
    let _ = store(&component, dir, &path);
    Ok((component, Source::Compiled))
}

fn store(component: &Component, dir: &Path, path: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, component.serialize()?)?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}
