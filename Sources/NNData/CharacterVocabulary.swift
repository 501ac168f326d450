/// The characters of a character-level language model and their ids: id 0 is the boundary
/// token that starts and ends every line (makemore's `.`), ids 1… the characters in sorted
/// order.
public struct CharacterVocabulary: Equatable, Sendable {
    /// The id of the token that starts and ends a line.
    public static let boundary = 0

    /// The characters, id `k` being `characters[k − 1]`.
    public let characters: [Character]
    private let ids: [Character: Int]

    /// A vocabulary of the distinct characters of `text`, sorted.
    public init(of text: some Sequence<Character>) {
        characters = Set(text).sorted()
        ids = Dictionary(uniqueKeysWithValues: characters.enumerated().map { ($1, $0 + 1) })
    }

    /// The number of ids, the boundary token included.
    public var count: Int { characters.count + 1 }

    /// The id of `character`, or `nil` if it is not in the vocabulary.
    public func id(of character: Character) -> Int? { ids[character] }

    /// The character of `id`, or `nil` for the boundary token or an id out of range.
    public func character(for id: Int) -> Character? {
        id >= 1 && id <= characters.count ? characters[id - 1] : nil
    }

    /// The ids of `text`'s characters.
    /// - Throws: ``DatasetError/unknownCharacters(_:)`` naming every character not in the vocabulary.
    public func encode(_ text: String) throws(DatasetError) -> [Int] {
        var encoded: [Int] = []
        var unknown: [Character] = []
        for character in text {
            if let id = ids[character] { encoded.append(id) } else if !unknown.contains(character) { unknown.append(character) }
        }
        guard unknown.isEmpty else { throw .unknownCharacters(unknown.map(String.init)) }
        return encoded
    }
}
