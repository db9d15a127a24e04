import Foundation
import Testing
@testable import Engine

/// The engine's own parallelism changes no result: sgemm split into row or column blocks across
/// threads, and convolutions computed on chunks of the batch by several workers, against the
/// same products on one thread and against a direct (loop) convolution.
@Suite struct ParallelComputationTests {
    /// Runs `body` with `threads` sgemm threads on this test's thread, restoring the count.
    func withThreads<T>(_ threads: Int, _ body: () -> T) -> T {
        let saved = BLAS.threads
        BLAS.setThreads(threads)
        defer { BLAS.setThreads(saved) }
        return body()
    }

    func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count)
        return zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }

    /// A chain's output, input gradient and parameter gradients with every convolution on
    /// `algorithm`, for an output gradient of (i mod 7) − 3.
    func chainPasses(_ net: Sequential, _ algorithm: ConvolutionAlgorithm, input x: Tensor) -> [[Float]] {
        for case let layer as ConvolutionLayer in net.layers { layer.algorithm = algorithm }
        Gradients.zero(net.namedParameters.map(\.parameter))
        let y = net.forward(x)
        var gradient = y
        for i in 0..<gradient.count { gradient[i] = Float(i % 7) - 3 }
        let dx = net.backward(gradient)
        return [y.scalars, dx.scalars] + net.namedParameters.map(\.parameter.gradient.scalars)
    }

    /// Each transpose combination at sizes past the parallel threshold, split by rows (m ≥ n) and by
    /// columns (n > m), with α and β: the blocks together equal the one-thread product.
    @Test(arguments: [(Transpose.none, Transpose.none), (.transposed, .none), (.none, .transposed), (.transposed, .transposed)])
    func splitSgemmEqualsOneThread(transA: Transpose, transB: Transpose) {
        var rng = RandomGenerator(seed: 11)
        for (m, n, k) in [(150, 70, 130), (70, 150, 130)] {
            let a = rng.normalTensor(shape: transA == .none ? [m, k] : [k, m])
            let b = rng.normalTensor(shape: transB == .none ? [k, n] : [n, k])
            let start = rng.normalTensor(shape: [m, n])
            #expect(m * n * k >= BLAS.parallelMultiplyAdds)
            let results = [1, 2, 3].map { threads in
                withThreads(threads) {
                    var c = start
                    BLAS.gemm(transA, a, transB, b, into: &c, alpha: 0.5, beta: 2)
                    return c.scalars
                }
            }
            #expect(maxDifference(results[0], results[1]) < 1e-4)
            #expect(maxDifference(results[0], results[2]) < 1e-4)
        }
    }

    /// The engine's pool runs every part of every job exactly once: jobs of 2 to 300 parts one
    /// after another, and jobs from four threads at once (all but one run on their caller).
    @Test func poolRunsEveryPartOnce() {
        for parts in [2, 3, 7, 64, 300] {
            for _ in 0..<50 {
                let seen = Counter(parts)
                ParallelParts.run(parts) { part in seen.add(part..<part + 1) }
                #expect(seen.counts == Array(repeating: 1, count: parts), "\(parts) parts")
            }
        }
        let jobs = (0..<4).map { _ in Counter(40) }
        DispatchQueue.concurrentPerform(iterations: 4) { caller in
            for _ in 0..<100 { ParallelParts.run(40) { part in jobs[caller].add(part..<part + 1) } }
        }
        #expect(jobs.allSatisfy { $0.counts == Array(repeating: 100, count: 40) })
    }

    /// ReLU over a tensor large enough to be split among the cores (`Elementwise.split`), with 1,
    /// 2 and 3 threads: y = max(x, 0) and ∂x = ∂y where y > 0, element for element.
    @Test func splitReLUEqualsItsFormula() {
        var rng = RandomGenerator(seed: 16)
        let x = rng.normalTensor(shape: [3, Elementwise.parallelCount / 2 + 5])
        let dy = rng.normalTensor(shape: x.shape)
        for threads in [1, 2, 3] {
            let relu = ReLU()
            let (y, dx) = withThreads(threads) { (relu.forward(x), relu.backward(dy)) }
            #expect(y.scalars == x.scalars.map { max($0, 0) })
            #expect(dx.scalars == zip(dy.scalars, x.scalars).map { $1 > 0 ? $0 : 0 })
        }
    }

    /// Every image of a batch goes to exactly one chunk, chunks keep to the planned size, and a
    /// column matrix larger than the budget gives one image per chunk.
    @Test func chunksCoverTheBatchOnce() {
        withThreads(3) {
            for (batch, floats, positions) in [(11, 100, 4), (64, 512 * 256, 256), (5, 16, 1024), (1, 10, 10)] {
                let plan = BatchChunks(batch: batch, columnFloatsPerImage: floats, positionsPerImage: positions)
                let seen = Counter(batch)
                plan.run { worker, images in
                    #expect(worker < plan.workers && images.count <= plan.chunk && !images.isEmpty)
                    seen.add(images)
                }
                #expect(seen.counts == Array(repeating: 1, count: batch), "batch \(batch)")
                if floats * 4 > BatchChunks.columnBudgetBytes { #expect(plan.chunk == 1) }
            }
        }
    }

    /// A direct convolution, y[n,o,i,j] = b[o] + Σ_{c,ki,kj} W[o,c,ki,kj]·x[n,c,i·s−p+ki,j·s−p+kj].
    func directConvolution(_ x: Tensor, _ layer: Conv2d) -> [Float] {
        let (n, cin, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (k, s, p, cout) = (layer.kernel, layer.stride, layer.padding, layer.outputChannels)
        let out = layer.outputSize(height: h, width: w)
        var y = [Float](repeating: 0, count: n * cout * out.height * out.width)
        for image in 0..<n {
            for o in 0..<cout {
                for i in 0..<out.height {
                    for j in 0..<out.width {
                        var total = layer.bias.value[o]
                        for c in 0..<cin {
                            for ki in 0..<k {
                                for kj in 0..<k {
                                    let (row, column) = (i * s - p + ki, j * s - p + kj)
                                    guard row >= 0, row < h, column >= 0, column < w else { continue }
                                    total += layer.weight.value[((o * cin + c) * k + ki) * k + kj] * x[((image * cin + c) * h + row) * w + column]
                                }
                            }
                        }
                        y[((image * cout + o) * out.height + i) * out.width + j] = total
                    }
                }
            }
        }
        return y
    }

    /// Forward output, input gradient and parameter gradients of both convolutions on a batch of
    /// 7 images, with 1, 2 and 3 workers (chunks of several images and of one): all the same, and
    /// Conv2d's output equal to the direct convolution.
    @Test func convolutionsAgreeAcrossWorkers() {
        var rng = RandomGenerator(seed: 12)
        let x = rng.normalTensor(shape: [7, 3, 9, 8])
        let conv = Conv2d(3, 4, kernel: 4, stride: 2, padding: 1, rng: &rng)
        let deconv = ConvTranspose2d(3, 2, kernel: 3, stride: 2, padding: 1, outputPadding: 1, rng: &rng)
        let results = [1, 2, 3].map { threads in
            withThreads(threads) { () -> [[Float]] in
                var outputs: [[Float]] = []
                for layer in [conv, deconv] as [ConvolutionLayer & Layer] {
                    Gradients.zero(layer.namedParameters.map(\.parameter))
                    let y = layer.forward(x)
                    var gradient = y
                    for i in 0..<gradient.count { gradient[i] = Float(i % 5) - 2 }
                    let dx = layer.backward(gradient)
                    outputs += [y.scalars, dx.scalars, layer.weight.gradient.scalars, layer.bias.gradient.scalars]
                }
                return outputs
            }
        }
        for other in results.dropFirst() {
            for (one, many) in zip(results[0], other) {
                #expect(one.count == many.count && maxDifference(one, many) < 1e-4)
            }
        }
        #expect(maxDifference(results[1][0], directConvolution(x, conv)) < 1e-4)

        // A first layer needs no input gradient: none is returned and its parameter gradients are
        // those of the full pass.
        for layer in [conv, deconv] as [ConvolutionLayer & Layer & InputGradientOptional] {
            var layer = layer
            Gradients.zero(layer.namedParameters.map(\.parameter))
            layer.needsInputGradient = false
            let y = layer.forward(x)
            var gradient = y
            for i in 0..<gradient.count { gradient[i] = Float(i % 5) - 2 }
            #expect(layer.backward(gradient).count == 0)
            let offset = layer === conv ? 0 : 4
            #expect(maxDifference(layer.weight.gradient.scalars, results[1][offset + 2]) < 1e-4)
            layer.needsInputGradient = true
        }
    }

    /// oneDNN's passes (`DirectConvolution`) against im2col + sgemm on 16-channel layers, batch 7,
    /// with 1, 2 and 3 workers (chunks of 7; 4 and 3; 3, 3 and 1): outputs, input gradients and
    /// parameter gradients agree.
    @Test func directConvolutionsEqualIm2col() {
        var rng = RandomGenerator(seed: 13)
        let x = rng.normalTensor(shape: [7, 16, 10, 9])
        let conv = Conv2d(16, 16, kernel: 4, stride: 2, padding: 1, rng: &rng)
        let deconv = ConvTranspose2d(16, 16, kernel: 3, stride: 2, padding: 1, outputPadding: 1, rng: &rng)
        func passes(_ layer: ConvolutionLayer & Layer, _ algorithm: ConvolutionAlgorithm) -> [[Float]] {
            layer.algorithm = algorithm
            Gradients.zero(layer.namedParameters.map(\.parameter))
            let y = layer.forward(x)
            var gradient = y
            for i in 0..<gradient.count { gradient[i] = Float(i % 7) - 3 }
            let dx = layer.backward(gradient)
            return [y.scalars, dx.scalars, layer.weight.gradient.scalars, layer.bias.gradient.scalars]
        }
        for layer in [conv, deconv] as [ConvolutionLayer & Layer] {
            let reference = withThreads(1) { passes(layer, .columns) }
            for threads in [1, 2, 3] {
                let direct = withThreads(threads) { passes(layer, .direct) }
                #expect(!layer.scratch[0].direct.isEmpty)
                for (name, (one, other)) in zip(["output", "∂x", "∂W", "∂b"], zip(reference, direct)) {
                    let scale = one.map(abs).max() ?? 1
                    #expect(one.count == other.count && maxDifference(one, other) < 1e-5 * max(scale, 1), "\(type(of: layer)) \(name), \(threads) threads")
                }
            }
        }
    }

    /// Convolutions with only element-wise layers between them pass blocked (nChw8c or nChw16c) tensors, and fuse a
    /// lone ReLU between them (`ConvolutionLinks`): a linked chain gives the same output, input
    /// gradient and parameter gradients as the same layers unlinked (NCHW between them, each ReLU
    /// on its own), with oneDNN and with im2col (which converts at its edges), on 1 and 2 workers.
    @Test func linkedConvolutionsEqualUnlinked() {
        func chain() -> Sequential {
            var rng = RandomGenerator(seed: 14)
            return Sequential([
                Conv2d(3, 16, kernel: 4, stride: 2, padding: 1, rng: &rng), ReLU(),
                Conv2d(16, 32, kernel: 4, stride: 2, padding: 1, rng: &rng), Tanh(),
                ConvTranspose2d(32, 16, kernel: 4, stride: 2, padding: 1, rng: &rng), ReLU(),
                ConvTranspose2d(16, 16, kernel: 4, stride: 2, padding: 1, rng: &rng), LeakyReLU(slope: 0.2),
                ConvTranspose2d(16, 2, kernel: 4, stride: 2, padding: 1, rng: &rng),
            ])
        }
        var rng = RandomGenerator(seed: 15)
        let x = rng.normalTensor(shape: [5, 3, 12, 8])
        let linked = chain(), unlinked = chain()
        let convolutions = linked.layers.compactMap { $0 as? ConvolutionLayer }
        #expect(convolutions.map(\.outputBlocked) == [true, true, true, true, false])
        #expect(convolutions.map(\.inputBlocked) == [false, true, true, true, true])
        #expect(convolutions.map(\.rectifiesOutput) == [true, false, true, false, false])
        #expect(convolutions.map(\.masksInputGradient) == [false, true, false, true, false])
        #expect(linked.layers.compactMap { ($0 as? ReLU)?.passesThrough } == [true, true])
        ConvolutionLinks.unlink(unlinked.layers)
        let reference = withThreads(1) { chainPasses(unlinked, .columns, input: x) }
        for algorithm in [ConvolutionAlgorithm.direct, .columns] {
            for threads in [1, 2] {
                let results = withThreads(threads) { chainPasses(linked, algorithm, input: x) }
                for (index, (one, other)) in zip(reference, results).enumerated() {
                    let scale = max(one.map(abs).max() ?? 1, 1)
                    #expect(one.count == other.count && maxDifference(one, other) < 1e-5 * scale, "array \(index), \(algorithm), \(threads) threads")
                }
            }
        }
    }
}

/// How often each image was handed to a chunk (workers record under a lock).
final class Counter: @unchecked Sendable {
    private(set) var counts: [Int]
    private let lock = NSLock()
    init(_ count: Int) { counts = Array(repeating: 0, count: count) }
    func add(_ images: Range<Int>) { lock.withLock { for i in images { counts[i] += 1 } } }
}
