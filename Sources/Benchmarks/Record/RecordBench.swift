import COSEM
import Foundation
import Metering
import Modbus
import PKCS11
import Signing

/// `gatewayctl bench record`: what mapping, encoding and decoding a full PAC3200 record cost next to one token
/// signature. Goal: encoding plus decoding a full record costs less than 5 % of one signature, both from this run.
public struct RecordBench: Sendable {
    public var uri: PKCS11URI
    public var map: RegisterMap
    public var duration: Duration
    public var openToken: @Sendable (PKCS11URI, Int) async throws -> Token

    public init(uri: PKCS11URI, map: RegisterMap, seconds: Double, openToken: @escaping @Sendable (PKCS11URI, Int) async throws -> Token) {
        self.uri = uri
        self.map = map
        self.duration = .milliseconds(Int(seconds * 1000))
        self.openToken = openToken
    }

    public func run() async throws -> RecordReport {
        let snapshot = Self.fullSnapshot(map: map)
        let builder = try RecordBuilder(map: map, identity: .init(meterIdent: "Siemens SENTRON PAC3200", meterNumber: "12345678", locationIdent: "bench"))
        let record = try builder.record(of: snapshot, transactionID: 1)
        let encodedOnce = record.dataNotification(transactionID: 1).encoded

        let mapping = try Sampling.loop(duration: duration) { _ = try builder.record(of: snapshot, transactionID: 1) }
        let encoding = Sampling.loop(duration: duration) { _ = record.encodedDataNotification(transactionID: 1) }
        let decoding = try Sampling.loop(duration: duration) { _ = try MeasurementRecord.decode(dataNotification: encodedOnce) }
        let treeEncoding = Sampling.loop(duration: duration) { _ = record.dataNotification(transactionID: 1).encoded }
        let treeDecoding = try Sampling.loop(duration: duration) {
            guard case .dataNotification(let notification) = try APDU(decoding: encodedOnce) else { return }
            _ = try MeasurementRecord(notification.body)
        }

        let token = try await openToken(uri, 1)
        let key = try await token.key(uri)
        let signing = try await token.withTokenThread { [duration] in
            try await Sampling.measure(duration: duration, callers: 1) { _ = try await key.sign(encodedOnce) }
        }
        await token.close()
        return RecordReport(
            record: "full PAC3200 record: \(record.counterValues.count) values, data-notification of \(encodedOnce.count) bytes",
            stages: [("map snapshot → record", mapping), ("encode record (data-notification)", encoding),
                     ("decode and check record", decoding), ("encode via COSEMData tree", treeEncoding),
                     ("decode via COSEMData tree", treeDecoding), ("token signature (\(key.algorithm))", signing)]
        )
    }

    /// A snapshot with every value of the map valid, as the simulator would give it.
    public static func fullSnapshot(map: RegisterMap) -> MeterSnapshot {
        let values = map.definitions.enumerated().map { index, definition in
            MeterValue(definition: definition, value: definition.kind == .status ? 0 : 230 + Double(index) * 0.137, problem: nil)
        }
        var status = MeterStatus()
        status.limitViolations = 0
        status.deviceStatus = 0
        return MeterSnapshot(time: Date(timeIntervalSince1970: 1_795_000_000), values: values, status: status)
    }
}

/// The record's stages, the token signature last: each median next to the signature's.
public struct RecordReport: Sendable, CustomStringConvertible {
    public var record: String
    public var stages: [(name: String, latencies: LatencySummary)]

    /// Encoding plus decoding (stages 1 and 2) as a share of one signature (the last stage), medians.
    public var codecShare: Double {
        guard stages.count == 6 else { return .nan }
        return (stages[1].latencies.milliseconds(at: 0.5) + stages[2].latencies.milliseconds(at: 0.5)) / signature
    }

    private var signature: Double { stages.last?.latencies.milliseconds(at: 0.5) ?? .nan }

    public var description: String {
        let table = TextTable(header: ["stage", "µs p50", "per s", "vs signature"], rows: stages.map { name, stage in
            let median = stage.milliseconds(at: 0.5)
            return [name, format(median * 1000, 2), format(1000 / median, 0), format(100 * median / signature, 2) + " %"]
        })
        return [record, table.description,
                "goal: encoding + decoding < 5 % of one token signature: \(format(100 * codecShare, 2)) %, \(codecShare < 0.05 ? "met" : "NOT met")"]
            .joined(separator: "\n")
    }
}
