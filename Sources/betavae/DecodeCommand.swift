import ArgumentParser
import Datasets
import Engine
import Foundation
import Training

/// `betavae decode RUN --z=…`: the image the run's decoder makes of one code, as `.npy` — the
/// reference the browser tests hold the report's latent explorer to. Not listed in --help.
struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode one latent code with a run's model into a .npy image (float32 [C, H, W] in [0, 1]).",
        shouldDisplay: false)

    @Argument(help: "The run directory.")
    var runPath: String
    @Option(help: "The code: Z numbers separated by commas (write --z=-1,0.5 when it starts with a minus).")
    var z: String
    @Option(help: "The class label, for a conditional model only.")
    var label: Int?
    @Option(help: "The .npy file to write.")
    var out: String

    func validate() throws {
        let items = try OptionChecks.list(z, option: "--z")
        guard items.allSatisfy({ Float($0)?.isFinite == true }) else {
            throw ValidationError("--z must be finite numbers separated by commas, not '\(z)'")
        }
        guard out.hasSuffix(".npy") else { throw ValidationError("--out must name a .npy file, not '\(out)'") }
        if let label, label < 0 { throw ValidationError("--label must be 0 or more, not \(label)") }
    }

    func run() throws {
        try reportingErrors {
            let loaded = try LoadedRun.load(runPath)
            let spec = loaded.config.model
            let code = z.split(separator: ",").compactMap { Float($0.trimmingCharacters(in: .whitespaces)) }
            guard code.count == spec.latent else {
                throw ValidationError("--z has \(code.count) numbers; \(runPath)'s model has Z = \(spec.latent)")
            }
            switch (spec.conditionClasses, label) {
            case (0, .some): throw ValidationError("--label: \(runPath)'s model is not conditional")
            case (let k, nil) where k > 0: throw ValidationError("--label is needed: \(runPath)'s model is conditional (0…\(k - 1))")
            case (let k, .some(let l)) where l >= k: throw ValidationError("--label must be 0…\(k - 1), not \(l)")
            default: break
            }
            let image = loaded.model.decodeImages(Tensor(shape: [1, spec.latent], scalars: code), labels: label.map { [$0] } ?? [])
            let array = NPYArray(shape: spec.imageShape, storage: .float32(image.scalars))
            do { try AtomicFile.write(NPY.serialize(array), to: out) } catch { throw TrainingError.io("\(out): \(error)") }
            print(out)
        }
    }
}
