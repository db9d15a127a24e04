// A software prefetch for Swift, which has no intrinsic for it: the exact split search
// (Analysis/SplitScan.swift) reads each point's row of targets at a random place, so a read that
// misses the caches stalls the walk unless it is asked for a few points ahead.
#ifndef BETAVAE_PREFETCH_H
#define BETAVAE_PREFETCH_H

/// Asks for the `lines` cache lines (64 bytes) from `address` to be loaded for reading.
static inline void bv_prefetch_lines(const void *address, long lines) {
    const char *p = (const char *)address;
    for (long i = 0; i < lines; i++) __builtin_prefetch(p + 64 * i, 0, 3);
}
#endif
