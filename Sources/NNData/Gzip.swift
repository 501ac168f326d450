import CZlib

/// gzip decompression with the system zlib.
enum Gzip {
    /// Whether `bytes` start with the gzip signature 1f 8b.
    static func isCompressed(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// Decompresses a whole gzip stream (several concatenated members are read in turn).
    /// - Parameter limit: the most bytes the output may grow to; a stream that inflates
    ///   beyond it is rejected instead of exhausting memory.
    /// - Throws: ``DataFileError`` if the stream is corrupt, cut short, or too large.
    static func decompress(_ compressed: [UInt8], path: String, limit: Int) throws(DataFileError) -> [UInt8] {
        var stream = z_stream()
        // 16 + MAX_WBITS: expect a gzip header and trailer.
        guard inflateInit2_(&stream, 16 + MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .corruptCompression(path: path, reason: "zlib could not start")
        }
        defer { inflateEnd(&stream) }

        // The gzip trailer's size field (the output size modulo 2³²) is only a hint, and a
        // forged one must not make us allocate: deflate expands at most about 1032:1.
        let hint =
            compressed.count >= 18
            ? Int(compressed[compressed.count - 4]) | Int(compressed[compressed.count - 3]) << 8
                | Int(compressed[compressed.count - 2]) << 16 | Int(compressed[compressed.count - 1]) << 24
            : 0
        let plausible = Swift.min(hint, compressed.count * 1032)
        var output = [UInt8](repeating: 0, count: Swift.min(Swift.max(plausible, compressed.count * 2, 1024), limit))
        var produced = 0
        var consumed = 0
        while true {
            if produced == output.count {
                guard output.count < limit else {
                    throw .tooLarge(path: path, declared: "more than \(byteCount(limit)) once decompressed", limit: byteCount(limit))
                }
                output.append(contentsOf: [UInt8](repeating: 0, count: Swift.min(output.count, limit - output.count)))
            }
            let status: Int32 = compressed.withUnsafeBufferPointer { input in
                output.withUnsafeMutableBufferPointer { out in
                    stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + consumed)
                    stream.avail_in = UInt32(Swift.min(input.count - consumed, Int(UInt32.max)))
                    stream.next_out = out.baseAddress! + produced
                    stream.avail_out = UInt32(Swift.min(out.count - produced, Int(UInt32.max)))
                    let before = (stream.avail_in, stream.avail_out)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    consumed += Int(before.0 - stream.avail_in)
                    produced += Int(before.1 - stream.avail_out)
                    return status
                }
            }
            switch status {
            case Z_STREAM_END:
                // Another gzip member may follow (as `cat a.gz b.gz` makes).
                if consumed < compressed.count, compressed.count - consumed >= 2,
                    compressed[consumed] == 0x1F, compressed[consumed + 1] == 0x8B
                {
                    inflateReset(&stream)
                    continue
                }
                return Array(output[0..<produced])
            case Z_OK:
                if consumed == compressed.count && stream.avail_out > 0 {
                    throw .corruptCompression(path: path, reason: "the stream ends early, after \(produced) bytes of output")
                }
            case Z_BUF_ERROR:
                if consumed == compressed.count {
                    throw .corruptCompression(path: path, reason: "the stream ends early, after \(produced) bytes of output")
                }
            default:
                let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                throw .corruptCompression(path: path, reason: message)
            }
        }
    }
}
