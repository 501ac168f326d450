import Foundation
import NN

/// Everything the command line says about an `nn train` run, and how it is read.
struct TrainOptions {
    var data = TrainingData.Options(path: "")
    var layers: [Int]?
    /// `--layers` in the layer-list syntax (`conv 32 3x3, pool 2, flatten, dense 10`).
    var layerList: LayerList?
    /// `--layers` as given, for messages.
    var layersText: String?
    var activation = "relu"
    var loss: String?
    var optimizer = "sgd"
    var learningRate: Double?
    var weightLearningRate: Double?
    var biasLearningRate: Double?
    var batchSize: Int?   // nil: the whole data set in one batch
    var epochs = 10
    var seed: UInt64 = 1
    var targetAccuracy: Double?
    var save: String?
    var checkpoint: String?
    var checkpointEvery = 1
    var resume: String?
    var history: String?
    var reportEvery: Int?
    var json = false
    var quiet = false
    var plot: String?
    /// `--validation-fraction`: the share of the training part held out for validation.
    var validationFraction: Double?
    /// `--validation-data`: a data set of its own for validation.
    var validationData: String?
    /// `--early-stopping PATIENCE`.
    var patience: Int?
    var minDelta: Double?
    /// `--monitor`: the value early stopping, the plateau rule and `--save-best` watch.
    var monitor: String?
    var restoreBest = false
    /// `--reduce-lr-on-plateau FACTOR[,PATIENCE]`.
    var plateau: (factor: Double, patience: Int)?
    var saveBest: String?
    /// `--init`: a model file to start from.
    var initialModel: String?
    /// `--freeze`: layers (`0`, `layers.0`) or parameters (`layers.0.bias`) to keep unchanged.
    var freeze: [String] = []
    var replaceHead: Int?
    var tensorboard: String?
    var logEveryStep = false
    var animate: String?
    /// `--clip-norm`: the gradients' largest global L2 norm.
    var clipNorm: Double?

    /// Whether some validation data is scored after every epoch.
    var validates: Bool { validationFraction != nil || validationData != nil }

    /// The value the callbacks watch: `--monitor`, else `val_loss` with validation data, else `loss`.
    var monitoredName: String { monitor ?? (validates ? "val_loss" : "loss") }

    static let usage = """
          train --data PATH         train a dense or convolutional network
              [--format csv|idx|image-folder|fashion-mnist|text] [--labels FILE] [--label COLUMN]
              [--layers 784,64,10 | --layers "conv 32 3x3, pool 2, flatten, dense 128, dense 10"]
              [--context N]  (text: a character model over lines, --layers "embedding 32, lstm 128, dense V")
              [--clip-norm N]
              [--activation relu|sigmoid|tanh|leaky-relu|softplus|gelu|identity]
              [--loss mse|cross-entropy] [--optimizer sgd|momentum|adam|fixed-step] [--lr R]
              [--weight-lr R] [--bias-lr R] [--batch-size N|all] [--epochs N] [--seed N]
              [--test-fraction F | --train-per-class N] [--target-accuracy A] [--report-every K]
              [--validation-fraction F | --validation-data PATH]
              [--early-stopping PATIENCE [--min-delta D] [--restore-best]] [--monitor NAME]
              [--reduce-lr-on-plateau FACTOR[,PATIENCE]] [--save-best MODEL.safetensors]
              [--init MODEL.safetensors [--replace-head N]] [--freeze 0,1|layers.0,...]
              [--save MODEL.safetensors] [--checkpoint FILE [--checkpoint-every N]] [--resume FILE]
              [--history FILE.csv|FILE.json] [--plot FILE.svg] [--animate FILE.svg]
              [--tensorboard DIR [--log-every-step]] [--quiet] [--json]
        """

    /// Reads `nn train`'s arguments; every mistake is a ``CommandLineError`` (exit status 2)
    /// before any work.
    static func parse(_ arguments: [String]) throws(CommandLineError) -> TrainOptions {
        var reader = ArgumentReader(arguments, command: "nn train")
        var options = TrainOptions()
        options.data = try TrainCommand.dataOptions(&reader)
        options.seed = options.data.seed
        if let layers = try reader.value("--layers") {
            options.layersText = layers
            if LayerList.isLayerList(layers) {
                do { options.layerList = try LayerList(layers) } catch { throw CommandLineError("nn train: \(error.message)") }
            } else {
                options.layers = try ModelSpecification.sizes(layers)
            }
        }
        options.activation = try reader.choice("--activation", from: ModelSpecification.activations, default: "relu")!
        options.loss = try reader.choice("--loss", from: ["mse", "cross-entropy"], default: nil)
        options.optimizer = try reader.choice("--optimizer", from: ["sgd", "momentum", "adam", "fixed-step"], default: "sgd")!
        options.learningRate = try reader.positiveNumber("--lr")
        options.weightLearningRate = try reader.positiveNumber("--weight-lr")
        options.biasLearningRate = try reader.positiveNumber("--bias-lr")
        if let batch = try reader.value("--batch-size") {
            guard batch == "all" || (Int(batch) ?? 0) > 0 else {
                throw CommandLineError("nn train: --batch-size expects a positive integer or 'all', got '\(batch)'")
            }
            options.batchSize = Int(batch)
        } else {
            options.batchSize = 32
        }
        options.targetAccuracy = try reader.fraction("--target-accuracy")
        options.data.context = try reader.optionalInteger("--context", in: 1...4096)
        if let text = try reader.value("--clip-norm") {
            guard let norm = Double(text), norm.isFinite, norm > 0 else {
                throw CommandLineError("nn train: --clip-norm expects a positive number (the largest gradient norm), got '\(text)'")
            }
            options.clipNorm = norm
        }
        options.save = try reader.outputPath("--save")
        options.checkpoint = try reader.outputPath("--checkpoint")
        options.checkpointEvery = try reader.integer("--checkpoint-every", default: 1, in: 1...Int.max)
        options.resume = try reader.value("--resume")
        options.history = try reader.outputPath("--history")
        options.reportEvery = try reader.optionalInteger("--report-every", in: 1...Int.max)
        options.json = reader.flag("--json")
        options.quiet = reader.flag("--quiet")
        options.plot = try reader.outputPath("--plot")
        try parseWatching(&reader, into: &options)
        try parseFineTuning(&reader, into: &options)
        // Without training, a run only scores a model it starts from.
        let fewestEpochs = options.initialModel != nil || options.resume != nil ? 0 : 1
        options.epochs = try reader.integer("--epochs", default: 10, in: fewestEpochs...10_000_000)
        try reader.finish()
        try checkPathsExist(options)
        try checkText(&options)
        return options
    }

    /// `--format text` takes its own options and refuses those of labelled data; `--context`
    /// needs it. Text is always validated: on `--validation-data`'s lines, else on a share of
    /// the lines (a tenth unless told).
    private static func checkText(_ options: inout TrainOptions) throws(CommandLineError) {
        guard options.data.format == .text else {
            if options.data.context != nil { throw CommandLineError("nn train: --context N is the window of --format text") }
            return
        }
        let refused: [(String, Bool)] = [
            ("--labels", options.data.labels != nil), ("--label", options.data.labelColumn != nil),
            ("--test-fraction", options.data.testFraction != nil), ("--train-per-class", options.data.trainPerClass != nil),
            ("--target-accuracy", options.targetAccuracy != nil),
            ("--loss", options.loss != nil), ("--animate", options.animate != nil), ("--init", options.initialModel != nil),
            ("--layers \(options.layersText ?? "")", options.layers != nil),
        ]
        if let (option, _) = refused.first(where: \.1) {
            throw CommandLineError(
                "nn train: \(option) does not apply to --format text (a character model: --context N, --validation-fraction F, --layers \"embedding 32, lstm 128, dense V\")"
            )
        }
        options.data.context = options.data.context ?? 16
        options.data.validationPath = options.validationData
        if options.validationData == nil { options.validationFraction = options.validationFraction ?? 0.1 }
        options.data.validationFraction = options.validationFraction
    }

    /// Validation, early stopping, the plateau rule, the best model, logs and animation.
    private static func parseWatching(_ reader: inout ArgumentReader, into options: inout TrainOptions) throws(CommandLineError) {
        if let fraction = try reader.fraction("--validation-fraction") {
            guard fraction > 0 && fraction < 1 else {
                throw CommandLineError("nn train: --validation-fraction expects a number between 0 and 1 (both excluded), got \(fraction)")
            }
            options.validationFraction = fraction
        }
        options.validationData = try reader.value("--validation-data")
        if options.validationFraction != nil && options.validationData != nil {
            throw CommandLineError("nn train: give --validation-fraction or --validation-data, not both")
        }
        options.patience = try reader.optionalInteger("--early-stopping", in: 0...1_000_000)
        if let text = try reader.value("--min-delta") {
            guard let delta = Double(text), delta.isFinite, delta >= 0 else {
                throw CommandLineError("nn train: --min-delta expects a number ≥ 0, got '\(text)'")
            }
            options.minDelta = delta
        }
        options.monitor = try reader.value("--monitor")
        options.restoreBest = reader.flag("--restore-best")
        if let text = try reader.value("--reduce-lr-on-plateau") {
            let parts = text.split(separator: ",", omittingEmptySubsequences: false)
            guard (1...2).contains(parts.count), let factor = Double(parts[0]), factor > 0, factor < 1,
                let patience = parts.count == 2 ? Int(parts[1]) : 10, (0...1_000_000).contains(patience)
            else {
                throw CommandLineError(
                    "nn train: --reduce-lr-on-plateau expects FACTOR[,PATIENCE], a factor between 0 and 1 (both excluded) and a patience in 0...1000000, got '\(text)'"
                )
            }
            options.plateau = (factor, patience)
        }
        options.saveBest = try reader.outputPath("--save-best")
        if let folder = try reader.value("--tensorboard") {
            var isFolder: ObjCBool = false
            guard !folder.isEmpty else { throw CommandLineError("nn train: --tensorboard needs a folder name") }
            if FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) {
                guard isFolder.boolValue else {
                    throw CommandLineError("nn train: --tensorboard \(folder) is a file; give a folder (it is made if missing)")
                }
            } else {
                let parent = URL(fileURLWithPath: folder).deletingLastPathComponent().path
                guard FileManager.default.fileExists(atPath: parent, isDirectory: &isFolder), isFolder.boolValue else {
                    throw CommandLineError("nn train: --tensorboard \(folder): the folder \(parent) does not exist")
                }
            }
            options.tensorboard = folder
        }
        options.logEveryStep = reader.flag("--log-every-step")
        options.animate = try reader.outputPath("--animate")

        if options.logEveryStep && options.tensorboard == nil { throw CommandLineError("nn train: --log-every-step needs --tensorboard DIR") }
        if options.patience == nil && options.restoreBest { throw CommandLineError("nn train: --restore-best needs --early-stopping PATIENCE") }
        if options.minDelta != nil && options.patience == nil && options.plateau == nil {
            throw CommandLineError(
                "nn train: --min-delta is the smallest improvement --early-stopping and --reduce-lr-on-plateau count; give one of them")
        }
        if options.monitor != nil && options.patience == nil && options.plateau == nil && options.saveBest == nil {
            throw CommandLineError(
                "nn train: --monitor names the value --early-stopping, --reduce-lr-on-plateau or --save-best watch; give one of them")
        }
    }

    /// `--init`, `--freeze`, `--replace-head`.
    private static func parseFineTuning(_ reader: inout ArgumentReader, into options: inout TrainOptions) throws(CommandLineError) {
        options.initialModel = try reader.value("--init")
        if let list = try reader.value("--freeze") {
            options.freeze = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !options.freeze.isEmpty else { throw CommandLineError("nn train: --freeze expects layers such as 0,1 or layers.0, got '\(list)'") }
        }
        options.replaceHead = try reader.optionalInteger("--replace-head", in: 1...1_000_000)
        if options.replaceHead != nil && options.initialModel == nil {
            throw CommandLineError("nn train: --replace-head N replaces the last dense layer of the model given with --init MODEL")
        }
        if options.initialModel != nil && options.resume != nil {
            throw CommandLineError("nn train: give --init (start from a model) or --resume (go on from a checkpoint), not both")
        }
    }

    /// Files named on the command line must exist before any work starts (exit status 2).
    static func checkPathsExist(_ options: TrainOptions) throws(CommandLineError) {
        var named = [("--data", options.data.path)]
        if let labels = options.data.labels { named.append(("--labels", labels)) }
        if let resume = options.resume { named.append(("--resume", resume)) }
        if let model = options.initialModel { named.append(("--init", model)) }
        if let validation = options.validationData { named.append(("--validation-data", validation)) }
        for (option, path) in named where !FileManager.default.fileExists(atPath: path) {
            throw CommandLineError("nn train: \(option) \(path): no such file or folder")
        }
    }

    /// The names the run's epoch records will hold: what `--monitor` may name.
    func producedNames(classification: Bool) -> [String] {
        var names = ["loss"] + (classification ? ["accuracy"] : [])
        if validates { names += ["val_loss"] + (classification ? ["val_accuracy"] : []) }
        return names + ["learning_rate"]
    }
}
