import Foundation
import NN

/// What to run, parsed from the command line.
struct BenchmarkOptions {
    var workload: Workload
    var threads = 1
    var epochs: Int?
    var samples: Int?
    var batch: Int?
    var hidden: Int?
    var data = FashionMNIST.defaultFolder

    struct UsageError: Error, CustomStringConvertible {
        var description: String
    }

    init<Arguments: Collection<String>>(_ arguments: Arguments) throws {
        var rest = Array(arguments)
        guard let name = rest.first, let workload = Workload(rawValue: name) else {
            throw UsageError(description: "expected a workload: \(Workload.allCases.map(\.rawValue).joined(separator: " | "))")
        }
        self.workload = workload
        rest.removeFirst()
        while !rest.isEmpty {
            let option = rest.removeFirst()
            guard let value = rest.first else { throw UsageError(description: "\(option) needs a value") }
            rest.removeFirst()
            func number() throws -> Int {
                guard let number = Int(value), number > 0 else {
                    throw UsageError(description: "\(option): expected a positive integer, got '\(value)'")
                }
                return number
            }
            switch option {
            case "--threads": threads = try number()
            case "--epochs": epochs = try number()
            case "--samples": samples = try number()
            case "--batch":
                // A batch is allocated whole (the inference workload's is `batch × 784` floats).
                let size = try number()
                guard size <= 1 << 16 else { throw UsageError(description: "--batch: expected at most 65536, got \(size)") }
                batch = size
            case "--hidden": hidden = try number()
            case "--data": data = value
            default: throw UsageError(description: "unknown option \(option)")
            }
        }
    }
}

/// One measurement, printed as a JSON line.
struct BenchmarkResult {
    var workload: String
    var values: [(String, Any)]

    var json: String {
        let fields =
            [
                ("framework", "swift-nn" as Any), ("workload", workload), ("threads", KernelThreads.count),
                ("instruction_set", KernelThreads.instructionSet),
            ] + values
        return "{"
            + fields.map { key, value in
                let text: String =
                    switch value {
                    case let string as String: "\"\(string)\""
                    case let number as Double: number.isFinite ? "\(number)" : "null"
                    default: "\(value)"
                    }
                return "\"\(key)\": \(text)"
            }.joined(separator: ", ") + "}"
    }
}

/// Seconds since an arbitrary start, monotonic.
func now() -> Double {
    Double(DispatchTime.now().uptimeNanoseconds) / 1e9
}

/// The peak resident memory of this process so far, in MB.
func peakMemoryMB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024   // Linux reports kilobytes
}
