//! Shared set-up for the integration tests: build the component once per test
//! binary, then hand out paths to it and to the bundled fixtures.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("host-harness sits in the workspace")
        .to_path_buf()
}

/// Builds `plugin` for `wasm32-wasip2` (release) and returns the component path.
/// The nested build uses its own target directory: the outer `cargo test`
/// holds the lock on the main one while tests run.
pub fn component() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let root = workspace();
        let target = root.join("target").join("nested");
        let status = Command::new(env!("CARGO"))
            .current_dir(&root)
            .args([
                "build",
                "--release",
                "--target",
                "wasm32-wasip2",
                "-p",
                "plugin",
            ])
            .env("CARGO_TARGET_DIR", &target)
            .status()
            .expect("running cargo to build the component");
        assert!(status.success(), "building the plugin component failed");
        target.join("wasm32-wasip2/release/plugin.wasm")
    })
}

pub fn fixtures() -> PathBuf {
    workspace().join("fixtures")
}

pub fn read(path: impl AsRef<Path>) -> String {
    std::fs::read_to_string(path.as_ref())
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.as_ref().display()))
}
