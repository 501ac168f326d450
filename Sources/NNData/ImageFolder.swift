import Dispatch
import Foundation
import NNCore

/// A folder of images with one sub-folder per class, such as the classic handwritten
/// characters in `train/<class>/<n>.bmp`.
///
/// Classes are the sub-folders in natural order (`2` before `12`), images are a class's
/// `.bmp` files in natural order (`9.bmp` before `10.bmp`); hidden files and other files are
/// skipped. The data set's features are `[count, height, width]` grey levels in `[0, 255]`,
/// its targets the class indices, and its class names the sub-folders' names.
public enum ImageFolder {
    /// Loads every image of every class.
    /// - Throws: ``DataFileError`` naming the folder or file: no class folders, a class with
    ///   no images, an image that cannot be decoded, or one whose size differs from the first.
    public static func load<T: TensorScalar>(_ path: String, as _: T.Type = Float.self) throws(DataFileError) -> InMemoryDataset<T> {
        let classNames = try visibleEntries(of: path).filter { isFolder("\(path)/\($0)") }
        guard !classNames.isEmpty else {
            throw .inconsistent(path: path, reason: "no class sub-folders (expected <folder>/<class>/<image>.bmp)")
        }
        var files: [(path: String, label: Int)] = []
        for (label, name) in classNames.enumerated() {
            let folder = "\(path)/\(name)"
            let images = try visibleEntries(of: folder).filter { $0.lowercased().hasSuffix(".bmp") }
            guard !images.isEmpty else { throw .inconsistent(path: folder, reason: "class folder holds no .bmp images") }
            files += images.map { ("\(folder)/\($0)", label) }
        }

        let images = try decodeConcurrently(files.map(\.path))
        let (width, height) = (images[0].width, images[0].height)
        if let odd = images.indices.first(where: { images[$0].width != width || images[$0].height != height }) {
            throw .inconsistent(
                path: files[odd].path,
                reason: "image is \(images[odd].width)×\(images[odd].height), expected \(width)×\(height) like \(files[0].path)")
        }
        let scalars: [T] = flatten(images.map(\.pixels))
        let features = try tensor(shape: [images.count, height, width], scalars: scalars, path: path)
        let targets = Tensor<T>(files.map { T($0.label) })
        return try dataset(features: features, targets: targets, classNames: classNames, path: path)
    }

    /// Decodes the files on every core, keeping their order; the first failure (in file
    /// order) is reported.
    private static func decodeConcurrently(_ paths: [String]) throws(DataFileError) -> [BMPImage] {
        let chunks = Swift.min(ProcessInfo.processInfo.activeProcessorCount * 4, Swift.max(paths.count / 64, 1))
        let results = ResultSlots<BMPImage>(count: paths.count)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            for index in stride(from: chunk, to: paths.count, by: chunks) {
                results.set(index, Result { () throws(DataFileError) -> BMPImage in try BMPImage.load(paths[index]) })
            }
        }
        var images: [BMPImage] = []
        images.reserveCapacity(paths.count)
        for result in results.values {
            switch result! {
            case .success(let image): images.append(image)
            case .failure(let error): throw error
            }
        }
        return images
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func flatten<T: TensorScalar>(_ rows: [[Float]]) -> [T] {
        var scalars: [T] = []
        scalars.reserveCapacity(rows.reduce(0) { $0 + $1.count })
        for row in rows { for value in row { scalars.append(T(value)) } }
        return scalars
    }
}

/// Results written by concurrent workers, each into its own slot.
///
/// The slots are one buffer allocated up front. (Writing through
/// `Array.withUnsafeMutableBufferPointer` from several threads is not safe: that method moves
/// the array's storage out of the array while it runs, so a second caller sees an empty array.)
private final class ResultSlots<Value>: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<Result<Value, DataFileError>?>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    /// Each index is written by exactly one worker.
    func set(_ index: Int, _ result: Result<Value, DataFileError>) {
        slots[index] = result
    }

    /// The results, read after every worker has finished.
    var values: [Result<Value, DataFileError>?] { Array(slots) }
}

/// The names in a folder, hidden ones excluded, in natural order.
func visibleEntries(of path: String) throws(DataFileError) -> [String] {
    guard isFolder(path) else {
        throw .unreadable(path: path, reason: FileManager.default.fileExists(atPath: path) ? "not a folder" : "no such folder")
    }
    do {
        return NaturalOrder.sorted(try FileManager.default.contentsOfDirectory(atPath: path).filter { !$0.hasPrefix(".") })
    } catch {
        throw .unreadable(path: path, reason: "cannot list the folder")
    }
}

/// Whether `path` is a folder.
func isFolder(_ path: String) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
}

/// A data set from a loader's tensors (whose counts the loader has checked).
func dataset<T: TensorScalar>(features: Tensor<T>, targets: Tensor<T>, classNames: [String]?, path: String) throws(DataFileError)
    -> InMemoryDataset<T>
{
    do { return try InMemoryDataset(features: features, targets: targets, classNames: classNames) } catch {
        throw .inconsistent(path: path, reason: "\(error)")
    }
}
