import Foundation
import NN
import Testing

@testable import NNTraining

/// Reads event files back with a decoder of its own: TFRecord framing with both CRCs
/// checked, then the `Event`, `Summary`, `Value` and `HistogramProto` fields TensorBoard uses.
struct EventFileReader {
    struct Event {
        var wallTime = 0.0, step: Int64 = 0, fileVersion: String?
        var scalars: [String: Float] = [:]
        var histograms: [String: (count: Double, min: Double, max: Double, buckets: [Double])] = [:]
    }

    enum Failure: Error { case truncated, badChecksum, badField(Int) }

    static func events(in path: String) throws -> [Event] {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        var events: [Event] = [], offset = 0
        while offset < bytes.count {
            guard offset + 12 <= bytes.count else { throw Failure.truncated }
            let header = Array(bytes[offset..<offset + 8])
            let length = Int(header.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
            guard word(bytes, offset + 8) == CRC32C.masked(header), offset + 16 + length <= bytes.count else { throw Failure.badChecksum }
            let data = Array(bytes[offset + 12..<offset + 12 + length])
            guard word(bytes, offset + 12 + length) == CRC32C.masked(data) else { throw Failure.badChecksum }
            events.append(try event(data))
            offset += 16 + length
        }
        return events
    }

    private static func word(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        bytes[at..<at + 4].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }

    /// The fields of a message: (number, wire type, varint or fixed value, length-delimited bytes).
    private static func fields(_ bytes: [UInt8]) throws -> [(number: Int, value: UInt64, bytes: [UInt8])] {
        var result: [(Int, UInt64, [UInt8])] = [], index = 0
        func varint() throws -> UInt64 {
            var value: UInt64 = 0, shift: UInt64 = 0
            while true {
                guard index < bytes.count else { throw Failure.truncated }
                let byte = bytes[index]
                index += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
        }
        while index < bytes.count {
            let key = try varint()
            let number = Int(key >> 3)
            switch key & 7 {
            case 0: result.append((number, try varint(), []))
            case 1:
                result.append((number, bytes[index..<index + 8].reversed().reduce(0) { $0 << 8 | UInt64($1) }, []))
                index += 8
            case 5:
                result.append((number, bytes[index..<index + 4].reversed().reduce(0) { $0 << 8 | UInt64($1) }, []))
                index += 4
            case 2:
                let length = Int(try varint())
                result.append((number, 0, Array(bytes[index..<index + length])))
                index += length
            default: throw Failure.badField(number)
            }
        }
        return result
    }

    private static func doubles(_ packed: [UInt8]) -> [Double] {
        stride(from: 0, to: packed.count, by: 8).map { start in
            Double(bitPattern: packed[start..<start + 8].reversed().reduce(0) { $0 << 8 | UInt64($1) })
        }
    }

    private static func event(_ bytes: [UInt8]) throws -> Event {
        var event = Event()
        for field in try fields(bytes) {
            switch field.number {
            case 1: event.wallTime = Double(bitPattern: field.value)
            case 2: event.step = Int64(bitPattern: field.value)
            case 3: event.fileVersion = String(decoding: field.bytes, as: UTF8.self)
            case 5:
                for value in try fields(field.bytes) where value.number == 1 {
                    let parts = try fields(value.bytes)
                    let tag = String(decoding: parts.first { $0.number == 1 }?.bytes ?? [], as: UTF8.self)
                    if let simple = parts.first(where: { $0.number == 2 }) { event.scalars[tag] = Float(bitPattern: UInt32(simple.value)) }
                    if let histogram = parts.first(where: { $0.number == 5 }) {
                        let h = try fields(histogram.bytes)
                        func number(_ n: Int) -> Double { Double(bitPattern: h.first { $0.number == n }?.value ?? 0) }
                        event.histograms[tag] = (number(3), number(1), number(2), doubles(h.first { $0.number == 7 }?.bytes ?? []))
                    }
                }
            default: break
            }
        }
        return event
    }
}

@Suite struct TensorBoardLogTests {
    @Test func crc32cMatchesTheStandardCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)   // RFC 3720's first vector
    }

    @Test func theEventFilesHoldTheHistorysValues() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nn-tb-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let data = try blobs(count: 60, seed: 3)
        var trainer = Trainer(
            model: classifier(seed: 1), loss: CrossEntropy(), optimizer: .gradientDescent(learningRate: 0.1),
            schedule: ShuffledBatches(size: 20), seed: 2, metrics: [Accuracy()],
            callbacks: [TensorBoardLog(directory: folder, logEveryStep: true)])
        try trainer.fit(data.subset(Array(0..<40)), epochs: 3, validation: data.subset(Array(40..<60)))

        let trainFiles = try FileManager.default.contentsOfDirectory(atPath: folder + "/train")
        #expect(trainFiles.count == 1 && trainFiles[0].hasPrefix("events.out.tfevents."))
        let train = try EventFileReader.events(in: folder + "/train/" + trainFiles[0])
        #expect(train.first?.fileVersion == "brain.Event:2")
        let epochs = train.filter { $0.scalars["epoch_loss"] != nil }
        let history = trainer.history.epochs
        #expect(epochs.map(\.step) == [1, 2, 3])
        #expect(epochs.map { $0.scalars["epoch_loss"] } == history.map { Float($0.loss) })
        #expect(epochs.map { $0.scalars["epoch_accuracy"] } == history.map { $0.metrics["accuracy"].map(Float.init) })
        #expect(epochs.map { $0.scalars["epoch_learning_rate"] } == history.map { $0.learningRate.map(Float.init) })
        // Two steps per epoch (40 samples in batches of 20), counted from the start.
        #expect(train.filter { $0.scalars["batch_loss"] != nil }.map(\.step) == [1, 2, 3, 4, 5, 6])
        // A histogram of every parameter, counting all its values.
        let histogram = try #require(epochs.last?.histograms["layers.0.weight"])
        let weights = trainer.model.namedParameters.first { $0.name == "layers.0.weight" }!.parameter.value.scalars
        #expect(histogram.count == 8 && histogram.buckets.reduce(0, +) == 8)
        #expect(histogram.min == weights.min() && histogram.max == weights.max())

        let validationFiles = try FileManager.default.contentsOfDirectory(atPath: folder + "/validation")
        let validation = try EventFileReader.events(in: folder + "/validation/" + validationFiles[0])
        #expect(validation.compactMap { $0.scalars["epoch_loss"] } == history.compactMap { $0.validationLoss.map(Float.init) })
        #expect(validation.compactMap { $0.scalars["epoch_accuracy"] } == history.compactMap { $0.validationMetrics["accuracy"].map(Float.init) })
    }

    @Test func aHistogramCountsEveryFiniteValueOnce() {
        let histogram = TensorBoardEvent.Histogram([0, 0.1, 0.5, 1, 1, .nan, 2], bucketCount: 4)
        #expect(histogram.count == 6 && histogram.min == 0 && histogram.max == 2)
        #expect(histogram.limits == [0.5, 1, 1.5, 2] && histogram.counts == [3, 2, 0, 1])
        #expect(TensorBoardEvent.Histogram([3, 3]).counts == [2])
        // A span beyond Double's range (a Double model's values may be anything finite).
        let wide = TensorBoardEvent.Histogram([-1e308, 0, 1e308], bucketCount: 2)
        #expect(wide.counts == [2, 1] && wide.limits == [0, 1e308])
    }
}
