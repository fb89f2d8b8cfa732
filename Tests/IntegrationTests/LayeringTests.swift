import Foundation
import Testing
import TestSupport

/// The layering docs/ARCHITECTURE.md draws and Package.swift states: targets are listed lowest first, a target
/// depends only on targets above it, and no source file imports a project module its target does not declare. So a
/// verifier that starts importing SQLite, or COSEM reaching for NIO, fails here rather than in review.
@Suite("Dependencies point one way")
struct LayeringTests {
    struct Target {
        var name: String
        var type: String
        var path: String
        var dependencies: Set<String>
        var products: Set<String>
    }

    static func targets() async throws -> [Target] {
        let dump = try await run("/usr/bin/env", ["swift", "package", "--package-path", repositoryRoot.path, "dump-package"])
        try #require(dump.status == 0, "\(dump.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: dump.stdout) as? [String: Any])
        let list = try #require(object["targets"] as? [[String: Any]])
        return list.map { target in
            let name = target["name"] as? String ?? ""
            let type = target["type"] as? String ?? ""
            var dependencies: Set<String> = []
            var products: Set<String> = []
            for dependency in target["dependencies"] as? [[String: Any]] ?? [] {
                if let byName = dependency["byName"] as? [Any], let first = byName.first as? String { dependencies.insert(first) }
                if let target = dependency["target"] as? [Any], let first = target.first as? String { dependencies.insert(first) }
                if let product = dependency["product"] as? [Any], let first = product.first as? String { products.insert(first) }
            }
            let path = target["path"] as? String ?? (type == "test" ? "Tests/\(name)" : "Sources/\(name)")
            return Target(name: name, type: type, path: path, dependencies: dependencies, products: products)
        }
    }

    @Test("every target depends only on targets listed above it, and imports only what it declares")
    func oneWay() async throws {
        let targets = try await Self.targets()
        #expect(targets.count > 20, "dump-package listed \(targets.count) targets")
        let projectModules = Set(targets.map(\.name))
        var seen: Set<String> = []
        for target in targets {
            let later = target.dependencies.subtracting(seen).intersection(projectModules)
            #expect(later.isEmpty, "\(target.name) depends on \(later.sorted()), listed below it")
            seen.insert(target.name)

            let directory = repositoryRoot.appendingPathComponent(target.path)
            guard let files = FileManager.default.enumerator(atPath: directory.path) else { continue }
            for case let file as String in files where file.hasSuffix(".swift") {
                let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
                for line in text.split(separator: "\n") where line.hasPrefix("import ") || line.hasPrefix("@testable import ") {
                    let module = String(line.split(separator: " ").last ?? "")
                    guard projectModules.contains(module), module != target.name else { continue }
                    #expect(target.dependencies.contains(module), "\(target.path)/\(file) imports \(module), which \(target.name) does not declare")
                }
            }
        }
    }

    @Test("the pure layers stay pure: COSEM needs the standard library only; Modbus, PKI and Metering link no NIO or SQLite")
    func pureLayers() async throws {
        let targets = Dictionary(uniqueKeysWithValues: try await Self.targets().map { ($0.name, $0) })
        let cosem = try #require(targets["COSEM"])
        #expect(cosem.dependencies.isEmpty && cosem.products.isEmpty, "COSEM depends on \(cosem.dependencies) \(cosem.products)")
        for name in ["Modbus", "PKI", "Metering", "UplinkProtocol"] {
            let target = try #require(targets[name])
            let heavy = target.products.filter { $0.hasPrefix("NIO") || $0 == "GRDB" || $0 == "Yams" }
            #expect(heavy.isEmpty, "\(name) links \(heavy.sorted())")
            #expect(!target.dependencies.contains("PKCS11"), "\(name) imports PKCS11; it should sign through Signing")
        }
        // PC/SC stays a device layer: libpcsclite, nothing of PKCS#11 or the network.
        let smartCard = try #require(targets["SmartCard"])
        #expect(smartCard.dependencies == ["CPCSC"] && smartCard.products.isEmpty,
                "SmartCard depends on \(smartCard.dependencies.sorted()) \(smartCard.products.sorted())")
        // The head-end's library signs acknowledgements and TLS handshakes through Signing; only its executable opens
        // the token, and only executables read YAML.
        let headEnd = try #require(targets["HeadEnd"])
        #expect(!headEnd.dependencies.contains("PKCS11") && !headEnd.products.contains("Yams"),
                "HeadEnd depends on \(headEnd.dependencies.sorted()) \(headEnd.products.sorted())")
    }
}
