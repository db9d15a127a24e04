import Foundation

/// Turns SIGINT and SIGTERM into a request to stop: the trainer finishes the current step, saves a
/// checkpoint and exits with 130. A second signal exits at once.
public enum SignalWatcher {
    nonisolated(unsafe) private static var count: Int32 = 0

    /// Installs the handlers.
    public static func install() {
        let handler: @convention(c) (Int32) -> Void = { _ in
            SignalWatcher.count += 1
            if SignalWatcher.count >= 2 { _exit(130) }
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
        // A parent may have started us with these signals blocked (the mask is inherited).
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGINT)
        sigaddset(&unblock, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }

    /// True once a signal has arrived.
    public static var stopRequested: Bool { count > 0 }

    /// Forgets earlier signals (tests).
    public static func reset() { count = 0 }
}
