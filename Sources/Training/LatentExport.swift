import Analysis
import Datasets
import Engine

extension LoadedRun {
    /// Writes the posterior of the first `limit` test images (all by default) to an uncompressed
    /// `.npz` at `path`: `means` and `log_variances` `[N, Z]` float32, `labels` `[N]` int64, and
    /// `factor_classes` `[N, F]` int64 when the data has factors. The images are the evaluation's
    /// (binarised as the run trains, from the same pass).
    public func exportLatents(limit: Int?, to path: String) throws {
        let encoded = PosteriorPass(model: model, set: dataset.test, limit: limit, binarization: Binarization(rawValue: config.binarize) ?? .none,
                                    seed: PosteriorPass.seeds(runSeed: config.seed, epoch: epoch).images).encode()
        var arrays: [(name: String, array: NPYArray)] = [
            ("means", NPYArray(shape: encoded.means.shape, storage: .float32(encoded.means.scalars))),
            ("log_variances", NPYArray(shape: encoded.logVariances.shape, storage: .float32(encoded.logVariances.scalars))),
            ("labels", NPYArray(shape: [encoded.count], storage: .int64(encoded.labels.map(Int64.init)))),
        ]
        if let factors = dataset.test.factors {
            let classes = (0..<encoded.count).flatMap { dataset.test.factorClasses($0).map(Int64.init) }
            arrays.append(("factor_classes", NPYArray(shape: [encoded.count, factors.names.count], storage: .int64(classes))))
        }
        do { try NPZ.write(arrays, to: path) } catch { throw TrainingError.io("\(error)") }
    }
}
