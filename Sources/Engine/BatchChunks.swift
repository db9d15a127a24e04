/// How a convolution walks its batch: in chunks, each core taking a contiguous share of them on
/// the engine's pool (`ParallelParts`) with sgemm and oneDNN held to one thread. oneDNN's passes
/// take chunks of up to 16 images (`ConvolutionLayer.directChunk`); im2col passes take chunks
/// small enough that a chunk's column matrix stays in one core's L2 cache.
///
/// Why, for im2col: unfolding a whole batch of 64 images of the burgess net's second layer makes a column
/// matrix of 512 × 16,384 floats (32 MB); im2col writes it to memory, sgemm streams it back, and
/// OpenBLAS split its skinny [32 × 512]·[512 × 16,384] product over two threads that wait on each
/// other. Per-image chunks keep the 512 KB columns in L2 and let each core run whole products.
/// Measured with `bench conv` (see docs/performance.md).
struct BatchChunks {
    /// Images in the batch.
    let batch: Int
    /// Images per chunk (the last chunk of a worker may be smaller).
    let chunk: Int
    /// Cores working at once: sgemm's thread count, at most one per chunk.
    let workers: Int

    /// Column-matrix bytes a chunk may take: about a third of a core's 1–2 MB L2, leaving room
    /// for sgemm's packed panels and the chunk's output.
    static let columnBudgetBytes = 384 * 1024
    /// Columns per chunk below which sgemm's fixed costs dominate (the deep layers have 16 positions per image).
    static let minimumColumns = 256

    /// A plan for `batch` images whose column matrix takes `columnFloatsPerImage` floats each.
    init(batch: Int, columnFloatsPerImage: Int, positionsPerImage: Int) {
        precondition(batch > 0 && columnFloatsPerImage > 0 && positionsPerImage > 0, "empty convolution batch")
        let byBudget = max(1, Self.columnBudgetBytes / (4 * columnFloatsPerImage))
        let bySgemmWidth = max(1, (Self.minimumColumns + positionsPerImage - 1) / positionsPerImage)
        let threads = max(1, BLAS.threads)
        // Every core gets at least one chunk when the batch allows it.
        chunk = max(1, min(max(byBudget, bySgemmWidth), (batch + threads - 1) / threads))
        self.batch = batch
        workers = min(threads, (batch + chunk - 1) / chunk)
    }

    /// A plan of chunks of at most `imagesPerChunk` images, one worker per core (sgemm's thread
    /// count) while the batch allows it: for passes that need no column matrix (oneDNN's).
    init(batch: Int, imagesPerChunk: Int) {
        precondition(batch > 0 && imagesPerChunk > 0, "empty convolution batch")
        let threads = max(1, BLAS.threads)
        chunk = max(1, min(imagesPerChunk, (batch + threads - 1) / threads))
        self.batch = batch
        workers = min(threads, (batch + chunk - 1) / chunk)
    }

    /// The image counts of worker `w`'s chunks.
    func chunkSizes(of w: Int) -> Set<Int> {
        var sizes = Set<Int>()
        runShare(of: w) { _, images in sizes.insert(images.count) }
        return sizes
    }

    /// Runs `body(worker, images)` over every chunk; worker `w` takes the w-th contiguous share of
    /// the batch, chunk by chunk, with sgemm held to one thread (the cores are already busy with
    /// chunks).
    func run(_ body: (_ worker: Int, _ images: Range<Int>) -> Void) {
        guard workers > 1 else { runShare(of: 0, body); return }
        // Workers touch disjoint images and their own scratch, which is what makes sharing safe.
        ParallelParts.run(workers) { worker in BLAS.singleThreaded { runShare(of: worker, body) } }
    }

    /// Worker `w`'s contiguous share of the batch, chunk by chunk.
    private func runShare(of w: Int, _ body: (_ worker: Int, _ images: Range<Int>) -> Void) {
        let end = (w + 1) * batch / workers
        var start = w * batch / workers
        while start < end {
            let stop = min(start + chunk, end)
            body(w, start..<stop)
            start = stop
        }
    }
}

/// One worker's scratch for a convolution: the chunk's column matrix, a channels-first copy of a
/// chunk's inputs or gradients (im2col passes), oneDNN's convolutions by chunk size (direct
/// passes), and the worker's share of the parameter gradients (summed into the parameters after
/// the batch, so workers never write the same memory).
final class ConvolutionScratch {
    var columns: [Float] = [0]
    var matrix: [Float] = [0]
    var direct: [Int: DirectConvolution] = [:]
    /// What `direct`'s convolutions were made for.
    var directKind: DirectConvolution.Kind?
    var weightGradient = Tensor(shape: [0])
    var biasGradient = Tensor(shape: [0])

    /// Scratch for each of `workers`, grown (never shrunk) to the sizes given; the gradient shares
    /// take the parameters' sizes.
    static func ensure(_ scratch: inout [ConvolutionScratch], workers: Int, columns: Int, matrix: Int, weights: Int, biases: Int) {
        while scratch.count < workers { scratch.append(ConvolutionScratch()) }
        for s in scratch.prefix(workers) {
            if s.columns.count < columns { s.columns = [Float](repeating: 0, count: columns) }
            if s.matrix.count < matrix { s.matrix = [Float](repeating: 0, count: matrix) }
            if s.weightGradient.count != weights { s.weightGradient = Tensor(shape: [weights]) }
            if s.biasGradient.count != biases { s.biasGradient = Tensor(shape: [biases]) }
        }
    }

    /// Gives every worker a oneDNN convolution for each chunk size its share of `chunks` has, made
    /// here on the calling thread; false when oneDNN has none for these sizes. A worker keeps at
    /// most 4 sizes (a batch and its remainder, for training and evaluation).
    static func prepareDirect(_ scratch: [ConvolutionScratch], chunks: BatchChunks, kind: DirectConvolution.Kind) -> Bool {
        for (w, s) in scratch.prefix(chunks.workers).enumerated() {
            let sizes = chunks.chunkSizes(of: w)
            if s.directKind != kind { (s.direct, s.directKind) = ([:], kind) }
            if s.direct.count + sizes.count > 4 { s.direct = s.direct.filter { sizes.contains($0.key) } }
            for size in sizes where s.direct[size] == nil {
                guard let made = DirectConvolution(batch: size, kind: kind) else { return false }
                s.direct[size] = made
            }
        }
        return true
    }

    /// Sets each worker's gradient shares to zero.
    static func zeroGradients(_ scratch: [ConvolutionScratch], workers: Int) {
        for s in scratch.prefix(workers) {
            s.weightGradient.zero()
            s.biasGradient.zero()
        }
    }

    /// Adds every worker's gradient shares into the layer's weight and bias gradients.
    static func accumulate(_ scratch: [ConvolutionScratch], workers: Int, into weight: Parameter, _ bias: Parameter) {
        for s in scratch.prefix(workers) {
            weight.gradient.add(s.weightGradient)
            bias.gradient.add(s.biasGradient)
        }
    }
}

/// A value handed to concurrent workers that only touch disjoint memory through it.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
