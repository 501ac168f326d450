// `nn-distributed`: `nn train` over several processes started by `mpirun`, each training its
// rows of every global batch, the gradients summed with MPI after every step.
import Foundation
import NNCommandLine
import NNDistributed

let usage = """
    usage: mpirun -np N nn-distributed train [--timeout SECONDS] <nn train's options>

      N processes train one model together: every process loads the same data, trains its rows
      of each global batch (--batch-size is the global batch, split as evenly as it goes), and
      the gradients are averaged over the processes after every step. Process 0 alone prints
      progress and results and writes the model, checkpoints and logs.

      --timeout SECONDS   how long one collective operation may wait for the other processes
                          before this one reports it and stops (default 300)

    Run `nn help` for nn train's options.
    """

/// The standard error stream, one line at a time.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

var arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "train":
    arguments.removeFirst()
case "help", "--help", "-h":
    print(usage)
    exit(0)
case let other:
    printError("nn-distributed: \(other.map { "unknown command '\($0)'" } ?? "give a command: train") (see 'nn-distributed help')")
    exit(2)
}

var timeout = Duration.seconds(300)
if let position = arguments.firstIndex(of: "--timeout") {
    let value = position + 1 < arguments.count ? arguments[position + 1] : ""
    guard let seconds = Double(value), seconds.isFinite, seconds >= 0.001, seconds <= 86_400 else {
        printError("nn-distributed: --timeout needs a number of seconds from 0.001 to 86400, got '\(value)'")
        exit(2)
    }
    timeout = .milliseconds(Int64((seconds * 1000).rounded()))
    arguments.removeSubrange(position..<min(position + 2, arguments.count))
}

let group: MPIProcessGroup
do {
    group = try MPIProcessGroup(timeout: timeout)
} catch {
    printError("nn-distributed: \(error)")
    exit(1)
}
if group.processCount == 1 && !arguments.contains("--quiet") {
    printError("nn-distributed: one process (start it with `mpirun -np N` to train with N)")
}

let started = DispatchTime.now().uptimeNanoseconds
let status = NNTool.train(arguments, reducer: group.reducer(), programName: "nn-distributed")
guard status == 0 else {
    // The others may be waiting for this process in a collective operation: end them too.
    group.abort(status: status)
}
if group.rank == 0 && !arguments.contains("--quiet") && group.processCount > 1 {
    let total = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
    let share = total > 0 ? 100 * group.timing.seconds / total : 0
    printError(
        "nn-distributed: \(group.processCount) processes; process 0 spent \(String(format: "%.3f", group.timing.seconds)) s of \(String(format: "%.3f", total)) s (\(String(format: "%.1f", share))%) in \(group.timing.operations) collective operations, \(group.timing.reducedBytes) bytes reduced"
    )
}
group.finish()
exit(0)
