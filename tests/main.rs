//! Integration tests: the real component, built for wasm32-wasip2, driven
//! through the harness library and through the `host-harness` binary.
//! One test binary, so the component is built and linked once.

mod cli;
mod common;
mod library;
