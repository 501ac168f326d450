import Foundation
import Testing

@testable import NNScaffold

@Suite struct ScaffoldTests {
    static let templates = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Templates").path

    func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nn-scaffold-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test(arguments: ["ScaleAndShift", "Swish2", "A"])
    func upperCamelCaseNamesAreAccepted(name: String) throws {
        try Scaffold.validate(name: name)
    }

    @Test(arguments: [
        ("scale", "capital letter"), ("Scale-Shift", "only letters and digits"), ("", "empty"),
        ("2Layer", "capital letter"), ("Tensor", "shadow"), ("Ünïcode", "capital letter"),
    ])
    func otherNamesAreRefused(name: String, reason: String) {
        #expect { try Scaffold.validate(name: name) } throws: { "\($0)".contains(reason) && "\($0)".contains("UpperCamelCase") }
    }

    @Test(arguments: Scaffold.Kind.allCases)
    func templatesFillCompletely(kind: Scaffold.Kind) throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let files = try Scaffold.plan(
            name: "Foo", kind: kind, module: "MyModule", templates: Self.templates,
            sourceFolder: root + "/Sources/MyModule", testFolder: root + "/Tests/MyModuleTests", force: false)
        #expect(files.map(\.path) == [root + "/Sources/MyModule/Foo.swift", root + "/Tests/MyModuleTests/FooTests.swift"])
        #expect(files.allSatisfy { !$0.contents.contains("__NAME__") && !$0.contents.contains("__MODULE__") })
        #expect(files[0].contents.contains("\"Foo\"") && files[1].contents.contains("@testable import MyModule"))
        try Scaffold.write(files)
        #expect(try String(contentsOfFile: files[0].path, encoding: .utf8) == files[0].contents)
    }

    /// For a target that depends on NNCore alone, the files name no NNIO type, and the test
    /// says why saving is not checked.
    @Test(arguments: Scaffold.Kind.allCases)
    func coreOnlyTargetsGetFilesWithoutNNIO(kind: Scaffold.Kind) throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let files = try Scaffold.plan(
            name: "Gate", kind: kind, module: "MyNet", templates: Self.templates, sourceFolder: root + "/S",
            testFolder: root + "/T", serializable: false, force: false)
        for file in files {
            for word in ["import NNIO", ": SerializableLayer", ": SerializableActivation", "ModelFile.", "Registry", "register()", "// scaffold:"] {
                #expect(!file.contents.contains(word), "\(file.path) holds \(word)")
            }
        }
        #expect(files[1].contents.contains("@Test(.disabled(\"MyNet depends on NNCore only"))
        let serializable = try Scaffold.plan(
            name: "Gate", kind: kind, module: "MyNet", templates: Self.templates, sourceFolder: root + "/S",
            testFolder: root + "/T", serializable: true, force: false)
        #expect(serializable[0].contents.contains("import NNIO") && !serializable[0].contents.contains("// scaffold:"))
    }

    @Test func existingFilesAreNotOverwrittenWithoutForce() throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/Tests/M", withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: URL(fileURLWithPath: root + "/Tests/M/FooTests.swift"))
        #expect(throws: Scaffold.Failure.fileExists(root + "/Tests/M/FooTests.swift")) {
            try Scaffold.plan(
                name: "Foo", kind: .layer, module: "M", templates: Self.templates, sourceFolder: root + "/S", testFolder: root + "/Tests/M",
                force: false)
        }
        #expect(!FileManager.default.fileExists(atPath: root + "/S/Foo.swift"))   // nothing written
        let forced = try Scaffold.plan(
            name: "Foo", kind: .layer, module: "M", templates: Self.templates, sourceFolder: root + "/S", testFolder: root + "/Tests/M", force: true)
        #expect(forced.count == 2)
        #expect(throws: Scaffold.Failure.missingTemplate(root + "/Layer.swift.template")) {
            try Scaffold.plan(name: "Foo", kind: .layer, module: "M", templates: root, sourceFolder: root, testFolder: root, force: false)
        }
    }
}
