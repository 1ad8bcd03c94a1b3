//! Shared set-up for the integration tests: build the components once per test
//! binary, then hand out paths to them and to the bundled fixtures.

use host_harness::bridge::{ProfileSource, ProfileText};
use host_harness::{Bridge, Flow, RunReport};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("host-harness sits in the workspace").to_path_buf()
}

/// The nested builds use their own target directory: the outer `cargo test`
/// holds the lock on the main one while tests run.
fn nested_target() -> PathBuf {
    workspace().join("target").join("nested")
}

fn cargo_build_wasm(manifest_dir: &Path, packages: &[&str]) {
    let mut args = vec!["build", "--release", "--target", "wasm32-wasip2"];
    for p in packages {
        args.extend(["-p", p]);
    }
    let status = Command::new(env!("CARGO"))
        .current_dir(manifest_dir)
        .args(&args)
        .env("CARGO_TARGET_DIR", nested_target())
        .status()
        .expect("running cargo to build components");
    assert!(status.success(), "building {packages:?} for wasm32-wasip2 failed");
}

/// Builds the plugin and the test components (release, wasm32-wasip2) once.
fn built() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        cargo_build_wasm(&workspace(), &["plugin", "hostile", "forbidden-import", "future-major"]);
        nested_target().join("wasm32-wasip2/release")
    })
}

/// The bridge component under test.
pub fn component() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| built().join("plugin.wasm"))
}

/// A test component from `test-components/` (see its README).
pub fn test_component(name: &str) -> PathBuf {
    built().join(format!("{}.wasm", name.replace('-', "_")))
}

/// The plugin with one deliberate rule change, built from a copy of the
/// sources: a missing PO is an error even for customers whose policy is
/// `optional`. Stands for "the next version" in the diff tests.
pub fn rule_changed_component() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let root = workspace();
        let copy = root.join("target").join("rule-change-workspace");
        let _ = std::fs::remove_dir_all(&copy);
        copy_dir(&root.join("plugin"), &copy.join("plugin"));
        copy_dir(&root.join("wit"), &copy.join("wit"));
        let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
        let members = manifest.lines().find(|l| l.starts_with("members =")).expect("the workspace lists its members");
        let manifest = manifest
            .replace(members, r#"members = ["plugin"]"#)
            .replace("[profile.release.package.plugin]", "[profile.release.package.plugin-rule-change]");
        std::fs::write(copy.join("Cargo.toml"), manifest).unwrap();
        std::fs::copy(root.join("Cargo.lock"), copy.join("Cargo.lock")).unwrap();
        // Its own package name, so its output never overwrites the real plugin's.
        let plugin_manifest = copy.join("plugin/Cargo.toml");
        let text = std::fs::read_to_string(&plugin_manifest).unwrap();
        std::fs::write(&plugin_manifest, text.replacen(r#"name = "plugin""#, r#"name = "plugin-rule-change""#, 1))
            .unwrap();
        let po = copy.join("plugin/src/orders/po.rs");
        let source = std::fs::read_to_string(&po).unwrap();
        let (from, to) = ("PoPolicy::Optional => Severity::Warning,", "PoPolicy::Optional => Severity::Error,");
        assert!(source.contains(from), "po.rs no longer contains the line this test changes: {from}");
        std::fs::write(&po, source.replace(from, to)).unwrap();
        cargo_build_wasm(&copy, &["plugin-rule-change"]);
        nested_target().join("wasm32-wasip2/release/plugin_rule_change.wasm")
    })
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

pub fn fixtures() -> PathBuf {
    workspace().join("fixtures")
}

/// The bundled tenant profile.
pub fn profile() -> ProfileText {
    ProfileText::read(&fixtures().join("profile.json")).expect("the bundled profile is readable")
}

/// A recorded order of the bundled fixtures, by case name.
pub fn order(case: &str) -> Vec<u8> {
    std::fs::read(fixtures().join("orders").join(case).join("order.json")).unwrap()
}

/// Maps one order in a fresh instance with the profile parsed there.
pub fn run_order(bridge: &Bridge, profile: &ProfileText, order: &[u8]) -> RunReport {
    bridge.run(Flow::Orders, ProfileSource::Text(profile), order)
}

pub fn read(path: impl AsRef<Path>) -> String {
    std::fs::read_to_string(path.as_ref()).unwrap_or_else(|e| panic!("reading {}: {e}", path.as_ref().display()))
}
