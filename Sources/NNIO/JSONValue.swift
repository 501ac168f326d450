import Foundation

/// Any JSON value: how a layer's configuration travels inside an architecture description
/// before the registry knows which `Configuration` type to decode it as.
///
/// Whole numbers are kept exactly, as ``integer(_:)`` or ``unsignedInteger(_:)``: a `Double`
/// would round a 64-bit seed above 2⁵³, and a saved model would then differ from the trained one.
public enum JSONValue: Codable, Equatable, Sendable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A whole number in `Int64`'s range.
    case integer(Int64)
    /// A whole number above `Int64.max` within `UInt64`'s range.
    case unsignedInteger(UInt64)
    /// Any other number.
    case number(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object.
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(UInt64.self) {
            self = .unsignedInteger(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .unsignedInteger(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The JSON form of an encodable value.
    public init<T: Encodable>(encoding value: T) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: JSONFormat.encoder().encode(value))
    }

    /// Decodes this JSON as a `T`.
    public func decode<T: Decodable>(as _: T.Type) throws -> T {
        try JSONFormat.decoder().decode(T.self, from: JSONFormat.encoder().encode(self))
    }
}

/// The JSON conventions of every file and report swift-nn writes: sorted keys and snake_case
/// names, so output is deterministic and reads naturally from Python.
public enum JSONFormat {
    /// An encoder with sorted keys, unescaped slashes and snake_case keys.
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }

    /// A decoder for what ``encoder()`` writes.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }

    /// `value` as one line of JSON text. JSON has no NaN or infinity: a number that is not
    /// finite is written as `null` (as JavaScript's `JSON.stringify` does).
    public static func string<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try data(value), as: UTF8.self)
    }

    /// `value` as JSON bytes, non-finite numbers written as `null`.
    public static func data<T: Encodable>(_ value: T) throws -> Data {
        do { return try encoder().encode(value) } catch EncodingError.invalidValue(let number, _) where number is Double || number is Float {
            // Rare: encode once more with every non-finite number as a marker string no
            // report can contain (a fresh UUID), then turn the markers into nulls.
            let marker = "swift-nn non-finite number " + UUID().uuidString
            let marking = encoder()
            marking.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: marker, negativeInfinity: marker, nan: marker)
            let marked = try JSONDecoder().decode(JSONValue.self, from: marking.encode(value))
            return try encoder().encode(marked.replacingStrings(equalTo: marker, with: .null))
        }
    }
}

extension JSONValue {
    /// This value with every string equal to `text`, at any depth, replaced by `replacement`.
    func replacingStrings(equalTo text: String, with replacement: JSONValue) -> JSONValue {
        switch self {
        case .string(text): return replacement
        case .array(let values): return .array(values.map { $0.replacingStrings(equalTo: text, with: replacement) })
        case .object(let fields): return .object(fields.mapValues { $0.replacingStrings(equalTo: text, with: replacement) })
        default: return self
        }
    }
}
