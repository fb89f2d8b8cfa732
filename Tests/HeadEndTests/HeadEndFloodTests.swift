import COSEM
import Foundation
import HeadEnd
import Testing

/// The head-end's gateway port under a flood of silent sockets, on loopback, in a test process of its own (see
/// FLOOD_SUITES in the Makefile): hundreds of sockets reopened as soon as closed, and a gateway that restarts into it.
@Suite("HeadEndFloodTests: a flood never locks a reconnecting gateway out")
struct HeadEndFloodTests {
    let harness: HeadEndServerHarness

    init() async throws {
        harness = try await HeadEndServerHarness("headend-flood")
    }

    @Test("a restarted gateway delivers within its back-off while 300 silent sockets from another address reopen as soon as closed; afterwards nothing is held")
    func restartedGatewayGetsThrough() async throws {
        let fixture = harness.fixture
        let gateway = try await fixture.gateway("00DB1234567890D0")
        let store = try ReadingStore(path: fixture.storePath)
        // A handshake timeout longer than the test: only making room can let the gateway in, not a flood socket
        // timing out.
        let running = try await harness.start(try fixture.processor(store: store),
                                              limits: HeadEndServerLimits(handshakeTimeout: .seconds(120), maxConnections: 64))
        #expect(try await harness.connect(running, as: gateway).exchange([try await gateway.frame(1)]).count == 1)

        let flood = SilentFlood(port: running.server.port, source: "127.0.0.2", sockets: 300)
        flood.start()
        // The flood holds the listener and is being closed and reopening: more connects than sockets.
        await waitUntil("the flood reopens its sockets (\(flood.connects) connects)") {
            flood.connects > 2 * flood.sockets && running.server.openConnections >= 32
        }

        // The gateway restarts: it connects and retries with gatewayd's back-off (250 ms, doubling, ±20 %).
        var answers: [WrapperFrame] = []
        var attempts = 0
        for backoff in [250, 500, 1_000, 2_000, 4_000] {
            attempts += 1
            answers = (try? await harness.connect(running, as: gateway).exchange([try await gateway.frame(2)])) ?? []
            if !answers.isEmpty { break }
            try await Task.sleep(for: .milliseconds(backoff))
        }
        let connects = flood.connects
        await flood.stop()
        try await harness.waitForConnections(running, 0)
        let held = running.server.bookkeeping
        await running.stop()

        #expect(answers.count == 1, "the gateway delivered under the flood (\(attempts) attempts, the flood made \(connects) connects)")
        #expect(try await store.readings().map(\.transactionID) == [1, 2])
        #expect(held.open == 0 && held.waiting == 0 && held.order == 0 && held.addresses == 0,
                "the connection bookkeeping is empty once the flood is gone: \(held)")
    }
}
