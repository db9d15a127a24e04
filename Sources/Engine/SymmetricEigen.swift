import CBLAS

/// Eigen-decomposition of a real symmetric matrix through LAPACK's `ssyevd` (divide and conquer),
/// from OpenBLAS.
public enum SymmetricEigen {
    /// Why LAPACK failed.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let info: Int32
        public var description: String { "LAPACK ssyevd failed (info \(info))" }
    }

    /// Eigenvalues in descending order and the matching unit eigenvectors.
    ///
    /// - Parameter matrix: `[n, n]` symmetric (row-major; only symmetry makes row/column order moot).
    /// - Returns: `values` `[n]` descending; `vectors` `[n, n]` with eigenvector i in row i.
    public static func decompose(_ matrix: Tensor) throws(Failure) -> (values: [Float], vectors: Tensor) {
        let n = matrix.rows
        precondition(matrix.shape == [n, n], "eigen-decomposition needs a square matrix, got \(matrix.shape)")
        guard n > 0 else { return ([], Tensor(shape: [0, 0])) }
        var a = matrix.scalars
        var w = [Float](repeating: 0, count: n)
        var jobz: CChar = 86 /* V */, uplo: CChar = 85 /* U */
        var size = Int32(n), lda = Int32(n), info: Int32 = 0
        // Workspace query first (lwork = liwork = −1), then the decomposition.
        var workQuery: Float = 0, iworkQuery: Int32 = 0, minusOne: Int32 = -1
        ssyevd_(&jobz, &uplo, &size, &a, &lda, &w, &workQuery, &minusOne, &iworkQuery, &minusOne, &info)
        guard info == 0 else { throw Failure(info: info) }
        var lwork = Int32(workQuery), liwork = iworkQuery
        var work = [Float](repeating: 0, count: Int(max(lwork, 1)))
        var iwork = [Int32](repeating: 0, count: Int(max(liwork, 1)))
        ssyevd_(&jobz, &uplo, &size, &a, &lda, &w, &work, &lwork, &iwork, &liwork, &info)
        guard info == 0 else { throw Failure(info: info) }
        // LAPACK is column-major: eigenvector j is column j of the Fortran matrix, i.e. the
        // contiguous run a[j·n ..< (j+1)·n] here. Ascending order is reversed to descending.
        var vectors = Tensor(shape: [n, n])
        for (row, j) in (0..<n).reversed().enumerated() {
            for i in 0..<n { vectors[row * n + i] = a[j * n + i] }
        }
        return (w.reversed(), vectors)
    }
}
