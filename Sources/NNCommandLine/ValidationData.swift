import NN

/// The validation data of `nn train`: held out of the training part (`--validation-fraction`,
/// stratified by class for a classifier) or read from a data set of its own
/// (`--validation-data`), checked to fit the training data.
enum ValidationData {
    /// Takes the validation data out of `data.train`, or loads it; `nil` without either option.
    /// - Throws: `CommandLineError` (exit status 2) for a split that leaves a class empty or
    ///   a validation path of a kind that cannot be used; `RunError` (exit status 1) for a
    ///   validation data set whose features or labels do not fit the training data.
    static func prepare(_ options: TrainOptions, data: inout TrainingData) throws -> InMemoryDataset<Float>? {
        if let text = data.text { return text.validation }   // lines held out as the text was read
        if let fraction = options.validationFraction { return try split(fraction, options: options, data: &data) }
        if let path = options.validationData { return try load(path, options: options, training: data) }
        return nil
    }

    private static func split(_ fraction: Double, options: TrainOptions, data: inout TrainingData) throws -> InMemoryDataset<Float> {
        // A seed of its own, so that the held-out samples are not tied to the test split's draw.
        let seed = options.data.seed &+ 1
        let validation: InMemoryDataset<Float>
        if data.isClassification {
            do { (data.train, validation) = try data.train.stratifiedSplit(fraction: fraction, seed: seed) } catch {
                if case .emptyClassInSplit(let index, let available, let part) = error {
                    let names = data.classNames ?? []
                    let named = index < names.count ? " (\(names[index]))" : ""
                    throw CommandLineError(
                        "nn train: --validation-fraction \(fraction) leaves class \(index)\(named), with \(available) training sample\(available == 1 ? "" : "s"), empty in the \(part) part"
                    )
                }
                throw CommandLineError("nn train: --validation-fraction: \(error)")
            }
        } else {
            (data.train, validation) = data.train.randomSplit(testFraction: fraction, seed: seed)
            guard validation.count > 0, data.train.count > 0 else {
                throw CommandLineError(
                    "nn train: --validation-fraction \(fraction) of \(data.train.count + validation.count) training samples leaves one part empty")
            }
        }
        return validation
    }

    private static func load(_ path: String, options: TrainOptions, training: TrainingData) throws -> InMemoryDataset<Float> {
        var dataOptions = TrainingData.Options(path: path)
        dataOptions.labelColumn = options.data.labelColumn
        dataOptions.task = training.isClassification ? .classification : .regression
        dataOptions.testFraction = 0
        if try TrainingData.detect(path) == .fashionMNIST {
            throw CommandLineError(
                "nn train: --validation-data \(path) is a Fashion-MNIST folder, which has a training and a test set; give --validation-fraction F")
        }
        let loaded: TrainingData
        do { loaded = try TrainingData.load(dataOptions) } catch let error as CommandLineError {
            throw CommandLineError("nn train: --validation-data \(path): \(error.message.replacingOccurrences(of: "nn train: ", with: ""))")
        }
        let validation = loaded.train
        let width = training.train.features.featureCount
        guard validation.features.featureCount == width else {
            throw RunError(
                "nn train: --validation-data \(path) has \(validation.features.featureCount) features per sample, the training data \(width)")
        }
        guard loaded.inputScale == training.inputScale else {
            throw RunError(
                "nn train: --validation-data \(path) is scaled by \(loaded.inputScale), the training data by \(training.inputScale)")
        }
        if training.isClassification {
            if let names = training.classNames, loaded.classNames != names {
                throw RunError(
                    "nn train: --validation-data \(path) has the classes \((loaded.classNames ?? []).joined(separator: ", ")), the training data \(names.joined(separator: ", "))"
                )
            }
            if loaded.classCount > training.classCount {
                throw RunError(
                    "nn train: --validation-data \(path) has labels up to \(loaded.classCount - 1), the training data's classes are 0…\(training.classCount - 1)"
                )
            }
        } else if validation.targets.featureCount != training.train.targets.featureCount {
            throw RunError(
                "nn train: --validation-data \(path) has \(validation.targets.featureCount) values to fit per sample, the training data \(training.train.targets.featureCount)"
            )
        }
        return validation
    }
}
