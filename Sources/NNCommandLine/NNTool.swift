import Foundation
import NN

/// The `nn` command: the classic neural-network workloads from the command line.
public enum NNTool {
    static let usage = """
        usage: nn <command> [options]

        commands:
          demo                      run every demo below with its defaults
          demo mazur                the 2-2-2 step-by-step backprop example
              [--iterations N] [--precision float|double] [--trace] [--json]
              --trace: every quantity of the first update, net and out to ∂E/∂w5 and ∂E/∂w1
          demo recruitment          the 2-2-2-1 recruitment network
              --variant first-sample|two-samples|full-batch|mini-batch|two-outputs
              | --strategy bgd|sgd|mini-batch [--batch-size N] [--seed N]
              [--epochs N] [--precision float|double] [--json]
          demo beans                linear regression of bean toxicity on size
              [--model w|wb] [--strategy bgd|sgd|mini-batch|fixed-step]
              [--epochs N] [--lr R | --step S] [--batch-size N] [--count N] [--seed N]
              [--json] [--plot FILE.svg] [--surface FILE.svg] [--animate FILE.svg]
          demo sin                  fit sin(x) with a 1-40-1 tanh network (the lesson's settings)
              [--layers 1,40,1] [--activation tanh] [--optimizer sgd|momentum|adam] [--lr R]
              [--batch-size N] [--epochs N] [--seed N] [--json] [--plot FILE.svg] [--animate FILE.svg]
          demo xor                  the XOR problem, 2-4-1 [--epochs N] [--json]
          inspect PATH              what a data file, data folder or model file holds
              [--format csv|idx|bmp|image-folder|fashion-mnist|model]
        \(TrainCommand.usage)
          evaluate --model FILE --data PATH   loss, accuracy and confusion matrix of a saved model
              [data options as for train] [--part test|train|all] [--plot FILE.svg] [--json]
          predict --model FILE INPUT...   a saved model's outputs (and classes) for inputs:
              numbers like 0.5,1,2, .bmp images or .csv files of rows [--json]
        \(GenerateCommand.usage)
        \(ImportCommand.usage)
        \(ExportCommand.usage)
          help                      print this text

        mazur and recruitment run in double precision unless --precision float is given;
        `nn demo` writes its plots to ./nn-output/.
        """

    /// Runs `nn` with the process's arguments and exits with its status.
    public static func main() {
        var output = StandardOutput()
        exit(run(Array(CommandLine.arguments.dropFirst()), output: &output))
    }

    /// Runs `nn` with `arguments` (without the program name) and returns the exit status:
    /// 0 on success, 1 when the work failed, 2 when the arguments are wrong.
    static func run(_ arguments: [String], output: inout some CommandOutput) -> Int32 {
        do {
            switch arguments.first {
            case "demo":
                return try DemoCommand.run(Array(arguments.dropFirst()), output: &output)
            case "inspect":
                return try InspectCommand.run(Array(arguments.dropFirst()), output: &output)
            case "train":
                return try TrainCommand.run(Array(arguments.dropFirst()), output: &output)
            case "evaluate":
                return try EvaluateCommand.run(Array(arguments.dropFirst()), output: &output)
            case "predict":
                return try PredictCommand.run(Array(arguments.dropFirst()), output: &output)
            case "generate":
                return try GenerateCommand.run(Array(arguments.dropFirst()), output: &output)
            case "import":
                return try ImportCommand.run(Array(arguments.dropFirst()), output: &output)
            case "export":
                return try ExportCommand.run(Array(arguments.dropFirst()), output: &output)
            case "help", "--help", "-h":
                output.write(usage)
                return 0
            case nil:
                throw CommandLineError("give a command: demo, train, evaluate, predict, generate, inspect, import or export (see 'nn help')")
            case let command?:
                throw CommandLineError("unknown command '\(command)' (see 'nn help')")
            }
        } catch {
            return report(error, as: "nn", to: &output)
        }
    }

    /// Writes `error` as one line starting with `name` and returns the exit status it means:
    /// 2 for wrong arguments (a ``CommandLineError``), 1 when the work failed.
    static func report(_ error: any Error, as name: String, to output: inout some CommandOutput) -> Int32 {
        output.writeError("\(name): \(error)")
        return error is CommandLineError ? 2 : 1
    }
}

extension NNTool {
    /// `nn train` as one of several processes that train one model together (data
    /// parallelism): each trains its rows of every global batch, the `reducer` combines the
    /// gradients, and process 0 alone prints progress and results and writes the model,
    /// checkpoints and logs. `--batch-size` is the global batch.
    /// - Parameters:
    ///   - arguments: `nn train`'s options, without the word `train`.
    ///   - reducer: the processes' communication (`MPIReducer` in `Distributed/`).
    ///   - programName: the name error lines start with, followed by the process's rank.
    /// - Returns: the exit status: 0 on success, 1 when the work failed, 2 when the arguments
    ///   are wrong.
    public static func train(_ arguments: [String], reducer: any GradientReducer, programName: String) -> Int32 {
        var output = StandardOutput()
        let name = "\(programName): process \(reducer.rank) of \(reducer.processCount)"
        do {
            return try TrainCommand.run(arguments, output: &output, reducer: reducer)
        } catch {
            return report(error, as: name, to: &output)
        }
    }
}
