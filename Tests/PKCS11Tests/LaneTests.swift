@testable import PKCS11
import Signing
import Testing

@Suite("Where token calls run")
struct LaneTests {
    @Test("calls run on a lane, never on the caller's thread; a task pinned to the token thread runs there")
    func placement() async throws {
        let (token, label, _) = try await InProcessSoftHSM.token("lane", sessions: 2)
        let key = try await token.generateKeyPair(InProcessSoftHSM.uri(label, object: "k"), algorithm: .ecdsa(.p256))
        let onLane = try await token.perform(login: false) { _, _ in token.lanes.contains(where: \.isCurrent) }
        #expect(onLane)
        let onCallerLane = token.lanes.contains { $0.isCurrent }
        #expect(!onCallerLane)

        let message = Array("pinned".utf8)
        let pinned = try await token.withTokenThread {
            let signature = try await key.sign(message)
            return (token.lanes[0].isCurrent, key.publicKey.isValidSignature(signature, for: message))
        }
        #expect(pinned == (true, true))
    }
}
