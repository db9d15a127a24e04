import Engine
import Foundation

// `make bench`: prints measured figures; nothing here is asserted.
// Sections: isa (the header lines alone), engine, conv, datasets, plot, analysis, report, training (all by default). BENCH_EPOCHS sets the training epochs (10).
let coreType = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"].map { " (OPENBLAS_CORETYPE=\($0))" } ?? ""
print("sgemm: oneDNN, \(BLAS.threads) threads; OpenBLAS (LAPACK) kernels: \(BLAS.coreName)\(coreType)")
// Figures differ between AVX-512 and AVX2 CPUs: every run says which ISA oneDNN's kernels used.
let isaCap = ProcessInfo.processInfo.environment["ONEDNN_MAX_CPU_ISA"].map { " (ONEDNN_MAX_CPU_ISA=\($0))" } ?? " (native)"
print("ISA: oneDNN kernels \(ChannelBlocks.instructionSet)\(isaCap), convolutions linked in nChw\(ChannelBlocks.width)c; CPU: \(cpuModel())")
let sections = Set(CommandLine.arguments.dropFirst())
// As `betavae train` does: large activations stay in the heap between steps.
MemoryTuning.retainFreedMemory()
let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("betavae").path
if sections.isEmpty || sections.contains("engine") { SgemmLibraries.run(); EngineBench.run(); ElementwiseBench.run(); StepBench.run(); StepPiecesBench.run() }
if sections.isEmpty || sections.contains("conv") { ConvBench.run() }
if sections.isEmpty || sections.contains("datasets") { DatasetBench.run() }
if sections.isEmpty || sections.contains("plot") { PlotBench.run() }
if sections.isEmpty || sections.contains("analysis") || sections.contains("dci") { DCIBench.run() }
if sections.isEmpty || sections.contains("analysis") { AnalysisBench.run() }
if sections.isEmpty || sections.contains("report") { ReportBench.run(binary: binary) }
if sections.isEmpty || sections.contains("training") { TrainingBench.run(binary: binary) }

/// The CPU's model name from /proc/cpuinfo ("AMD EPYC", "Intel(R) Xeon(R) …"), or "unknown".
func cpuModel() -> String {
    guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
          let colon = line.firstIndex(of: ":") else { return "unknown" }
    return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
}
