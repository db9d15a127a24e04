import Engine
import Foundation

// `make bench`: prints measured figures; nothing here is asserted.
// Sections: engine, conv, datasets, plot, analysis, report, training (all by default). BENCH_EPOCHS sets the training epochs (10).
let coreType = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"].map { " (OPENBLAS_CORETYPE=\($0))" } ?? ""
print("sgemm: oneDNN, \(BLAS.threads) threads; OpenBLAS (LAPACK) kernels: \(BLAS.coreName)\(coreType)")
let sections = Set(CommandLine.arguments.dropFirst())
// As `betavae train` does: large activations stay in the heap between steps.
MemoryTuning.retainFreedMemory()
let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("betavae").path
if sections.isEmpty || sections.contains("engine") { SgemmLibraries.run(); EngineBench.run(); ElementwiseBench.run(); StepBench.run(); StepPiecesBench.run() }
if sections.isEmpty || sections.contains("conv") { ConvBench.run() }
if sections.isEmpty || sections.contains("datasets") { DatasetBench.run() }
if sections.isEmpty || sections.contains("plot") { PlotBench.run() }
if sections.isEmpty || sections.contains("analysis") { AnalysisBench.run() }
if sections.isEmpty || sections.contains("report") { ReportBench.run(binary: binary) }
if sections.isEmpty || sections.contains("training") { TrainingBench.run(binary: binary) }
