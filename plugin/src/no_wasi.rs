//! The component imports nothing from WASI.
//!
//! Rust's standard library reaches WASI in two places only: a panic's
//! message goes to stderr (`write`, `writev`) and its hook reads
//! `RUST_BACKTRACE` (`getenv`). Linked from wasi-libc, those pull in its
//! stdio and environment code and, through them, nineteen WASI imports; each
//! instance then links them and wit-component's shim and fix-up modules
//! (two more core instances). Defined here, ahead of wasi-libc, they are not.
//!
//! Prevents: a platform having to grant stdio and an environment to a
//! component that must not depend on either (the bridge is deterministic),
//! and the time each order spends instantiating that glue.

use core::ffi::c_char;

/// Nothing is written: a panic message is lost, and the call that panicked
/// still traps. Replay the payload natively (`host-harness run --native`)
/// for the message.
#[no_mangle]
extern "C" fn write(_fd: i32, _bytes: *const u8, _len: usize) -> isize {
    -1
}

#[no_mangle]
extern "C" fn writev(_fd: i32, _iov: *const u8, _count: i32) -> isize {
    -1
}

/// No variable is set, as in the sandbox the harness gives any component.
#[no_mangle]
extern "C" fn getenv(_name: *const c_char) -> *mut c_char {
    core::ptr::null_mut()
}
