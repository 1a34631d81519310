//! mimalloc (the global allocator, set in `lib.rs`) told, once an analysis
//! context exists, to keep the memory it has: freed pages are reused by
//! the next allocation instead of going back to the kernel.
//!
//! With mimalloc's default (hand freed pages back after 10 ms), every
//! polars frame of an analysis at full scale came from fresh pages the
//! kernel had to zero: `clear_page_erms` was 23% of the samples of `hubecon
//! figures` at 851k models (perf, issue 9). Only the analyses do this:
//! prepare frees large buffers between phases of different sizes, and
//! keeping them raised its peak from 5.2 to 8.2 GiB at 851k models (over
//! the 6 GiB budget), where the analyses' peak stays about the same.
//!
//! mimalloc is built with `no_thp` (the workspace `Cargo.toml`): it does
//! not `madvise` its memory for transparent huge pages. With them (the
//! kernel here gives huge pages only where asked), the first touch of each
//! 2 MiB region had the kernel zero all of it. Alternating runs of `hubecon
//! figures` at 851k models, THP allowed against not: system time 6.2-7.0 s
//! against 1.4-1.6 s, wall 33.6-35.4 s against 26.3-31.1 s; prepare of the
//! default sample (dev): system time 1.9-2.1 s against 0.5-0.8 s. Outputs
//! are byte-identical.

/// mimalloc's `mi_option_purge_delay` (the same number in its v2 and v3).
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
/// "Never purge".
const NEVER: std::ffi::c_long = -1;

/// From now on, freed memory stays with the process.
pub fn keep_freed_pages() {
    // SAFETY: sets a plain option value; mimalloc reads it when it next
    // decides whether to purge.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, NEVER) };
}
