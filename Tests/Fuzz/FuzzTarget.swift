// libFuzzer entry point for swift-nn's file parsers. Built by run-fuzzer.sh with one of
// FUZZ_CSV, FUZZ_IDX or FUZZ_BMP defined; any crash, hang or sanitizer report is a bug.
// Errors are the expected outcome for most inputs and are ignored.
import NNData

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    #if FUZZ_CSV
    _ = try? CSVFile.decode(bytes, path: "fuzz.csv", as: Float.self)
    _ = try? CSVFile.decode(bytes, path: "fuzz.csv", options: .init(header: .present, label: .last), as: Double.self)
    #elseif FUZZ_IDX
    // A small limit keeps a decompression bomb from exhausting the fuzzer's memory.
    _ = try? IDXFile.decode(bytes, path: "fuzz.idx", as: Float.self, limit: 64 << 20)
    #elseif FUZZ_BMP
    _ = try? BMPImage.decode(bytes, path: "fuzz.bmp")
    #endif
    return 0
}
