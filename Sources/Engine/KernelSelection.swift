import CBLAS

extension BLAS {
    /// The kernel family OpenBLAS chose when it loaded (e.g. "Haswell", "SkylakeX"); it follows
    /// `OPENBLAS_CORETYPE` when that is set.
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }
}
