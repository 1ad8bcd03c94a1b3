//! Scratch memory for one call (the component only).
//!
//! Mapping an order makes a dozen small allocations a line (ids, texts, the
//! sales-order text) and frees every one of them before the next call; with
//! the general allocator each malloc/free pair costs ~300 fuel, a tenth of a
//! 200-line order (docs/benchmarks.md). During a `scratch` call allocations
//! are taken from one block by moving a pointer, and freeing them costs
//! nothing: the block is reused from its start by the next call. Anything
//! that does not fit, and everything outside a call (the profile, which lives
//! across calls), goes to the general allocator as before.
//!
//! Safe because the component model never re-enters an instance and wasm32-wasip2
//! has one thread; the values a call returns are read by the host and freed by
//! the post-return function before the next call starts, and a free inside the
//! block is a no-op.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};

/// Bytes in the block: a 200-line order's allocations fit with room to spare;
/// a larger call spills to the general allocator rather than failing.
const CAPACITY: usize = 512 * 1024;

struct Scratch {
    /// Start and end of the block (0 until the first call asks for it).
    base: AtomicUsize,
    end: AtomicUsize,
    /// Next free byte, and the start of the latest allocation (which can grow
    /// or be given back in place).
    top: AtomicUsize,
    last: AtomicUsize,
    active: AtomicBool,
}

#[global_allocator]
static SCRATCH: Scratch = Scratch {
    base: AtomicUsize::new(0),
    end: AtomicUsize::new(0),
    top: AtomicUsize::new(0),
    last: AtomicUsize::new(0),
    active: AtomicBool::new(false),
};

/// Runs `f` with its allocations taken from the scratch block, which starts
/// empty: whatever an earlier call left there is dead by now.
pub fn call<T>(f: impl FnOnce() -> T) -> T {
    let s = &SCRATCH;
    if s.base.load(Relaxed) == 0 {
        // SAFETY: a non-zero size and a valid alignment; a null result leaves
        // the block unset and every allocation goes to the general allocator.
        let block = unsafe { System.alloc(Layout::from_size_align(CAPACITY, 16).expect("a valid layout")) } as usize;
        if block != 0 {
            s.base.store(block, Relaxed);
            s.end.store(block + CAPACITY, Relaxed);
        }
    }
    s.top.store(s.base.load(Relaxed), Relaxed);
    s.last.store(0, Relaxed);
    s.active.store(s.base.load(Relaxed) != 0, Relaxed);
    let result = f();
    s.active.store(false, Relaxed);
    result
}

impl Scratch {
    fn owns(&self, ptr: *mut u8) -> bool {
        let p = ptr as usize;
        p >= self.base.load(Relaxed) && p < self.end.load(Relaxed)
    }

    fn take(&self, layout: Layout) -> Option<*mut u8> {
        if !self.active.load(Relaxed) {
            return None;
        }
        let start = self.top.load(Relaxed).checked_add(layout.align() - 1)? & !(layout.align() - 1);
        let stop = start.checked_add(layout.size())?;
        if stop > self.end.load(Relaxed) {
            return None;
        }
        self.top.store(stop, Relaxed);
        self.last.store(start, Relaxed);
        Some(start as *mut u8)
    }
}

// SAFETY: every pointer handed out is either from `System` (and goes back to
// it) or a fresh, aligned, in-bounds range of the block that no other live
// allocation overlaps: `top` only moves back over the latest allocation when
// that allocation is freed or resized.
unsafe impl GlobalAlloc for Scratch {
    #[inline(never)]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match self.take(layout) {
            Some(p) => p,
            None => System.alloc(layout),
        }
    }

    #[inline(never)]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if !self.owns(ptr) {
            return System.dealloc(ptr, layout);
        }
        if self.active.load(Relaxed) && ptr as usize == self.last.load(Relaxed) {
            // The latest allocation given back: its bytes are free again.
            self.top.store(ptr as usize, Relaxed);
            self.last.store(0, Relaxed);
        }
    }

    #[inline(never)]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if !self.owns(ptr) {
            return System.realloc(ptr, layout, new_size);
        }
        let p = ptr as usize;
        if self.active.load(Relaxed) && p == self.last.load(Relaxed) {
            if let Some(stop) = p.checked_add(new_size).filter(|&s| s <= self.end.load(Relaxed)) {
                // The latest allocation grows (or shrinks) where it stands.
                self.top.store(stop, Relaxed);
                return ptr;
            }
        }
        if new_size <= layout.size() {
            // Shrunk where it stands (the tail is not reused until the next
            // call): every string a call returns is shrunk to its length on
            // its way out, and most are not the latest allocation.
            return ptr;
        }
        // SAFETY (both calls): `new_size` with the old alignment is the layout
        // the caller promises is valid.
        let moved = self.alloc(Layout::from_size_align_unchecked(new_size, layout.align()));
        if !moved.is_null() {
            std::ptr::copy_nonoverlapping(ptr, moved, layout.size().min(new_size));
        }
        moved
    }
}
