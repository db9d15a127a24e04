import Foundation

/// What the process may still allocate, and the one check made before a large allocation of a
/// size that came from outside (a dataset's declared image count, an IDX gzip member's payload,
/// an NPY shape). Past these limits malloc fails and Swift traps ("failed to allocate 2205155264
/// bytes" under `ulimit -v` or Slurm's --mem, issue 25); the check turns that into one line.
///
/// Three limits, the tightest wins:
/// - RLIMIT_AS (`ulimit -v`), less the address space already mapped (VmSize);
/// - the cgroup's memory limit less its usage: v2 `memory.max` − `memory.current`, v1
///   `memory.limit_in_bytes` − `memory.usage_in_bytes` (Slurm's --mem, containers);
/// - MemAvailable from /proc/meminfo (the kernel's estimate of memory free without swapping).
public enum MemoryBudget {
    /// One limit: how many bytes more it allows and what the user calls it.
    public struct Headroom: Sendable, Equatable {
        public var bytes: Int
        public var name: String
    }

    /// The tightest of the limits that apply, nil where none can be read (not Linux).
    public static func headroom() -> Headroom? {
        [addressSpace(), cgroup(), available()].compactMap { $0 }.min { $0.bytes < $1.bytes }
    }

    /// Why `bytes` (needed for `what`) cannot be allocated, or nil when they fit.
    public static func shortfall(_ bytes: Int, for what: String) -> String? {
        guard let room = headroom(), bytes > room.bytes else { return nil }
        return "\(what) needs \(size(bytes)) of memory but the process may use only \(size(max(room.bytes, 0))) more (\(room.name)); "
            + "raise the limit or use fewer images (--limit)"
    }

    /// "2.2 GB", "512 MB", "900 kB".
    public static func size(_ bytes: Int) -> String {
        let value = Double(bytes)
        if value >= 1e9 { return String(format: "%.1f GB", value / 1e9) }
        if value >= 1e6 { return String(format: "%.0f MB", value / 1e6) }
        return String(format: "%.0f kB", value / 1e3)
    }

    // MARK: the limits

    static func addressSpace() -> Headroom? {
        var limit = rlimit()
        // RLIM_INFINITY is all ones (rlim_t.max); Swift cannot import the macro's -1.
        guard getrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max,
              let mapped = statusKilobytes("VmSize:") else { return nil }
        let cap = Int(clamping: limit.rlim_cur)
        return Headroom(bytes: cap - mapped * 1024, name: "ulimit -v \(cap / 1024) kB, RLIMIT_AS")
    }

    static func cgroup() -> Headroom? {
        guard let lines = text("/proc/self/cgroup")?.split(separator: "\n") else { return nil }
        for line in lines {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3 else { continue }
            if parts[0] == "0" && parts[1].isEmpty {   // cgroup v2: memory.max below /sys/fs/cgroup
                for folder in ["/sys/fs/cgroup" + parts[2], "/sys/fs/cgroup"] {
                    if let max = number(folder + "/memory.max"), let used = number(folder + "/memory.current") {
                        return Headroom(bytes: max - used, name: "cgroup memory.max \(size(max))")
                    }
                }
            } else if parts[1].split(separator: ",").contains("memory") {   // cgroup v1
                for folder in ["/sys/fs/cgroup/memory" + parts[2], "/sys/fs/cgroup/memory"] {
                    // An unlimited v1 group reports a limit near Int.max.
                    if let max = number(folder + "/memory.limit_in_bytes"), max < 1 << 60, let used = number(folder + "/memory.usage_in_bytes") {
                        return Headroom(bytes: max - used, name: "cgroup memory.limit_in_bytes \(size(max))")
                    }
                }
            }
        }
        return nil
    }

    static func available() -> Headroom? {
        guard let line = text("/proc/meminfo")?.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }),
              let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
        return Headroom(bytes: kilobytes * 1024, name: "MemAvailable")
    }

    private static func statusKilobytes(_ key: String) -> Int? {
        guard let line = text("/proc/self/status")?.split(separator: "\n").first(where: { $0.hasPrefix(key) }) else { return nil }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.map { $0.trimmingCharacters(in: .whitespaces) } ?? "")
    }

    /// A file holding one integer ("max" and unreadable files give nil).
    private static func number(_ path: String) -> Int? {
        text(path).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    private static func text(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }
}
