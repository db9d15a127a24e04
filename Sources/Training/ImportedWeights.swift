import Engine
import Foundation
import Models

/// Weights trained elsewhere, read and checked against the model they will fill before anything
/// is written: every tensor the mapping needs is present, of the right shape, a float type and
/// finite, and no tensor is left over. Each refusal names the file and the tensor.
public struct ImportedWeights: Sendable {
    /// Our parameter name → its value in our layout.
    public let values: [String: Tensor]
    public let provenance: ImportProvenance

    /// Reads `path` (a state_dict saved by `safetensors.torch.save_file`) as `source`'s model of
    /// `spec`'s architecture.
    public static func read(path: String, source: WeightSource, spec: ModelSpec) throws(TrainingError) -> ImportedWeights {
        let bytes: [UInt8]
        do { bytes = try AtomicFile.read(path) } catch { throw .corruptRun(path: path, reason: "cannot read the weights (\(error.reason))") }
        let file: SafetensorsFile
        do { file = try SafetensorsFile.parse(bytes, path: path) } catch { throw .corruptRun(path: path, reason: Self.strip(error.description, path)) }
        var rng = RandomGenerator(seed: 0)
        let shapes = VAE(spec: spec, rng: &rng).namedParameters.map { ($0.name, $0.parameter.value.shape) }
        let ourShapes = Dictionary(uniqueKeysWithValues: shapes)
        let modelName = source.modelName(spec.architecture)
        guard let mapping = source.mapping(for: spec, ourNames: shapes.map(\.0)) else {
            throw .invalidOption("--from \(source.rawValue) has no model of --model \(spec.architecture.rawValue)"
                                 + " (it imports as \(source.architectures.map(\.rawValue).joined(separator: " or ")))")
        }
        // The file's names as the mapping spells them (disent's framework prefix removed), in file order.
        var byName: [String: String] = [:]
        var skipped = 0
        for name in file.names {
            if source.isSkipped(name) { skipped += 1; continue }
            byName[source.normalizedName(name)] = name
        }
        if let misfit = source.knownMisfit(names: Set(byName.keys), architecture: spec.architecture) { throw .corruptRun(path: path, reason: misfit) }
        var values: [String: Tensor] = [:]
        for item in mapping {
            guard let shape = ourShapes[item.target] else { preconditionFailure("mapping names \(item.target), which \(spec.architecture) lacks") }
            guard let stored = byName[item.source], let entry = file.tensors[stored] else {
                throw .corruptRun(path: path, reason: "tensor '\(item.source)' is missing; \(modelName) (Z = \(spec.latent)) needs it as \(item.target) "
                                  + "(see docs/import.md for each repository's names)")
            }
            guard entry.shape == shape else {
                throw .corruptRun(path: path, reason: "tensor '\(stored)' has shape \(entry.shape) but \(modelName) with "
                                  + "\(spec.imageShape[0]) channel(s) and Z = \(spec.latent) needs \(shape) (check --latent, --model and --dataset)")
            }
            guard [.f32, .f64, .f16, .bf16].contains(entry.dtype), let tensor = entry.floatTensor() else {
                throw .corruptRun(path: path, reason: "tensor '\(stored)' is \(entry.dtype.rawValue), not a floating-point type")
            }
            guard tensor.scalars.allSatisfy(\.isFinite) else {
                throw .corruptRun(path: path, reason: "tensor '\(stored)' holds values that are not finite (NaN or ±inf); "
                                  + "save the weights of an epoch before training diverged")
            }
            values[item.target] = Tensor(shape: shape, scalars: item.ourLayout(tensor.scalars, shape: shape))
        }
        let taken = Set(mapping.map(\.source))
        if let unknown = file.names.first(where: { !source.isSkipped($0) && !taken.contains(source.normalizedName($0)) }) {
            throw .corruptRun(path: path, reason: "tensor '\(unknown)' is not a parameter of \(modelName); "
                              + "save only the model's state_dict (see docs/import.md), or choose the --from and --model it was trained with")
        }
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        return ImportedWeights(values: values, provenance: ImportProvenance(file: absolute, sha256: SHA256.hex(bytes), source: source,
                                                                             sourceModel: modelName, mapping: mapping, skipped: skipped))
    }

    /// A safetensors message without its leading "PATH: " (the caller names the file once).
    static func strip(_ message: String, _ path: String) -> String {
        message.hasPrefix(path + ": ") ? String(message.dropFirst(path.count + 2)) : message
    }

    /// Puts the weights into `model`, whose parameters the mapping covers one for one.
    func load(into model: VAE) {
        for item in model.namedParameters {
            guard let value = values[item.name] else { preconditionFailure("imported weights lack \(item.name)") }
            item.parameter.value = value
        }
    }
}
