import Foundation
import Testing
import TestSupport

/// A PKI whose CA key is on a SoftHSM token, and pkid serving it, for the tests that push pkid and gatewayctl
/// at one database together or kill pkid in the middle of a request. pkid can be killed and started again on
/// the same PKI; whichever pkid runs is stopped when the fixture goes.
final class PKIDFixture: @unchecked Sendable {
    let hsm: SoftHSMFixture
    let caPIN: String
    let pki: String
    private(set) var pkid: BackgroundProcess
    private(set) var httpsPort = 0
    private(set) var httpPort = 0

    /// `environment` is added to the first pkid's (a test hook such as PKID_TEST_PAUSE_AT).
    init(environment: [String: String] = [:]) async throws {
        hsm = try SoftHSMFixture()
        caPIN = try await hsm.createToken("ca")
        pki = hsm.path("pki")
        let made = try await hsm.gatewayctl(["ca", "init", "--pki", pki, "--key", "pkcs11:token=ca;object=root", "--subject", "CN=Fixture Root",
                                       "--url", "http://127.0.0.1:1"], pin: caPIN)
        guard made.status == 0 else { throw TestSetupError("ca init failed: \(made.stderr)") }
        let tlsKey = try await hsm.gatewayctl(["token", "keygen", "pkcs11:token=ca;object=pkid-tls"], pin: caPIN)
        guard tlsKey.status == 0 else { throw TestSetupError("token keygen failed: \(tlsKey.stderr)") }
        pkid = try await Self.launch(hsm: hsm, pki: pki, pin: caPIN, environment: environment)
        try await waitForPorts()
    }


    private static func launch(hsm: SoftHSMFixture, pki: String, pin: String, environment: [String: String]) async throws -> BackgroundProcess {
        try await BackgroundProcess(pkidPath, [
            "--pki", pki, "--listen", "127.0.0.1:0", "--http-listen", "127.0.0.1:0", "--tls-key", "pkcs11:token=ca;object=pkid-tls",
        ], environment: hsm.environment.merging(["GATEWAY_PIN": pin]) { $1 }.merging(environment) { $1 })
    }

    private func waitForPorts() async throws {
        httpsPort = try await pkid.waitForPort(timeout: 30)
        let line = try await pkid.waitForLine(containing: "http://", timeout: 30)
        httpPort = Int(line.split(separator: ":")[2].split(separator: " ")[0])!
    }

    /// Stops the running pkid (SIGKILL leaves it no chance to tidy up) and starts a new one on the same PKI.
    func restart(environment: [String: String] = [:]) async throws {
        await pkid.stop(signal: SIGKILL)
        pkid = try await Self.launch(hsm: hsm, pki: pki, pin: caPIN, environment: environment)
        try await waitForPorts()
    }

    var url: String { "https://127.0.0.1:\(httpsPort)" }
    var plainURL: String { "http://127.0.0.1:\(httpPort)" }

    func gatewayctl(_ arguments: [String], extra: [String: String] = [:]) async throws -> ProcessResult {
        try await hsm.gatewayctl(arguments, pin: caPIN, extra: extra)
    }

    /// `gatewayctl ra register`, as an operator runs it.
    func registration(_ title: String, profile: String = "sign") async throws -> ProcessResult {
        try await hsm.gatewayctl(["ra", "register", "--pki", pki, "--system-title", title, "--profile", profile, "--expires", "1h"])
    }

    /// The one-time secret a successful `ra register` printed.
    static func secret(in result: ProcessResult) throws -> String {
        guard result.status == 0, let secret = result.output.components(separatedBy: "(shown once): ").last, result.output.contains("(shown once): ") else {
            throw TestSetupError("ra register failed (\(result.status)): \(result.stderr)")
        }
        return secret.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func register(_ title: String, profile: String = "sign") async throws -> String {
        try Self.secret(in: try await registration(title, profile: profile))
    }

    /// A new key made by OpenSSL and its CSR, base64 DER as EST sends it; `key` is the private key's PEM file.
    func csr(_ subject: String) async throws -> (csr: String, key: String) {
        let name = "req-\(UUID().uuidString.prefix(8))"
        let der = hsm.path("\(name).der"), key = hsm.path("\(name).key")
        let made = try await hsm.openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                    "-keyout", key, "-subj", subject, "-outform", "DER", "-out", der])
        guard made.status == 0 else { throw TestSetupError("openssl req failed: \(made.stderr)") }
        return (hsm.file("\(name).b64", Data(try Data(contentsOf: URL(fileURLWithPath: der)).base64EncodedString().utf8)), key)
    }

    /// curl against pkid; the status 0 when no answer came.
    func curl(_ arguments: [String]) async throws -> (code: Int, body: String) {
        let result = try await run("curl", ["-s", "-w", "\n%{http_code}", "--cacert", pki + "/ca.pem"] + arguments)
        var lines = result.output.components(separatedBy: "\n")
        let code = Int(lines.removeLast()) ?? 0
        return (code, lines.joined(separator: "\n").trimmingCharacters(in: .newlines))
    }

    func enrollArguments(_ title: String, secret: String, csr: String) -> [String] {
        ["-u", "\(title):\(secret)", "--data-binary", "@\(csr)", "-H", "Content-Type: application/pkcs10", "\(url)/.well-known/est/simpleenroll"]
    }

    func enroll(_ title: String, secret: String, csr: String) async throws -> (code: Int, body: String) {
        try await curl(enrollArguments(title, secret: secret, csr: csr))
    }

    /// The certificate in an EST answer (base64 certs-only PKCS#7), as a PEM file, and its serial as openssl prints it.
    func certificate(in body: String) async throws -> (pem: String, serial: String) {
        guard let der = Data(base64Encoded: body.filter { !$0.isWhitespace }) else { throw TestSetupError("not base64: \(body)") }
        let name = "cert-\(UUID().uuidString.prefix(8))"
        let p7 = hsm.file("\(name).p7", der), pem = hsm.path("\(name).pem")
        let printed = try await hsm.openssl(["pkcs7", "-inform", "DER", "-in", p7, "-print_certs", "-out", pem])
        guard printed.status == 0 else { throw TestSetupError("openssl pkcs7 failed: \(printed.stderr)") }
        return await (pem, try serial(of: pem))
    }

    func serial(of pem: String) async throws -> String {
        String(try await hsm.openssl(["x509", "-in", pem, "-noout", "-serial"]).output.dropFirst("serial=".count)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// pkid's Central Directory entries for a system title.
    func directory(_ title: String) async throws -> [[String: String]] {
        let answer = try await curl(["\(url)/certificates?system-title=\(title)"])
        guard answer.code == 200, let list = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [[String: String]] else {
            throw TestSetupError("directory lookup failed (\(answer.code)): \(answer.body)")
        }
        return list
    }

    /// Every certificate the directory holds, as `gatewayctl ca list` prints them: serial and status, no header.
    func listed() async throws -> [(serial: String, line: String)] {
        let list = try await gatewayctl(["ca", "list", "--pki", pki])
        guard list.status == 0 else { throw TestSetupError("ca list failed: \(list.stderr)") }
        return list.output.split(separator: "\n").dropFirst().map { (String($0.split(separator: " ")[0]), String($0)) }
    }

    /// `openssl crl -text` of what pkid serves at /crl.
    func servedCRL() async throws -> String {
        let file = hsm.path("served-\(UUID().uuidString.prefix(8)).crl")
        let fetched = try await run("curl", ["-s", "-o", file, "-w", "%{http_code}", "\(plainURL)/crl"])
        guard fetched.output == "200" else { throw TestSetupError("GET /crl answered \(fetched.output)") }
        return try await hsm.openssl(["crl", "-inform", "DER", "-in", file, "-noout", "-text"]).output
    }

    /// What `openssl ocsp` asked of pkid says of `pem`: good, revoked, with the reason on its own line.
    func ocsp(_ pem: String) async throws -> String {
        try await hsm.openssl(["ocsp", "-issuer", pki + "/ca.pem", "-cert", pem, "-url", "\(plainURL)/ocsp", "-CAfile", pki + "/ca.pem"]).output
    }
}

/// Runs `jobs` at once, each a child task (every job's child process then runs in parallel with the others'),
/// and returns their results in order.
func simultaneously<T: Sendable>(_ jobs: [@Sendable () async throws -> T]) async -> [Result<T, Error>] {
    await withTaskGroup(of: (Int, Result<T, Error>).self) { group in
        for (index, job) in jobs.enumerated() {
            group.addTask {
                do { return (index, .success(try await job())) } catch { return (index, .failure(error)) }
            }
        }
        var results = [Result<T, Error>?](repeating: nil, count: jobs.count)
        for await (index, result) in group { results[index] = result }
        return results.map { $0! }
    }
}
