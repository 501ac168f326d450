import CMPI

/// An MPI operation that failed, with MPI's own words for why.
public struct MPIError: Error, CustomStringConvertible, Sendable {
    /// What failed and why.
    public let description: String

    /// An error saying `description`.
    public init(_ description: String) {
        self.description = description
    }

    /// Throws unless `code` is `MPI_SUCCESS`.
    /// - Parameters:
    ///   - code: what the MPI function returned.
    ///   - operation: the function's name, for the message.
    static func check(_ code: Int32, _ operation: String) throws(MPIError) {
        guard code != nn_mpi_success() else { return }
        var text = [CChar](repeating: 0, count: Int(nn_mpi_max_error_string()) + 1)
        var length: Int32 = 0
        MPI_Error_string(code, &text, &length)
        let reason = String(decoding: text.prefix(Int(max(0, min(length, Int32(text.count - 1))))).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        throw MPIError("\(operation) failed: \(reason) (another process may have stopped)")
    }
}
