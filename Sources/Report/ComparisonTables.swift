import Analysis
import Foundation
import Plot

/// The comparison's table of settings: per setting its seed count and every number as the mean ±
/// sample standard deviation over its seeds.
enum ComparisonTables {
    /// The likelihood columns every run has, then each score all runs have (`SeedFigures.present`).
    static func columns(_ runs: [RunData]) -> [(title: String, digits: Int, value: (EvaluationResult) -> Double?)] {
        let likelihood: [(String, Int, (EvaluationResult) -> Double?)] = [
            ("test NELBO", 2, { $0.test.nelbo }), ("IWAE NLL", 2, { $0.test.iwaeNLL }), ("recon", 2, { $0.test.recon }), ("KL", 2, { $0.test.kl }),
        ]
        return likelihood + SeedFigures.present(runs).map { ($0.title, $0.digits, $0.value) }
    }

    static func settingsHeader(_ runs: [RunData]) -> [[String: String]] {
        (["setting", "runs"] + columns(runs).map(\.title)).map { ["text": $0] }
    }

    static func settingsRows(_ runs: [RunData], groups: [SettingGroup]) -> [[String: Any]] {
        let columns = columns(runs)
        return groups.map { group in
            let cells = columns.map { column in
                ["text": SettingGroups.meanSD(group.members.compactMap { column.value(runs[$0].evaluation) }, digits: column.digits)]
            }
            return ["label": group.label, "count": "\(group.members.count)", "swatch": hex(group.color), "dashed": group.style > 0,
                    "cells": cells] as [String: Any]
        }
    }

    /// `#rrggbb` for the page's colour swatches.
    static func hex(_ color: Color) -> String {
        String(format: "#%02x%02x%02x", Int((color.red * 255).rounded()), Int((color.green * 255).rounded()), Int((color.blue * 255).rounded()))
    }
}
