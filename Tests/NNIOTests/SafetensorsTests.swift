import Foundation
import NNCore
import Testing

@testable import NNIO

/// A safetensors file from a header string and a data section.
func file(header: String, data: [UInt8]) -> [UInt8] {
    let json = Array(header.utf8)
    return (0..<8).map { UInt8(truncatingIfNeeded: json.count >> (8 * $0)) } + json + data
}

@Suite struct SafetensorsTests {
    @Test func roundTripsAndReadsReferenceLayout() throws {
        let tensors = ["b": StoredTensor(Tensor<Float>([1.5, -2])), "a": StoredTensor(try Tensor<Double>([[1, 2], [3, 4]]))]
        let bytes = Safetensors.encode(tensors: tensors, metadata: ["k": "v \"quoted\""])
        let (decoded, metadata) = try Safetensors.decode(bytes, path: "t")
        #expect(decoded == tensors && metadata == ["k": "v \"quoted\""])
        // A file laid out by hand as the reference writer does.
        let data = [Float(3), 4].flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
        let handMade = file(header: #"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: data)
        #expect(try Safetensors.decode(handMade, path: "h").tensors["x"]?.tensor(as: Float.self, name: "x", path: "h").scalars == [3, 4])
    }

    @Test(arguments: [
        ([UInt8](), "too short"),
        ([1, 0, 0, 0, 0, 0, 0], "too short"),
        (file(header: "{}", data: []).prefix(9).map { $0 } + [], "goes beyond the end"),
        ([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x7B, 0x7D], "goes beyond the end"),
        (file(header: "{not json", data: []), "not valid JSON"),
        (file(header: "[1, 2]", data: []), "not an object"),
        (file(header: #"{"__metadata__":{"a":1}}"#, data: []), "strings to strings"),
        (file(header: #"{"x":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}}"#, data: [0, 0]), "dtype F16"),
        (file(header: #"{"x":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]), "non-negative integers"),
        (file(header: #"{"x":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]), "non-negative integers"),
        (file(header: #"{"x":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]), "larger than the file"),
        (file(header: #"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,12]}}"#, data: [0, 0, 0, 0, 0, 0, 0, 0]), "outside the 8-byte data"),
        (file(header: #"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]), "needs 8 bytes"),
        (
            file(
                header: #"{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"y":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}}"#,
                data: [UInt8](repeating: 0, count: 6)), "overlaps"
        ),
        (file(header: #"{"x":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: [UInt8](repeating: 0, count: 8)), "a gap of 4 bytes"),
        (
            file(header: #"{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: [UInt8](repeating: 0, count: 6)),
            "2 bytes after the last tensor"
        ),
    ])
    func badFilesAreRejectedWithAReason(bytes: [UInt8], fragment: String) {
        #expect { try Safetensors.decode(bytes, path: "bad.safetensors") } throws: { error in
            "\(error)".hasPrefix("bad.safetensors: ") && "\(error)".contains(fragment)
        }
    }

    @Test func randomAndMutatedBytesNeverCrash() throws {
        var generator = SeededRandomGenerator(seed: 4)
        let good = Safetensors.encode(
            tensors: ModelFile.tensors(of: sampleModel(Float.self)), metadata: try ModelFile.metadata(for: sampleModel(Float.self)))
        for trial in 0..<3000 {
            var bytes = trial % 3 == 0 ? (0..<generator.nextIndex(below: 64)).map { _ in UInt8(truncatingIfNeeded: generator.next()) } : good
            if trial % 3 == 1 { bytes[generator.nextIndex(below: bytes.count)] = UInt8(truncatingIfNeeded: generator.next()) }
            if trial % 3 == 2 { bytes = Array(bytes.prefix(generator.nextIndex(below: bytes.count))) }
            if let (tensors, metadata) = try? Safetensors.decode(bytes, path: "fuzz") {
                _ = try? ModelFile.rebuild(tensors: tensors, metadata: metadata, as: Float.self, path: "fuzz")
            }
        }
    }
}
