import Foundation
import NNIO

/// One TensorBoard event — a wall time, a step and either the file's version line or a
/// summary of tagged values — encoded as TensorFlow's `Event` protocol buffer
/// (`tensorflow/core/util/event.proto`, `summary.proto`).
struct TensorBoardEvent {
    /// What a summary value holds.
    enum Value {
        /// A number (`simple_value`, single precision as the format keeps it).
        case scalar(Float)
        /// A histogram of values (`HistogramProto`).
        case histogram(Histogram)
    }

    /// A histogram as TensorBoard draws it: bucket `i` counts the values in
    /// (`limits[i − 1]`, `limits[i]`].
    struct Histogram {
        var min: Double, max: Double, count: Double, sum: Double, sumOfSquares: Double
        var limits: [Double], counts: [Double]

        /// `bucketCount` buckets of equal width over the finite values' range (one bucket when
        /// they are all equal); values that are not finite are left out.
        init(_ values: [Double], bucketCount: Int = 30) {
            let finite = values.filter(\.isFinite)
            let low = finite.min() ?? 0, high = finite.max() ?? 0
            (min, max, count) = (low, high, Double(finite.count))
            sum = finite.reduce(0, +)
            sumOfSquares = finite.reduce(0) { $0 + $1 * $1 }
            let buckets = high > low ? Swift.max(bucketCount, 1) : 1
            // Each part divided first: the span itself can overflow (−1e308 to 1e308).
            let width = high / Double(buckets) - low / Double(buckets)
            limits = (1...buckets).map { $0 == buckets ? high : Swift.min(low + width * Double($0), high) }
            counts = Array(repeating: 0, count: buckets)
            for value in finite {
                // (value − low) / width, in [0, buckets]: the bucket counted from 1 is its ceiling.
                let position = width > 0 ? (value / Double(buckets) - low / Double(buckets)) / width * Double(buckets) : 0
                let index = position.isFinite ? Int(Swift.min(Swift.max(position.rounded(.up), 1), Double(buckets))) - 1 : buckets - 1
                counts[index] += 1
            }
        }

        /// The `HistogramProto` message.
        var encoded: [UInt8] {
            var message = ProtocolBufferEncoder()
            message.double(1, min)
            message.double(2, max)
            message.double(3, count)
            message.double(4, sum)
            message.double(5, sumOfSquares)
            message.packedDoubles(6, limits)
            message.packedDoubles(7, counts)
            return message.bytes
        }
    }

    var wallTime: Double
    var step: Int64
    /// The `file_version` line of a file's first event; `nil` for summaries.
    var fileVersion: String?
    /// Tagged values, in order.
    var values: [(tag: String, value: Value)] = []

    /// The `Event` message.
    var encoded: [UInt8] {
        var event = ProtocolBufferEncoder()
        event.double(1, wallTime)
        event.int64(2, step)
        if let fileVersion {
            event.string(3, fileVersion)
        } else {
            var summary = ProtocolBufferEncoder()
            for (tag, value) in values {
                var entry = ProtocolBufferEncoder()
                entry.string(1, tag)
                switch value {
                case .scalar(let number): entry.float(2, number)
                case .histogram(let histogram): entry.bytes(5, histogram.encoded)
                }
                summary.bytes(1, entry.bytes)
            }
            event.bytes(5, summary.bytes)
        }
        return event.bytes
    }

    /// The event framed as a TFRecord: its length (eight bytes, little-endian), the masked
    /// CRC-32C of those eight bytes, the event, the masked CRC-32C of the event.
    var record: [UInt8] {
        let data = encoded
        var length: [UInt8] = []
        withUnsafeBytes(of: UInt64(data.count).littleEndian) { length += $0 }
        var record = length
        withUnsafeBytes(of: CRC32C.masked(length).littleEndian) { record += $0 }
        record += data
        withUnsafeBytes(of: CRC32C.masked(data).littleEndian) { record += $0 }
        return record
    }
}
