import Engine
import Foundation

// `make bench`: prints measured figures; nothing here is asserted.

let sections = CommandLine.arguments.dropFirst()
if sections.isEmpty || sections.contains("engine") { EngineBench.run(); ElementwiseBench.run() }
if sections.isEmpty || sections.contains("datasets") { DatasetBench.run() }
