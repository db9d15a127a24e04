import Engine
import Foundation
import Models

/// One row of metrics.csv: one epoch on one split, per-image means in nats.
public struct MetricsRow: Equatable, Sendable {
    public var epoch: Int
    /// `train` (running mean over the epoch's steps) or `test` (the whole test split).
    public var split: String
    /// The training objective's value.
    public var loss: Double
    public var recon: Double
    public var kl: Double
    /// recon + KL: the negative ELBO at β = 1.
    public var nelbo: Double
    public var beta: Double
    /// Capacity C at the end of the epoch (capacity runs; 0 otherwise).
    public var capacity: Double
    /// Seconds spent on this epoch's training steps (train rows) or on evaluating (test rows).
    public var seconds: Double
    public var klPerDimension: [Double]
    /// The objective's own terms, in `Objective.termNames` order (empty for β, capacity, autoencoder).
    public var terms: [Double]

    public init(epoch: Int, split: String, loss: Double, recon: Double, kl: Double, beta: Double, capacity: Double,
                seconds: Double, klPerDimension: [Double], terms: [Double] = []) {
        self.terms = terms
        self.epoch = epoch
        self.split = split
        self.loss = loss
        self.recon = recon
        self.kl = kl
        self.nelbo = recon + kl
        self.beta = beta
        self.capacity = capacity
        self.seconds = seconds
        self.klPerDimension = klPerDimension
    }
}

/// metrics.csv: header row first —
/// `epoch,split,loss,recon,kl,nelbo,beta,capacity,seconds,kl_0,...,kl_{Z-1}` and then the
/// objective's own terms (`Objective.termNames`: `mi,tc,dimwise_kl` for β-TCVAE, …; none for β,
/// capacity and the autoencoder, so older files read unchanged) — then one row per epoch and split.
/// Rewritten whole and atomically after every epoch.
public struct MetricsLog: Sendable {
    public private(set) var rows: [MetricsRow] = []
    public let latent: Int
    /// The term columns after kl_{Z-1}.
    public let termNames: [String]

    public init(latent: Int, termNames: [String] = [], rows: [MetricsRow] = []) {
        self.latent = latent
        self.termNames = termNames
        self.rows = rows
    }

    public static func header(latent: Int, termNames: [String] = []) -> String {
        (["epoch", "split", "loss", "recon", "kl", "nelbo", "beta", "capacity", "seconds"] + (0..<latent).map { "kl_\($0)" } + termNames)
            .joined(separator: ",")
    }

    /// The values of term `name` in `rows` (nil when this log has no such column).
    public func term(_ name: String, in rows: [MetricsRow]) -> [Double]? {
        termNames.firstIndex(of: name).map { index in rows.map { $0.terms[index] } }
    }

    public mutating func append(_ row: MetricsRow) { rows.append(row) }

    /// Keeps only the rows of epochs ≤ `epoch` (used when resuming).
    public mutating func truncate(after epoch: Int) { rows.removeAll { $0.epoch > epoch } }

    /// The rows of one split, in epoch order.
    public func rows(split: String) -> [MetricsRow] { rows.filter { $0.split == split } }

    /// The CSV text.
    public var csv: String {
        var lines = [MetricsLog.header(latent: latent, termNames: termNames)]
        for row in rows {
            precondition(row.terms.count == termNames.count, "metrics row has \(row.terms.count) terms for \(termNames)")
            let numbers = [row.loss, row.recon, row.kl, row.nelbo, row.beta, row.capacity, row.seconds] + row.klPerDimension + row.terms
            lines.append(([String(row.epoch), row.split] + numbers.map { String(format: "%.6f", $0) }).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public func write(to path: String) throws(FileError) {
        try AtomicFile.write(csv, to: path)
    }

    /// Reads metrics.csv; with `latent`, its KL columns must be exactly kl_0 … kl_{Z-1}, and with
    /// `termNames` its term columns exactly those.
    public static func read(path: String, latent: Int? = nil, termNames: [String]? = nil) throws(TrainingError) -> MetricsLog {
        guard let data = FileManager.default.contents(atPath: path) else { throw .runNotFound(path: path) }
        return try parse(Array(data), path: path, latent: latent, termNames: termNames)
    }

    /// Parses metrics.csv's bytes, naming the file and line when they are malformed: the header
    /// must be the one `header(latent:)` writes, every row has every column, epochs are whole
    /// numbers 0…RunConfig.epochLimit, splits train or test, and every number is finite (a run
    /// stops before writing a non-finite row, so one here means the file was damaged).
    public static func parse(_ bytes: [UInt8], path: String, latent expected: Int?,
                             termNames expectedTerms: [String]? = nil) throws(TrainingError) -> MetricsLog {
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        guard let header = lines.first.map(String.init), header.hasPrefix("epoch,split,loss,recon,kl,nelbo,beta,capacity,seconds") else {
            throw .corruptRun(path: path, reason: "missing the metrics.csv header row")
        }
        let names = header.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let termNames = Objective.termNameSets.filter { !$0.isEmpty && names.count > $0.count && Array(names.suffix($0.count)) == $0 }.first ?? []
        let latent = names.count - 9 - termNames.count
        guard latent >= 0, latent <= ModelSpec.latentLimit, header == MetricsLog.header(latent: latent, termNames: termNames) else {
            throw .corruptRun(path: path, reason: "the header row's KL columns are not kl_0,kl_1,… followed by an objective's terms")
        }
        if let expected, expected != latent {
            throw .corruptRun(path: path, reason: "has \(latent) KL columns but the run's model has \(expected) latent dimensions")
        }
        if let expectedTerms, expectedTerms != termNames {
            throw .corruptRun(path: path, reason: "has the term columns [\(termNames.joined(separator: ","))] but the run's objective writes "
                              + "[\(expectedTerms.joined(separator: ","))]")
        }
        let width = 9 + latent + termNames.count
        var log = MetricsLog(latent: latent, termNames: termNames)
        for (number, line) in lines.dropFirst().enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            let values = fields.dropFirst(2).compactMap { Double($0) }
            guard fields.count == width, let epoch = Int(fields[0]), (0...RunConfig.epochLimit).contains(epoch),
                  fields[1] == "train" || fields[1] == "test", values.count == width - 2 else {
                throw .corruptRun(path: path, reason: "line \(number + 2) is not a metrics row")
            }
            guard values.allSatisfy(\.isFinite) else {
                throw .corruptRun(path: path, reason: "line \(number + 2) holds a number that is not finite")
            }
            var row = MetricsRow(epoch: epoch, split: String(fields[1]), loss: values[0], recon: values[1], kl: values[2],
                                 beta: values[4], capacity: values[5], seconds: values[6], klPerDimension: Array(values[7..<(7 + latent)]),
                                 terms: Array(values[(7 + latent)...]))
            row.nelbo = values[3]
            log.append(row)
        }
        return log
    }
}
