//! Integration tests: the real component (and small hostile ones), built for
//! wasm32-wasip2, driven through the harness library and the `host-harness`
//! binary. One test binary, so the components are built and linked once.

mod batch;
mod cli;
mod common;
mod library;
mod native;
mod pages;
mod platform;
mod reconcile;
mod reliability;
mod stock;
mod tenant;
mod versions;
mod worst_case;
