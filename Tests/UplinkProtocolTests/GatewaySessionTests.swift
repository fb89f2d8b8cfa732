import Metering
import Testing
import UplinkProtocol

/// The gateway's side of the uplink, driven with values: a window of frames, acknowledgements in any order, lost
/// connections and retry-later refusals.
@Suite("Gateway session: window, acknowledgements, reconnects")
struct GatewaySessionTests {
    static func frame(_ id: UInt64) -> OutgoingFrame {
        OutgoingFrame(transactionID: id, bytes: [0x00, 0x01, UInt8(truncatingIfNeeded: id)])
    }

    static func session(window: Int, frames: ClosedRange<UInt64>) throws -> GatewaySession {
        var session = try GatewaySession(window: window)
        for id in frames { try session.enqueue(frame(id)) }
        session.connectionEstablished()
        return session
    }

    /// Everything `nextToSend()` yields now.
    static func drain(_ session: inout GatewaySession) -> [UInt64] {
        var sent: [UInt64] = []
        while let frame = session.nextToSend() { sent.append(frame.transactionID) }
        return sent
    }

    static let finalRefusal = try! Refusal(reason: .signature, disposition: .final, text: "the signature does not verify")
    static let retryRefusal = try! Refusal(reason: .certificate, disposition: .retryLater, text: "revocation status unavailable")

    @Test("never more than the window in flight; each acknowledgement lets exactly one more go, in id order", arguments: [1, 3, 8])
    func window(_ size: Int) throws {
        var session = try Self.session(window: size, frames: 1...20)
        var sent = Self.drain(&session)
        #expect(sent == Array(1...UInt64(size)))
        #expect(session.inFlightIDs.count == size)
        var delivered: [UInt64] = []
        while let oldest = session.inFlightIDs.first {
            #expect(session.received(Acknowledgement(transactionID: oldest, outcome: .accepted)) == .delivered(oldest))
            delivered.append(oldest)
            let more = Self.drain(&session)
            #expect(more.count <= 1)
            sent += more
            #expect(session.inFlightIDs.count <= size)
        }
        #expect(sent == Array(1...20) && delivered == Array(1...20) && session.isIdle)
    }

    @Test("nothing is sent before the connection is up or after it is lost")
    func connection() throws {
        var session = try GatewaySession(window: 4)
        try session.enqueue(Self.frame(1))
        #expect(session.nextToSend() == nil)
        session.connectionEstablished()
        #expect(session.nextToSend()?.transactionID == 1)
        session.connectionLost()
        #expect(session.nextToSend() == nil && session.queuedIDs == [1] && session.inFlightIDs.isEmpty)
    }

    @Test("after a lost connection every frame in flight is sent again, first and in id order; nothing lost or sent twice")
    func resend() throws {
        var session = try Self.session(window: 5, frames: 1...12)
        #expect(Self.drain(&session) == [1, 2, 3, 4, 5])
        #expect(session.received(Acknowledgement(transactionID: 2, outcome: .accepted)) == .delivered(2))
        #expect(session.received(Acknowledgement(transactionID: 4, outcome: .duplicate)) == .delivered(4))
        #expect(Self.drain(&session) == [6, 7])
        session.connectionLost()
        #expect(session.queuedIDs == [1, 3, 5, 6, 7, 8, 9, 10, 11, 12])
        // An acknowledgement from the old connection, read after the loss: its frame waits in the queue.
        #expect(session.received(Acknowledgement(transactionID: 3, outcome: .accepted)) == .ignored(3))
        session.connectionEstablished()
        #expect(Self.drain(&session) == [1, 3, 5, 6, 7])
        var delivered: Set<UInt64> = [2, 4]
        while let id = session.inFlightIDs.last {
            guard case .delivered(let done) = session.received(Acknowledgement(transactionID: id, outcome: .accepted)) else {
                Issue.record("\(id) not delivered")
                return
            }
            #expect(delivered.insert(done).inserted)
            _ = Self.drain(&session)
        }
        #expect(delivered == Set(1...12) && session.isIdle)
    }

    @Test("acknowledgements in any order; one for an id not in flight is ignored and reported")
    func outOfOrder() throws {
        var session = try Self.session(window: 4, frames: 1...4)
        _ = Self.drain(&session)
        #expect(session.received(Acknowledgement(transactionID: 3, outcome: .accepted)) == .delivered(3))
        #expect(session.received(Acknowledgement(transactionID: 1, outcome: .duplicate)) == .delivered(1))
        #expect(session.received(Acknowledgement(transactionID: 3, outcome: .accepted)) == .ignored(3))
        #expect(session.received(Acknowledgement(transactionID: 99, outcome: .accepted)) == .ignored(99))
        #expect(session.received(Acknowledgement(transactionID: 4, outcome: .refused(Self.finalRefusal))) == .refusedFinal(4, Self.finalRefusal))
        #expect(session.inFlightIDs == [2])
        #expect(session.received(Acknowledgement(transactionID: 2, outcome: .accepted)) == .delivered(2))
        #expect(session.isIdle)
    }

    @Test("a retry-later refusal queues the frame again and holds sending until retryNow; a final one drops the frame")
    func retryLater() throws {
        var session = try Self.session(window: 3, frames: 1...6)
        #expect(Self.drain(&session) == [1, 2, 3])
        #expect(session.received(Acknowledgement(transactionID: 1, outcome: .refused(Self.retryRefusal))) == .retryLater(1, Self.retryRefusal))
        #expect(session.isHolding && session.queuedIDs == [1, 4, 5, 6])
        #expect(Self.drain(&session).isEmpty)
        // What was already in flight is still answered while holding.
        #expect(session.received(Acknowledgement(transactionID: 2, outcome: .accepted)) == .delivered(2))
        #expect(session.received(Acknowledgement(transactionID: 3, outcome: .refused(Self.finalRefusal))) == .refusedFinal(3, Self.finalRefusal))
        // A reconnect does not end the hold: the head-end's trouble is not the connection's.
        session.connectionLost()
        session.connectionEstablished()
        #expect(Self.drain(&session).isEmpty)
        session.retryNow()
        #expect(Self.drain(&session) == [1, 4, 5])
    }

    @Test("no frame goes out maxSpread ids above the oldest in flight, however many after it are acknowledged")
    func spread() throws {
        var session = try GatewaySession(window: 4, maxSpread: 10)
        for id in UInt64(1)...30 { try session.enqueue(Self.frame(id)) }
        session.connectionEstablished()
        #expect(Self.drain(&session) == [1, 2, 3, 4])
        // Frame 1 keeps waiting for its acknowledgement while every later one is accepted.
        var sent: [UInt64] = []
        while let newest = session.inFlightIDs.last, newest != 1 {
            #expect(session.received(Acknowledgement(transactionID: newest, outcome: .accepted)) == .delivered(newest))
            sent += Self.drain(&session)
        }
        #expect(sent == Array(5...10) && session.inFlightIDs == [1])
        #expect(session.received(Acknowledgement(transactionID: 1, outcome: .accepted)) == .delivered(1))
        #expect(Self.drain(&session) == [11, 12, 13, 14])
    }

    @Test("frames come from the outbox in increasing id order, each once; the window is at least one")
    func misuse() throws {
        #expect(throws: GatewaySessionError.invalidWindow(0)) { try GatewaySession(window: 0) }
        #expect(throws: GatewaySessionError.spreadBelowWindow(maxSpread: 4, window: 8)) { try GatewaySession(window: 8, maxSpread: 4) }
        var session = try GatewaySession(window: 2)
        try session.enqueue(Self.frame(5))
        #expect(throws: GatewaySessionError.notIncreasing(transactionID: 5, last: 5)) { try session.enqueue(Self.frame(5)) }
        #expect(throws: GatewaySessionError.notIncreasing(transactionID: 4, last: 5)) { try session.enqueue(Self.frame(4)) }
        #expect(session.queuedIDs == [5])
    }
}
