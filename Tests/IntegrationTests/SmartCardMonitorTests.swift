import Foundation
import SmartCard
import Testing
import TestSupport

extension PCSCTests {
    @Suite("SmartCard card monitor")
    struct SmartCardMonitor {
        static let first = PCSCDaemon.firstReader
        static let second = PCSCDaemon.secondReader
        static let atr = InProcessCard.atr

        @Test("the monitor starts with both readers, reports a card inserted with its ATR and removed, and stop ends the stream")
        func insertAndRemove() async throws {
            let daemon = try await PCSCDaemon.start()
            let monitor = CardMonitor.start()
            defer { monitor.stop() }
            let recorder = CardEventRecorder(monitor)

            try await recorder.wait(for: .readerAppeared(Self.first))
            try await recorder.wait(for: .readerAppeared(Self.second))
            #expect(monitor.state(of: Self.first)?.cardPresent == false)

            let card = try InProcessCard(address: daemon.vpcdAddress)
            defer { card.remove() }
            let inserted = try await recorder.wait(for: .cardInserted(reader: Self.first, atr: Self.atr))
            // The picture is updated before the event is handed out.
            #expect(monitor.state(of: Self.first)?.atr == Self.atr)
            #expect(monitor.state(of: Self.second)?.cardPresent == false)

            card.remove()
            try await recorder.wait(for: .cardRemoved(reader: Self.first), after: inserted)
            #expect(monitor.state(of: Self.first)?.cardPresent == false)
            #expect(!recorder.all.contains { if case .serviceLost = $0 { true } else { false } }, "\(recorder.all)")

            monitor.stop()
            try await recorder.waitForEnd()
            await daemon.stop()
        }

        @Test("a monitor of one reader says nothing of a card in the other")
        func filteredToOneReader() async throws {
            let daemon = try await PCSCDaemon.start()
            let monitor = CardMonitor.start(reader: Self.first)
            defer { monitor.stop() }
            let recorder = CardEventRecorder(monitor)
            try await recorder.wait(for: .readerAppeared(Self.first))

            // A card in the second reader first, seen by pcscd before the one in the first reader goes in.
            let other = try InProcessCard(address: "127.0.0.1:\(daemon.vpcdPort + 1)")
            defer { other.remove() }
            _ = try await SmartCardReaders.waitForCard(in: Self.second, present: true, daemon: daemon)
            let card = try InProcessCard(address: daemon.vpcdAddress)
            defer { card.remove() }
            try await recorder.wait(for: .cardInserted(reader: Self.first, atr: Self.atr))

            let mentionsSecond = recorder.all.filter { $0.description.contains(Self.second) }
            #expect(mentionsSecond.isEmpty, "\(recorder.all)")
            #expect(monitor.state(of: Self.second) == nil)
            #expect(monitor.readers.map(\.name) == [Self.first])
            await daemon.stop()
        }

        @Test("the monitor reports pcscd lost and back across a restart and a SIGKILL, a card gone meanwhile as removed, and keeps reporting")
        func survivesRestarts() async throws {
            let daemon = try await PCSCDaemon.start()
            let monitor = CardMonitor.start()
            defer { monitor.stop() }
            let recorder = CardEventRecorder(monitor)
            try await recorder.wait(for: .readerAppeared(Self.second))

            for signal in [SIGTERM, SIGKILL] {
                // A card in the reader when pcscd goes: the restart drops vpcd's connection, so it is gone after.
                let start = recorder.all.count
                let card = try InProcessCard(address: daemon.vpcdAddress)
                defer { card.remove() }
                let inserted = try await recorder.wait(for: .cardInserted(reader: Self.first, atr: Self.atr), after: start)
                let before = recorder.all.count

                try await daemon.restart(signal: signal)
                let lost = try await recorder.wait(for: "pcscd lost after signal \(signal)") { events in
                    events[before...].contains { if case .serviceLost = $0 { true } else { false } }
                }
                let lostAt = lost[before...].firstIndex { if case .serviceLost = $0 { true } else { false } }!
                let back = try await recorder.wait(for: .serviceBack, after: lostAt)
                try await recorder.wait(for: .cardRemoved(reader: Self.first), after: inserted)
                #expect(monitor.state(of: Self.first)?.cardPresent == false, "signal \(signal)")
                #expect(monitor.readers.map(\.name) == [Self.first, Self.second], "signal \(signal)")
                #expect(!recorder.all[back...].contains { if case .readerDisappeared = $0 { true } else { false } }, "\(recorder.all)")

                // And it keeps reporting: a new card after the restart.
                card.remove()
                let again = try InProcessCard(address: daemon.vpcdAddress)
                defer { again.remove() }
                let reinserted = try await recorder.wait(for: .cardInserted(reader: Self.first, atr: Self.atr), after: back)
                again.remove()
                try await recorder.wait(for: .cardRemoved(reader: Self.first), after: reinserted)
            }
            await daemon.stop()
        }

        @Test("a monitor started before pcscd reports it missing, then its readers once it runs")
        func startsWithoutService() async throws {
            _ = PCSCDaemon.socketPath  // points this process's libpcsclite at the fixture's socket
            let monitor = CardMonitor.start()
            defer { monitor.stop() }
            let recorder = CardEventRecorder(monitor)
            try await recorder.wait(for: .serviceLost(PCSCError(.noService)))
            #expect(!monitor.isConnected)

            let daemon = try await PCSCDaemon.start()
            let back = try await recorder.wait(for: .serviceBack)
            try await recorder.wait(for: .readerAppeared(Self.first), after: back)
            try await recorder.wait(for: .readerAppeared(Self.second), after: back)
            #expect(monitor.isConnected)
            await daemon.stop()
        }
    }
}
