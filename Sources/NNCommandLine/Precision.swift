/// The scalar type a demo runs in.
enum Precision: String, CaseIterable {
    case float, double
}
