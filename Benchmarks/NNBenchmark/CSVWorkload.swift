import Foundation
import NN

/// (g) Loading a large numeric CSV: the 500,000 × 31 file `compare.py` writes (a label column
/// and 30 features of six decimals, 143 MB), read by `CSVFile.load` into `Float`, once per
/// process, as `nn train` and `nn inspect` read it.
enum CSVWorkload {
    static func run(_ options: BenchmarkOptions) throws -> [BenchmarkResult] {
        let start = DispatchTime.now().uptimeNanoseconds
        let data = try CSVFile.load(options.data, as: Float.self)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return [
            BenchmarkResult(
                workload: "csv",
                values: [
                    ("rows", data.count), ("columns", data.features.featureCount + 1), ("seconds", seconds),
                    ("peak_memory_mb", peakMemoryMB()),
                    ("data_mb", Double((data.features.scalarCount + data.targets.scalarCount) * 4) / 1e6),
                ])
        ]
    }
}
