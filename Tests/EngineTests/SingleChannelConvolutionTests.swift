import Testing
@testable import Engine

/// The engine's one-channel kernels (`SingleChannelConvolution`): each pass, and the fused weight
/// and ∂x pass of the transposed layer, against its formula
/// written out as loops, at geometries that exercise the unrolled 4×4 stride-2 path, the generic
/// tiles (1, 2, 3 and 4 channel groups; kernels of 2, 3 and 5) and edge positions whose windows
/// leave the image. The layers that use them are checked against im2col (ParallelComputationTests)
/// and by finite differences (LayerGradientTests) below.
@Suite struct SingleChannelConvolutionTests {
    /// (height, width, channels, kernel, stride, padding)
    static let geometries = [(10, 8, 32, 4, 2, 1), (7, 9, 8, 3, 1, 1), (11, 13, 24, 5, 3, 2), (6, 6, 16, 2, 2, 0), (9, 7, 16, 4, 2, 1)]

    /// Element (n, c, oh, ow) of an nChw8c tensor of `channels` × `plane` positions per image.
    static func blocked(_ n: Int, _ c: Int, _ position: Int, channels: Int, plane: Int) -> Int {
        (n * channels + (c / 8) * 8) * plane + position * 8 + c % 8
    }

    @Test(arguments: geometries)
    func passesEqualTheirFormulas(_ sizes: (Int, Int, Int, Int, Int, Int)) {
        let (height, width, channels, k, s, p) = sizes
        let g = ConvGeometry(channels: 1, height: height, width: width, kernel: k, stride: s, padding: p)
        let kernels = SingleChannelConvolution(image: g, channels: channels)
        let (batch, plane) = (3, g.outHeight * g.outWidth)
        var rng = RandomGenerator(seed: UInt64(height * 100 + channels))
        let image = rng.normalTensor(shape: [batch, height, width])
        let tensor = rng.normalTensor(shape: [batch, channels, g.outHeight, g.outWidth])
        let mask = rng.normalTensor(shape: [batch, channels, g.outHeight, g.outWidth])
        let weight = rng.normalTensor(shape: [channels, k, k]), bias = rng.normalTensor(shape: [channels])
        // The image pixel window position `position` sees at tap (kh, kw), 0 outside the image.
        func pixel(_ n: Int, _ position: Int, _ kh: Int, _ kw: Int) -> Float {
            let (y, x) = (position / g.outWidth * s - p + kh, position % g.outWidth * s - p + kw)
            return y >= 0 && y < height && x >= 0 && x < width ? image[(n * height + y) * width + x] : 0
        }
        var scratch = [Float](repeating: .nan, count: kernels.scratchFloats)
        var spread = Tensor(shape: tensor.shape), gathered = Tensor(shape: image.shape)
        var weightGradient = Tensor(shape: weight.shape, repeating: 0.5), biasGradient = Tensor(shape: [channels], repeating: -1)
        var fusedSpread = Tensor(shape: tensor.shape), fusedWeights = Tensor(shape: weight.shape, repeating: 0.5)
        let gatherBias: [Float] = [0.25]
        image.scalars.withUnsafeBufferPointer { i in
            tensor.scalars.withUnsafeBufferPointer { t in
                mask.scalars.withUnsafeBufferPointer { m in
                    weight.scalars.withUnsafeBufferPointer { w in
                        bias.scalars.withUnsafeBufferPointer { b in
                            scratch.withUnsafeMutableBufferPointer { scratch in
                                spread.scalars.withUnsafeMutableBufferPointer { out in
                                    kernels.spread(i.baseAddress!, batch: batch, weight: w.baseAddress!, bias: b.baseAddress!, rectify: true,
                                                   mask: m.baseAddress!, into: out.baseAddress!, scratch: scratch.baseAddress!)
                                }
                                gathered.scalars.withUnsafeMutableBufferPointer { out in
                                    kernels.gather(t.baseAddress!, batch: batch, weight: w.baseAddress!, bias: gatherBias,
                                                   into: out.baseAddress!, scratch: scratch.baseAddress!)
                                }
                                weightGradient.scalars.withUnsafeMutableBufferPointer { dw in
                                    biasGradient.scalars.withUnsafeMutableBufferPointer { db in
                                        kernels.weights(image: i.baseAddress!, tensor: t.baseAddress!, batch: batch, addingTo: dw.baseAddress!,
                                                        biasGradient: db.baseAddress!, scratch: scratch.baseAddress!)
                                    }
                                }
                                fusedSpread.scalars.withUnsafeMutableBufferPointer { out in
                                    fusedWeights.scalars.withUnsafeMutableBufferPointer { dw in
                                        kernels.weightsAndSpread(image: i.baseAddress!, tensor: t.baseAddress!, batch: batch, addingTo: dw.baseAddress!,
                                                                 weight: w.baseAddress!, masked: true, into: out.baseAddress!,
                                                                 scratch: scratch.baseAddress!)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        var expectedImage = [Float](repeating: 0.25, count: image.count)
        var expectedWeights = [Float](repeating: 0.5, count: weight.count), expectedBias = [Float](repeating: -1, count: channels)
        var spreadError: Float = 0, fusedError: Float = 0
        for n in 0..<batch {
            for c in 0..<channels {
                for position in 0..<plane {
                    let at = Self.blocked(n, c, position, channels: channels, plane: plane)
                    var sum = bias[c]
                    for kh in 0..<k {
                        for kw in 0..<k {
                            sum += weight[(c * k + kh) * k + kw] * pixel(n, position, kh, kw)
                            expectedWeights[(c * k + kh) * k + kw] += tensor[at] * pixel(n, position, kh, kw)
                            let (y, x) = (position / g.outWidth * s - p + kh, position % g.outWidth * s - p + kw)
                            if y >= 0 && y < height && x >= 0 && x < width {
                                expectedImage[(n * height + y) * width + x] += weight[(c * k + kh) * k + kw] * tensor[at]
                            }
                        }
                    }
                    expectedBias[c] += tensor[at]
                    let expected = mask[at] > 0 ? max(sum, 0) : 0
                    spreadError = max(spreadError, abs(spread[at] - expected))
                    // The fused pass: no bias, no ReLU, the tensor itself as the mask.
                    let unmasked = sum - bias[c]
                    fusedError = max(fusedError, abs(fusedSpread[at] - (tensor[at] > 0 ? unmasked : 0)))
                }
            }
        }
        #expect(spreadError < 1e-4, "spread")
        #expect(maxDifference(gathered.scalars, expectedImage) < 1e-4, "gather")
        #expect(maxDifference(weightGradient.scalars, expectedWeights) < 1e-3, "weights")
        #expect(maxDifference(biasGradient.scalars, expectedBias) < 1e-3, "bias")
        #expect(fusedError < 1e-4, "fused spread")
        #expect(maxDifference(fusedWeights.scalars, expectedWeights) < 1e-3, "fused weights")
        // The mask and the ReLU both zeroed some outputs, and left others.
        #expect(spread.scalars.filter { $0 == 0 }.count > spread.count / 2 && spread.scalars.contains { $0 > 0 })
    }

    func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count)
        return zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }
}

extension ParallelComputationTests {
    /// A chain whose ends have one channel, linked (nChw8c inside on AVX2, so the one-channel
    /// layers run on the engine's kernels, the ReLU before the last fused into its ∂x), gives the
    /// outputs and gradients of the same layers unlinked on im2col, on 1 and 2 workers.
    @Test(arguments: [(4, 2, 1, 0, 16), (3, 1, 1, 0, 8), (5, 3, 2, 2, 24)])
    func linkedSingleChannelLayersEqualIm2col(_ sizes: (Int, Int, Int, Int, Int)) {
        let (k, s, p, outputPadding, channels) = sizes
        func chain() -> Sequential {
            var rng = RandomGenerator(seed: 31)
            return Sequential([
                Conv2d(1, channels, kernel: k, stride: s, padding: p, rng: &rng), ReLU(),
                Conv2d(channels, channels, kernel: 3, stride: 1, padding: 1, rng: &rng), ReLU(),
                ConvTranspose2d(channels, 1, kernel: k, stride: s, padding: p, outputPadding: outputPadding, rng: &rng),
            ])
        }
        var rng = RandomGenerator(seed: 32)
        let x = rng.normalTensor(shape: [5, 1, 14, 11])
        let linked = chain(), unlinked = chain()
        ConvolutionLinks.unlink(unlinked.layers)
        let reference = withThreads(1) { chainPasses(unlinked, .columns, input: x) }
        for threads in [1, 2] {
            let results = withThreads(threads) { chainPasses(linked, .direct, input: x) }
            let ends = [linked.layers[0], linked.layers[4]].map { ($0 as! ConvolutionLayer).lastPassOwn }
            #expect(ends == [ChannelBlocks.width == 8, ChannelBlocks.width == 8], "the engine's kernels run where nChw8c is linked")
            for (index, (one, other)) in zip(reference, results).enumerated() {
                let scale = max(one.map(abs).max() ?? 1, 1)
                #expect(one.count == other.count && maxDifference(one, other) < 1e-5 * scale, "array \(index), \(threads) threads")
            }
        }
    }
}

extension LayerGradientTests {
    /// Finite differences through a linked one-channel chain (Tanh between, so linked without a
    /// fused ReLU): every parameter's and the input's gradient.
    @Test func linkedSingleChannelConvolutions() {
        var rng = RandomGenerator(seed: 33)
        let net = Sequential([
            Conv2d(1, 8, kernel: 4, stride: 2, padding: 1, rng: &rng), Tanh(),
            ConvTranspose2d(8, 1, kernel: 4, stride: 2, padding: 1, rng: &rng),
        ])
        expectAccurate(net, randomInput([2, 1, 8, 6]), check: GradientCheck(eps: 1e-2, tolerance: 5e-3))
        #expect((net.layers[2] as! ConvolutionLayer).lastPassOwn == (ChannelBlocks.width == 8))
    }
}
