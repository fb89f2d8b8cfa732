import Foundation

/// A SoftHSM2 token store in a temporary directory: its own softhsm2.conf, tokens with random PINs, and helpers
/// to run `gatewayctl`, `pkcs11-tool` and `openssl` against it. Every subprocess gets SOFTHSM2_CONF pointing here,
/// so tests never touch the developer's tokens and can run in parallel.
public final class SoftHSMFixture: @unchecked Sendable {
    public static let module = "/usr/lib/softhsm/libsofthsm2.so"
    public let directory: URL
    public let configPath: String
    public let soPIN = "so-" + randomDigits(8)

    public init() throws {
        directory = try temporaryDirectory("softhsm")
        let tokens = directory.appendingPathComponent("tokens")
        try FileManager.default.createDirectory(at: tokens, withIntermediateDirectories: true)
        configPath = directory.appendingPathComponent("softhsm2.conf").path
        try """
        directories.tokendir = \(tokens.path)
        objectstore.backend = file
        log.level = ERROR
        slots.removable = false
        """.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    public var environment: [String: String] { ["SOFTHSM2_CONF": configPath] }

    /// A new token with a random user PIN; returns the PIN.
    @discardableResult
    public func createToken(_ label: String, pin: String = randomDigits(8)) async throws -> String {
        let result = try await run("softhsm2-util", ["--init-token", "--free", "--label", label, "--so-pin", soPIN, "--pin", pin], environment: environment)
        guard result.status == 0 else { throw TestSetupError("softhsm2-util failed: \(result.stderr)") }
        return pin
    }

    /// A 0600 file holding `pin`, for ?pin-source=file:.
    public func pinFile(_ pin: String) throws -> String {
        let path = directory.appendingPathComponent("pin-\(randomDigits(6))").path
        FileManager.default.createFile(atPath: path, contents: Data(pin.utf8), attributes: [.posixPermissions: 0o600])
        return path
    }

    public func file(_ name: String, _ contents: Data = Data()) -> String {
        let path = directory.appendingPathComponent(name).path
        FileManager.default.createFile(atPath: path, contents: contents)
        return path
    }

    public func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    public func gatewayctl(_ arguments: [String], pin: String? = nil, extra: [String: String] = [:]) async throws -> ProcessResult {
        var env = environment.merging(extra) { $1 }
        if let pin { env["GATEWAY_PIN"] = pin }
        return try await run(gatewayctlPath, arguments, environment: env)
    }

    public func pkcs11Tool(_ arguments: [String]) async throws -> ProcessResult {
        try await run("pkcs11-tool", ["--module", Self.module] + arguments, environment: environment)
    }

    public func openssl(_ arguments: [String]) async throws -> ProcessResult {
        try await run("openssl", arguments, environment: environment)
    }
}

public func randomDigits(_ count: Int) -> String {
    String((0..<count).map { _ in "0123456789".randomElement()! })
}
