import ConfigFiles
import DaemonRuntime
import Foundation
import Logging
import Transport

/// pkid's settings: the YAML file's, overridden by command-line options. The file names keys by URI and never
/// holds a PIN (PINs come from GATEWAY_PIN or a URI's pin-source).
struct PKIDSettings: Decodable {
    var pki: String?
    var listen: String?
    var http_listen: String?
    var metrics: String?
    var tls_key: String?
    var validity: String?
    var module: String?
    var log_level: String?
    var idle_timeout: String?
    var header_timeout: String?
    var body_timeout: String?
    var max_connections: Int?

    struct Validated {
        var pki: String
        var listen: ListenAddress
        var httpListen: ListenAddress?
        var metrics: ListenAddress?
        var tlsKey: String
        var validity: String
        var module: String?
        var logLevel: Logger.Level
        /// The same for each listener (HTTPS, plain HTTP, metrics).
        var limits: HTTPServerLimits

        /// How many listeners these settings open.
        var listeners: Int { 1 + (httpListen == nil ? 0 : 1) + (metrics == nil ? 0 : 1) }
    }

    static func load(path: String) throws -> PKIDSettings {
        do {
            return try ConfigFile.load(PKIDSettings.self, path: path)
        } catch {
            throw SettingsError("\(path) is not a usable pkid configuration: \(error.reason)")
        }
    }

    mutating func override(
        pki: String?, listen: String?, httpListen: String?, metrics: String?, tlsKey: String?, validity: String?,
        module: String?, logLevel: String?, limits: LimitOptions = LimitOptions()
    ) {
        self.pki = pki ?? self.pki
        self.listen = listen ?? self.listen
        self.http_listen = httpListen ?? self.http_listen
        self.metrics = metrics ?? self.metrics
        self.tls_key = tlsKey ?? self.tls_key
        self.validity = validity ?? self.validity
        self.module = module ?? self.module
        self.log_level = logLevel ?? self.log_level
        self.idle_timeout = limits.idleTimeout ?? self.idle_timeout
        self.header_timeout = limits.headerTimeout ?? self.header_timeout
        self.body_timeout = limits.bodyTimeout ?? self.body_timeout
        self.max_connections = limits.maxConnections ?? self.max_connections
    }

    /// The connection limits as the command line gives them.
    struct LimitOptions {
        var idleTimeout: String?
        var headerTimeout: String?
        var bodyTimeout: String?
        var maxConnections: Int?
    }

    func validated() throws -> Validated {
        guard let pki else { throw SettingsError("no PKI directory: give --pki DIR or pki: in the configuration") }
        guard let tls_key else { throw SettingsError("no TLS key: give --tls-key URI or tls_key: in the configuration") }
        if tls_key.contains("pin-value") { throw SettingsError("tls_key must not carry a pin-value; use GATEWAY_PIN or ?pin-source=file:PATH") }
        return Validated(
            pki: pki,
            listen: try ListenAddress(parsing: listen ?? "127.0.0.1:8443", key: "listen"),
            httpListen: try http_listen.map { try ListenAddress(parsing: $0, key: "http_listen") },
            metrics: try metrics.map { try ListenAddress(parsing: $0, key: "metrics") },
            tlsKey: tls_key, validity: validity ?? "2y", module: module,
            logLevel: try LogLevel.parse(log_level ?? "info"),
            limits: try limits()
        )
    }

    private func limits() throws(DaemonSettingError) -> HTTPServerLimits {
        let defaults = HTTPServerLimits()
        if let max_connections, !(1...1_000_000).contains(max_connections) {
            throw .notAConnectionLimit(key: "max_connections", value: max_connections)
        }
        return HTTPServerLimits(
            idleTimeout: try idle_timeout.map { text throws(DaemonSettingError) in try TimeoutSetting.parse(text, key: "idle_timeout") } ?? defaults.idleTimeout,
            headerTimeout: try header_timeout.map { text throws(DaemonSettingError) in try TimeoutSetting.parse(text, key: "header_timeout") } ?? defaults.headerTimeout,
            bodyTimeout: try body_timeout.map { text throws(DaemonSettingError) in try TimeoutSetting.parse(text, key: "body_timeout") } ?? defaults.bodyTimeout,
            maxConnections: max_connections ?? defaults.maxConnections
        )
    }
}

struct SettingsError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
