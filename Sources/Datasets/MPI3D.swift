/// MPI3D (Gondal et al. 2019, "On the Transfer of Inductive Bias from Simulation to the Real
/// World"): a robot arm holding an object, 1,036,800 images of 64×64×3 in three renderings —
/// `mpi3d_toy.npz`, `mpi3d_realistic.npz`, `mpi3d_real.npz` — each an `.npz` with one member,
/// `images` [1036800, 64, 64, 3] uint8, in the order of the factor grid below (last factor fastest).
/// The pixels are read in place, batch by batch (`FileGridSource`): MPI3D-real's 12.7 GB never
/// enter memory.
public enum MPI3D {
    /// Factor names and class counts as the publishers list them (rr-learning/disentanglement_dataset).
    public static let names = ["object_color", "object_shape", "object_size", "camera_height", "background_color",
                               "horizontal_axis", "vertical_axis"]
    public static let sizes = [6, 6, 2, 3, 3, 40, 40]
    public static let count = sizes.reduce(1, *)
    /// The object's shape labels the images.
    public static let labelFactor = 1

    /// The three renderings: dataset name → file name.
    public static let variants = [("mpi3d-toy", "mpi3d_toy.npz"), ("mpi3d-realistic", "mpi3d_realistic.npz"), ("mpi3d-real", "mpi3d_real.npz")]
    public static let hint = "Download it from https://github.com/rr-learning/disentanglement_dataset (the .npz of 1,036,800 64×64 images) into --data-dir."

    /// The source at `path`, after checking the member's dtype and shape; the images stay in the file.
    public static func source(path: String) throws(DatasetError) -> FileGridSource {
        let member = try NPZMember(path: path, array: "images", hint: hint, limit: 1 << 40)
        let expected = [count, 64, 64, 3]
        guard member.header.elementSize == 1, member.header.descr.hasSuffix("u1"), member.header.shape == expected else {
            throw .invalidHeader(path: path, reason: "member images.npy is \(member.header.descr) \(NPY.shapeText(member.header.shape)); "
                                 + "MPI3D's is |u1 \(NPY.shapeText(expected))")
        }
        return FileGridSource(file: member.file, offset: member.dataOffset, factors: table, imageShape: [3, 64, 64], labelFactor: labelFactor)
    }

    /// The factor values are the class numbers (the publishers give no physical units).
    public static let table = FactorTable(names: names, sizes: sizes, values: sizes.map { (0..<$0).map(Float.init) })
}
