import Foundation

/// What `sweep --executor slurm` asks Slurm for, each value checked before a script is written.
public struct SlurmOptions: Equatable, Sendable {
    public var partition: String?
    /// Time limit per task, [D-]HH:MM:SS.
    public var time: String?
    public var cpusPerTask: Int
    /// Memory per task, a whole number with an optional K, M, G or T suffix.
    public var memory: String?
    /// Further `#SBATCH` lines, each one option (`--account=lab`, `--qos=short`).
    public var extraArguments: [String]

    public init(partition: String? = nil, time: String? = nil, cpusPerTask: Int = 1, memory: String? = nil, extraArguments: [String] = []) {
        self.partition = partition
        self.time = time
        self.cpusPerTask = cpusPerTask
        self.memory = memory
        self.extraArguments = extraArguments
    }

    /// The first option that Slurm would refuse or that could break the script, as the line to print.
    public var problem: String? {
        if let partition, !Self.isPartitionList(partition) {
            return "--partition must be partition names (letters, digits, '_', '-', '.') separated by commas, not '\(partition)'"
        }
        if let time, Self.seconds(time) == nil {
            return "--time must be [D-]HH:MM:SS (minutes and seconds below 60, more than zero), not '\(time)'"
        }
        guard (1...RunConfig.threadLimit).contains(cpusPerTask) else { return "--cpus-per-task must be 1…\(RunConfig.threadLimit), not \(cpusPerTask)" }
        if let memory, !Self.isMemory(memory) { return "--mem must be a positive whole number with an optional K, M, G or T suffix (like 4G), not '\(memory)'" }
        for argument in extraArguments {
            guard argument.hasPrefix("--"), argument.count > 2, argument.count <= 200,
                  argument.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
                return "--sbatch-arg must be one sbatch option like --account=lab (printable, no spaces), not '\(argument)'"
            }
            let name = argument.dropFirst(2).split(separator: "=").first.map(String.init) ?? ""
            if Self.reserved.contains(name) {
                return "--sbatch-arg \(argument): betavae sets --\(name) itself" + (["partition", "time", "mem", "cpus-per-task"].contains(name) ? "; use --\(name)" : "")
            }
        }
        return nil
    }

    /// Options the scripts set and a user's extra argument may not override.
    static let reserved: Set<String> = ["array", "output", "error", "open-mode", "requeue", "no-requeue", "signal", "chdir", "job-name",
                                        "dependency", "parsable", "partition", "time", "mem", "cpus-per-task", "wrap"]

    static func isPartitionList(_ text: String) -> Bool {
        let names = text.split(separator: ",", omittingEmptySubsequences: false)
        return !names.isEmpty && text.count <= 200 && names.allSatisfy { name in
            !name.isEmpty && name.count <= 64 && name.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || "_-.".unicodeScalars.contains($0) }
        }
    }

    static func isMemory(_ text: String) -> Bool {
        var digits = Substring(text)
        if let last = digits.last, "KMGT".contains(last) { digits = digits.dropLast() }
        guard !digits.isEmpty, digits.count <= 12, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), let value = Int(digits) else { return false }
        return value > 0
    }

    /// The seconds in `[D-]HH:MM:SS`, nil when it is not that form or is zero.
    public static func seconds(_ text: String) -> Int? {
        var rest = Substring(text), days = 0
        if let dash = rest.firstIndex(of: "-") {
            guard let d = Int(rest[..<dash]), rest[..<dash].allSatisfy(\.isNumber), (0...365).contains(d) else { return nil }
            days = d
            rest = rest[rest.index(after: dash)...]
        }
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ (1...2).contains($0.count) && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              parts[1].count == 2, parts[2].count == 2,
              let h = Int(parts[0]), let m = Int(parts[1]), let s = Int(parts[2]), h < (days > 0 ? 24 : 100), m < 60, s < 60 else { return nil }
        let total = ((days * 24 + h) * 60 + m) * 60 + s
        return total > 0 ? total : nil
    }

    /// Seconds before the time limit at which a task is told to checkpoint: 120, or less for short
    /// limits (Slurm sends it up to a minute late).
    var warningSeconds: Int {
        guard let time, let limit = Self.seconds(time) else { return 120 }
        return max(10, min(120, limit / 4))
    }
}
