import Foundation

/// The targets `Package.swift` declares, read from its text: what a reader sees in the manifest, without asking
/// SwiftPM (which would build the manifest first). Lines that are comments are skipped, so a target named in a
/// comment does not count.
struct PackageManifestTargets {
    /// A target's kind as the module table writes it.
    enum Kind: String {
        case systemLibrary = "system library"
        case library
        case executable
        case tests

        init?(declaration: Substring) {
            switch declaration {
            case "systemLibrary": self = .systemLibrary
            case "target": self = .library
            case "executableTarget": self = .executable
            case "testTarget": self = .tests
            default: return nil
            }
        }
    }

    struct Target: Equatable {
        var name: String
        var kind: Kind
    }

    /// In the manifest's order, which is the layering's: lowest first.
    var targets: [Target]

    init(manifest: String) {
        let code = manifest.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("//") }
            .joined(separator: "\n")
        targets = code.matches(of: #/\.(systemLibrary|target|executableTarget|testTarget)\(\s*name:\s*"([^"]+)"/#)
            .compactMap { match in
                Kind(declaration: match.output.1).map { Target(name: String(match.output.2), kind: $0) }
            }
    }
}
