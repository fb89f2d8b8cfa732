import Foundation
import Gateway
import HeadEnd
import PKI
import Signing
import Testing
import TestSupport
import Transport
import X509

/// What the uplink does with the connections it opens: a server that is not the head-end is refused before a frame is
/// written, as often as it is met, without ever bringing gatewayd down; a connection lost during a retry-later pause
/// does not stall the stream; a head-end that closes the connection is said to have done so.
@Suite("The uplink's connections: impostors refused, pauses kept across reconnects, the head-end's close named")
struct UplinkConnectionTests {
    /// TLS servers of the gateway's own CA that are not its head-end.
    enum Impostor: String, CaseIterable, CustomTestStringConvertible {
        case anotherTitle = "a tls certificate for another system title"
        case signProfile = "a certificate of the sign profile"
        case revoked = "a revoked tls certificate"

        var testDescription: String { rawValue }

        /// Words of the line that says why, with the fix.
        var reason: [String] {
            switch self {
            case .anotherTitle: ["is not head-end \(UplinkFixture.headEnd)", "48454144454E4499", "check upstream.head_end_system_title"]
            case .signProfile: ["is not a tls certificate", "enroll its tls_key with --profile tls"]
            case .revoked: ["was revoked", "enroll its tls_key with --profile tls"]
            }
        }
    }

    @Test("a server with a certificate of the same CA that is not the head-end's is refused a hundred times: no crash, no frame written, the reason in one line",
          arguments: Impostor.allCases)
    func impostorRefused(_ impostor: Impostor) async throws {
        let fixture = try await UplinkFixture()
        try await fixture.fill(3)
        let identity: (key: SoftwareSigner, certificate: Certificate)
        switch impostor {
        case .anotherTitle:
            identity = try await fixture.serverIdentity(title: "48454144454E4499")
        case .signProfile:
            identity = try await fixture.serverIdentity(profile: .sign)
        case .revoked:
            identity = try await fixture.serverIdentity()
            try await fixture.authority.revoke(serial: CertificateSerial(identity.certificate.serialNumber), reason: .keyCompromise)
        }
        let headEnd = try await fixture.startHeadEnd(identity: identity)
        let uplink = try fixture.uplink()
        let running = Task { try await uplink.run() }

        // Each attempt is a TLS handshake with the impostor, then the refusal and the close: a hundred of them.
        let tried = try await fixture.eventually(300) { fixture.proxy.accepted >= 100 }
        running.cancel()
        _ = try? await running.value
        await headEnd.stop()

        #expect(tried, "only \(fixture.proxy.accepted) attempts")
        #expect(headEnd.frames.count == 0, "the gateway wrote frames to a server that is not its head-end")
        #expect(try await headEnd.store.readings().isEmpty)
        #expect(fixture.delivered.isEmpty)
        let line = fixture.status.current.lastError ?? ""
        for words in impostor.reason {
            #expect(line.contains(words), "\(line)")
        }
        #expect(!line.contains("\n"))
    }

    @Test("the connection dropped during a retry-later pause: once the head-end can judge again, everything held is delivered")
    func dropDuringRetryLaterPause() async throws {
        let fixture = try await UplinkFixture()
        try await fixture.fill(5)
        let revocation = SwitchableRevocationLists([try ParsedCRL(derEncoded: try await fixture.authority.currentCRL())])
        let headEnd = try await fixture.startHeadEnd(identity: try await fixture.serverIdentity(), revocation: revocation)
        // Long enough that the drop below falls inside the pause; the test waits for the pause's end, never for a time.
        let uplink = try fixture.uplink(retryLaterPause: .seconds(5))
        let running = Task { try await uplink.run() }

        // The head-end cannot tell whether the gateway's certificate is revoked: retry later; the uplink holds.
        let holding = try await fixture.eventually(60) { fixture.status.current.uplink == .holding }
        fixture.proxy.cutAll()
        revocation.setAvailable(true)

        let delivered = try await fixture.eventually(60) { fixture.delivered == [1, 2, 3, 4, 5] }
        running.cancel()
        _ = try? await running.value
        await headEnd.stop()
        #expect(holding, "no retry-later pause")
        #expect(delivered, "delivered \(fixture.delivered); uplink \(fixture.status.current.uplink), last error \(fixture.status.current.lastError ?? "none")")
        #expect(fixture.proxy.accepted >= 2, "the connection was not made again")
        #expect(try await headEnd.store.readings().map(\.transactionID) == [1, 2, 3, 4, 5])
    }

    @Test("a head-end that closes the connection on accept (at its connection limit) or during the handshake: the line says it closed the connection",
          arguments: [false, true])
    func headEndClosesTheConnection(duringHandshake: Bool) async throws {
        let fixture = try await UplinkFixture()
        let headEnd = try await fixture.startHeadEnd(identity: try await fixture.serverIdentity())
        if duringHandshake {
            fixture.proxy.cutAfter(bytes: 40, direction: .toServer)
        } else {
            fixture.proxy.refuse(true)
        }
        do {
            let connection = try await WrapperConnection.connect(host: "127.0.0.1", port: fixture.proxy.port, tls: fixture.credentials.tls,
                                                                 connectTimeout: .seconds(10), handshakeTimeout: .seconds(30))
            await connection.close()
            Issue.record("the handshake completed")
        } catch {
            let line = "\(error)"
            #expect(line.contains("closed the connection during the TLS handshake"), "\(line)")
            #expect(!line.contains("trust anchors"), "\(line)")
        }
        await headEnd.stop()
    }
}
