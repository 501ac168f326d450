import Foundation
import NN

/// `nn generate --model M`: samples lines (words) from a character-level language model that
/// `nn train --format text` saved, one character at a time from the softmax of its logits.
enum GenerateCommand {
    static let usage = """
          generate --model FILE     sample lines from a character model (nn train --format text)
              [--prefix TEXT] [--count N] [--temperature T] [--seed N]
        """

    /// What a character model's file says besides its weights.
    struct CharacterModel {
        var model: any Layer<Float>
        var vocabulary: CharacterVocabulary
        var context: Int
    }

    static func run(_ arguments: [String], output: inout some CommandOutput) throws -> Int32 {
        var reader = ArgumentReader(arguments, command: "nn generate")
        guard let path = try reader.value("--model") else { throw CommandLineError("nn generate: --model FILE is required") }
        let prefix = try reader.value("--prefix") ?? ""
        let count = try reader.integer("--count", default: 20, in: 1...100_000)
        let temperature = try reader.positiveNumber("--temperature") ?? 1
        let seed = UInt64(try reader.integer("--seed", default: 1, in: 0...Int.max))
        try reader.finish()
        guard temperature.isFinite, temperature >= 1e-3, temperature <= 1e3 else {
            throw CommandLineError("nn generate: --temperature expects a number in 0.001...1000, got \(temperature)")
        }

        let loaded = try load(path)
        let start: [Int]
        do { start = [CharacterVocabulary.boundary] + (try loaded.vocabulary.encode(prefix)) } catch {
            throw CommandLineError(
                "nn generate: --prefix '\(prefix)': \(error) of \(path) (\(String(loaded.vocabulary.characters).prefix(40)))")
        }
        guard start.count <= loaded.context else {
            throw CommandLineError(
                "nn generate: --prefix has \(start.count - 1) characters; \(path) reads sequences of at most \(loaded.context) steps (the start token and \(loaded.context - 1) characters)"
            )
        }
        var generator = SeededRandomGenerator(seed: seed)
        for _ in 0..<count {
            output.write(prefix + sample(loaded, from: start, temperature: temperature, generator: &generator))
        }
        return 0
    }

    /// The model, its vocabulary and context, each checked.
    static func load(_ path: String) throws -> CharacterModel {
        let (model, metadata) = try ModelFile.load(path, as: Float.self)
        guard metadata["task"] == "next-character" else {
            throw RunError("nn generate: \(path) is not a character model (train one with nn train --format text)")
        }
        guard let json = metadata["vocabulary"], let characters = try? JSONDecoder().decode([String].self, from: Data(json.utf8)),
            characters.allSatisfy({ $0.count == 1 }), Set(characters).count == characters.count
        else {
            throw RunError("nn generate: \(path): its vocabulary is not a JSON list of distinct single characters")
        }
        let vocabulary = CharacterVocabulary(of: characters.map { Character($0) })
        guard let context = metadata["context"].flatMap(Int.init), (1...4096).contains(context) else {
            throw RunError("nn generate: \(path): its context is not a number of steps in 1...4096")
        }
        guard (try? model.outputShape(forInputShape: [context])) == [context, vocabulary.count] else {
            throw RunError(
                "nn generate: \(path): the network does not map \(context) ids to \(context) steps of \(vocabulary.count) logits")
        }
        try MemoryBudget().checkInference(of: model, sampleShape: [context], batch: 1, path: path)
        return CharacterModel(model: model, vocabulary: vocabulary, context: context)
    }

    /// The characters drawn after `start` until the boundary token is drawn or the model has
    /// read a whole context (then the line has `context` tokens after the start: it may end
    /// without its boundary).
    static func sample(
        _ loaded: CharacterModel, from start: [Int], temperature: Double, generator: inout SeededRandomGenerator
    ) -> String {
        var tokens = start
        var text = ""
        // One forward over the whole sequence per character: the layers keep no state between calls.
        let classes = loaded.vocabulary.count
        while tokens.count <= loaded.context {
            // Shaped from the tokens just built, all ids of the vocabulary.
            guard let input = try? Tensor<Float>(shape: [1, tokens.count], scalars: tokens.map(Float.init)) else { break }
            let logits = loaded.model(input)
            let last = (tokens.count - 1) * classes
            var weights = (0..<classes).map { Double(logits[flat: last + $0]) / temperature }
            let largest = weights.max() ?? 0
            weights = weights.map { Foundation.exp($0 - largest) }
            var draw = generator.nextUniform() * weights.reduce(0, +)
            var next = classes - 1
            for (id, weight) in weights.enumerated() {
                draw -= weight
                if draw < 0 {
                    next = id
                    break
                }
            }
            if next == CharacterVocabulary.boundary { break }
            tokens.append(next)
            text.append(loaded.vocabulary.character(for: next) ?? "?")
        }
        return text
    }
}
