//! mimalloc, told to keep the memory it has: freed pages are reused by the
//! next allocation instead of going back to the kernel.
//!
//! With mimalloc's default (hand freed pages back after 10 ms), every
//! polars frame of an analysis at full scale came from fresh pages the
//! kernel had to zero: `clear_page_erms` was 23% of the samples of `hubecon
//! figures` at 851k models (perf, issue 9). Peak RSS is the high-water mark
//! either way; only the memory between peaks stays mapped longer.

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicBool, Ordering};

use mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (the same number in its v2 and v3).
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
/// "Never purge".
const NEVER: std::ffi::c_long = -1;

static TUNED: AtomicBool = AtomicBool::new(false);

/// Sets the purge delay once, before the first allocation it matters for.
#[inline]
fn tune() {
    if !TUNED.load(Ordering::Relaxed) {
        TUNED.store(true, Ordering::Relaxed);
        // SAFETY: sets a plain option value; mimalloc reads it when it
        // next decides whether to purge.
        unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, NEVER) };
    }
}

/// [`MiMalloc`] with the purge delay set.
pub struct Allocator;

// SAFETY: every call is forwarded unchanged to `MiMalloc`.
unsafe impl GlobalAlloc for Allocator {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        tune();
        unsafe { MiMalloc.alloc(layout) }
    }
    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        tune();
        unsafe { MiMalloc.alloc_zeroed(layout) }
    }
    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { MiMalloc.dealloc(ptr, layout) }
    }
    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        unsafe { MiMalloc.realloc(ptr, layout, new_size) }
    }
}
