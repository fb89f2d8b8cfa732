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
    /// The local endpoint `headend request` talks to: a Unix socket (`ControlSocket`).
    var control: Control?
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

    var readings: ReadingsSettings?

    struct ReadingsSettings: Decodable {
        /// How far ahead of the head-end's clock a measurement time may be before the reading is flagged.
        var max_clock_skew: String?
    }

    /// `readings.max_clock_skew`, or its default.
    func maxClockSkew() throws -> Duration {
        try readings?.max_clock_skew.map { try TimeoutSetting.parse($0, key: "readings.max_clock_skew") } ?? ClockSkew.defaultMaximum
    }

    /// The `control:` section: who may command gateways through this head-end.
    struct Control: Decodable {
        var socket: String?
        var group: String?
        var mode: String?
        var rate_limit: Double?
        /// A TCP listener besides the socket, only when given (loopback only).
        var listen: String?

        init() {}

        /// As synthesised, except that the address `control:` used to be is refused with the way to write it now.
        init(from decoder: any Decoder) throws {
            if let address = try? decoder.singleValueContainer().decode(String.self) {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription:
                    "\"\(address)\" is a TCP address, but control is a section now: socket: PATH (default control.sock beside the store), group, mode, rate_limit; listen: \(address) only to keep a TCP listener"))
            }
            let keys = try decoder.container(keyedBy: CodingKeys.self)
            socket = try keys.decodeIfPresent(String.self, forKey: .socket)
            group = try keys.decodeIfPresent(String.self, forKey: .group)
            mode = try keys.decodeIfPresent(String.self, forKey: .mode)
            rate_limit = try keys.decodeIfPresent(Double.self, forKey: .rate_limit)
            listen = try keys.decodeIfPresent(String.self, forKey: .listen)
        }

        private enum CodingKeys: String, CodingKey {
            case socket, group, mode, rate_limit, listen
        }
    }

    /// The control endpoint as validated.
    struct ControlAccess {
        var socket: String
        var group: UInt32?
        var mode: UInt16
        var rateLimit: Double
        var listen: ListenAddress?
    }

    struct Validated {
        var listen: ListenAddress
        var metrics: ListenAddress?
        var control: ControlAccess
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
        var maxClockSkew: Duration
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
        let storePath = try required(store, "store", "give the path of the reading store, e.g. /var/lib/headend/readings.sqlite")
        if let reserved_for_gateways, !(0..<(max_connections ?? HeadEndServerLimits().maxConnections)).contains(reserved_for_gateways) {
            throw SettingsError("reserved_for_gateways \(reserved_for_gateways) must be at least 0 and below max_connections")
        }
        if let max_handshakes_per_address, !(1...1_000_000).contains(max_handshakes_per_address) {
            throw DaemonSettingError.notAConnectionLimit(key: "max_handshakes_per_address", value: max_handshakes_per_address)
        }
        let defaults = HeadEndServerLimits()
        return Validated(
            listen: listen, metrics: metrics, control: try controlAccess(store: storePath),
            requestTimeout: try TimeoutSetting.parse(request_timeout ?? "10s", key: "request_timeout"),
            systemTitle: title, module: module,
            signingKey: try keyURI(signing_key, "signing_key"), signingCertificate: signing_certificate,
            tlsKey: try keyURI(tls_key, "tls_key"), tlsCertificate: tls_certificate,
            trustAnchors: try required(trust_anchors, "trust_anchors", "give a PEM file of the CA certificates gateways chain to"),
            pkiURL: pkiURL,
            directoryTTL: try TimeoutSetting.parse(directory_ttl ?? "5m", key: "directory_ttl"),
            crlRefresh: try TimeoutSetting.parse(crl_refresh ?? "60s", key: "crl_refresh"),
            store: storePath,
            convention: convention,
            logLevel: try LogLevel.parse(log_level ?? "info"),
            limits: HeadEndServerLimits(
                handshakeTimeout: try handshake_timeout.map { try TimeoutSetting.parse($0, key: "handshake_timeout") } ?? defaults.handshakeTimeout,
                idleTimeout: try idle_timeout.map { try TimeoutSetting.parse($0, key: "idle_timeout") } ?? defaults.idleTimeout,
                frameTimeout: try frame_timeout.map { try TimeoutSetting.parse($0, key: "frame_timeout") } ?? defaults.frameTimeout,
                maxConnections: max_connections ?? defaults.maxConnections,
                reservedForGateways: reserved_for_gateways,
                maxHandshakesPerAddress: max_handshakes_per_address ?? defaults.maxHandshakesPerAddress
            ),
            maxClockSkew: try maxClockSkew()
        )
    }
}

extension HeadEndSettings {
    /// The control socket's path: `control.socket`, else `control.sock` beside the store (headend's state directory).
    func controlSocketPath(store: String) -> String {
        control?.socket ?? URL(fileURLWithPath: store).deletingLastPathComponent().appendingPathComponent("control.sock").path
    }

    func controlAccess(store: String) throws -> ControlAccess {
        let control = self.control ?? Control()
        let socket = controlSocketPath(store: store)
        guard socket.utf8.count <= ControlSocket.maximumPathLength else { throw SettingsError("\(ControlSocketError.pathTooLong(path: socket))") }
        let group = try control.group.map { name in
            guard let id = ControlSocket.groupID(name) else { throw SettingsError("control.group \(name) is not a group on this host; create it or give an existing one (getent group)") }
            return id
        }
        let modeText = control.mode ?? "0660"
        guard let mode = ControlSocket.mode(modeText) else { throw SettingsError("control.mode \(modeText) is not a file mode; write octal, e.g. \"0660\"") }
        guard mode & 0o007 == 0 else {
            throw SettingsError("control.mode \(modeText) lets every user on this host command gateways; write \"0660\" and put the operators in control.group")
        }
        let rate = control.rate_limit ?? 5
        guard rate > 0, rate <= 1000 else { throw SettingsError("control.rate_limit \(rate) is not a rate; write requests a second per user, e.g. 5") }
        let listen = try control.listen.map { text in
            let address = try ListenAddress(parsing: text, key: "control.listen")
            guard ["127.0.0.1", "::1", "localhost"].contains(address.host) else {
                throw SettingsError("control.listen \(address) must be a loopback address (127.0.0.1 or ::1); better, leave it out and use the socket")
            }
            return address
        }
        return ControlAccess(socket: socket, group: group, mode: mode, rateLimit: rate, listen: listen)
    }
}

struct SettingsError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The store a query command reads: `--store PATH`, or the `store` key of `--config FILE`.
/// `readings.max_clock_skew` of the configuration file, when one is given; the default otherwise.
func maxClockSkew(config: String?) throws -> Duration {
    guard let config else { return ClockSkew.defaultMaximum }
    return try HeadEndSettings.load(path: config).maxClockSkew()
}

func storePath(config: String?, store: String?) throws -> String {
    if let store { return store }
    guard let config else { throw SettingsError("give --store PATH or --config FILE (its store: key)") }
    guard let path = try HeadEndSettings.load(path: config).store else { throw SettingsError("\(config) has no store: key; give --store PATH") }
    return path
}
