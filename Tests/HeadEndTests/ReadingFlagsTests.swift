import COSEM
import Foundation
import HeadEnd
import Metering
import Testing
import TestSupport

/// What the head-end notes about a stored reading beyond its verdict: a measurement time ahead of its clock by more
/// than `readings.max_clock_skew` (flagged and counted, still stored: it is signed evidence), and the count of polls
/// the gateway could not store before it, which the gateway's record carries; and the meter each reading was read
/// from, which a gateway polling several meters leaves to the record's meter_number.
@Suite("Head-end: readings measured ahead of its clock, polls missed at the gateway, the meter read")
struct ReadingFlagsTests {
    let fixture: HeadEndFixture

    init() async throws {
        fixture = try await HeadEndFixture("reading-flags")
    }

    /// Reading `id` measured at `measuredAt`, with `missed` polls missed before it, from meter `meterNumber`
    /// (the fixture's 12345678 when nil), signed.
    func frame(_ gateway: TestGateway, _ id: UInt64, measuredAt: Date, missed: UInt64 = 0, meterNumber: String? = nil) async throws -> [UInt8] {
        var record = try gateway.record(id)
        record.measurementTime = MeasurementRecord.dateTime(measuredAt)
        if let meterNumber { record.meterNumber = meterNumber }
        if missed > 0 { record.counterValues.append(.missedPolls(missed)) }
        return try await gateway.signer.sign(record, transactionID: id).encoded
    }

    @Test("a reading measured 10 minutes ahead is stored, flagged in readings and counted in the summary; one a minute behind is not")
    func clockAhead() async throws {
        let gateway = try await fixture.gateway("00DB1234567890B0")
        let store = try ReadingStore(path: fixture.storePath)
        let processor = try fixture.processor(store: store)
        let now = Date()
        #expect(try await processor.process(try await frame(gateway, 1, measuredAt: now.addingTimeInterval(-60)), from: gateway.title, at: now)
            .verdict == .stored(missing: nil))
        #expect(try await processor.process(try await frame(gateway, 2, measuredAt: now.addingTimeInterval(600)), from: gateway.title, at: now)
            .verdict == .stored(missing: nil))

        let readings = try await store.readings(gateway: gateway.title)
        #expect(readings.map(\.transactionID) == [1, 2])
        let lines = readings.map { ReadingReport.line($0) }
        #expect(lines[0].hasPrefix("00DB1234567890B0 #1 meter 12345678 "), "\(lines[0])")
        #expect(!lines[0].contains("CLOCK AHEAD"), "\(lines[0])")
        #expect(lines[1].contains("; CLOCK AHEAD 600."), "\(lines[1])")
        // A wider allowance in headend.yaml flags nothing.
        #expect(!ReadingReport.line(readings[1], maxClockSkew: .seconds(900)).contains("CLOCK AHEAD"))
        let json = try JSONSerialization.jsonObject(with: Data(try ReadingReport.json(readings).utf8)) as? [[String: Any]]
        #expect(json?.map { $0["clock_ahead_seconds"] != nil } == [false, true])
        #expect(json?.map { $0["meter"] as? String } == ["12345678", "12345678"])
        #expect(abs((json?[1]["clock_ahead_seconds"] as? Double ?? 0) - 600) < 0.1)

        let summary = try await store.summary()
        #expect(summary.map(\.clockAhead) == [1])
        #expect(ReadingReport.lines(summary)[0].hasSuffix(" clock-ahead 1"), "\(ReadingReport.lines(summary))")
        #expect(try await store.summary(maxClockSkew: .seconds(900)).map(\.clockAhead) == [0])
    }

    @Test("the count of polls the gateway missed, carried by its next record, shows in headend readings")
    func missedPolls() async throws {
        let gateway = try await fixture.gateway("00DB1234567890B1")
        let store = try ReadingStore(path: fixture.storePath)
        let processor = try fixture.processor(store: store)
        let now = Date()
        _ = try await processor.process(try await frame(gateway, 1, measuredAt: now), from: gateway.title, at: now)
        _ = try await processor.process(try await frame(gateway, 2, measuredAt: now.addingTimeInterval(1), missed: 3), from: gateway.title, at: now)

        let readings = try await store.readings(gateway: gateway.title)
        #expect(try readings.map { try $0.record().missedPollsBefore } == [0, 3])
        #expect(!ReadingReport.line(readings[0]).contains("missed"))
        #expect(ReadingReport.line(readings[1]).hasSuffix("; 3 polls missed before it"), "\(ReadingReport.line(readings[1]))")
        #expect(try ReadingReport.json(readings).contains("\"missed_polls_before\" : 3"))
    }

    @Test("each reading names the meter it was read from: the record's meter_number, in the line and as meter in the JSON")
    func meterOfEachReading() async throws {
        let gateway = try await fixture.gateway("00DB1234567890B3")
        let store = try ReadingStore(path: fixture.storePath)
        let processor = try fixture.processor(store: store)
        let now = Date()
        // One gateway, one sequence of ids, three meters: the id alone does not say which meter was read.
        for (id, meter) in zip(UInt64(1)..., ["1ESY1160000001", "1ESY1160000002", "Feeder 3"]) {
            _ = try await processor.process(try await frame(gateway, id, measuredAt: now, meterNumber: meter), from: gateway.title, at: now)
        }

        let readings = try await store.readings(gateway: gateway.title)
        let lines = readings.map { ReadingReport.line($0) }
        #expect(lines[0].hasPrefix("00DB1234567890B3 #1 meter 1ESY1160000001 "), "\(lines)")
        #expect(lines[1].hasPrefix("00DB1234567890B3 #2 meter 1ESY1160000002 "), "\(lines)")
        // A number with a space stays one word of the line.
        #expect(lines[2].hasPrefix("00DB1234567890B3 #3 meter \"Feeder 3\" "), "\(lines)")
        let json = try JSONSerialization.jsonObject(with: Data(try ReadingReport.json(readings).utf8)) as? [[String: Any]]
        #expect(json?.map { $0["meter"] as? String } == ["1ESY1160000001", "1ESY1160000002", "Feeder 3"])
    }

    @Test("a stored frame the report cannot decode says so in headend readings and its JSON, instead of showing no values")
    func unreadableStoredFrame() async throws {
        let gateway = try await fixture.gateway("00DB1234567890B2")
        let store = try ReadingStore(path: fixture.storePath)
        let processor = try fixture.processor(store: store)
        let now = Date()
        _ = try await processor.process(try await frame(gateway, 1, measuredAt: now), from: gateway.title, at: now)
        var damaged = try #require(try await store.readings(gateway: gateway.title).first)
        damaged.frame = Array(damaged.frame.prefix(damaged.frame.count / 2))  // as a row damaged on disk reads back

        let line = ReadingReport.line(damaged)
        #expect(line.contains("; STORED FRAME UNREADABLE: "), "\(line)")
        #expect(line.hasPrefix("00DB1234567890B2 #1 meter ? "), "\(line)")
        let json = try ReadingReport.json([damaged])
        #expect(json.contains("\"unreadable\" : \""), "\(json)")
        #expect(!json.contains("\"meter\""), "\(json)")
        #expect(!(try ReadingReport.json(try await store.readings(gateway: gateway.title))).contains("unreadable"))
    }
}
