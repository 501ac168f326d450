import Foundation
import NN
import Testing

@testable import NNCommandLine

/// `nn train --layers` in the layer-list syntax: a small CNN on generated 28×28 images.
@Suite struct ConvolutionalCommandTests {
    @Test func cnnTrainsEvaluatesAndIsInspected() throws {
        let root = try makeCharacterFolder(perClass: 40, seed: 3)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let model = root + "/cnn.safetensors"
        let layers = "conv 4 3x3 same, pool 2, batchnorm, conv 8 3x3 stride 2 relu, avgpool 2, flatten, dropout 0.2, dense 12"
        let report = try json(
            nn(
                "train", "--data", root, "--format", "image-folder", "--train-per-class", "30", "--layers", layers,
                "--optimizer", "adam", "--lr", "0.01", "--batch-size", "16", "--epochs", "8", "--save", model, "--quiet", "--json"))
        let testAccuracy = try #require(report["test_accuracy"] as? Double)
        #expect(testAccuracy > 0.8, "the bars are easy to tell apart: \(report)")
        // evaluate scores the saved model (inference mode: no dropout, running statistics) and agrees.
        let evaluation = try json(nn("evaluate", "--model", model, "--data", root, "--format", "image-folder", "--train-per-class", "30", "--json"))
        #expect(abs((evaluation["accuracy"] as? Double ?? -1) - testAccuracy) < 1e-12)
        let inspect = nn("inspect", model)
        #expect(inspect.status == 0)
        #expect(inspect.output.lines.contains("      Reshape to 28×28×1"))
        #expect(inspect.output.lines.contains("      Conv2D 1→4, 3×3, stride 1, same, relu"))
        #expect(inspect.output.lines.contains("      MaxPool2D 2×2, stride 2, valid"))
        #expect(inspect.output.lines.contains("      BatchNorm 4"))
        #expect(inspect.output.lines.contains("      Conv2D 4→8, 3×3, stride 2, valid, relu"))
        #expect(inspect.output.lines.contains("      Dropout 0.2"))
        #expect(inspect.output.lines.contains("      Dense 72→12, identity"))
        let image = root + "/3/1.bmp"
        let prediction = try json(nn("predict", "--model", model, image, "--json"))
        #expect((prediction["classes"] as? [Int])?.count == 1)
    }

    @Test func layerListMistakesNameTheItem() throws {
        let root = try makeCharacterFolder(perClass: 3, seed: 4)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let cases: [(String, String)] = [
            ("conv 32 3x3, pool 2, flatten, dense 12, banana", "nn: nn train: --layers item 5 'banana': unknown layer 'banana'"),
            ("conv 32, flatten, dense 12", "nn: nn train: --layers item 1 'conv 32': expected 'conv FILTERS KxK'"),
            ("conv 0 3x3, flatten, dense 12", "nn: nn train: --layers item 1 'conv 0 3x3': the number of filters must be a positive integer"),
            ("conv 8 3x3 sideways, flatten, dense 12", "nn: nn train: --layers item 1 'conv 8 3x3 sideways': unexpected 'sideways'"),
            ("dropout 1.5, dense 12", "nn: nn train: --layers item 1 'dropout 1.5': expected 'dropout R' with R in [0, 1)"),
            ("conv 8 3x3, dense 12", "nn: nn train: --layers item 2: dense needs flat samples, got [26, 26, 8]; put 'flatten' before it"),
            ("conv 8 30x30, flatten, dense 12", "nn: nn train: --layers item 1: does not fit samples shaped [28, 28, 1]"),
            ("flatten, dense 10", "nn: nn train: --layers: the network ends with samples shaped [10], but the data needs 12 outputs"),
            ("dense 64, reshape 8x8, conv 2 3x3, flatten, dense 12", ""),   // valid: reshape before conv
        ]
        for (layers, message) in cases {
            let result = nn(
                "train", "--data", root, "--format", "image-folder", "--test-fraction", "0", "--layers", layers, "--epochs", "1", "--quiet", "--json")
            if message.isEmpty {
                #expect(result.status == 0, "\(layers): \(result.output.errors)")
            } else {
                #expect(result.status == 2, "\(layers)")
                #expect(result.output.errors.count == 1 && result.output.errors[0].hasPrefix(message), "\(layers): \(result.output.errors)")
            }
        }
    }

    @Test func parsesTheDocumentedExample() throws {
        let list = try LayerList("conv 32 3x3, pool 2, flatten, dense 128 relu, dense 10")
        #expect(
            list.items == [
                .conv(filters: 32, height: 3, width: 3, stride: 1, padding: .valid, activation: nil),
                .pool(max: true, size: 2, stride: nil, padding: .valid), .flatten,
                .dense(units: 128, activation: "relu"), .dense(units: 10, activation: nil),
            ])
        #expect(
            try LayerList("conv 16 5x3 stride 2 pad 1 tanh, avgpool 3 stride 1 same, bn, dropout 0.5, reshape 2x3").items == [
                .conv(filters: 16, height: 5, width: 3, stride: 2, padding: .zeros(1), activation: "tanh"),
                .pool(max: false, size: 3, stride: 1, padding: .same), .batchNorm, .dropout(0.5), .reshape([2, 3]),
            ])
        #expect(LayerList.isLayerList("conv 8 3x3, dense 10") && !LayerList.isLayerList("784,64,10"))
    }
}
