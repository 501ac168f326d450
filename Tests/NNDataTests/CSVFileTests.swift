import NNCore
import Testing

@testable import NNData

@Suite struct CSVFileTests {
    func load(_ text: String, _ options: CSVFile.Options = .init()) throws -> InMemoryDataset<Double> {
        try CSVFile.decode(Array(text.utf8), path: "data.csv", options: options, as: Double.self)
    }

    @Test func detectsAHeaderAndTheLabelColumnByName() throws {
        let data = try load("x1,label,x2\n1,0,2\n3,1,4.5\n")
        #expect(data.features.shape == [2, 2] && data.features.scalars == [1, 2, 3, 4.5])
        #expect(data.targets.scalars == [0, 1] && data.classNames == nil)
    }

    @Test func withoutAHeaderTheFirstColumnIsTheLabel() throws {
        let data = try load("7,1,2\n8,3,4\r\n")
        #expect(data.targets.scalars == [7, 8] && data.features.scalars == [1, 2, 3, 4])
    }

    @Test func labelColumnByPositionOrName() throws {
        let text = "a,b,c\n1,2,3\n4,5,6\n"
        #expect(try load(text, .init(label: .first)).targets.scalars == [1, 4])
        #expect(try load(text, .init(label: .last)).targets.scalars == [3, 6])
        #expect(try load(text, .init(label: .index(1))).targets.scalars == [2, 5])
        #expect(try load(text, .init(label: .named("c"))).features.scalars == [1, 2, 4, 5])
        #expect(try load("1;2\n3;4", .init(header: .absent, delimiter: ";")).targets.scalars == [1, 3])
    }

    @Test func textLabelsBecomeClassesInNaturalOrder() throws {
        let data = try load("\u{FEFF}5.1,3.5,class 10\n4.9,3.0,class 2\n6.2,2.9,\"class 10\"\n7.0,3.2,class 1\n", .init(label: .last))
        #expect(data.classNames == ["class 1", "class 2", "class 10"])
        #expect(data.targets.scalars == [2, 1, 2, 0])
        #expect(data.features.shape == [4, 2])
    }

    @Test func trailingBlankLinesAreFine() throws {
        #expect(try load("1,2\n3,4\n\n\n").count == 2)
    }

    @Test func badFilesNameTheLineAndColumn() {
        let cases: [(String, CSVFile.Options, [String])] = [
            ("", .init(), ["data.csv", "empty"]),
            ("\n\n", .init(), ["line 1", "only blank lines"]),
            ("a,b,c\n1,2,3\n4,5\n", .init(), ["line 3", "2 columns, expected 3"]),
            ("a,b\n1,2\n3,x\n", .init(), ["line 3, column 2", "expected a number, found 'x'"]),
            ("1,2\n3,\n", .init(), ["line 2, column 2", "empty cell"]),
            ("1,2\n3,nan\n", .init(), ["line 2, column 2", "'nan'"]),
            ("1,2\n\n3,4\n", .init(), ["line 2", "blank line between data lines"]),
            ("a,b\n1,2\n", .init(label: .named("label")), ["line 1", "no column named 'label'", "a, b"]),
            ("1,2\n3,4\n", .init(label: .named("y")), ["no header line"]),
            ("1,2\n3,4\n", .init(label: .index(5)), ["label column 5 does not exist"]),
            ("a,b\n", .init(), ["line 2", "a header but no data lines"]),
            ("1\n2\n", .init(), ["line 1", "found 1 column"]),
        ]
        for (text, options, fragments) in cases {
            for fragment in fragments {
                #expect(dataError(fragment) { try load(text, options) } == nil, "\(text.debugDescription): \(fragment)")
            }
        }
        #expect(
            dataError("line 2", "not UTF-8") { try CSVFile.decode([0x31, 0x2C, 0x32, 0x0A, 0xFF, 0xFE], path: "data.csv", as: Float.self) } == nil)
    }

    @Test func randomBytesNeverCrash() {
        var generator = SeededRandomGenerator(seed: 3)
        let alphabet = Array("0123456789,.-e\n\r \"ab;".utf8)
        for length in 0..<300 {
            let bytes = (0..<length).map { _ in alphabet[generator.nextIndex(below: alphabet.count)] }
            _ = try? CSVFile.decode(bytes, path: "random.csv", as: Float.self)
            _ = try? CSVFile.decode(bytes.map { $0 ^ UInt8(truncatingIfNeeded: generator.next()) }, path: "random.csv", as: Float.self)
        }
    }
}
