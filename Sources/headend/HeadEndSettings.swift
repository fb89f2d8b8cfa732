import ConfigFiles
import COSEM
import DaemonRuntime
import Foundation
import HeadEnd
import Logging

/// headend's settings: the YAML file's, overridden by command-line options. Validated before anything is opened,
/// each error one line naming the key and the fix. The file names keys by URI and never holds a PIN.
struct HeadEndSettings: Decodable {
    var listen: String?
    var metrics: String?
    /// The local endpoint `headend request` talks to (loopback only).
    var control: String?
    var request_timeout: String?
    var system_title: String?
    var module: String?
    var signing_key: String?
    var signing_certificate: String?
    var tls_key: String?
    var tls_certificate: String?
    var trust_anchors: String?
    var pki_url: String?
    var directory_ttl: String?
    var crl_refresh: String?
    var store: String?
    var signed_bytes: String?
    var log_level: String?
    var handshake_timeout: String?
    var idle_timeout: String?
    var max_connections: Int?
    var frame_timeout: String?
    var reserved_for_gateways: Int?
    var max_handshakes_per_address: Int?

    struct Validated {
        var listen: ListenAddress
        var metrics: ListenAddress?
        var control: ListenAddress
        var requestTimeout: Duration
        var systemTitle: SystemTitle
        var module: String?
        var signingKey: String
        var signingCertificate: String?
        var tlsKey: String
        var tlsCertificate: String?
        var trustAnchors: String
        var pkiURL: String
        var directoryTTL: Duration
        var crlRefresh: Duration
        var store: String
        var convention: GeneralSigning.SignedBytesConvention
        var logLevel: Logger.Level
        var limits: HeadEndServerLimits
    }

    static func load(path: String) throws -> HeadEndSettings {
        do {
            return try ConfigFile.load(HeadEndSettings.self, path: path)
        } catch {
            throw SettingsError("\(path) is not a usable headend configuration: \(error.reason)")
        }
    }

    func validated() throws -> Validated {
        // In the order of the example file, so the first error named is the first wrong line.
        let listen = try ListenAddress(parsing: self.listen ?? "127.0.0.1:4059", key: "listen")
        let metrics = try self.metrics.map { try ListenAddress(parsing: $0, key: "metrics") }
        let control = try ListenAddress(parsing: self.control ?? "127.0.0.1:4060", key: "control")
        guard ["127.0.0.1", "::1", "localhost"].contains(control.host) else {
            throw SettingsError("control \(control) must be a loopback address (127.0.0.1 or ::1): it answers anyone who reaches it")
        }
        func required(_ value: String?, _ key: String, _ fix: String) throws -> String {
            guard let value, !value.isEmpty else { throw SettingsError("\(key) is missing: \(fix)") }
            return value
        }
        func keyURI(_ value: String?, _ key: String) throws -> String {
            let uri = try required(value, key, "give --\(key.replacingOccurrences(of: "_", with: "-")) URI or \(key): in the configuration")
            guard uri.hasPrefix("pkcs11:") else { throw SettingsError("\(key) \"\(uri)\" is not a PKCS#11 URI; write pkcs11:token=...;object=...") }
            if uri.contains("pin-value") {
                throw SettingsError("\(key) must not carry a pin-value; use GATEWAY_PIN or ?pin-source=file:PATH")
            }
            return uri
        }
        let titleText = try required(system_title, "system_title", "give the head-end's system title, 16 hex digits")
        guard let title = try? SystemTitle(hex: titleText) else {
            throw SettingsError("system_title \"\(titleText)\" is not a system title; write 16 hex digits, e.g. 48454144454E4401")
        }
        let pkiURL = try required(pki_url, "pki_url", "give pkid's base URL, e.g. http://127.0.0.1:8080")
        guard pkiURL.hasPrefix("http://") || pkiURL.hasPrefix("https://") else {
            throw SettingsError("pki_url \"\(pkiURL)\" is not an http:// or https:// URL; write e.g. http://127.0.0.1:8080")
        }
        let convention: GeneralSigning.SignedBytesConvention
        switch (signed_bytes ?? "a").lowercased() {
        case "a": convention = .a
        case "b": convention = .b
        default: throw SettingsError("signed_bytes \"\(signed_bytes ?? "")\" is not a convention; use a or b")
        }
        if let max_connections, !(1...1_000_000).contains(max_connections) {
            throw DaemonSettingError.notAConnectionLimit(key: "max_connections", value: max_connections)
        }
        if let reserved_for_gateways, !(0..<(max_connections ?? HeadEndServerLimits().maxConnections)).contains(reserved_for_gateways) {
            throw SettingsError("reserved_for_gateways \(reserved_for_gateways) must be at least 0 and below max_connections")
        }
        if let max_handshakes_per_address, !(1...1_000_000).contains(max_handshakes_per_address) {
            throw DaemonSettingError.notAConnectionLimit(key: "max_handshakes_per_address", value: max_handshakes_per_address)
        }
        let defaults = HeadEndServerLimits()
        return Validated(
            listen: listen, metrics: metrics, control: control,
            requestTimeout: try TimeoutSetting.parse(request_timeout ?? "10s", key: "request_timeout"),
            systemTitle: title, module: module,
            signingKey: try keyURI(signing_key, "signing_key"), signingCertificate: signing_certificate,
            tlsKey: try keyURI(tls_key, "tls_key"), tlsCertificate: tls_certificate,
            trustAnchors: try required(trust_anchors, "trust_anchors", "give a PEM file of the CA certificates gateways chain to"),
            pkiURL: pkiURL,
            directoryTTL: try TimeoutSetting.parse(directory_ttl ?? "5m", key: "directory_ttl"),
            crlRefresh: try TimeoutSetting.parse(crl_refresh ?? "60s", key: "crl_refresh"),
            store: try required(store, "store", "give the path of the reading store, e.g. /var/lib/headend/readings.sqlite"),
            convention: convention,
            logLevel: try LogLevel.parse(log_level ?? "info"),
            limits: HeadEndServerLimits(
                handshakeTimeout: try handshake_timeout.map { try TimeoutSetting.parse($0, key: "handshake_timeout") } ?? defaults.handshakeTimeout,
                idleTimeout: try idle_timeout.map { try TimeoutSetting.parse($0, key: "idle_timeout") } ?? defaults.idleTimeout,
                frameTimeout: try frame_timeout.map { try TimeoutSetting.parse($0, key: "frame_timeout") } ?? defaults.frameTimeout,
                maxConnections: max_connections ?? defaults.maxConnections,
                reservedForGateways: reserved_for_gateways,
                maxHandshakesPerAddress: max_handshakes_per_address ?? defaults.maxHandshakesPerAddress
            )
        )
    }
}

struct SettingsError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A line on standard output, written at once so scripts and tests reading the pipe see it.
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

/// The store a query command reads: `--store PATH`, or the `store` key of `--config FILE`.
func storePath(config: String?, store: String?) throws -> String {
    if let store { return store }
    guard let config else { throw SettingsError("give --store PATH or --config FILE (its store: key)") }
    guard let path = try HeadEndSettings.load(path: config).store else { throw SettingsError("\(config) has no store: key; give --store PATH") }
    return path
}
