import Dispatch
import Synchronization
import Testing

@testable import NNCore

/// Layers called as functions keep their intermediate values in pooled scratch buffers: the
/// results must not depend on who else is using the pool.
@Suite struct InferenceScratchTests {
    @Test func nestedBuffersAreDistinct() {
        InferenceScratch.withBuffer(of: Float.self, count: 8) { outer in
            outer.update(repeating: 1)
            InferenceScratch.withBuffer(of: Float.self, count: 8) { inner in
                inner.update(repeating: 2)
                #expect(inner.baseAddress != outer.baseAddress)
            }
            #expect(outer.allSatisfy { $0 == 1 })
        }
    }

    @Test func aHugeBufferIsGivenBackAfterTheCall() {
        // Uninitialised and never touched, so the allocation costs no page.
        let count = InferenceScratch.retainedBytes / MemoryLayout<Float>.stride + 1
        InferenceScratch.withBuffer(of: Float.self, count: count) { #expect($0.count == count) }
        #expect(InferenceScratch.largestPooledBuffer <= InferenceScratch.retainedBytes)
    }

    @Test func concurrentCallsGiveTheResultsOfSequentialOnes() throws {
        var generator = SeededRandomGenerator(seed: 5)
        let model = Sequential<Float>(
            Conv2D<Float, ReLU>(channels: 1, filters: 4, kernelSize: 3, padding: .same, activation: ReLU(), generator: &generator),
            Flatten(),
            Dense<Float, Tanh>(inputSize: 6 * 6 * 4, outputSize: 5, activation: Tanh(), generator: &generator))
        let inputs = try (0..<8).map { call in
            try Tensor<Float>(shape: [call + 1, 6, 6, 1], scalars: (0..<((call + 1) * 36)).map { Float(($0 * 13 + call) % 17) / 8 - 1 })
        }
        let expected = inputs.map { model($0).scalars }
        let results = Mutex<[[Float]]>(Array(repeating: [], count: inputs.count))
        DispatchQueue.concurrentPerform(iterations: inputs.count * 4) { index in
            let call = index % inputs.count
            let output = model(inputs[call]).scalars
            results.withLock { if $0[call].isEmpty || $0[call] == output { $0[call] = output } else { $0[call] = [.nan] } }
        }
        #expect(results.withLock { $0 } == expected)
    }
}
