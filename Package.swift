// swift-tools-version:6.0
// betavae: β-VAE training with a built-in CPU engine and Cairo-drawn HTML reports.
// Module dependency rule (../shared/DESIGN.md): no import runs back up the table
// CBLAS/CKernels/CCairo/CZlib/CGif/CCrypto → Engine → Datasets → Models → Analysis → Training → Report → betavae; Plot → Report.
import PackageDescription

// Release builds: -O everywhere, so bounds, overflow and precondition checks stay on in every
// module that touches input from outside (Datasets, Training, Report, the CLI, Engine's safetensors
// reader). The engine's hot loops run on unsafe buffer pointers and BLAS, so checks cost them
// nothing measurable: `make bench` trained the MLP at the same speed with -O as with -Ounchecked
// (figures in the README). AVX2 + FMA on x86-64 (haswell: any x86 CPU since 2013) so SIMD16
// arithmetic becomes vector instructions instead of SSE2 scalars.
#if arch(x86_64)
let kernelFlags: [CSetting] = [.unsafeFlags(["-O3", "-mavx2", "-mfma", "-fno-math-errno", "-fno-trapping-math"])]
let optimise: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"], .when(configuration: .release))]
#else
let kernelFlags: [CSetting] = [.unsafeFlags(["-O3", "-fno-math-errno", "-fno-trapping-math"])]
let optimise: [SwiftSetting] = []
#endif

let package = Package(
    name: "betavae",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "betavae", targets: ["betavae"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL", providers: [.apt(["libdnnl-dev"])]),
        .systemLibrary(name: "CCairo", path: "Sources/CCairo", pkgConfig: "cairo",
                       providers: [.apt(["libcairo2-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CGif", path: "Sources/CGif", providers: [.apt(["libgif-dev"])]),
        // Debian's serial HDF5 lives under hdf5/serial; pkg-config `hdf5` gives both paths.
        .systemLibrary(name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CMatio", path: "Sources/CMatio", pkgConfig: "matio", providers: [.apt(["libmatio-dev"])]),
        .systemLibrary(name: "CCrypto", path: "Sources/CCrypto", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CLinear", path: "Sources/CLinear", providers: [.apt(["liblinear-dev"])]),
        .target(name: "CKernels", cSettings: kernelFlags, linkerSettings: [.linkedLibrary("dnnl")]),
        .target(name: "Engine", dependencies: ["CBLAS", "CDNNL", "CKernels", "CCrypto"], swiftSettings: optimise),
        .target(name: "Datasets", dependencies: ["Engine", "CCairo", "CZlib", "CHDF5", "CMatio"], swiftSettings: optimise),
        .target(name: "Models", dependencies: ["Engine"], swiftSettings: optimise),
        .target(name: "Training", dependencies: ["Engine", "Datasets", "Models", "Analysis"], swiftSettings: optimise),
        .target(name: "Plot", dependencies: ["CCairo", "CZlib", "CGif"], swiftSettings: optimise),
        .target(name: "Analysis", dependencies: ["Engine", "Datasets", "Models", "CLinear", "CKernels"], swiftSettings: optimise),
        .target(name: "Report", dependencies: [
            "Training", "Analysis", "Plot", "Engine", "Datasets", "Models",
            .product(name: "Mustache", package: "swift-mustache"),
        ], swiftSettings: optimise),
        .executableTarget(name: "betavae", dependencies: [
            "Engine", "Datasets", "Models", "Training", "Analysis", "Report",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: optimise),
        .executableTarget(name: "bench", dependencies: ["CBLAS", "Engine", "Datasets", "Models", "Training", "Plot", "Analysis", "Report"],
                          path: "Benchmarks/bench", swiftSettings: optimise),
        .executableTarget(name: "gallery", dependencies: ["Plot"], path: "Tools/gallery"),
        .executableTarget(name: "fuzz", dependencies: ["Engine", "Datasets", "Training", "Analysis"], path: "Fuzz/Sources"),
        .testTarget(name: "EngineTests", dependencies: ["Engine"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Engine", "CHDF5", "CMatio", "CCairo"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Models", "Datasets", "Engine"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "PlotTests", dependencies: ["Plot", "CCairo"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "Analysis", "Training", "Models", "Datasets", "Engine", "Plot"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis", "Models", "Datasets", "Engine"]),
        .testTarget(name: "CLITests", dependencies: ["betavae", "Training", "Models", "Datasets", "Engine"]),
    ]
)
