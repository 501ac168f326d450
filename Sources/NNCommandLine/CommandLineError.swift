/// A mistake in how `nn` was called; printed as one line, exit status 2.
struct CommandLineError: Error, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
