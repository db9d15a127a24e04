import Engine
import Foundation
import Models

/// A training log exported by another repository, turned into metrics.csv's train rows so an
/// imported run has loss curves (`betavae import --metrics FILE`). Two formats, told apart by the
/// header row:
///
/// - `yanndubs`: YannDubs/disentangling-vae's `train_losses.log` (its `LossesLogger`): header
///   `Epoch,Loss,Value`, then one row per epoch and term, the epoch counted from 0 and the value
///   the mean over the epoch's batches. `loss` → loss, `recon_loss` → recon, `kl_loss` → kl,
///   `kl_loss_J` → kl_J (J < Z), and for β-TCVAE `mi_loss`, `tc_loss`, `dw_kl_loss` → mi, tc,
///   dimwise_kl; its epoch E becomes our epoch E + 1. FactorVAE's `discrim_loss` and terms the
///   run's objective has no column for are not kept.
/// - `betavae`: a metrics.csv (header `epoch,split,loss,…`); its train rows are taken as they are.
///
/// Every epoch from the first to the last must be there with every needed term, and every value
/// finite. The log has no timings: `seconds` is 0.
public struct ExternalTrainingLog: Sendable {
    /// Train rows, epochs 1…N in order.
    public let rows: [MetricsRow]
    public let format: String
    /// The log's path, made absolute, and the SHA-256 of its bytes.
    public let path: String
    public let sha256: String

    /// The last epoch the log covers: the imported weights' epoch.
    public var epochs: Int { rows.last?.epoch ?? 0 }

    /// Reads the log at `path` for a run of `latent` dimensions trained with `objective`.
    public static func read(path: String, latent: Int, objective: Objective) throws(TrainingError) -> ExternalTrainingLog {
        let bytes: [UInt8]
        do { bytes = try AtomicFile.read(path) } catch { throw .corruptRun(path: path, reason: "cannot read the training log (\(error.reason))") }
        return try parse(bytes, path: path, latent: latent, objective: objective)
    }

    /// Parses a log's bytes (`path` names it in errors and is recorded, made absolute).
    public static func parse(_ bytes: [UInt8], path: String, latent: Int, objective: Objective) throws(TrainingError) -> ExternalTrainingLog {
        let text = String(decoding: bytes, as: UTF8.self)
        let firstLine = text.split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        let rows: [MetricsRow]
        let format: String
        if firstLine == "Epoch,Loss,Value" {
            rows = try yannDubsRows(text, path: path, latent: latent, objective: objective)
            format = "yanndubs"
        } else if firstLine.hasPrefix("epoch,split,loss,") {
            let log = try MetricsLog.parse(bytes, path: path, latent: latent, termNames: objective.termNames)
            rows = log.rows(split: "train").filter { $0.epoch >= 1 }
            format = "betavae"
            guard rows.enumerated().allSatisfy({ $0.offset + 1 == $0.element.epoch }) else {
                throw .corruptRun(path: path, reason: "its train rows must cover epochs 1, 2, … once each, in order")
            }
        } else {
            throw .corruptRun(path: path, reason: "not a training log betavae reads: the header must be 'Epoch,Loss,Value' "
                              + "(YannDubs/disentangling-vae's train_losses.log) or a metrics.csv header (see docs/import.md)")
        }
        guard !rows.isEmpty else { throw .corruptRun(path: path, reason: "the training log has no epochs") }
        guard rows.count <= RunConfig.epochLimit else { throw .corruptRun(path: path, reason: "more than \(RunConfig.epochLimit) epochs") }
        return ExternalTrainingLog(rows: rows, format: format, path: URL(fileURLWithPath: path).standardizedFileURL.path,
                                   sha256: SHA256.hex(bytes))
    }

    /// YannDubs' long format: `epoch,term,value` rows grouped into one row per epoch.
    private static func yannDubsRows(_ text: String, path: String, latent: Int, objective: Objective) throws(TrainingError) -> [MetricsRow] {
        var values: [Int: [String: Double]] = [:]
        for (number, line) in text.split(whereSeparator: \.isNewline).enumerated().dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == 3, let epoch = Int(fields[0]), (0..<RunConfig.epochLimit).contains(epoch), !fields[1].isEmpty,
                  let value = Double(fields[2]) else {
                throw .corruptRun(path: path, reason: "line \(number + 1) is not 'epoch,term,value'")
            }
            guard value.isFinite else { throw .corruptRun(path: path, reason: "line \(number + 1): \(fields[1]) is not finite") }
            values[epoch, default: [:]][fields[1]] = value
        }
        let termColumns = ["mi": "mi_loss", "tc": "tc_loss", "dimwise_kl": "dw_kl_loss"]
        let termKeys = objective.termNames.map { termColumns[$0] }
        if let index = termKeys.firstIndex(where: { $0 == nil }) {
            throw .invalidOption("--metrics: YannDubs' log has no column for \(objective.termNames[index]), a term of the run's objective; "
                                 + "import without --metrics or with the objective the log was trained with")
        }
        let needed = ["loss", "recon_loss", "kl_loss"] + (0..<latent).map { "kl_loss_\($0)" } + termKeys.compactMap { $0 }
        let last = values.keys.max() ?? -1
        var rows: [MetricsRow] = []
        for epoch in 0...max(last, 0) where last >= 0 {
            guard let row = values[epoch] else { throw .corruptRun(path: path, reason: "epoch \(epoch) is missing (the log has 0…\(last))") }
            if let missing = needed.first(where: { row[$0] == nil }) {
                throw .corruptRun(path: path, reason: "epoch \(epoch) has no '\(missing)' (a run with Z = \(latent) logs kl_loss_0 … kl_loss_\(latent - 1))")
            }
            let get = { (key: String) in row[key] ?? 0 }
            rows.append(MetricsRow(epoch: epoch + 1, split: "train", loss: get("loss"), recon: get("recon_loss"), kl: get("kl_loss"),
                                   beta: objective.weight(atStep: 0), capacity: 0, seconds: 0,
                                   klPerDimension: (0..<latent).map { get("kl_loss_\($0)") }, terms: termKeys.map { get($0 ?? "") }))
        }
        return rows
    }
}
