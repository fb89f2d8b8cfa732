import Foundation
import Testing
import TestSupport

extension ChainTests {
    /// A backlog signed with a certificate that a renewal then superseded: the head-end must still store it, since a
    /// superseded certificate does not reach back to what its key signed before the revocation (`CRLReason.reachesBack`).
    @Test("head-end down, the gateway renews its signing certificate, head-end back: the whole backlog signed before the renewal is stored")
    func backlogAcrossRenewal() async throws {
        let chain = try await chainWithBacklog(5)
        #expect(await chain.stopGateway() == 0)

        // The gateway's signing certificate renewed with the same key while the head-end is away: pkid revokes the
        // old one as superseded, and the head-end, started after that, fetches the CRL that lists it.
        let renewed = try await chain.hsm.gatewayctl(["enroll", "renew", "--url", chain.pki.url, "--ca", chain.pki.pki + "/ca.pem",
                                                "--key", "pkcs11:token=gateway;object=meter-sign", "--force"], pin: chain.gatewayPIN)
        #expect(renewed.status == 0, "\(renewed.stderr)")
        try await chain.startGateway()
        let back = try await chain.startHeadEnd()
        try await chain.expectEverythingDelivered()
        #expect(!back.stderr.contains("revoked"), "a frame was refused as revoked: \(ChainFixture.telling(back.stderr))")
    }
}
