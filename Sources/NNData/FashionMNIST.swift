import Foundation
import NNCore

/// Fashion-MNIST (Zalando): 60,000 training and 10,000 test images of 28×28 grey levels in
/// ten classes, as four IDX files, plain or `.gz`.
public enum FashionMNIST {
    /// Where Debian's `dataset-fashion-mnist` package installs the files.
    public static let defaultFolder = "/usr/share/datasets/fashion-mnist"

    /// The ten classes, by label.
    public static let classNames = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]

    /// The files' base names (each may also end in `.gz`).
    public static let fileNames = (
        trainImages: "train-images-idx3-ubyte", trainLabels: "train-labels-idx1-ubyte",
        testImages: "t10k-images-idx3-ubyte", testLabels: "t10k-labels-idx1-ubyte"
    )

    /// Loads the training and test sets: features `[n, 28, 28]` in `[0, 255]`, targets the labels.
    /// - Throws: ``DataFileError/missing(path:hint:)`` saying how to get the files when they are
    ///   not there, or the IDX loader's errors.
    public static func load<T: TensorScalar>(folder: String = defaultFolder, as _: T.Type = Float.self) throws(DataFileError)
        -> (train: InMemoryDataset<T>, test: InMemoryDataset<T>)
    {
        let names = fileNames
        let train = try labeledImages(images: try find(names.trainImages, in: folder), labels: try find(names.trainLabels, in: folder), as: T.self)
        let test = try labeledImages(images: try find(names.testImages, in: folder), labels: try find(names.testLabels, in: folder), as: T.self)
        return (train, test)
    }

    /// The path of `name` or `name.gz` in `folder`.
    /// - Throws: ``DataFileError/missing(path:hint:)`` saying how to get the files.
    public static func find(_ name: String, in folder: String) throws(DataFileError) -> String {
        for candidate in ["\(folder)/\(name).gz", "\(folder)/\(name)"] where FileManager.default.fileExists(atPath: candidate) {
            return candidate
        }
        throw .missing(
            path: folder,
            hint: """
                Fashion-MNIST not found: expected \(name)[.gz] and its three companions here. \
                Install Debian's package (apt-get install dataset-fashion-mnist, which puts them in \(defaultFolder)) \
                or give the folder that holds the four IDX files
                """)
    }

    /// An IDX image file and its IDX label file as one classification data set.
    public static func labeledImages<T: TensorScalar>(images: String, labels: String, as _: T.Type = Float.self)
        throws(DataFileError) -> InMemoryDataset<T>
    {
        let features = try IDXFile.load(images, as: T.self).tensor
        let labelTensor = try IDXFile.load(labels, as: T.self).tensor
        guard features.rank >= 2 else {
            throw .inconsistent(path: images, reason: "expected images of shape [count, height, width], found \(features.shape)")
        }
        guard labelTensor.rank == 1, labelTensor.scalarCount == features.sampleCount else {
            throw .inconsistent(path: labels, reason: "\(labelTensor.shape) labels for \(features.sampleCount) images in \(images)")
        }
        var data = try dataset(features: features, targets: labelTensor, classNames: nil, path: images)
        let classCount: Int
        do { classCount = (try data.classIndices().max() ?? 0) + 1 } catch {
            if case .invalidClassIndex(let sample, let value, let limit) = error {
                throw .malformed(
                    path: labels, position: "label \(sample + 1)", reason: "\(value) is not a class index (a whole number in 0..<\(limit))")
            }
            throw .inconsistent(path: labels, reason: "\(error)")
        }
        if classCount <= classNames.count && features.shape.dropFirst() == [28, 28] { data.classNames = classNames }
        return data
    }
}
