import Foundation
import Testing
import TestSupport

/// The connection limits as an operator sets them: keys in pkid.yaml, options on the command line, and one-line
/// refusals for values pkid cannot use, including a limit the process's descriptors cannot hold.
@Suite("pkid's connection limit settings")
struct PKIDLimitSettingsTests {
    /// A PKI and a TLS key on a fresh token, and the environment pkid needs for them.
    func prepare() async throws -> (hsm: SoftHSMFixture, pki: String, environment: [String: String]) {
        let hsm = try SoftHSMFixture()
        let pin = try await hsm.createToken("ca")
        let pki = hsm.path("pki")
        #expect(try await hsm.gatewayctl(["ca", "init", "--pki", pki, "--key", "pkcs11:token=ca;object=root", "--subject", "CN=Limits Root"], pin: pin).status == 0)
        #expect(try await hsm.gatewayctl(["token", "keygen", "pkcs11:token=ca;object=tls"], pin: pin).status == 0)
        return (hsm, pki, hsm.environment.merging(["GATEWAY_PIN": pin]) { $1 })
    }

    var pkid: String { productsDirectory.appendingPathComponent("pkid").path }

    @Test("idle_timeout from pkid.yaml closes a silent HTTPS connection after 1 s; the configuration's other limits start")
    func fromConfigurationFile() async throws {
        let (hsm, pki, environment) = try await prepare()
        let config = hsm.file("pkid.yaml", Data("""
            pki: \(pki)
            listen: 127.0.0.1:0
            tls_key: "pkcs11:token=ca;object=tls"
            idle_timeout: 1s
            header_timeout: 5s
            body_timeout: 5s
            max_connections: 50
            """.utf8))
        let server = try await BackgroundProcess(pkid, ["--config", config], environment: environment)
        let port = try await server.waitForPort()
        // Blocked on its socket for a second or more: off the cooperative pool, which the suites beside it need.
        let (closed, seconds) = try await offPool {
            let silent = try LoopbackConnection(port: port)
            let start = Date()
            return (silent.read(timeout: 4).closed, Date().timeIntervalSince(start))
        }
        #expect(closed && seconds > 0.8 && seconds < 2.5, "closed: \(closed) after \(seconds) s")
        #expect(try await run("curl", ["-s", "--cacert", pki + "/ca.pem", "https://127.0.0.1:\(port)/ca"]).output.hasPrefix("-----BEGIN CERTIFICATE-----"))
        #expect(await server.stop() == 0)
        #expect(server.stderr.contains("at most 50 connections per listener"), "\(server.stderr)")
    }

    @Test("a timeout or a connection limit pkid cannot use is refused in one line naming the key", arguments: [
        (["--idle-timeout", "fast"], "pkid: idle_timeout \"fast\" is not a timeout; use e.g. 30s, 500ms or 2m (more than 0, at most a day)\n"),
        (["--header-timeout", "0s"], "pkid: header_timeout \"0s\" is not a timeout; use e.g. 30s, 500ms or 2m (more than 0, at most a day)\n"),
        (["--max-connections", "0"], "pkid: max_connections 0 is not a connection limit; use a number from 1 to 1000000\n"),
    ])
    func refusedValues(options: [String], message: String) async throws {
        let (hsm, pki, environment) = try await prepare()
        defer { withExtendedLifetime(hsm) {} }  // the fixture's directory goes with it
        let refused = try await run(pkid, ["--pki", pki, "--listen", "127.0.0.1:0", "--tls-key", "pkcs11:token=ca;object=tls"] + options,
                              environment: environment)
        #expect(refused.status == 1)
        #expect(refused.stderr == message)
    }

    @Test("max_connections that the descriptor limit cannot hold refuses to start, naming both numbers")
    func beyondDescriptors() async throws {
        let (hsm, pki, environment) = try await prepare()
        defer { withExtendedLifetime(hsm) {} }
        // Under timeout(1): a pkid that starts anyway (as one without the check did) would otherwise serve forever.
        let refused = try await run("timeout", ["10", "/usr/bin/prlimit", "--nofile=1024:1024", "--", pkid, "--pki", pki, "--listen", "127.0.0.1:0",
                                          "--http-listen", "127.0.0.1:0", "--tls-key", "pkcs11:token=ca;object=tls"],
                              environment: environment)
        #expect(refused.status == 1, "exit status \(refused.status) (124: still running after 10 s)")
        #expect(refused.stderr.hasPrefix("pkid: max_connections 1000 on 2 listeners needs about "), "\(refused.stderr)")
        #expect(refused.stderr.hasSuffix(" file descriptors, but this process may open 1024 (ulimit -n); lower max_connections or raise the limit\n"),
                "\(refused.stderr)")
    }
}
