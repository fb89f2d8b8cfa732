import Foundation
import Gateway
import Logging
import Testing
import TestSupport

/// The stage-times file is what benchmarks read instead of gatewayd's lines for people: its JSON is pinned here, so a
/// change to it is a decision, and its file is appended to whole lines at a time.
@Suite("Stage-times record: one JSON line per delivered reading or answered request")
struct StageTimesRecordTests {
    @Test("a delivered reading: the stages that ran, by their metric names, in whole nanoseconds; read back equal")
    func reading() throws {
        var times = StageTimes()
        times.modbus = .microseconds(1203)
        times.signature = .nanoseconds(2_000_001)
        times.endToEnd = .milliseconds(9)
        let record = StageTimesRecord(delivered: 12, times: times)
        let line = try record.line()
        #expect(line == #"{"id":12,"kind":"reading","nanoseconds":{"end_to_end":9000000,"modbus":1203000,"signature":2000001}}"#)
        #expect(try StageTimesRecord(line: line) == record)
        #expect(record.duration("signature") == .nanoseconds(2_000_001))
        #expect(record.duration("build") == nil, "a stage that did not run is absent, not zero")
    }

    @Test("a line that is not a record names itself and the fix")
    func notARecord() {
        let error = #expect(throws: StageTimesRecordError.self) { try StageTimesRecord(line: #"{"id":"twelve"}"#) }
        #expect(error?.description.hasPrefix(#"not a stage-times record: {"id":"twelve"} ("#) == true)
    }

    @Test("the file: appended one line per record, after what was there; a directory that is not there is refused at open")
    func file() throws {
        let scratch = try ScratchDirectory("stage-times")
        let path = scratch.path("bench.stage-times")
        try Data("earlier\n".utf8).write(to: URL(fileURLWithPath: path))
        let file = try StageTimesFile(path: path, logger: .init(label: "stage-times"))
        file.append(StageTimesRecord(kind: .request, id: 7, stages: [("verify", .microseconds(410)), ("sign", .microseconds(300))]))
        file.append(StageTimesRecord(delivered: 13, times: StageTimes()))
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines == ["earlier", #"{"id":7,"kind":"request","nanoseconds":{"sign":300000,"verify":410000}}"#,
                          #"{"id":13,"kind":"reading","nanoseconds":{}}"#, ""])

        let refused = #expect(throws: StageTimesFileError.self) { try StageTimesFile(path: scratch.path("gone/x"), logger: .init(label: "x")) }
        #expect(refused?.description == "cannot write the stage times to \(scratch.path("gone/x")): No such file or directory; name a file in a writable directory")
    }
}
