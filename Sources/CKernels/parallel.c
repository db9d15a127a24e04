// The engine's thread pool. Why not GCD's concurrentPerform, which the engine used before: on this
// VM a parked GCD worker took long enough to wake that the MLP's 0.1–0.2 ms sgemm halves ran at
// 206–245 GFLOPS on two cores in one run and 300–380 in the next (`bench engine`). Here a helper
// spins for a while after each job before it sleeps, and the caller takes any part a helper has
// not claimed, so a late helper delays nothing.
#include "parallel.h"
#include "kernels.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

/* How long a helper spins for the next job before it sleeps: a step's jobs come every few tens
   of microseconds, the gap between steps (data loading) is longer. */
#define SPIN_NANOSECONDS 200000L

/* The current job as one word, so that a helper reads which job, how many parts and which part
   it claimed in one atomic step: generation (32 bits) | parts (16) | next part (16). */
static _Atomic uint64_t ticket;
static _Atomic long parts_done;
static _Atomic int sleepers;
static bv_task job_task;
static void *job_context;

static long helper_count;
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t busy = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t sleep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;

static inline void pause_briefly(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

static long nanoseconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

/* Claims and runs parts of the current job until none is left; `generation` is the job the
   caller knows of, updated when a claim lands in a newer one. */
static void work(uint64_t *generation) {
    for (;;) {
        uint64_t t = atomic_fetch_add_explicit(&ticket, 1, memory_order_acq_rel);
        uint64_t parts = (t >> 16) & 0xFFFF, part = t & 0xFFFF;
        *generation = t >> 32;
        if (part >= parts) return;
        // The job cannot change before this part is counted done: its caller waits for it.
        job_task(job_context, (long)part);
        atomic_fetch_add_explicit(&parts_done, 1, memory_order_release);
    }
}

static void *helper(void *unused) {
    (void)unused;
    uint64_t seen = 0;
    for (;;) {
        long start = nanoseconds();
        int polls = 0;
        while ((atomic_load_explicit(&ticket, memory_order_acquire) >> 32) == seen) {
            pause_briefly();
            if (++polls % 64 || nanoseconds() - start < SPIN_NANOSECONDS) continue;
            pthread_mutex_lock(&sleep_lock);
            atomic_fetch_add(&sleepers, 1);
            while ((atomic_load(&ticket) >> 32) == seen) pthread_cond_wait(&wake, &sleep_lock);
            atomic_fetch_sub(&sleepers, 1);
            pthread_mutex_unlock(&sleep_lock);
        }
        work(&seen);
    }
    return NULL;
}

static void start_pool(void) {
    // Helpers for the cores this process may use, not every core of the node: a Slurm task given 2
    // of 64 CPUs would otherwise spin 63 helpers on its 2.
    long cores = bv_usable_cores();
    long wanted = cores > 1 ? cores - 1 : 0;
    for (long i = 0; i < wanted; i++) {
        pthread_t thread;
        pthread_attr_t attributes;
        pthread_attr_init(&attributes);
        pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
        // 8 MB, as the main thread: parts run the engine's Swift code and oneDNN's kernels.
        pthread_attr_setstacksize(&attributes, 8 << 20);
        if (pthread_create(&thread, &attributes, helper, NULL) == 0) helper_count++;
        pthread_attr_destroy(&attributes);
    }
}

long bv_parallel_helpers(void) {
    pthread_once(&pool_once, start_pool);
    return helper_count;
}

void bv_parallel_for(long parts, bv_task task, void *context) {
    if (parts <= 0) return;
    if (parts == 1 || parts > 0xFF00 || bv_parallel_helpers() == 0 || pthread_mutex_trylock(&busy) != 0) {
        for (long part = 0; part < parts; part++) task(context, part);
        return;
    }
    job_task = task;
    job_context = context;
    atomic_store_explicit(&parts_done, 0, memory_order_relaxed);
    uint64_t generation = (atomic_load_explicit(&ticket, memory_order_relaxed) >> 32) + 1;
    // Publishes the job (the stores above happen before it); sequentially consistent so that a
    // helper about to sleep either sees it or is counted in `sleepers` below.
    atomic_store(&ticket, generation << 32 | (uint64_t)parts << 16);
    // Wakes only as many sleeping helpers as the job has parts for the others: on a many-core
    // node a two-part job should not wake (and then spin) every helper.
    int asleep = atomic_load(&sleepers);
    if (asleep > 0) {
        pthread_mutex_lock(&sleep_lock);
        for (long woken = 0; woken < parts - 1 && woken < asleep; woken++) pthread_cond_signal(&wake);
        pthread_mutex_unlock(&sleep_lock);
    }
    work(&generation);
    while (atomic_load_explicit(&parts_done, memory_order_acquire) < parts) pause_briefly();
    pthread_mutex_unlock(&busy);
}
