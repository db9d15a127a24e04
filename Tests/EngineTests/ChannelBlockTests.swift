import Testing
@testable import Engine

/// The blocked layout linked convolutions pass between them (nChw8c on AVX2, nChw16c on
/// AVX-512, whichever oneDNN's kernels use here): element (n, c, p) of an [N, C, H·W] tensor sits
/// at ((n·C + ⌊c/B⌋·B)·P + p·B + c mod B).
@Suite struct ChannelBlockTests {
    let width = ChannelBlocks.width
    var shape: [Int] { [2, 2 * width, 3, 2] }

    func plainTensor() -> Tensor {
        var t = Tensor(shape: shape)
        for i in 0..<t.count { t[i] = Float(i) }
        return t
    }

    @Test func blockMatchesTheInstructionSet() {
        #expect(width == (ChannelBlocks.instructionSet.hasPrefix("avx512_core") ? 16 : 8))
    }

    @Test func convertPlacesEachElementAndRoundTrips() {
        let plain = plainTensor()
        let blocked = ChannelBlocks.convert(plain, toBlocked: true)
        let (channels, plane) = (shape[1], shape[2] * shape[3])
        for n in 0..<shape[0] {
            for c in 0..<channels {
                for p in 0..<plane {
                    let offset = (n * channels + (c / width) * width) * plane + p * width + c % width
                    #expect(blocked[offset] == plain[(n * channels + c) * plane + p])
                }
            }
        }
        #expect(ChannelBlocks.convert(blocked, toBlocked: false).scalars == plain.scalars)
    }

    @Test func biasPassesEqualTheirPlainFormulas() {
        let (batch, channels, plane) = (shape[0], shape[1], shape[2] * shape[3])
        let plain = plainTensor()
        var blocked = ChannelBlocks.convert(plain, toBlocked: true)
        let bias = (0..<channels).map { Float($0) * 0.5 - 40 }
        blocked.scalars.withUnsafeMutableBufferPointer { y in
            ChannelBlocks.addBias(bias, to: y.baseAddress!, batch: batch, channels: channels, length: plane, rectify: true)
        }
        let back = ChannelBlocks.convert(blocked, toBlocked: false)
        var sums = [Float](repeating: 0, count: channels)
        for n in 0..<batch {
            for c in 0..<channels {
                for p in 0..<plane {
                    let i = (n * channels + c) * plane + p
                    #expect(back[i] == max(plain[i] + bias[c], 0))
                    sums[c] += plain[i]
                }
            }
        }
        let gradient = ChannelBlocks.convert(plain, toBlocked: true)
        var accumulated = [Float](repeating: 1, count: channels)
        gradient.scalars.withUnsafeBufferPointer { dy in
            ChannelBlocks.accumulateBiasGradient(dy.baseAddress!, into: &accumulated, batch: batch, channels: channels, length: plane)
        }
        #expect(accumulated == sums.map { $0 + 1 })
    }
}
