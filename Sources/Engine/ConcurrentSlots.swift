import Foundation

/// One slot per task for workers of `DispatchQueue.concurrentPerform`: each task sets its own
/// slot under a lock, and the caller reads them all, in task order, once the workers are done —
/// so results (and the first failure) come out in the same order whatever the scheduling.
public final class ConcurrentSlots<Value>: @unchecked Sendable {
    private var stored: [Value?]
    private let lock = NSLock()

    public init(count: Int) { stored = Array(repeating: nil, count: count) }

    public func set(_ index: Int, _ value: Value) {
        lock.lock()
        stored[index] = value
        lock.unlock()
    }

    /// Every slot in task order, nil where a task set none.
    public var values: [Value?] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}
