import Foundation
import NN

/// A network as `--layers "conv 32 3x3, pool 2, flatten, dense 128 relu, dense 10"` describes
/// it: layers separated by commas, each a word and its settings.
///
/// | item | layer |
/// |---|---|
/// | `conv F KxK [stride S] [same\|valid\|pad P] [ACTIVATION]` (or `conv F K`) | `Conv2D`, F filters |
/// | `pool N [stride S] [same]`, `maxpool …`, `avgpool …` | `MaxPool2D` / `AvgPool2D` |
/// | `flatten` | `Flatten` |
/// | `reshape HxWxC` | `Reshape` |
/// | `dropout R` | `Dropout` (rate R, seeded from `--seed` and its position) |
/// | `batchnorm` (or `bn`) | `BatchNorm` over the last axis |
/// | `layernorm` (or `ln`) | `LayerNorm` over the last axis |
/// | `dense N [ACTIVATION]` | `Dense`, N units (on a sequence, the same weights at every step) |
/// | `embedding D` | `Embedding` of the data's ids into D values (text: the vocabulary) |
/// | `lstm H [last]`, `gru H [last]`, `rnn H [last]` | `LSTM`, `GRU`, `SimpleRNN` of H units: every step's output, or with `last` the last step's |
///
/// A `conv` or `dense` without an activation takes `--activation`, except the last layer, which
/// is linear (logits for cross-entropy, values for regression). Images arrive flattened; before
/// the first `conv` or `pool` the samples are given back their image shape (28×28 → 28×28×1).
/// Shapes are checked item by item, and a mistake names the item.
struct LayerList {
    /// One parsed item.
    enum Item: Equatable {
        case conv(filters: Int, height: Int, width: Int, stride: Int, padding: Padding, activation: String?)
        case pool(max: Bool, size: Int, stride: Int?, padding: Padding)
        case flatten
        case reshape([Int])
        case dropout(Double)
        case batchNorm
        case layerNorm
        case dense(units: Int, activation: String?)
        case embedding(dimension: Int)
        case recurrent(RecurrentKind, units: Int, returnSequences: Bool)
    }

    var items: [Item]

    /// Whether `text` is in this syntax rather than the sizes syntax (`784,64,10`).
    static func isLayerList(_ text: String) -> Bool {
        text.contains { $0.isLetter }
    }

    /// Parses the list.
    init(_ text: String) throws(CommandLineError) {
        items = []
        for (index, part) in text.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            let words = part.split(separator: " ").map { $0.lowercased() }
            func fail(_ reason: String) -> CommandLineError {
                CommandLineError("--layers item \(index + 1) '\(part.trimmingCharacters(in: .whitespaces))': \(reason)")
            }
            guard let word = words.first else { throw fail("empty (items are separated by commas)") }
            var rest = Array(words.dropFirst())
            func positive(_ text: String, _ what: String) throws(CommandLineError) -> Int {
                guard let value = Int(text), value > 0 else { throw fail("\(what) must be a positive integer, got '\(text)'") }
                return value
            }
            /// Reads `stride S`, `same`, `valid`, `pad P` and an activation, in any order.
            func options(allowActivation: Bool) throws(CommandLineError) -> (stride: Int?, padding: Padding?, activation: String?) {
                var result: (stride: Int?, padding: Padding?, activation: String?) = (nil, nil, nil)
                while let next = rest.first {
                    rest.removeFirst()
                    switch next {
                    case "stride":
                        guard let value = rest.first else { throw fail("'stride' needs a number") }
                        rest.removeFirst()
                        result.stride = try positive(value, "the stride")
                    case "same": result.padding = .same
                    case "valid": result.padding = .valid
                    case "pad":
                        guard let value = rest.first, let amount = Int(value), amount >= 0 else { throw fail("'pad' needs a number of zeros") }
                        rest.removeFirst()
                        result.padding = .zeros(amount)
                    case _ where allowActivation && ModelSpecification.activations.contains(next):
                        result.activation = next
                    default:
                        let expected =
                            allowActivation
                            ? "stride S, same, valid, pad P or an activation (\(ModelSpecification.activations.joined(separator: ", ")))"
                            : "stride S, same, valid or pad P"
                        throw fail("unexpected '\(next)'; expected \(expected)")
                    }
                }
                return result
            }
            switch word {
            case "conv", "conv2d":
                guard rest.count >= 2 else { throw fail("expected 'conv FILTERS KxK', e.g. conv 32 3x3") }
                let filters = try positive(rest.removeFirst(), "the number of filters")
                let kernel = rest.removeFirst().split(separator: "x").map(String.init)
                guard kernel.count == 1 || kernel.count == 2 else { throw fail("the kernel size is written K or HxW, e.g. 3x3") }
                let height = try positive(kernel[0], "the kernel size"), width = try positive(kernel.last!, "the kernel size")
                let settings = try options(allowActivation: true)
                items.append(
                    .conv(
                        filters: filters, height: height, width: width, stride: settings.stride ?? 1,
                        padding: settings.padding ?? .valid, activation: settings.activation))
            case "pool", "maxpool", "avgpool":
                guard !rest.isEmpty else { throw fail("expected '\(word) SIZE', e.g. \(word) 2") }
                let size = try positive(rest.removeFirst(), "the pool size")
                let settings = try options(allowActivation: false)
                if case .zeros(let amount)? = settings.padding, amount >= size {
                    throw fail("pad \(amount) must be smaller than the pool size \(size) (a window wholly in the padding has nothing to pool)")
                }
                items.append(.pool(max: word != "avgpool", size: size, stride: settings.stride, padding: settings.padding ?? .valid))
            case "flatten":
                guard rest.isEmpty else { throw fail("'flatten' takes no settings") }
                items.append(.flatten)
            case "reshape":
                guard rest.count == 1 else { throw fail("expected 'reshape HxWxC', e.g. reshape 28x28x1") }
                var shape: [Int] = []
                for dimension in rest[0].split(separator: "x") { shape.append(try positive(String(dimension), "each dimension")) }
                guard (try? TensorLimits.scalarCount(of: shape)) != nil else {
                    throw fail(
                        "a sample of \(shape.map(String.init).joined(separator: "×")) would hold more than \(TensorLimits.maximumScalarCount) values")
                }
                items.append(.reshape(shape))
            case "dropout":
                guard rest.count == 1, let rate = Double(rest[0]), rate >= 0, rate < 1 else { throw fail("expected 'dropout R' with R in [0, 1)") }
                items.append(.dropout(rate))
            case "batchnorm", "bn":
                guard rest.isEmpty else { throw fail("'\(word)' takes no settings") }
                items.append(.batchNorm)
            case "layernorm", "ln":
                guard rest.isEmpty else { throw fail("'\(word)' takes no settings") }
                items.append(.layerNorm)
            case "dense":
                guard rest.count == 1 || rest.count == 2 else { throw fail("expected 'dense UNITS [ACTIVATION]', e.g. dense 128 relu") }
                let units = try positive(rest[0], "the number of units")
                if rest.count == 2 && !ModelSpecification.activations.contains(rest[1]) {
                    throw fail("unknown activation '\(rest[1])'; expected one of \(ModelSpecification.activations.joined(separator: ", "))")
                }
                items.append(.dense(units: units, activation: rest.count == 2 ? rest[1] : nil))
            case "embedding":
                guard rest.count == 1 else { throw fail("expected 'embedding DIMENSION', e.g. embedding 32") }
                items.append(.embedding(dimension: try positive(rest[0], "the dimension")))
            case "lstm", "gru", "rnn":
                guard rest.count == 1 || (rest.count == 2 && rest[1] == "last") else {
                    throw fail("expected '\(word) UNITS [last]', e.g. \(word) 128")
                }
                let kind: RecurrentKind = word == "lstm" ? .lstm : word == "gru" ? .gru : .simple
                items.append(.recurrent(kind, units: try positive(rest[0], "the number of units"), returnSequences: rest.count == 1))
            default:
                throw fail(
                    "unknown layer '\(word)'; expected conv, pool, maxpool, avgpool, flatten, reshape, dropout, batchnorm, layernorm, dense, embedding, lstm, gru or rnn"
                )
            }
        }
    }

    /// The network for samples of `inputCount` features (images of `imageShape` flattened),
    /// weights drawn from `seed`; `activation` is the default of hidden `conv` and `dense`.
    /// Each layer's parameters are counted, and checked against `budget`, before they are
    /// allocated.
    /// - Parameters:
    ///   - inputCount: features per sample.
    ///   - imageShape: the samples' shape before flattening, for images.
    ///   - outputs: the number of outputs the data needs (per step, for a sequence).
    ///   - outputSteps: for a sequence model, the steps the output must have.
    ///   - vocabulary: for token ids, the number of ids (an `embedding` item's rows).
    ///   - activation: the default activation of hidden `conv` and `dense` items.
    ///   - seed: where the weights (and dropout masks) are drawn from.
    ///   - batch: the training batch size, for the memory check.
    ///   - budget: what the parameters and a batch's activations may take; each item is
    ///     checked before its weights are allocated.
    func build(
        inputCount: Int, imageShape: [Int]?, outputs: Int, outputSteps: Int? = nil, vocabulary: Int? = nil, activation: String,
        seed: UInt64, batch: Int = 1, budget: MemoryBudget = MemoryBudget()
    ) throws -> Sequential<Float> {
        var generator = SeededRandomGenerator(seed: seed)
        var layers: [any Layer<Float>] = []
        var shape = [inputCount]
        var parameters = 0, activationBytes = 0.0
        func describe(_ index: Int) -> String { "--layers item \(index + 1)" }
        /// Throws unless the parameters and activations counted so far fit the budget.
        func checkBudget(_ index: Int) throws {
            try budget.check(
                Double(parameters) * MemoryBudget.bytesPerTrainedParameter + activationBytes,
                for: "\(describe(index)): training the network up to it (\(parameters) parameters, batches of \(batch))")
        }
        /// Adds a layer's weights (`weightShape`) and `biases` to the count, or throws.
        func count(_ weightShape: [Int], biases: Int, _ index: Int) throws {
            guard let weights = try? TensorLimits.scalarCount(of: weightShape) else {
                throw CommandLineError(
                    "\(describe(index)): its \(weightShape.map(String.init).joined(separator: "×")) weights are more than one tensor may hold (\(TensorLimits.maximumScalarCount))"
                )
            }
            parameters += weights + biases
            try checkBudget(index)
        }
        for (index, item) in items.enumerated() {
            let isLast = index == items.count - 1
            func activationNamed(_ name: String?) throws -> any Activation {
                let chosen = name ?? (isLast ? "identity" : activation)
                return try ActivationRegistry.shared.make(TypeDescription(type: chosen, configuration: .object([:])), path: "--layers")
            }
            // Images come flattened; spatial layers get them back as height × width × channels.
            switch item {
            case .conv, .pool:
                if shape.count == 1 {
                    guard let image = imageShape, image.reduce(1, *) == shape[0], image.count == 2 || image.count == 3 else {
                        throw CommandLineError(
                            "\(describe(index)): a convolution or pooling needs images; give 'reshape HxWxC' first for \(shape[0]) features")
                    }
                    let reshape = Reshape<Float>(image.count == 2 ? image + [1] : image)
                    layers.append(reshape)
                    shape = try reshape.outputShape(forInputShape: shape)
                }
            default: break
            }
            let layer: any Layer<Float>
            switch item {
            case let .conv(filters, height, width, stride, padding, name):
                guard shape.count == 3 || shape.count == 2 else {
                    throw CommandLineError("\(describe(index)): conv needs images [height, width, channels], got samples \(shape)")
                }
                let channels = shape.count == 3 ? shape[2] : 1
                // The im2col rows of a batch can dwarf the weights: counted before either is made.
                do {
                    let (next, windowSize) = try Conv2D<Float, Identity>.outputShape(
                        forInputShape: shape, filters: filters, kernelHeight: height, kernelWidth: width, stride: stride, padding: padding)
                    let positions = next[0] * next[1]
                    activationBytes += Double(batch) * Double(positions) * Double(windowSize) * 4 * 2
                    try budget.checkTensorLimit(
                        TensorLimits.checkedProduct([positions, windowSize]) ?? Int.max, batch: batch,
                        for: "\(describe(index))'s im2col rows")
                } catch let error as TensorError {
                    throw CommandLineError("\(describe(index)): does not fit samples shaped \(shape): \(error)")
                }
                try count([height, width, channels, filters], biases: filters, index)
                layer = makeConv(
                    channels: channels, filters: filters, height: height, width: width, stride: stride,
                    padding: padding, activation: try activationNamed(name), generator: &generator)
            case let .pool(max, size, stride, padding):
                layer =
                    max
                    ? MaxPool2D<Float>(size: size, stride: stride, padding: padding) as any Layer<Float>
                    : AvgPool2D<Float>(size: size, stride: stride, padding: padding)
            case .flatten: layer = Flatten<Float>()
            case .reshape(let target): layer = Reshape<Float>(target)
            case .dropout(let rate): layer = Dropout<Float>(rate: rate, seed: seed &+ UInt64(index + 1))
            case .batchNorm:
                let features = shape.last ?? 1
                try count([features, 4], biases: 0, index)
                layer = BatchNorm<Float>(features: features)
            case .layerNorm:
                let features = shape.last ?? 1
                try count([features, 2], biases: 0, index)
                layer = LayerNorm<Float>(features: features)
            case let .dense(units, name):
                guard shape.count == 1 || (shape.count == 2 && outputSteps != nil) else {
                    throw CommandLineError("\(describe(index)): dense needs flat samples, got \(shape); put 'flatten' before it")
                }
                try count([shape[shape.count - 1], units], biases: units, index)
                layer = makeDense(inputs: shape[shape.count - 1], outputs: units, activation: try activationNamed(name), generator: &generator)
            case .embedding(let dimension):
                guard let vocabulary, shape.count == 1, index == 0 else {
                    throw CommandLineError(
                        "\(describe(index)): embedding reads token ids: it comes first, on text data (--format text)")
                }
                try count([vocabulary, dimension], biases: 0, index)
                layer = Embedding<Float>(vocabulary: vocabulary, dimension: dimension, generator: &generator)
            case let .recurrent(kind, units, returnSequences):
                guard shape.count == 2 else {
                    throw CommandLineError(
                        "\(describe(index)): \(kind) needs sequences [time, features], got samples \(shape); put 'embedding D' first for text")
                }
                // The limit model files take: bounded before the counts are multiplied.
                guard units <= 1 << 16 else {
                    throw CommandLineError("\(describe(index)): \(kind) of \(units) units is more than a model file takes (65536)")
                }
                try count([kind.gateCount * units, shape[1] + units + 2], biases: kind.stateCount * units, index)
                switch kind {
                case .lstm: layer = LSTM<Float>(inputSize: shape[1], hiddenSize: units, returnSequences: returnSequences, generator: &generator)
                case .gru: layer = GRU<Float>(inputSize: shape[1], hiddenSize: units, returnSequences: returnSequences, generator: &generator)
                case .simple:
                    layer = SimpleRNN<Float>(inputSize: shape[1], hiddenSize: units, returnSequences: returnSequences, generator: &generator)
                }
            }
            do { shape = try layer.outputShape(forInputShape: shape) } catch {
                throw CommandLineError("\(describe(index)): does not fit samples shaped \(shape): \(error)")
            }
            // Its output, the gradient flowing back and the next layer's cache of it.
            let values = TensorLimits.checkedProduct(shape) ?? Int.max
            activationBytes += Double(batch) * Double(values) * 4 * 3
            try budget.checkTensorLimit(values, batch: batch, for: "\(describe(index))'s output")
            try checkBudget(index)
            layers.append(layer)
        }
        if let outputSteps {
            guard shape == [outputSteps, outputs] else {
                throw CommandLineError(
                    "--layers: the network ends with samples shaped \(shape), but next-character prediction needs \(outputSteps) steps of \(outputs) logits (the vocabulary; end with a sequence and 'dense \(outputs)')"
                )
            }
            return Sequential(layers)
        }
        guard shape == [outputs] else {
            throw CommandLineError(
                "--layers: the network ends with samples shaped \(shape), but the data needs \(outputs) output\(outputs == 1 ? "" : "s") (end with 'dense \(outputs)')"
            )
        }
        return Sequential(layers)
    }

    private func makeConv<A: Activation>(
        channels: Int, filters: Int, height: Int, width: Int, stride: Int, padding: Padding,
        activation: A, generator: inout SeededRandomGenerator
    ) -> any Layer<Float> {
        let reluLike = activation is ReLU || activation is LeakyReLU || activation is GELU
        return Conv2D<Float, A>(
            channels: channels, filters: filters, kernelHeight: height, kernelWidth: width, stride: stride,
            padding: padding, activation: activation, weightInitializer: reluLike ? .heUniform : .glorotUniform,
            generator: &generator)
    }

    private func makeDense<A: Activation>(inputs: Int, outputs: Int, activation: A, generator: inout SeededRandomGenerator) -> any Layer<Float> {
        let reluLike = activation is ReLU || activation is LeakyReLU || activation is GELU
        return Dense<Float, A>(
            inputSize: inputs, outputSize: outputs, activation: activation,
            weightInitializer: reluLike ? .heUniform : .glorotUniform, generator: &generator)
    }
}
