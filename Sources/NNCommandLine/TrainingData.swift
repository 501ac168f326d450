import NN

/// Data as `nn train` and `nn evaluate` use it: loaded by format, features flattened and,
/// for images, scaled from grey levels to [0, 1]; split into training and test parts.
struct TrainingData {
    enum Format: String, CaseIterable {
        case csv, idx, imageFolder = "image-folder", fashionMNIST = "fashion-mnist"
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
    /// Whether the targets are class indices (images, text labels, IDX labels).
    var isClassification: Bool

    /// The number of classes, for a classifier's output layer.
    var classCount: Int {
        classNames?.count ?? Int((train.targets.scalars + (test?.targets.scalars ?? [])).max() ?? 0) + 1
    }

    static func load(_ options: Options) throws -> TrainingData {
        let format = options.format ?? detect(options.path)
        var all: InMemoryDataset<Float>
        var test: InMemoryDataset<Float>?
        var scale = 1.0
        switch format {
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
        let classification = format != .csv || all.classNames != nil
        if test == nil {
            if let perClass = options.trainPerClass {
                (all, test) = try all.firstPerClass(perClass)
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
        return TrainingData(train: prepare(all), test: test.map(prepare), inputScale: scale,
                            imageShape: sampleShape.count > 1 ? sampleShape : nil,
                            classNames: all.classNames, isClassification: classification)
    }

    static func detect(_ path: String) -> Format {
        switch InspectCommand.detect(path) {
        case .fashionMNIST: return .fashionMNIST
        case .imageFolder: return .imageFolder
        case .idx: return .idx
        default: return .csv
        }
    }
}
