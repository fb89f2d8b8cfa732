import Foundation
import HeadEnd
import NIOSSL
import PKI
import Signing
import Testing
import Transport
import X509

/// A head-end listener on 127.0.0.1 with a software CA, what the server and flood suites share: the server's TLS
/// identity, starting a server with given limits, and connecting as a gateway.
struct HeadEndServerHarness {
    let fixture: HeadEndFixture
    let serverKey: SoftwareSigner
    let serverCertificate: Certificate

    init(_ name: String) async throws {
        fixture = try await HeadEndFixture(name)
        serverKey = try SoftwareSigner(generating: .ecdsa(.p256))
        serverCertificate = try await HeadEndFixture.issue(fixture.authority, key: serverKey, subject: "CN=headend", profile: .tls)
    }

    /// A running server; `stop()` closes it and waits for its accept loop.
    struct Running {
        let server: HeadEndServer
        let task: Task<Void, Never>

        func stop() async {
            await server.shutdown(drain: .zero)
            await task.value
        }
    }

    func start(_ processor: FrameProcessor, revocation: (any RevocationListSource)? = nil, logs: CapturedLogs = CapturedLogs(),
               limits: HeadEndServerLimits = HeadEndServerLimits(handshakeTimeout: .seconds(30)), logInterval: Duration = .seconds(10),
               tls: TLSConfiguration? = nil) async throws -> Running {
        let tls = try tls ?? TLSConfigurations.serverRequiringClientCertificate(chain: [serverCertificate], key: serverKey,
                                                                                clientCA: [fixture.authority.certificate])
        let check = GatewayCertificateCheck(trustAnchors: [fixture.authority.certificate],
                                            revocation: try revocation ?? FixedRevocationLists([fixture.crl()]))
        let server = try await HeadEndServer(host: "127.0.0.1", port: 0, tls: tls, check: check, processor: processor,
                                             limits: limits, logger: logs.logger, logInterval: logInterval)
        return Running(server: server, task: Task { await server.run() })
    }

    func connect(_ running: Running, as gateway: TestGateway) async throws -> UplinkTestClient {
        try await UplinkTestClient.connect(port: running.server.port, roots: [fixture.authority.certificate],
                                           chain: [gateway.tlsCertificate], key: gateway.tlsKey)
    }

    func rawClient(_ running: Running, chain: [Certificate], key: (any Signer)?) async throws -> RawTLSClient {
        try await RawTLSClient.connect(port: running.server.port, roots: [fixture.authority.certificate], chain: chain, key: key)
    }

    /// Waits until the server holds `count` connections (a closed one leaves it when its close completes).
    func waitForConnections(_ running: Running, _ count: Int) async throws {
        await waitUntil("the server holds \(count) connections (it holds \(running.server.openConnections))") {
            running.server.openConnections == count
        }
    }
}

/// Waits for a condition the code under test makes true by itself, checking every 10 ms; gives up after 30 s (a
/// bound for a broken build, not an allowance a loaded machine could run out of) and records `what` did not happen.
/// It does not throw: a test goes on to close what it opened (an unclosed NIO async channel traps).
@discardableResult
func waitUntil(_ what: @autoclosure () -> String, _ condition: () -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let end = clock.now.advanced(by: .seconds(30))
    while !condition() {
        guard clock.now < end else {
            Issue.record("never happened: \(what())")
            return false
        }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return true
}
