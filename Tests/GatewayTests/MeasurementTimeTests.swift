import COSEM
import Foundation
import Gateway
import Metering
import Testing
import TestSupport

/// Measurement times strictly increase per meter, in the record's resolution (hundredths): polls back to back, as
/// when polling has fallen behind a slow meter and catches up, never share a time.
@Suite("Measurement times")
struct MeasurementTimeTests {
    @Test("polls back to back (polling catching up) get strictly increasing measurement times")
    func strictlyIncreasing() async throws {
        let fixture = try await PipelineFixture()
        defer { fixture.simulator.stop() }
        let poller = fixture.poller(interval: .zero, signing: Wakeup())
        // A loopback poll takes a millisecond or two: several fall into one hundredth of a second.
        for _ in 0..<40 { await poller.pollOnce() }

        let readings = try await fixture.outbox.unsigned(limit: 100)
        #expect(readings.count == 40)
        let times = try readings.map { try $0.record().measurementTime.unixTime! }
        let hundredths = times.map { Int64($0.seconds) * 100 + Int64($0.hundredths) }
        for (earlier, later) in zip(hundredths, hundredths.dropFirst()) {
            #expect(later > earlier, "two readings of one meter share measurement time \(earlier) hundredths")
        }
        // The outbox's measured-at is the record's time, so the head-end and the gateway's own log agree.
        for (reading, time) in zip(readings, hundredths) {
            #expect(Int64((reading.measuredAt.timeIntervalSince1970 * 100).rounded(.down)) == time)
        }
    }
}
