import Foundation
import PackagePlugin

/// `swift package scaffold-layer <Name> [--kind layer|activation] [--target <module>] [--force]`
///
/// Finds `Templates/` (in this package, or in the swift-nn dependency of a user's package),
/// fills it for `<Name>` and writes `Sources/<target>/<Name>.swift` and
/// `Tests/<target>Tests/<Name>Tests.swift`. The filling lives in `Scaffold.swift`, shared
/// with the unit-tested `NNScaffold` target.
@main
struct ScaffoldLayer: CommandPlugin {
    func performCommand(context: PluginContext, arguments: [String]) throws {
        var extractor = ArgumentExtractor(arguments)
        let kindText = extractor.extractOption(named: "kind").last ?? "layer"
        let targetName = extractor.extractOption(named: "target").last
        let force = extractor.extractFlag(named: "force") > 0
        let rest = extractor.remainingArguments
        if let unknown = rest.first(where: { $0.hasPrefix("-") }) {
            throw failure("unknown option '\(unknown)'; use --kind layer|activation, --target <module>, --force")
        }
        guard rest.count == 1, let name = rest.first else {
            throw failure("give exactly one name, e.g. swift package scaffold-layer ScaleAndShift [--kind activation]")
        }
        guard let kind = Scaffold.Kind(rawValue: kindText) else { throw failure("--kind must be layer or activation, not '\(kindText)'") }
        do { try Scaffold.validate(name: name) } catch { throw failure("\(error)") }

        let package = context.package
        let target = try chooseTarget(named: targetName, in: package)
        guard let templates = templatesFolder(for: package) else {
            throw failure("no Templates/ folder found in this package or in its swift-nn dependency")
        }
        let root = package.directoryURL.path
        let files: [Scaffold.File]
        do {
            files = try Scaffold.plan(
                name: name, kind: kind, module: target.name, templates: templates,
                sourceFolder: target.directoryURL.path, testFolder: "\(root)/Tests/\(target.name)Tests",
                serializable: canImport("NNIO", target), force: force)
            try Scaffold.write(files)
        } catch {
            throw failure("\(error)")
        }
        for file in files { print("wrote \(file.path)") }
        if !canImport("NNIO", target) {
            print(
                "note: \(target.name) depends on NNCore only, so \(name) cannot be saved; add the NNIO product to it and regenerate with --force to make it serializable"
            )
        }
        print("next: swift test --filter \(name)Tests")
    }

    /// The named target, or by default the first source target that has a `<target>Tests`
    /// test target and can import NNIO (so the layer can be saved), else NNCore, without
    /// being one of them. A target that cannot import NNCore is refused before anything is
    /// written.
    private func chooseTarget(named name: String?, in package: Package) throws -> SwiftSourceModuleTarget {
        let sources = package.targets.compactMap { $0 as? SwiftSourceModuleTarget }.filter { $0.kind != .test }
        if let name {
            guard let target = sources.first(where: { $0.name == name }) else {
                throw failure("no target '\(name)' in \(package.displayName); its targets are \(sources.map(\.name).joined(separator: ", "))")
            }
            guard canImport("NNCore", target) || target.name == "NNCore" else {
                throw failure(
                    "target '\(name)' does not depend on swift-nn's NNCore product, which a layer needs; add it to the target's dependencies")
            }
            return target
        }
        let testNames = Set(package.targets.map(\.name))
        let candidates = sources.filter { target in
            testNames.contains(target.name + "Tests") && !["NNCore", "NNIO"].contains(target.name) && canImport("NNCore", target)
        }
        guard let target = candidates.first(where: { canImport("NNIO", $0) }) ?? candidates.first else {
            throw failure("no target both depends on NNCore and has a <target>Tests test target; pass --target <module>")
        }
        return target
    }

    /// Whether `target` depends, directly or not, on the module `module`.
    private func canImport(_ module: String, _ target: SwiftSourceModuleTarget) -> Bool {
        target.recursiveTargetDependencies.contains { $0.name == module }
    }

    /// `Templates/` of this package, or of the dependency that provides it.
    private func templatesFolder(for package: Package) -> String? {
        var queue = [package]
        var seen = Set<String>()
        while !queue.isEmpty {
            let candidate = queue.removeFirst()
            guard seen.insert(candidate.id).inserted else { continue }
            let folder = candidate.directoryURL.appendingPathComponent("Templates").path
            if FileManager.default.fileExists(atPath: folder + "/" + Scaffold.Kind.layer.templates.source) { return folder }
            queue += candidate.dependencies.map(\.package)
        }
        return nil
    }

    private func failure(_ message: String) -> Error { ScaffoldFailure(message: "scaffold-layer: " + message) }
}

struct ScaffoldFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
