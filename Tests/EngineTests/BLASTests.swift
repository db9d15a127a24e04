import Testing
@testable import Engine

/// Known-answer tests for sgemm with every combination of transposes.
@Suite struct BLASTests {
    // A = [[1, 2, 3], [4, 5, 6]] (2×3), B = [[7, 8], [9, 10], [11, 12]] (3×2).
    let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    let b = Tensor(shape: [3, 2], scalars: [7, 8, 9, 10, 11, 12])
    // A·B = [[58, 64], [139, 154]], computed by hand.
    let product: [Float] = [58, 64, 139, 154]

    @Test func plain() {
        #expect(BLAS.matmul(a, .none, b, .none).scalars == product)
        #expect(BLAS.matmul(a, .none, b, .none).shape == [2, 2])
    }

    @Test func transposedOperands() {
        let aT = Tensor(shape: [3, 2], scalars: [1, 4, 2, 5, 3, 6])
        let bT = Tensor(shape: [2, 3], scalars: [7, 9, 11, 8, 10, 12])
        #expect(BLAS.matmul(aT, .transposed, b, .none).scalars == product)
        #expect(BLAS.matmul(a, .none, bT, .transposed).scalars == product)
        #expect(BLAS.matmul(aT, .transposed, bT, .transposed).scalars == product)
        // Aᵀ·A = [[17, 22, 27], [22, 29, 36], [27, 36, 45]].
        #expect(BLAS.matmul(a, .transposed, a, .none).scalars == [17, 22, 27, 22, 29, 36, 27, 36, 45])
    }

    @Test func accumulatesWithAlphaAndBeta() {
        var c = Tensor(shape: [2, 2], scalars: [1, 1, 1, 1])
        BLAS.gemm(.none, a, .none, b, into: &c, alpha: 2, beta: 3)
        #expect(c.scalars == product.map { 2 * $0 + 3 })
    }
}
