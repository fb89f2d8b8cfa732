import Benchmarks
import Gateway
import Foundation
import Testing

/// The chain bench reads gatewayd's stage-times file while gatewayd appends to it: only complete lines count, and a
/// line that is not a record stops the bench with what is wrong instead of a report on half the readings.
@Suite("Stage-times lines: complete records only, from a file being written")
struct StageTimesLinesTests {
    static let first = #"{"id":1,"kind":"reading","nanoseconds":{"end_to_end":9000000,"modbus":1500000,"signature":2000000}}"#
    static let second = #"{"id":7,"kind":"request","nanoseconds":{"meter":350000,"sign":300000,"verify":410000}}"#

    @Test("the line after the last newline is still being written: left for the next read")
    func partialLastLine() throws {
        let text = Self.first + "\n" + Self.second + "\n" + #"{"id":2,"kind":"read"#
        let records = try StageTimesLines.records(in: text)
        #expect(records.map(\.id) == [1, 7])
        #expect(records.map(\.kind) == [.reading, .request])
        #expect(records[0].duration("modbus") == .microseconds(1500))
        #expect(records[1].duration("verify") == .microseconds(410))
        #expect(try StageTimesLines.records(in: "").isEmpty)
        #expect(try StageTimesLines.records(in: Self.first).isEmpty, "no newline yet: nothing complete")
    }

    @Test("a line that is not a record: the error quotes it and says which file to give")
    func notARecord() {
        let error = #expect(throws: StageTimesRecordError.self) {
            try StageTimesLines.records(in: "delivered #12: modbus 1.2 ms\n")
        }
        #expect(error?.description.hasPrefix("not a stage-times record: delivered #12: modbus 1.2 ms (") == true)
        #expect(error?.description.contains("gatewayd --stage-times") == true)
    }

    @Test("a phase counts the readings, not the requests, and summarises each stage")
    func phase() throws {
        let records = try StageTimesLines.records(in: [Self.first, Self.second, Self.first.replacingOccurrences(of: #""id":1"#, with: #""id":2"#)]
            .joined(separator: "\n") + "\n")
        let phase = ChainPhase(records: records, elapsed: .seconds(2), gatewayRSS: 12)
        #expect(phase.readings == 2)
        #expect(phase.perSecond == 1)
        #expect(abs(phase.milliseconds(.modbus, at: 0.5) - 1.5) < 0.01)
        #expect(phase.milliseconds(.build, at: 0.5).isNaN, "a stage no reading had")
        #expect(phase.stages["verify"] == nil, "a request's stages are not a reading's")
    }
}
