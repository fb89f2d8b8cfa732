import Foundation
import Testing
import TestSupport

/// docs/ARCHITECTURE.md's module table is the map a newcomer reads before the code: it is worth reading only while it
/// names exactly the targets Package.swift declares. And a link in README.md or docs/ that leads nowhere is a page
/// moved or renamed without its readers.
@Suite("The documentation matches the package")
struct DocumentationTests {
    static func read(_ path: String) throws -> String {
        try String(contentsOf: repositoryRoot.appendingPathComponent(path), encoding: .utf8)
    }

    @Test("docs/ARCHITECTURE.md has one row per Package.swift target, of the same kind, in the same order")
    func moduleTableMatchesManifest() throws {
        let manifest = PackageManifestTargets(manifest: try Self.read("Package.swift"))
        #expect(manifest.targets.count > 20, "Package.swift yielded \(manifest.targets.count) targets; has its form changed?")
        let problems = ModuleTable(markdown: try Self.read("docs/ARCHITECTURE.md")).differences(from: manifest)
        #expect(problems.isEmpty, "docs/ARCHITECTURE.md's module table differs from Package.swift:\n\(problems.joined(separator: "\n"))")
    }

    @Test("every relative link in README.md and docs/ leads to a file that exists, and to a heading it has")
    func relativeLinksResolve() throws {
        let docs = try FileManager.default.contentsOfDirectory(atPath: repositoryRoot.appendingPathComponent("docs").path)
            .filter { $0.hasSuffix(".md") }.sorted().map { "docs/\($0)" }
        #expect(docs.contains("docs/ARCHITECTURE.md"))
        var broken: [String] = []
        for file in ["README.md", "Config/README.md", "Tokens/README.md"] + docs {
            let base = repositoryRoot.appendingPathComponent(file).deletingLastPathComponent()
            for link in MarkdownLinks(markdown: try Self.read(file)).links {
                let target = link.path.isEmpty ? repositoryRoot.appendingPathComponent(file) : base.appendingPathComponent(link.path)
                guard FileManager.default.fileExists(atPath: target.path) else {
                    broken.append("\(file):\(link.line): \(link.path) does not exist")
                    continue
                }
                guard let anchor = link.anchor, target.pathExtension == "md" else { continue }
                let headings = MarkdownLinks(markdown: try String(contentsOf: target, encoding: .utf8)).anchors
                if !headings.contains(anchor) {
                    broken.append("\(file):\(link.line): \(link.path.isEmpty ? file : link.path) has no heading #\(anchor)")
                }
            }
        }
        #expect(broken.isEmpty, "links that lead nowhere:\n\(broken.joined(separator: "\n"))")
    }

    @Test("the module table's reader reports a missing row, an extra row and a wrong kind by name")
    func moduleTableReportsByName() {
        let manifest = PackageManifestTargets(manifest: """
            .systemLibrary(name: "CFoo", pkgConfig: "foo"),
            // .target(name: "Commented"),
            .target(
                name: "Foo", dependencies: ["CFoo"]),
            .executableTarget(name: "foo"),
            .testTarget(name: "FooTests"),
            """)
        #expect(manifest.targets.map(\.name) == ["CFoo", "Foo", "foo", "FooTests"])
        let table = ModuleTable(markdown: """
            ## Modules

            | module | kind | what it is for | depends on |
            |---|---|---|---|
            | `CFoo` | system library | libfoo | libfoo-dev |
            | `Foo` | executable | the library | `CFoo` |
            | `Bogus` | library | nothing | nothing |
            | `FooTests` | tests | its tests | `Foo` |

            ## Rules
            """)
        let problems = table.differences(from: manifest)
        #expect(problems.count == 3, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("`Foo` is a library in Package.swift") })
        #expect(problems.contains { $0.hasPrefix("`Bogus` has a row but is no target") })
        #expect(problems.contains { $0.hasPrefix("`foo` (executable) is a target of Package.swift without a row") })
    }
}
