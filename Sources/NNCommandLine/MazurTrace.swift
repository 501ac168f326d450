import NN

/// Every intermediate quantity of the 2-2-2 example's first update, as the classic write-up
/// walks through them: the forward pass unit by unit, then the chain rule for w5 (an output
/// weight) and for w1 (a hidden weight). `nn demo mazur --trace` prints it.
///
/// Each number comes from the library's own pieces, not from a formula written again here:
/// nets from a `Dense` layer with the ``Identity`` activation on the same parameters, outputs
/// from the `Dense` layers with ``Sigmoid``, ∂E/∂out from the loss's gradient, ∂out/∂net from
/// ``Sigmoid``'s derivative, ∂E/∂w and ∂E/∂out_h from the layers' backward pass, and the new
/// weights from one step of the trainer.
struct MazurTrace: Encodable {
    var netH1: Double, outH1: Double, netH2: Double, outH2: Double
    var netO1: Double, outO1: Double, netO2: Double, outO2: Double
    var errorO1: Double, errorO2: Double, errorTotal: Double
    /// The output weight w5 (h1 → o1).
    var dErrorDOutO1: Double, dOutO1DNetO1: Double, deltaO1: Double, dNetO1DW5: Double, dErrorDW5: Double, w5AfterUpdate: Double
    /// The hidden weight w1 (i1 → h1): its error reaches h1 through o1 and o2.
    var dErrorO1DOutH1: Double, dErrorO2DOutH1: Double, dErrorDOutH1: Double
    var dOutH1DNetH1: Double, dNetH1DW1: Double, dErrorDW1: Double, w1AfterUpdate: Double

    // Spelled out, because the encoder's snake_case would run `DW5` together into `dw5`.
    private enum CodingKeys: String, CodingKey {
        case netH1 = "net_h1", outH1 = "out_h1", netH2 = "net_h2", outH2 = "out_h2"
        case netO1 = "net_o1", outO1 = "out_o1", netO2 = "net_o2", outO2 = "out_o2"
        case errorO1 = "e_o1", errorO2 = "e_o2", errorTotal = "e_total"
        case dErrorDOutO1 = "d_e_total_d_out_o1", dOutO1DNetO1 = "d_out_o1_d_net_o1", deltaO1 = "d_e_total_d_net_o1"
        case dNetO1DW5 = "d_net_o1_d_w5"
        case dErrorDW5 = "d_e_total_d_w5", w5AfterUpdate = "w5_after_update"
        case dErrorO1DOutH1 = "d_e_o1_d_out_h1", dErrorO2DOutH1 = "d_e_o2_d_out_h1", dErrorDOutH1 = "d_e_total_d_out_h1"
        case dOutH1DNetH1 = "d_out_h1_d_net_h1", dNetH1DW1 = "d_net_h1_d_w1", dErrorDW1 = "d_e_total_d_w1"
        case w1AfterUpdate = "w1_after_update"
    }

    /// The walk in `T`.
    /// - Parameters:
    ///   - weightsAfterFirstUpdate: w1 … w8 after the trainer's first step (``MazurExample/run(_:iterations:)``).
    static func make<T: TensorScalar>(_: T.Type, weightsAfterFirstUpdate: [String: Double]) throws -> MazurTrace {
        let w = MazurExample.initialWeights.map { T($0) }
        let hiddenWeight = try Tensor([[w[0], w[2]], [w[1], w[3]]])
        let outputWeight = try Tensor([[w[4], w[6]], [w[5], w[7]]])
        let hiddenBias = Tensor([T(MazurExample.hiddenBias), T(MazurExample.hiddenBias)])
        let outputBias = Tensor([T(MazurExample.outputBias), T(MazurExample.outputBias)])
        var hidden = try Dense(weight: hiddenWeight, bias: hiddenBias, activation: Sigmoid())
        var output = try Dense(weight: outputWeight, bias: outputBias, activation: Sigmoid())
        let hiddenNet = try Dense(weight: hiddenWeight, bias: hiddenBias, activation: Identity())
        let outputNet = try Dense(weight: outputWeight, bias: outputBias, activation: Identity())

        let input = try Tensor([MazurExample.input.map { T($0) }])
        let target = try Tensor([MazurExample.target.map { T($0) }])
        let netH = hiddenNet(input), outH = hidden.forward(input)
        let netO = outputNet(outH), outO = output.forward(outH)

        let loss = MeanSquaredError(reduction: .sum, halved: true)
        let (errorTotal, dErrorDOut) = try loss.valueAndGradient(prediction: outO, target: target)
        let errorO1 = try loss.value(prediction: Tensor([[outO[0, 0]]]), target: Tensor([[target[0, 0]]]))
        let errorO2 = try loss.value(prediction: Tensor([[outO[0, 1]]]), target: Tensor([[target[0, 1]]]))

        // ∂E_ok/∂out_h: the output layer's backward pass with only o_k's error let through.
        var throughO1 = output, throughO2 = output
        let dErrorO1DOutH = throughO1.backward(try Tensor([[dErrorDOut[0, 0], 0]]))
        let dErrorO2DOutH = throughO2.backward(try Tensor([[0, dErrorDOut[0, 1]]]))
        let dErrorDOutH = output.backward(dErrorDOut)
        hidden.accumulateParameterGradients(dErrorDOutH)

        let sigmoid = Sigmoid()
        return MazurTrace(
            netH1: Double(netH[0, 0]), outH1: Double(outH[0, 0]), netH2: Double(netH[0, 1]), outH2: Double(outH[0, 1]),
            netO1: Double(netO[0, 0]), outO1: Double(outO[0, 0]), netO2: Double(netO[0, 1]), outO2: Double(outO[0, 1]),
            errorO1: Double(errorO1), errorO2: Double(errorO2), errorTotal: Double(errorTotal),
            dErrorDOutO1: Double(dErrorDOut[0, 0]),
            dOutO1DNetO1: Double(sigmoid.derivative(input: netO[0, 0], output: outO[0, 0])),
            deltaO1: Double(output.bias.gradient.scalars[0]),
            dNetO1DW5: Double(outH[0, 0]),
            dErrorDW5: Double(output.weight.gradient[0, 0]),
            w5AfterUpdate: weightsAfterFirstUpdate["w5"] ?? .nan,
            dErrorO1DOutH1: Double(dErrorO1DOutH[0, 0]), dErrorO2DOutH1: Double(dErrorO2DOutH[0, 0]),
            dErrorDOutH1: Double(dErrorDOutH[0, 0]),
            dOutH1DNetH1: Double(sigmoid.derivative(input: netH[0, 0], output: outH[0, 0])),
            dNetH1DW1: Double(input[0, 0]),
            dErrorDW1: Double(hidden.weight.gradient[0, 0]),
            w1AfterUpdate: weightsAfterFirstUpdate["w1"] ?? .nan)
    }

    /// The walk as lines of text, each quantity with the formula it stands for.
    var text: [String] {
        let eta = significant(MazurExample.learningRate)
        let rows: [(String, Double)?] = [
            nil, ("net_h1 = w1·i1 + w2·i2 + b1", netH1), ("out_h1 = 1/(1 + e^−net_h1)", outH1),
            ("net_h2 = w3·i1 + w4·i2 + b1", netH2), ("out_h2 = 1/(1 + e^−net_h2)", outH2),
            ("net_o1 = w5·out_h1 + w6·out_h2 + b2", netO1), ("out_o1 = 1/(1 + e^−net_o1)", outO1),
            ("net_o2 = w7·out_h1 + w8·out_h2 + b2", netO2), ("out_o2 = 1/(1 + e^−net_o2)", outO2),
            ("E_o1 = ½(target_o1 − out_o1)²", errorO1), ("E_o2 = ½(target_o2 − out_o2)²", errorO2),
            ("E_total = E_o1 + E_o2", errorTotal),
            nil, ("∂E_total/∂out_o1 = out_o1 − target_o1", dErrorDOutO1),
            ("∂out_o1/∂net_o1 = out_o1·(1 − out_o1)", dOutO1DNetO1),
            ("δ_o1 = ∂E_total/∂net_o1 (o1's bias gradient)", deltaO1), ("∂net_o1/∂w5 = out_h1", dNetO1DW5),
            ("∂E_total/∂w5 = δ_o1 · ∂net_o1/∂w5", dErrorDW5), ("w5 − \(eta)·∂E_total/∂w5", w5AfterUpdate),
            nil, ("∂E_o1/∂out_h1 = ∂E_o1/∂net_o1 · w5", dErrorO1DOutH1),
            ("∂E_o2/∂out_h1 = ∂E_o2/∂net_o2 · w7", dErrorO2DOutH1),
            ("∂E_total/∂out_h1 = the sum of the two", dErrorDOutH1),
            ("∂out_h1/∂net_h1 = out_h1·(1 − out_h1)", dOutH1DNetH1), ("∂net_h1/∂w1 = i1", dNetH1DW1),
            ("∂E_total/∂w1 = the product of the three", dErrorDW1), ("w1 − \(eta)·∂E_total/∂w1", w1AfterUpdate),
        ]
        let headings = [
            "forward pass (i1 0.05, i2 0.1; targets 0.01, 0.99; b1 0.35, b2 0.6)",
            "output weight w5 (h1 → o1)", "hidden weight w1 (i1 → h1)",
        ]
        let width = rows.compactMap { $0?.0.count }.max() ?? 0
        var headingIndex = 0
        return rows.map { row in
            guard let (formula, value) = row else {
                defer { headingIndex += 1 }
                return headings[headingIndex]
            }
            return "  " + formula + String(repeating: " ", count: width - formula.count + 2) + significant(value)
        }
    }
}
