import Foundation

/// A seeded pseudo-random generator (xoshiro256**, Blackman & Vigna 2018) whose state is four
/// 64-bit words, so it can be saved in a checkpoint and restored exactly.
///
/// The same seed gives the same sequence on every run and machine: seeding goes through
/// SplitMix64, floats are built from the top 24 bits, normals use Box–Muller with libm's
/// `log`/`cos`/`sin` in Double.
public struct RandomGenerator: RandomNumberGenerator, Sendable, Equatable {
    /// The generator's full state; restoring it resumes the sequence exactly.
    public private(set) var state: [UInt64]

    /// A generator seeded from `seed` through SplitMix64.
    public init(seed: UInt64) {
        var x = seed
        var words = [UInt64]()
        for _ in 0..<4 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            words.append(z ^ (z >> 31))
        }
        state = words
    }

    /// A generator that continues from a saved `state` (four words, not all zero).
    public init?(state: [UInt64]) {
        guard state.count == 4, state.contains(where: { $0 != 0 }) else { return nil }
        self.state = state
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotate(state[1] &* 5, 7) &* 9
        let t = state[1] << 17
        state[2] ^= state[0]
        state[3] ^= state[1]
        state[1] ^= state[2]
        state[0] ^= state[3]
        state[2] ^= t
        state[3] = rotate(state[3], 45)
        return result
    }

    private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A Float uniform in [0, 1) with 24 random bits.
    public mutating func uniform() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// A Float uniform in [low, high).
    public mutating func uniform(_ low: Float, _ high: Float) -> Float {
        low + (high - low) * uniform()
    }

    /// A Double uniform in (0, 1]: never zero, so its logarithm is finite.
    private mutating func openUniform() -> Double {
        Double((next() >> 11) + 1) * 0x1p-53
    }

    /// One standard normal draw (Box–Muller; the pair's second value is discarded).
    public mutating func normal() -> Float {
        let radius = (-2 * Foundation.log(openUniform())).squareRoot()
        return Float(radius * Foundation.cos(2 * Double.pi * openUniform()))
    }

    /// Fills `buffer` with independent standard normal draws (Box–Muller, both values used).
    public mutating func fillNormal(_ buffer: UnsafeMutableBufferPointer<Float>) {
        var index = 0
        while index < buffer.count {
            let radius = (-2 * Foundation.log(openUniform())).squareRoot()
            let angle = 2 * Double.pi * openUniform()
            buffer[index] = Float(radius * Foundation.cos(angle))
            if index + 1 < buffer.count { buffer[index + 1] = Float(radius * Foundation.sin(angle)) }
            index += 2
        }
    }

    /// A tensor of the given shape filled with standard normal draws.
    public mutating func normalTensor(shape: [Int]) -> Tensor {
        var tensor = Tensor(shape: shape)
        tensor.scalars.withUnsafeMutableBufferPointer { fillNormal($0) }
        return tensor
    }

    /// A tensor filled with draws uniform in [low, high).
    public mutating func uniformTensor(shape: [Int], low: Float, high: Float) -> Tensor {
        var tensor = Tensor(shape: shape)
        for index in 0..<tensor.count { tensor[index] = uniform(low, high) }
        return tensor
    }

    /// `count` distinct indices drawn uniformly from `0..<population` (Floyd's algorithm: O(count)
    /// draws, whatever the population), in the order drawn.
    public mutating func sample(_ count: Int, from population: Int) -> [Int] {
        precondition(count >= 0 && count <= population, "cannot draw \(count) of \(population)")
        var chosen = Set<Int>(minimumCapacity: count), order: [Int] = []
        for j in (population - count)..<population {
            let t = Int(next() % UInt64(j + 1))
            let pick = chosen.contains(t) ? j : t
            chosen.insert(pick)
            order.append(pick)
        }
        return order
    }

    /// A uniformly random permutation of `0..<count` (Fisher–Yates).
    public mutating func permutation(_ count: Int) -> [Int] {
        var order = Array(0..<count)
        if count < 2 { return order }
        for i in stride(from: count - 1, to: 0, by: -1) {
            let j = Int(next() % UInt64(i + 1))
            order.swapAt(i, j)
        }
        return order
    }
}
