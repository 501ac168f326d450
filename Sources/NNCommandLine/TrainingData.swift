import NN

/// Data as `nn train` and `nn evaluate` use it: loaded by format, features flattened and,
/// for images, scaled from grey levels to [0, 1]; split into training and test parts.
struct TrainingData {
    enum Format: String, CaseIterable {
        case csv, idx, imageFolder = "image-folder", fashionMNIST = "fashion-mnist", text
    }

    /// Where and how to read, and how to split.
    struct Options {
        var path: String
        var format: Format?
        /// For IDX: the label file that goes with `path`'s images.
        var labels: String?
        /// For CSV: the label column, by name or index.
        var labelColumn: String?
        var testFraction: Double?
        var trainPerClass: Int?
        var seed: UInt64 = 1
        /// What the labels are for: `nil` decides from the data (text or whole-number labels
        /// mean classes), as `--loss` otherwise says.
        var task: Task?
        /// For text: the steps of a window (`--context`), and the share of the lines held
        /// out for validation.
        var context: Int?
        var validationFraction: Double?
        /// For text: a file of validation lines of its own (then nothing is held out).
        var validationPath: String?
    }

    /// What the targets are: class indices or values to fit.
    enum Task {
        case classification, regression
    }

    var train: InMemoryDataset<Float>
    var test: InMemoryDataset<Float>?
    /// The factor applied to raw features (1/255 for images), saved with the model so that
    /// `nn predict` prepares inputs the same way.
    var inputScale: Double
    /// The shape of one sample before flattening (`[28, 28]` for Fashion-MNIST images), when
    /// it has more than one axis.
    var imageShape: [Int]? = nil
    var classNames: [String]?
    /// Whether the targets are class indices (images, text labels, IDX labels, CSV labels
    /// that are all whole numbers).
    var isClassification: Bool
    /// For a classifier, the number of classes (its output layer's size): the class names',
    /// or the largest label plus one.
    var classCount = 0
    /// What was assumed about the labels when the options did not say, for the user to read.
    var note: String?
    /// For text: the characters, the window length and the held-out lines' windows.
    var text: (vocabulary: CharacterVocabulary, context: Int, validation: InMemoryDataset<Float>)?

    static func load(_ options: Options) throws -> TrainingData {
        let format = try options.format ?? detect(options.path)
        var all: InMemoryDataset<Float>
        var test: InMemoryDataset<Float>?
        var scale = 1.0
        switch format {
        case .text:
            return try loadText(options)
        case .fashionMNIST:
            let (train, fashionTest) = try FashionMNIST.load(folder: options.path)
            all = train
            test = fashionTest
            scale = 1 / 255
        case .imageFolder:
            all = try ImageFolder.load(options.path)
            scale = 1 / 255
        case .idx:
            guard let labels = options.labels else {
                throw CommandLineError("nn train: IDX data needs --labels FILE with the label file for \(options.path)")
            }
            all = try FashionMNIST.labeledImages(images: options.path, labels: labels)
            scale = 1 / 255
        case .csv:
            var csv = CSVFile.Options()
            if let column = options.labelColumn { csv.label = Int(column).map { .index($0) } ?? .named(column) }
            all = try CSVFile.load(options.path, options: csv)
        }
        guard all.features.featureCount > 0 else {
            throw RunError("\(options.path): its samples have no features (shape \(all.featureShape))")
        }
        // The split, flattening and scaling copy the features: about four times their size at once.
        try MemoryBudget().check(
            Double(all.features.scalarCount + (test?.features.scalarCount ?? 0)) * 4 * 4,
            for: "\(options.path): holding its \(all.count) samples while preparing them", usage: false)
        let decided = try decideTask(of: all, test: test, format: format, options: options)
        if test == nil {
            if let perClass = options.trainPerClass {
                do { (all, test) = try all.firstPerClass(perClass) } catch { throw RunError("\(options.path): --train-per-class: \(error)") }
            } else {
                let fraction = options.testFraction ?? 0.2
                if fraction > 0 { (all, test) = all.randomSplit(testFraction: fraction, seed: options.seed) }
            }
        } else if options.trainPerClass != nil || options.testFraction != nil {
            throw CommandLineError("nn train: Fashion-MNIST comes with its own test set; --test-fraction and --train-per-class do not apply")
        }
        func prepare(_ data: InMemoryDataset<Float>) -> InMemoryDataset<Float> {
            let flat = data.flattened()
            return scale == 1 ? flat : flat.scalingFeatures(from: 0...(1 / scale))
        }
        let sampleShape = all.featureShape
        return TrainingData(
            train: prepare(all), test: test.map(prepare), inputScale: scale,
            imageShape: sampleShape.count > 1 ? sampleShape : nil, classNames: all.classNames,
            isClassification: decided.classification, classCount: decided.classCount, note: decided.note)
    }

    /// A character-level language-modelling task over the lines of `options.path`: the lines
    /// shuffled by the seed, a share held out for validation, the vocabulary built from the
    /// training lines; validation lines with other characters are left out, and said so.
    private static func loadText(_ options: Options) throws -> TrainingData {
        guard let context = options.context else {
            throw CommandLineError("--format text is a language-modelling task for nn train (with --context N) and nn generate")
        }
        var lines = try CharacterCorpus.lines(of: options.path)
        let trainingLines: ArraySlice<String>, validationLines: ArraySlice<String>
        if let path = options.validationPath {
            (trainingLines, validationLines) = (lines[...], try CharacterCorpus.lines(of: path)[...])
        } else {
            var generator = SeededRandomGenerator(seed: options.seed)
            generator.shuffle(&lines)
            let fraction = options.validationFraction ?? 0.1
            let held = Int((Double(lines.count) * fraction).rounded())
            guard held > 0, held < lines.count else {
                throw RunError(
                    "\(options.path): \(lines.count) line\(lines.count == 1 ? "" : "s"): a validation fraction of \(fraction) leaves no line for \(held == 0 ? "validation" : "training")"
                )
            }
            (validationLines, trainingLines) = (lines[..<held], lines[held...])
        }
        let vocabulary = CharacterVocabulary(of: trainingLines.joined())
        guard vocabulary.count <= 1 << 16 else {
            throw RunError("\(options.path): \(vocabulary.count - 1) distinct characters; a character model takes at most 65535")
        }
        let encodedTraining = trainingLines.map { (try? vocabulary.encode($0)) ?? [] }
        var encodedValidation: [[Int]] = []
        for line in validationLines {
            if let encoded = try? vocabulary.encode(line) { encodedValidation.append(encoded) }
        }
        let dropped = validationLines.count - encodedValidation.count
        guard !encodedValidation.isEmpty else {
            throw RunError("\(options.path): every validation line has characters the training lines do not have")
        }
        // Each window holds `context` ids and targets, as Float; the arrays grow to twice that.
        let windows = (encodedTraining + encodedValidation).reduce(0.0) { $0 + Double(($1.count + context) / context) }
        try MemoryBudget().check(
            windows * Double(context) * 2 * 4 * 2, for: "\(options.path): \(Int(windows)) windows of \(context) steps", usage: false)
        guard windows * Double(context) <= Double(TensorLimits.maximumScalarCount) else {
            throw RunError("\(options.path): \(Int(windows)) windows of \(context) steps are more than one tensor may hold")
        }
        var note =
            "\(options.path): \(trainingLines.count) training and \(encodedValidation.count) validation lines, \(vocabulary.count - 1) characters"
        if dropped > 0 { note += "; \(dropped) validation line\(dropped == 1 ? "" : "s") left out (characters not in the training lines)" }
        return TrainingData(
            train: CharacterCorpus.windows(of: encodedTraining, context: context), test: nil, inputScale: 1, classNames: nil,
            isClassification: false, classCount: vocabulary.count, note: note,
            text: (vocabulary, context, CharacterCorpus.windows(of: encodedValidation, context: context)))
    }

    /// Classification or regression, and for classification the number of classes, with every
    /// label checked to be a class index (scikit-learn's `type_of_target` rule: labels that are
    /// all whole numbers are classes; `--loss mse` makes them values to fit).
    private static func decideTask(of data: InMemoryDataset<Float>, test: InMemoryDataset<Float>?, format: Format, options: Options)
        throws -> (classification: Bool, classCount: Int, note: String?)
    {
        let path = options.path
        var note: String?
        if format == .csv && data.classNames == nil {
            switch options.task {
            case .regression: return (false, 0, nil)
            case nil:
                guard data.targetsAreClassIndices && (test?.targetsAreClassIndices ?? true) else { return (false, 0, nil) }
            case .classification: break
            }
        } else if options.task == .regression {
            if let names = data.classNames {
                throw CommandLineError("--loss mse: the labels of \(path) are names (\(names.prefix(3).joined(separator: ", "))…), not values to fit")
            }
            return (false, 0, nil)
        }
        let indices: [Int]
        do { indices = try data.classIndices() + (test?.classIndices() ?? []) } catch {
            throw RunError("\(path): \(error); a classifier needs class labels (give --loss mse to fit the labels as values)")
        }
        let classCount = data.classNames?.count ?? ((indices.max() ?? 0) + 1)
        guard classCount >= 2 else {
            throw RunError(
                "\(path): every label is \(indices.first ?? 0): a classifier needs at least two classes (give --loss mse to fit the labels as values)"
            )
        }
        if format == .csv && data.classNames == nil && options.task == nil {
            note =
                "\(path): the labels are whole numbers 0…\(classCount - 1): training a classifier of \(classCount) classes (give --loss mse to fit them as values)"
        }
        return (true, classCount, note)
    }

    /// The data format of `path`, by content then extension.
    /// - Throws: `CommandLineError` for a model file or a single image, which are not data sets.
    static func detect(_ path: String) throws(CommandLineError) -> Format {
        switch FileKind.detect(path) {
        case .fashionMNIST: return .fashionMNIST
        case .imageFolder: return .imageFolder
        case .idx: return .idx
        case .csv: return .csv
        case .model: throw CommandLineError("--data \(path) is a model file, not a data set (give it to nn predict or nn evaluate --model)")
        case .bmp: throw CommandLineError("--data \(path) is one image; give a folder with a sub-folder of images per class")
        }
    }
}
