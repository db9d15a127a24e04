import Engine
import Foundation
import Synchronization

/// Receives SIGINT and SIGTERM on one thread of its own, which runs no engine code.
///
/// Why not a handler: oneDNN 2.6's JIT sgemm points the stack pointer at a heap workspace while
/// it runs (oneDNN issue #4845, fixed upstream by PR #4855; Debian's 2.6.3 predates it), so a
/// handler delivered to a thread inside it writes its signal frame over the heap — Ctrl-C during
/// training ended in "corrupted size vs. prev_size" (issue 25). So the signals are blocked in the
/// main thread before any other thread exists (every thread inherits the mask), never handled, and
/// taken with `sigwait` by the receiving thread: the kernel then never interrupts a computing
/// thread for them.
///
/// While a run trains (after `install`), the first signal asks the trainer to stop: it finishes
/// the current step, saves a checkpoint and exits with 130. A second signal, or the first one in
/// any other command, exits 130 at once.
public enum SignalWatcher {
    /// Signals received so far (atomic: written by the receiving thread, read by the trainer's).
    private static let received = Atomic<Int>(0)
    /// Whether a first signal is a request to stop training (true after `install`) or an exit.
    private static let stopsTraining = Atomic<Bool>(false)
    /// Whether the receiving thread runs.
    private static let receiving = Mutex<Bool>(false)

    /// The signals that stop betavae.
    private static func terminationSignals() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        return set
    }

    /// The first thing `main` does, while the process has one thread (plus OpenBLAS's helpers,
    /// which its library constructor started before `main` and which are restarted here under the
    /// new mask): blocks SIGINT and SIGTERM, so that every thread started later (the engine's
    /// pool, oneDNN's and OpenMP's, GCD's, sweep workers) inherits the mask, and starts the
    /// receiving thread.
    public static func blockTerminationSignals() {
        var set = terminationSignals()
        pthread_sigmask(SIG_BLOCK, &set, nil)
        // A parent may have started us with SIGINT ignored (a shell's background job); an ignored
        // signal is dropped before sigwait can see it, and Ctrl-C and `kill` should still stop
        // training with a checkpoint, as they did when this installed a handler.
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
        BLAS.restartHelperThreads()
        startReceiving()
    }

    /// Makes the first signal a request to stop training. Outside the betavae executable (tests)
    /// `blockTerminationSignals` has not run: the signals are then blocked only in the calling
    /// thread and the threads it starts.
    public static func install() {
        var set = terminationSignals()
        pthread_sigmask(SIG_BLOCK, &set, nil)
        stopsTraining.store(true, ordering: .sequentiallyConsistent)
        startReceiving()
    }

    /// Starts the receiving thread once; it inherits the caller's mask, in which both signals are
    /// blocked, as `sigwait` requires.
    private static func startReceiving() {
        let start = receiving.withLock { running in
            defer { running = true }
            return !running
        }
        guard start else { return }
        let thread = Thread {
            Thread.current.name = "betavae-signals"   // set from the thread itself, it names the thread in /proc/PID/task/*/comm (tests find it there)
            var set = terminationSignals()
            while true {
                var signal: Int32 = 0
                guard sigwait(&set, &signal) == 0 else { continue }
                let count = received.add(1, ordering: .sequentiallyConsistent).newValue
                if count >= 2 || !stopsTraining.load(ordering: .sequentiallyConsistent) { _exit(130) }
            }
        }
        thread.start()
    }

    /// True once a signal has arrived.
    public static var stopRequested: Bool { received.load(ordering: .sequentiallyConsistent) > 0 }

    /// Forgets earlier signals (tests).
    public static func reset() { received.store(0, ordering: .sequentiallyConsistent) }
}
