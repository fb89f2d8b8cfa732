import Logging
import NIOCore
import NIOEmbedded
import Testing
import Transport

/// The connection registry's choices (whom to close for room) with channels that need no network: one thread, in
/// order, so each step is seen as it happens.
@Suite("ConnectionRegistry: who makes room for a newcomer")
struct ConnectionRegistryTests {
    let logs = CapturedLogs()

    func registry(limit: Int, maxWaiting: Int? = nil, perAddress: Int? = nil) -> ConnectionRegistry {
        ConnectionRegistry(limit: limit, maxWaiting: maxWaiting, maxWaitingPerAddress: perAddress, listener: "test",
                           events: RepeatedEventLog(logger: logs.logger, interval: .seconds(3600)))
    }

    func channel(from address: String) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        let remote = try SocketAddress(ipAddress: address, port: 40_000)
        // Active, as an accepted connection is: the registry never picks a closing one to make room.
        try channel.connect(to: remote).wait()
        channel.remoteAddress = remote
        return channel
    }

    func isClosed(_ channel: EmbeddedChannel) -> Bool {
        channel.embeddedEventLoop.run()
        var closed = false
        channel.closeFuture.whenComplete { _ in closed = true }
        return closed
    }

    @Test("one address past its share closes its own oldest waiting connection, never another address's")
    func perAddress() throws {
        let registry = registry(limit: 10, perAddress: 2)
        let gateway = try channel(from: "10.0.0.1")
        #expect(registry.admit(gateway) != nil)
        let flood = try (0..<5).map { _ in try channel(from: "10.0.0.2") }
        for channel in flood { #expect(registry.admit(channel) != nil) }
        #expect(flood.map(isClosed) == [true, true, true, false, false])
        #expect(!isClosed(gateway))
        #expect(registry.held.open == 3 && registry.held.waiting == 3)
    }

    @Test("connections in their handshake never take the reserve; the oldest of them makes room; an authenticated one never does")
    func reserveAndOldestFirst() throws {
        let registry = registry(limit: 4, maxWaiting: 2)
        let authenticated = try channel(from: "10.0.0.1")
        registry.markBusy(try #require(registry.admit(authenticated)))
        let first = try channel(from: "10.0.0.2"), second = try channel(from: "10.0.0.3"), third = try channel(from: "10.0.0.4")
        let secondTicket = try #require(registry.admit(first).flatMap { _ in registry.admit(second) })
        #expect(registry.admit(third) != nil)
        #expect(isClosed(first) && !isClosed(second) && !isClosed(third), "two may wait: the oldest made room")
        registry.markBusy(secondTicket)
        let fourth = try channel(from: "10.0.0.5"), fifth = try channel(from: "10.0.0.6")
        let fourthTicket = try #require(registry.admit(fourth))
        #expect(!isClosed(third), "below both bounds: nobody closed")
        let fifthTicket = try #require(registry.admit(fifth))
        #expect(isClosed(third) && !isClosed(fourth))
        registry.markBusy(fourthTicket)
        registry.markBusy(fifthTicket)
        #expect(!registry.accepts, "full of authenticated connections: the listener stops accepting")
        #expect(registry.admit(try channel(from: "10.0.0.7")) == nil)
        #expect(!isClosed(authenticated) && !isClosed(second) && !isClosed(fourth) && !isClosed(fifth))
    }

    @Test("once every connection is closed the registry holds nothing: no entry, no order, no address")
    func emptiesAfterFlood() throws {
        let registry = registry(limit: 50, maxWaiting: 40, perAddress: 8)
        var channels: [EmbeddedChannel] = []
        for index in 0..<2_000 {
            let channel = try channel(from: "10.0.\(index % 7).1")
            if let ticket = registry.admit(channel), index % 10 == 0 { registry.markBusy(ticket) }
            channels.append(channel)
        }
        for channel in channels { channel.close(promise: nil) }
        for channel in channels { channel.embeddedEventLoop.run() }
        let held = registry.held
        #expect(held.open == 0 && held.waiting == 0 && held.order == 0 && held.addresses == 0, "\(held)")
    }
}
