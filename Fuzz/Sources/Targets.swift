import Foundation
import Analysis
import Datasets
import Engine
import Foundation
import Models
import Training

/// The fuzz targets: one per reader of outside input. Each feeds the bytes to a bytes-level
/// reader and returns a one-line summary of what it read. A thrown error is an expected outcome
/// (the reader rejected the input); a crash, a trap or a sanitizer report is a finding.
enum FuzzTargets {
    typealias Body = @Sendable ([UInt8]) throws -> String

    /// Target names in the order `make fuzz` runs them.
    static let names: [String] = table.map(\.name)

    static func body(_ name: String) -> Body? { table.first { $0.name == name }?.body }

    static let table: [(name: String, body: Body)] = [
        ("idx", idx),
        ("npy", npy),
        ("npz", npz),
        ("safetensors", safetensors),
        ("checkpoint", checkpoint),
        ("png", png),
        ("config", config),
        ("metrics", metrics),
        ("evaluation", evaluation),
        ("traininglog", trainingLog),
        ("nyu", nyu),
        ("mpi3d", mpi3d),
        ("hdf5", hdf5),
        ("mat", mat),
    ]

    /// SmallNORB's NYU binary matrices: the header as a byte matrix (`dat`), and as an int32
    /// matrix of the shape it declares (`cat` [N], `info` [N, 4]).
    static func nyu(_ bytes: [UInt8]) throws -> String {
        var outcomes: [String] = [], errors: [String] = []
        do {
            let h = try SmallNORB.header(bytes, path: "fuzz", magic: SmallNORB.byteMagic)
            outcomes.append("bytes \(h.dimensions)")
        } catch { errors.append("\(error)") }
        do {
            let h = try SmallNORB.header(bytes, path: "fuzz", magic: SmallNORB.intMagic)
            let values = try SmallNORB.ints(bytes, path: "fuzz", expected: h.dimensions)
            outcomes.append("ints \(h.dimensions): \(values.count)")
        } catch { errors.append("\(error)") }
        guard !outcomes.isEmpty else { throw Rejected(description: errors.joined(separator: "; ")) }
        return outcomes.joined(separator: "; ")
    }

    /// The readers that need a file (libhdf5, libmatio, the in-place zip reader) get the input
    /// written to one, named by the process so parallel fuzzers do not collide.
    static func withFile(_ bytes: [UInt8], suffix: String, _ read: (String) throws -> String) throws -> String {
        let path = NSTemporaryDirectory() + "betavae-fuzz-\(getpid())" + suffix
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try read(path)
    }

    /// MPI3D's `images` member found in place (tail, central directory, local header, .npy
    /// header), then its first and last rows read, as training would read them.
    static func mpi3d(_ bytes: [UInt8]) throws -> String {
        try withFile(withStoredCRCsFixed(bytes), suffix: ".npz") { path in
            let member = try NPZMember(path: path, array: "images", hint: "", limit: 1 << 32)
            let rows = max(1, member.header.shape.first ?? 1), row = member.header.byteCount / rows
            var buffer = [UInt8](repeating: 0, count: row)
            if row > 0 {
                buffer.withUnsafeMutableBytes { member.file.read(at: member.dataOffset, into: $0) }
                buffer.withUnsafeMutableBytes { member.file.read(at: member.dataOffset + (rows - 1) * row, into: $0) }
            }
            return "\(member.header.descr) \(member.header.shape) at \(member.dataOffset)"
        }
    }

    /// Shapes3D's checks through libhdf5: open, both datasets' shapes and types, and when the
    /// file passes (only a real-size grid can), the factor values and one image.
    static func hdf5(_ bytes: [UInt8]) throws -> String {
        try withFile(bytes, suffix: ".h5") { path in
            let file = try HDF5File(path: path, hint: "")
            var described: [String] = []
            for name in ["images", "labels"] {
                let info = try file.info(name)
                described.append("\(name) \(info.dimensions) \(info.elementSize)B")
                if info.dimensions.count >= 1, info.dimensions[0] >= 1, info.dimensions.dropFirst().allSatisfy({ $0 >= 1 && $0 <= 64 }),
                   let chunk = info.chunkBytes, chunk <= 1 << 26 {
                    // As Shapes3D reads: through libhdf5 only a chunked dataset of bounded chunks
                    // (a contiguous one is read by file offset, anything else is refused).
                    _ = try file.byteRows(name, row: 0, count: 1)
                }
            }
            // Only a real-size grid passes Shapes3D's own checks; its refusal is an answer, not a rejection of the file.
            let shapes3d: String
            do { _ = try Shapes3D.source(path: path); shapes3d = "a Shapes3D grid" } catch { shapes3d = "not Shapes3D (\(error))" }
            return (described + [shapes3d]).joined(separator: "; ")
        }
    }

    /// A Cars3D file: the element structure check, then libmatio's header of `im` and, for a
    /// shape of at most 2^20 elements, its data.
    static func mat(_ bytes: [UInt8]) throws -> String {
        try withFile(bytes, suffix: ".mat") { path in
            let variable = try MatFile(path: path).uint8Variable("im", rank: 5) { dims in
                var count = 1
                for d in dims {
                    let (product, overflow) = count.multipliedReportingOverflow(by: d)
                    guard !overflow, d >= 0, product <= 1 << 20 else { return "too large for the fuzzer" }
                    count = product
                }
                return nil
            }
            return "im \(variable.dimensions), \(variable.bytes.count) bytes"
        }
    }

    /// MNIST-style IDX files, raw or gzip, read both as images (rank 3) and as labels (rank 1).
    static func idx(_ bytes: [UInt8]) throws -> String {
        var outcomes: [String] = []
        var errors: [String] = []
        for rank in [3, 1] {
            do {
                let array = try IDX.decode(bytes, path: "fuzz", expectedRank: rank)
                outcomes.append("rank \(rank): dimensions \(array.dimensions)")
            } catch {
                errors.append("rank \(rank): \(error)")
            }
        }
        guard !outcomes.isEmpty else { throw Rejected(description: errors.joined(separator: "; ")) }
        return outcomes.joined(separator: "; ")
    }

    static func npy(_ bytes: [UInt8]) throws -> String {
        describe(try NPY.parse(bytes, path: "fuzz"))
    }

    /// The three arrays of the dSprites archive (any other member is ignored), whole and streamed
    /// into masks: of the input as it is and, when they differ, of a copy with the CRC-32 of every stored member recomputed.
    static func npz(_ bytes: [UInt8]) throws -> String {
        try asIsAndRepaired(bytes, withStoredCRCsFixed(bytes)) { bytes in
            let arrays = try NPZ.parse(bytes, path: "fuzz", arrays: ["imgs", "latents_classes", "latents_values"])
            // The streaming reader `dsprites:` uses, masks packed as they inflate: it must refuse
            // what the whole-member parser refuses and never trap on the rest.
            let masks = try DSprites.read(archive: bytes, path: "fuzz")
            return arrays.sorted { $0.key < $1.key }.map { "\($0.key) \(describe($0.value))" }.joined(separator: "; ")
                + "; masks \(masks.count) of \(masks.imageShape)"
        }
    }

    /// The header, then every tensor it lists converted to Float32.
    static func safetensors(_ bytes: [UInt8]) throws -> String {
        let file = try SafetensorsFile.parse(bytes, path: "fuzz")
        var scalars = 0
        for name in file.names { scalars += try file.tensor(name).count }
        return "\(file.tensors.count) tensors, \(scalars) scalars, \(file.metadata.count) metadata keys"
    }

    /// The loaders that build a model from a checkpoint, not only the parser: the bytes as a run's
    /// checkpoint file for a small MLP (`checkpointSpec`), through `Checkpoint.position` (resume's
    /// first look), `Checkpoint.loadWeights` (evaluate, report) and `Checkpoint.load` (resume: the
    /// weights, Adam's moments, the step, the RNG and the progress inside an epoch). The parser
    /// target never reached these: shapes checked against the model, the metadata's numbers.
    static func checkpoint(_ bytes: [UInt8]) throws -> String {
        let path = checkpointFile
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { throw Rejected(description: "cannot write \(path)") }
        var outcomes: [String] = []
        if let position = try? Checkpoint.position(path: path) { outcomes.append("epoch \(position.epoch)") }
        var rng = RandomGenerator(seed: 1)
        let model = VAE(spec: checkpointSpec, rng: &rng)
        do { outcomes.append("weights \(String(describing: try Checkpoint.loadWeights(path: path, into: model)))") } catch {
            outcomes.append("weights: \(error)")
        }
        let adam = Adam(parameters: model.namedParameters.map(\.parameter))
        let state = try Checkpoint.load(path: path, model: model, adam: adam)
        return outcomes.joined(separator: "; ") + "; step \(state.step), partial \(state.partialEpoch != nil)"
    }

    /// The model the checkpoint target loads into: an MLP on 1×4×4 images, one hidden layer of 2, Z = 1.
    static let checkpointSpec = ModelSpec(architecture: .mlp, imageShape: [1, 4, 4], hidden: [2], latent: 1)

    /// A file of this process's own (libFuzzer runs inputs one at a time), in memory where there is /dev/shm.
    static let checkpointFile = (FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory())
        + "/betavae-fuzz-checkpoint-\(getpid()).safetensors"

    /// A valid checkpoint of `checkpointSpec` (epoch 3, saved inside epoch 4): the target's seed,
    /// written by `fuzz seed checkpoint FILE` (Fuzz/make_corpus.py cannot know the names and shapes).
    static func checkpointSeed(to path: String) throws {
        var rng = RandomGenerator(seed: 1)
        let model = VAE(spec: checkpointSpec, rng: &rng)
        let adam = Adam(parameters: model.namedParameters.map(\.parameter))
        var progress = EpochProgress.start(rng: RandomGenerator(seed: 2), latent: 1)
        (progress.batchesDone, progress.lossSum, progress.reconSum, progress.klSum, progress.images) = (2, 10, 9, 1, 8)
        try Checkpoint.save(model: model, adam: adam, state: Checkpoint(epoch: 3, step: 40, rngState: [5, 6, 7, 8], partialEpoch: progress), to: path)
    }

    /// The chunk check, then the decode through libpng and Cairo to 3 × 16 × 16: of the input as
    /// it is and, when they differ, of a copy with every chunk's CRC-32 recomputed.
    static func png(_ bytes: [UInt8]) throws -> String {
        try asIsAndRepaired(bytes, withChunkCRCsFixed(bytes)) { bytes in
            let size = try PNGFile.validate(bytes, path: "fuzz")
            let pixels = try ImageFolder.decode(bytes: bytes, path: "fuzz", channels: 3, side: 16)
            return "\(size.width)×\(size.height), \(pixels.count) bytes at 3×16×16"
        }
    }

    /// Runs `read` on the input and, when it differs, on its repaired copy (checksums recomputed).
    /// Nearly every mutation breaks a CRC-32, so without the copy the fuzzer would hardly ever get
    /// past the checksum checks to the code behind them; the input as it is keeps those checks
    /// covered. Throws only when both readings fail.
    static func asIsAndRepaired(_ bytes: [UInt8], _ repaired: [UInt8], _ read: ([UInt8]) throws -> String) throws -> String {
        guard repaired != bytes else { return try read(bytes) }
        let outcomes = [("as is", bytes), ("checksums fixed", repaired)].map { label, input in
            do { return (ok: true, text: "\(label): \(try read(input))") } catch { return (ok: false, text: "\(label): \(error)") }
        }
        let text = outcomes.map(\.text).joined(separator: "; ")
        guard outcomes.contains(where: \.ok) else { throw Rejected(description: text) }
        return text
    }

    /// A copy of a PNG's bytes with the CRC-32 of every complete chunk after the signature
    /// recomputed (chunks are 4-byte length, 4-byte type, data, CRC over type and data).
    static func withChunkCRCsFixed(_ bytes: [UInt8]) -> [UInt8] {
        var out = bytes
        var position = 8
        while position + 12 <= out.count {
            let length = (0..<4).reduce(0) { $0 << 8 | Int(out[position + $1]) }
            guard length <= out.count - position - 12 else { break }
            let crc = crc32(out[(position + 4)..<(position + 8 + length)])
            for i in 0..<4 { out[position + 8 + length + i] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * UInt32(i))) }
            position += 12 + length
        }
        return out
    }

    /// A copy of a zip archive's bytes with the CRC-32 of every stored (method 0) member
    /// recomputed, in its central directory entry and its local header. Only the classic layout
    /// (no zip64 sizes) is repaired; deflated members keep their CRC.
    static func withStoredCRCsFixed(_ bytes: [UInt8]) -> [UInt8] {
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        guard bytes.count >= 22,
              let end = stride(from: bytes.count - 22, through: 0, by: -1).first(where: { u32($0) == 0x0605_4b50 }) else { return bytes }
        var out = bytes
        var entry = u32(end + 16)
        for _ in 0..<u16(end + 10) {
            guard entry + 46 <= bytes.count, u32(entry) == 0x0201_4b50 else { break }
            let (method, size, local) = (u16(entry + 10), u32(entry + 20), u32(entry + 42))
            if method == 0, size == u32(entry + 24), local + 30 <= bytes.count, u32(local) == 0x0403_4b50 {
                let start = local + 30 + u16(local + 26) + u16(local + 28)
                if size < 0xFFFF_FFFF, start + size <= bytes.count {
                    let crc = crc32(bytes[start..<(start + size)])
                    for i in 0..<4 {
                        out[entry + 16 + i] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(i)))
                        out[local + 14 + i] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(i)))
                    }
                }
            }
            entry += 46 + u16(entry + 28) + u16(entry + 30) + u16(entry + 32)
        }
        return out
    }

    private static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return ~crc
    }

    private static let crcTable: [UInt32] = (0..<256).map { n in
        (0..<8).reduce(UInt32(n)) { c, _ in c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    }

    static func config(_ bytes: [UInt8]) throws -> String {
        let config = try RunConfig.decode(bytes, path: "fuzz")
        return "\(config.model.architecture.rawValue), latent \(config.model.latent), \(config.epochs) epochs, dataset \(config.dataset)"
    }

    static func metrics(_ bytes: [UInt8]) throws -> String {
        let log = try MetricsLog.parse(bytes, path: "fuzz", latent: nil)
        return "\(log.rows.count) rows"
    }

    /// A training log for `betavae import --metrics` (YannDubs' train_losses.log or a metrics.csv),
    /// read for a β run with 10 latent dimensions.
    static func trainingLog(_ bytes: [UInt8]) throws -> String {
        let log = try ExternalTrainingLog.parse(bytes, path: "fuzz", latent: 10, objective: .beta(4))
        return "\(log.format): \(log.epochs) epochs"
    }

    /// evaluation.json checked against a model with 10 latent dimensions.
    static func evaluation(_ bytes: [UInt8]) throws -> String {
        let result = try EvaluationResult.decode(bytes, path: "fuzz", latent: 10)
        return "epoch \(result.epoch), \(result.usage.activeUnits.count) active units"
            + (result.disentanglement.map { ", \($0.factorNames.count) factors" } ?? "")
    }

    /// Both readings of an IDX file failed; the message holds both errors.
    struct Rejected: Error, CustomStringConvertible { let description: String }

    private static func describe(_ array: NPYArray) -> String {
        let dtype: String
        switch array.storage {
        case .uint8: dtype = "u1"
        case .int64: dtype = "i8"
        case .float32: dtype = "f4"
        case .float64: dtype = "f8"
        }
        return "\(dtype) \(array.shape)"
    }
}
