// The engine's own thread pool: how one step's sgemm blocks and convolution chunks reach the
// second core. Only the Engine module imports this header.
#ifndef BETAVAE_PARALLEL_H
#define BETAVAE_PARALLEL_H

/// One part of a job: `task(context, part)` for part in [0, parts).
typedef void (*bv_task)(void *context, long part);

/// Runs task(context, 0) … task(context, parts − 1), each exactly once, on the calling thread and
/// the pool's helpers, and returns when all are done. Parts are taken in turn from a shared
/// counter, so a helper that is slow to wake costs nothing: the caller takes its parts. When the
/// pool is busy with another caller's job (a sweep's concurrent runs, or a part that asks for
/// parallelism itself) the caller runs every part itself. More than 65,280 parts run on the caller alone.
void bv_parallel_for(long parts, bv_task task, void *context);

/// Helper threads the pool has (the core count less one, fixed at first use).
long bv_parallel_helpers(void);
#endif
