import COSEM
import Foundation
import Metering

/// `gatewayd`'s validated configuration: every value usable, every path resolved. Values that need a library above
/// this module (the register map file, the log level, listen addresses) stay text for the executable to parse.
public struct GatewayConfiguration: Sendable {
    /// At least one; meter numbers and addresses unique.
    public var meters: [MeterConfiguration]
    public var systemTitle: SystemTitle
    public var module: String?
    /// The card reader to watch for removal and insertion; nil for a token that cannot be pulled (SoftHSM, an HSM).
    public var reader: String?
    public var signingKey: String
    public var tlsKey: String
    public var signingCertificate: String?
    public var tlsCertificate: String?
    public var trustAnchors: String
    public var estURL: String?
    public var directoryURL: String
    public var directoryTTL: Duration
    public var crlRefresh: Duration
    /// A fraction of the lifetime, 0.7 for 70 %.
    public var renewAt: Double
    public var uplink: UplinkSettings
    public var convention: GeneralSigning.SignedBytesConvention
    public var outboxPath: String
    public var outboxLimit: Int
    /// The outbox file's size bound in bytes (`outbox.max_bytes`, 512 MiB by default).
    public var outboxMaxBytes: Int = 512 << 20
    public var counterFile: String?
    public var statusFile: String
    public var metrics: String?
    public var logLevel: String
    public var summaryInterval: Duration
    /// Who may read what through signed requests; empty: nobody.
    public var requestPolicy: RequestPolicy
}

/// A setting that cannot be used: the key as the file writes it, and what to write instead.
public struct GatewaySettingError: Error, Sendable, Hashable, CustomStringConvertible {
    public var key: String
    public var problem: String

    public init(_ key: String, _ problem: String) {
        self.key = key
        self.problem = problem
    }

    public var description: String { "\(key): \(problem)" }
}

extension GatewaySettings {
    /// Checks every setting; the first unusable one is the error.
    /// - Parameter parseDuration: the daemons' duration syntax (30s, 500ms, 2m), from DaemonRuntime.
    public func validated(parseDuration: (String, String) throws -> Duration) throws(GatewaySettingError) -> GatewayConfiguration {
        func duration(_ text: String?, _ key: String, default fallback: Duration) throws(GatewaySettingError) -> Duration {
            guard let text else { return fallback }
            do { return try parseDuration(text, key) } catch { throw GatewaySettingError(key, "\"\(text)\" is not a duration; write e.g. 1s, 500ms or 5m") }
        }
        func required(_ value: String?, _ key: String, _ fix: String) throws(GatewaySettingError) -> String {
            guard let value, !value.isEmpty else { throw GatewaySettingError(key, "missing; \(fix)") }
            return value
        }
        func title(_ value: String?, _ key: String) throws(GatewaySettingError) -> SystemTitle {
            let text = try required(value, key, "write the system title as 16 hex digits, e.g. 00DB1234567890A0")
            do { return try SystemTitle(hex: text) } catch { throw GatewaySettingError(key, "\"\(text)\" is not a system title; write 16 hex digits (8 bytes), e.g. 00DB1234567890A0") }
        }
        func keyURI(_ value: String?, _ key: String) throws(GatewaySettingError) -> String {
            let uri = try required(value, key, "write the PKCS#11 URI of the key, e.g. \"pkcs11:token=gateway;object=meter-sign\"")
            guard uri.hasPrefix("pkcs11:") else { throw GatewaySettingError(key, "\"\(uri)\" is not a PKCS#11 URI; write pkcs11:token=...;object=...") }
            guard !uri.contains("pin-value") else { throw GatewaySettingError(key, "a PIN must not be in the configuration; use ?pin-source=file:PATH or GATEWAY_PIN") }
            return uri
        }
        func port(_ value: Int?, _ key: String, default fallback: Int) throws(GatewaySettingError) -> Int {
            let port = value ?? fallback
            guard (1...65535).contains(port) else { throw GatewaySettingError(key, "\(port) is not a TCP port; write 1 to 65535") }
            return port
        }

        let identity = self.identity ?? Identity()
        let token = self.token ?? Token()
        let certificates = self.certificates ?? Certificates()
        let pki = self.pki ?? PKI()
        let upstream = self.upstream ?? Upstream()
        let outbox = self.outbox ?? OutboxSettings()

        let systemTitle = try title(identity.system_title, "identity.system_title")
        let headEnd = try title(upstream.head_end_system_title, "upstream.head_end_system_title")
        let meters = try validatedMeters(identity: identity, duration: duration, required: required, port: port)

        var uplink = UplinkSettings(
            host: try required(upstream.host, "upstream.host", "write the head-end's address, e.g. 127.0.0.1"),
            port: try port(upstream.port, "upstream.port", default: 4059), headEnd: headEnd
        )
        let window = upstream.window ?? uplink.window
        guard (1...1024).contains(window) else { throw GatewaySettingError("upstream.window", "\(window) frames; write 1 to 1024") }
        uplink.window = window
        uplink.connectTimeout = try duration(upstream.connect_timeout, "upstream.connect_timeout", default: uplink.connectTimeout)
        uplink.handshakeTimeout = try duration(upstream.handshake_timeout, "upstream.handshake_timeout", default: uplink.handshakeTimeout)
        uplink.acknowledgementTimeout = try duration(upstream.ack_timeout, "upstream.ack_timeout", default: uplink.acknowledgementTimeout)

        let convention: GeneralSigning.SignedBytesConvention
        switch (upstream.signed_bytes ?? "a").lowercased() {
        case "a": convention = .a
        case "b": convention = .b
        case let other: throw GatewaySettingError("upstream.signed_bytes", "\"\(other)\" is not a convention; write a (the default) or b, as the head-end expects")
        }

        var renewAt = RenewalRule.defaultShare
        if let text = pki.renew_at {
            guard text.hasSuffix("%"), let percent = Double(text.dropLast()), (10...95).contains(percent) else {
                throw GatewaySettingError("pki.renew_at", "\"\(text)\" is not a share of the lifetime; write e.g. 70%")
            }
            renewAt = percent / 100
        }

        let outboxPath = try required(outbox.path, "outbox.path", "write where the outbox database lives, e.g. /var/lib/gatewayd/outbox.sqlite")
        let limit = outbox.limit ?? 100_000
        guard limit >= 1 else { throw GatewaySettingError("outbox.limit", "\(limit) readings; write a positive number (100000 is about a day at one reading a second)") }
        let maxBytes = outbox.max_bytes ?? (512 << 20)
        guard maxBytes >= 1 << 20 else {
            throw GatewaySettingError("outbox.max_bytes", "\(maxBytes) bytes; write at least 1048576 (1 MiB); a signed reading takes about 3 KB, so 536870912 (512 MiB) holds about 175,000")
        }
        var allowed: [SystemTitle: Set<String>] = [:]
        for (index, entry) in (requests?.allow ?? []).enumerated() {
            let requester = try title(entry.requester, "requests.allow[\(index)].requester")
            let objects = entry.obis ?? []
            guard !objects.isEmpty else {
                throw GatewaySettingError("requests.allow[\(index)].obis", "missing; list the OBIS codes this requester may read, e.g. [1.0.1.8.1.255], or [\"*\"] for all")
            }
            for code in objects where code != "*" {
                guard (try? OBISCode(code)) != nil else {
                    throw GatewaySettingError("requests.allow[\(index)].obis", "\"\(code)\" is not an OBIS code; write six numbers like 1.0.1.8.1.255")
                }
            }
            allowed[requester, default: []].formUnion(objects)
        }
        let skew = try duration(requests?.max_clock_skew, "requests.max_clock_skew", default: .seconds(300))
        let statusFile = status_file ?? URL(fileURLWithPath: outboxPath).deletingLastPathComponent().appendingPathComponent("status.json").path

        return GatewayConfiguration(
            meters: meters,
            systemTitle: systemTitle,
            module: token.module,
            reader: token.reader.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 },
            signingKey: try keyURI(token.signing_key, "token.signing_key"),
            tlsKey: try keyURI(token.tls_key, "token.tls_key"),
            signingCertificate: certificates.signing, tlsCertificate: certificates.tls,
            trustAnchors: try required(certificates.trust_anchors, "certificates.trust_anchors", "write the PEM file of the CA certificate(s) the head-end and pkid chain to"),
            estURL: pki.url,
            directoryURL: try required(pki.directory, "pki.directory", "write pkid's URL for certificate lookups and the CRL, e.g. http://127.0.0.1:8080"),
            directoryTTL: try duration(pki.directory_ttl, "pki.directory_ttl", default: .seconds(300)),
            crlRefresh: try duration(pki.crl_refresh, "pki.crl_refresh", default: .seconds(60)),
            renewAt: renewAt, uplink: uplink, convention: convention, outboxPath: outboxPath, outboxLimit: limit, outboxMaxBytes: maxBytes,
            counterFile: outbox.counter_file, statusFile: statusFile, metrics: metrics, logLevel: log_level ?? "info",
            summaryInterval: try duration(summary_interval, "summary_interval", default: .seconds(60)),
            requestPolicy: RequestPolicy(allowed: allowed, maxClockSkew: skew)
        )
    }

    /// `meters:`, or `meter:` as a list of one (its identity under `identity:`, as before several meters).
    private func validatedMeters(
        identity: Identity, duration: (String?, String, Duration) throws(GatewaySettingError) -> Duration,
        required: (String?, String, String) throws(GatewaySettingError) -> String,
        port: (Int?, String, Int) throws(GatewaySettingError) -> Int
    ) throws(GatewaySettingError) -> [MeterConfiguration] {
        let entries: [(setting: Meter, key: String)]
        switch (meter, self.meters) {
        case (.some, .some):
            throw GatewaySettingError("meters", "meter: and meters: are both set; list the one meter under meters:, or keep meter: alone")
        case (nil, let list?):
            guard !list.isEmpty else { throw GatewaySettingError("meters", "empty; list at least one meter, e.g. [{ host: 192.168.1.50, meter_number: \"12345678\" }]") }
            entries = list.enumerated().map { ($1, "meters[\($0)]") }
        case (let one, nil):
            entries = [(one ?? Meter(), "meter")]
        }
        var meters: [MeterConfiguration] = []
        for (setting, key) in entries {
            let unit = setting.unit ?? 1
            guard (0...247).contains(unit) else { throw GatewaySettingError("\(key).unit", "\(unit) is not a Modbus unit id; write 0 to 247 (the PAC3200 answers 1)") }
            // Under `meter:`, and for a list of one, the identity section may hold the meter's number.
            let numberKey = entries.count == 1 && setting.meter_number == nil ? "identity.meter_number" : "\(key).meter_number"
            let number = try required(setting.meter_number ?? (entries.count == 1 ? identity.meter_number : nil), numberKey,
                                      "write the meter's number as printed on it")
            let meter = MeterConfiguration(
                host: try required(setting.host, "\(key).host", "write the meter's address, e.g. 192.168.1.50"),
                port: try port(setting.port, "\(key).port", 502), unit: unit,
                registerMap: setting.map.flatMap { $0 == "builtin" ? nil : $0 },
                pollInterval: try duration(setting.poll_interval, "\(key).poll_interval", .seconds(1)),
                responseTimeout: try duration(setting.response_timeout, "\(key).response_timeout", .milliseconds(500)),
                identity: RecordBuilder.Identity(meterIdent: setting.meter_ident ?? identity.meter_ident ?? "SIEMENS SENTRON PAC3200",
                                                 meterNumber: number, locationIdent: setting.location ?? identity.location ?? "")
            )
            if let other = meters.firstIndex(where: { $0.name == meter.name }) {
                throw GatewaySettingError(numberKey, "\"\(number)\" is also meters[\(other)]'s; each meter needs a number of its own, since its records are told apart by it")
            }
            if let other = meters.firstIndex(where: { $0.address == meter.address && $0.unit == meter.unit }) {
                throw GatewaySettingError(key, "polls \(meter.address) unit \(unit), as meters[\(other)] does; list each meter once")
            }
            meters.append(meter)
        }
        return meters
    }
}
