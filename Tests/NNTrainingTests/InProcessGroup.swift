import Foundation
import NN

/// Processes simulated by threads in one process: every collective call waits until each
/// member has deposited its values, then hands every member all of them, in rank order.
final class InProcessGroup: @unchecked Sendable {
    let count: Int
    private let condition = NSCondition()
    private var deposits: [[Double]]
    private var result: [[Double]] = []
    private var arrived = 0
    private var generation = 0

    init(count: Int) {
        self.count = count
        deposits = Array(repeating: [], count: count)
    }

    /// Every member's values, once all have given theirs; `nil` after 30 s without them.
    func exchange(rank: Int, _ values: [Double]) -> [[Double]]? {
        condition.lock()
        defer { condition.unlock() }
        let mine = generation
        deposits[rank] = values
        arrived += 1
        if arrived == count {
            (result, arrived, generation) = (deposits, 0, generation + 1)
            condition.broadcast()
        } else {
            let deadline = Date().addingTimeInterval(30)
            while generation == mine {
                if !condition.wait(until: deadline) { return nil }
            }
        }
        return result
    }

    /// Runs `body` for every rank on its own thread and returns the results in rank order.
    func run<Result: Sendable>(_ body: @escaping @Sendable (InProcessReducer) -> Result) -> [Result] {
        let results = Results<Result>(count: count)
        let done = DispatchGroup()
        for rank in 0..<count {
            done.enter()
            let thread = Thread {
                results.set(rank, body(InProcessReducer(rank: rank, group: self)))
                done.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        done.wait()
        return results.values.map { $0! }
    }

    private final class Results<Value>: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var values: [Value?]
        init(count: Int) { values = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ value: Value) {
            lock.lock()
            values[index] = value
            lock.unlock()
        }
    }
}

/// A ``GradientReducer`` over an ``InProcessGroup``, summing in rank order in the gradients'
/// own precision, as an MPI sum of two processes does.
struct InProcessReducer: GradientReducer {
    let rank: Int
    let group: InProcessGroup
    var processCount: Int { group.count }

    private func exchange(_ values: [Double]) throws(TrainingError) -> [[Double]] {
        guard let all = group.exchange(rank: rank, values) else { throw .distributed("rank \(rank): no answer within 30 s") }
        return all
    }

    func checkAgreement(_ values: [(name: String, value: Int)]) throws(TrainingError) {
        let all = try exchange(values.map { Double($0.value) })
        for (index, named) in values.enumerated() where Set(all.map { $0[index] }).count > 1 {
            throw .distributed("the processes disagree on the \(named.name): \(all.map { "\(Int($0[index]))" }.joined(separator: ", "))")
        }
    }

    func broadcastParameters<Model: Layer>(of model: inout Model) throws(TrainingError) {
        var flat = FlatParameters<Model.Scalar>()
        flat.gather(.allValues, of: &model)
        let all = try exchange(flat.values.map(Double.init))
        flat.values = all[0].map { Model.Scalar($0) }
        flat.scatter(.allValues, into: &model)
    }

    func reduceGradients<Model: Layer>(of model: inout Model, weight: Double?, statistics: inout [Double]) throws(TrainingError) {
        var flat = FlatParameters<Model.Scalar>()
        flat.gather(.trainableGradients, of: &model, scaledBy: Model.Scalar(weight ?? 1))
        let gradientCount = flat.values.count
        let all = try exchange(flat.values.map(Double.init) + [weight ?? 0] + statistics)
        var sums = [Model.Scalar](repeating: 0, count: gradientCount)
        for member in all {
            for index in 0..<gradientCount { sums[index] += Model.Scalar(member[index]) }
        }
        flat.values = sums
        let totalWeight = all.reduce(0) { $0 + $1[gradientCount] }
        flat.scatter(.trainableGradients, into: &model, scaledBy: weight == nil || totalWeight == 0 ? 1 : 1 / Model.Scalar(totalWeight))
        for index in statistics.indices { statistics[index] = all.reduce(0) { $0 + $1[gradientCount + 1 + index] } }
    }

    func sum(_ values: inout [Double]) throws(TrainingError) {
        let all = try exchange(values)
        for index in values.indices { values[index] = all.reduce(0) { $0 + $1[index] } }
    }
}
