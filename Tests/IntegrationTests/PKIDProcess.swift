import Foundation
import TestSupport

/// A pkid started the way an operator starts it: a CA and a TLS key on a SoftHSM token, HTTPS, plain HTTP and
/// metrics on free loopback ports, read back from the lines it prints. `await process.stop()` ends it, or its
/// process's deinit kills it once this is released.
final class PKIDProcess: @unchecked Sendable {
    let hsm: SoftHSMFixture
    let pin: String
    let pki: String
    let process: BackgroundProcess
    let httpsPort: Int
    let httpPort: Int
    let metricsPort: Int

    /// `pinFile` reads both keys' PIN from a file (and no GATEWAY_PIN is set); `tlsKeyType` is the TLS key's
    /// `token keygen --type`; `extra` are more options; `descriptorLimit` starts pkid under `prlimit --nofile`, as a
    /// service manager's LimitNOFILE would.
    init(pin: String = randomDigits(8), pinFile: Bool = false, tlsKeyType: String = "ec-p256", extra: [String] = [],
         descriptorLimit: Int? = nil) async throws {
        hsm = try SoftHSMFixture()
        self.pin = try await hsm.createToken("ca", pin: pin)
        pki = hsm.path("pki")
        let made = try await hsm.gatewayctl(["ca", "init", "--pki", pki, "--key", "pkcs11:token=ca;object=root", "--subject", "CN=Daemon Test Root"], pin: pin)
        precondition(made.status == 0, made.stderr)
        let keygen = try await hsm.gatewayctl(["token", "keygen", "pkcs11:token=ca;object=pkid-tls", "--type", tlsKeyType], pin: pin)
        precondition(keygen.status == 0, keygen.stderr)
        var tlsKey = "pkcs11:token=ca;object=pkid-tls"
        var environment = hsm.environment
        if pinFile {
            let path = try hsm.pinFile(pin)
            tlsKey += "?pin-source=file:\(path)"
            let config = URL(fileURLWithPath: pki + "/pki.json")
            var json = try JSONSerialization.jsonObject(with: Data(contentsOf: config)) as! [String: Any]
            json["caKey"] = "pkcs11:token=ca;object=root?pin-source=file:\(path)"
            try JSONSerialization.data(withJSONObject: json).write(to: config)
        } else {
            environment["GATEWAY_PIN"] = pin
        }
        let pkid = productsDirectory.appendingPathComponent("pkid").path
        let arguments = [
            "--pki", pki, "--listen", "127.0.0.1:0", "--http-listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0",
            "--tls-key", tlsKey,
        ] + extra
        // prlimit execs pkid in its own process, so the pid (and /proc/PID) is pkid's.
        if let descriptorLimit {
            process = try await BackgroundProcess(
                "/usr/bin/prlimit", ["--nofile=\(descriptorLimit):\(descriptorLimit)", "--", pkid] + arguments, environment: environment
            )
        } else {
            process = try await BackgroundProcess(pkid, arguments, environment: environment)
        }
        httpsPort = try await process.waitForPort()
        httpPort = try Self.port(in: await process.waitForLine(containing: "pkid listening on http://"))
        metricsPort = try Self.port(in: await process.waitForLine(containing: "pkid metrics at http://"))
    }

    /// The port in `... http://127.0.0.1:PORT...`.
    static func port(in line: String) throws -> Int {
        let address = line.components(separatedBy: "http://")[1]
        guard let port = Int(address.split(separator: ":")[1].prefix { $0.isNumber }) else { throw TestSetupError("no port in \"\(line)\"") }
        return port
    }

    var httpsURL: String { "https://127.0.0.1:\(httpsPort)" }
    var httpURL: String { "http://127.0.0.1:\(httpPort)" }

    /// curl trusting pkid's CA: status code and body.
    func curl(_ arguments: [String]) async throws -> (code: Int, body: String) {
        let result = try await run("curl", ["-s", "-w", "\n%{http_code}", "--cacert", pki + "/ca.pem"] + arguments)
        var lines = result.output.components(separatedBy: "\n")
        let code = Int(lines.removeLast()) ?? 0
        return (code, lines.joined(separator: "\n"))
    }

    /// The Prometheus text pkid serves now.
    func scrape() async throws -> String {
        let answer = try await curl(["http://127.0.0.1:\(metricsPort)/metrics"])
        guard answer.code == 200 else { throw TestSetupError("/metrics answered \(answer.code): \(answer.body)") }
        return answer.body
    }

    /// A sample's value from Prometheus text: the line for `name` whose labels include all of `labels`; 0 when there
    /// is none yet (a counter appears with its first increment).
    static func sample(_ text: String, _ name: String, _ labels: [String: String]) -> Double {
        for line in text.split(separator: "\n") where line.hasPrefix(name + "{") || line.hasPrefix(name + " ") {
            let wanted = labels.allSatisfy { line.contains("\($0.key)=\"\($0.value)\"") }
            if wanted, let value = line.split(separator: " ").last.flatMap({ Double($0) }) { return value }
        }
        return 0
    }

    /// The serial of the certificate pkid issued itself for TLS, from the Central Directory's list.
    func ownSerial() async throws -> String {
        let list = try await curl(["\(httpURL)/certificates"])
        let entries = try JSONSerialization.jsonObject(with: Data(list.body.utf8)) as? [[String: String]]
        // A fresh PKI has issued one certificate: pkid's own, at its first start.
        guard entries?.count == 1, let serial = entries?.first?["serial"] else {
            throw TestSetupError("pkid's own certificate is not in its directory: \(list.body)")
        }
        return serial
    }

    /// A device registered with the RA; returns its one-time secret.
    func register(_ title: String) async throws -> String {
        let out = try await hsm.gatewayctl(["ra", "register", "--pki", pki, "--system-title", title, "--profile", "sign", "--expires", "1h"])
        precondition(out.status == 0, out.stderr)
        return String(out.output.components(separatedBy: "(shown once): ")[1].trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// An OpenSSL-made CSR for `subject`, base64 DER in a file, as EST sends it.
    func csr(_ subject: String) async throws -> String {
        let name = UUID().uuidString.prefix(6)
        let der = hsm.path("\(name).der")
        let made = try await hsm.openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                    "-keyout", hsm.path("\(name).key"), "-subj", subject, "-outform", "DER", "-out", der])
        precondition(made.status == 0, made.stderr)
        return hsm.file("\(name).b64", Data(try Data(contentsOf: URL(fileURLWithPath: der)).base64EncodedString().utf8))
    }
}
