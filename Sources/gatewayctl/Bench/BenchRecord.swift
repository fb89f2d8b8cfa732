import ArgumentParser
import COSEM
import Foundation
import Metering
import Modbus
import PKCS11
import Signing

struct BenchRecord: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "What mapping, encoding and decoding a full PAC3200 record cost next to one token signature.",
        discussion: "Goal: encoding plus decoding a full record costs less than 5 % of one SoftHSM P-256 signature, both measured in this run."
    )

    @OptionGroup var options: TokenOptions

    @Argument(help: "URI of a P-256 signing key on the token.")
    var uri: String

    @Option(help: "Seconds per stage.")
    var seconds: Double = 2

    @OptionGroup var map: MapOption

    func run() async throws {
        let duration = Duration.milliseconds(Int(seconds * 1000))
        let registerMap = try map.load()
        let snapshot = Self.fullSnapshot(map: registerMap)
        let builder = try RecordBuilder(map: registerMap, identity: .init(meterIdent: "Siemens SENTRON PAC3200", meterNumber: "12345678", locationIdent: "bench"))
        let record = try builder.record(of: snapshot, transactionID: 1)
        let encodedOnce = record.dataNotification(transactionID: 1).encoded
        let clock = ContinuousClock()

        func loop(_ body: () throws -> Void) rethrows -> Stage {
            let start = clock.now
            var latencies: [Duration] = []
            while clock.now - start < duration {
                let begin = clock.now
                for _ in 0..<100 { try body() }
                latencies.append((clock.now - begin) / 100)
            }
            return Stage(latencies: latencies.flatMap { Array(repeating: $0, count: 100) }, elapsed: clock.now - start)
        }
        let mapping = try loop {
            _ = try builder.record(of: snapshot, transactionID: 1)
        }
        let encoding = loop { _ = record.encodedDataNotification(transactionID: 1) }
        let decoding = try loop { _ = try MeasurementRecord.decode(dataNotification: encodedOnce) }
        let treeEncoding = loop { _ = record.dataNotification(transactionID: 1).encoded }
        let treeDecoding = try loop {
            guard case .dataNotification(let notification) = try APDU(decoding: encodedOnce) else { return }
            _ = try MeasurementRecord(notification.body)
        }

        let token = try await options.openToken(try PKCS11URI(argument: uri), sessions: 1)
        let key = try await token.key(try PKCS11URI(argument: uri))
        let message = encodedOnce
        let signing = try await token.withTokenThread {
            try await measure(duration: duration, callers: 1) { _ = try await key.sign(message) }
        }
        let signature = signing.percentile(0.5) / 1000
        let costs = [("map snapshot → record", mapping), ("encode record (data-notification)", encoding),
                     ("decode and check record", decoding), ("encode via COSEMData tree", treeEncoding),
                     ("decode via COSEMData tree", treeDecoding), ("token signature (\(key.algorithm))", signing)]
        print("full PAC3200 record: \(record.counterValues.count) values, data-notification of \(encodedOnce.count) bytes")
        printTable(header: ["stage", "µs p50", "per s", "vs signature"], rows: costs.map { name, stage in
            [name, format(stage.percentile(0.5) * 1000, 2), format(1 / (stage.percentile(0.5) / 1000), 0),
             format(100 * stage.percentile(0.5) / 1000 / signature, 2) + " %"]
        })
        let ratio = (encoding.percentile(0.5) + decoding.percentile(0.5)) / 1000 / signature
        print("goal: encoding + decoding < 5 % of one token signature: \(format(100 * ratio, 2)) %, \(ratio < 0.05 ? "met" : "NOT met")")
        await token.close()
    }

    /// A snapshot with every value of the map valid, as the simulator would give it.
    static func fullSnapshot(map: RegisterMap) -> MeterSnapshot {
        let values = map.definitions.enumerated().map { index, definition in
            MeterValue(definition: definition, value: definition.kind == .status ? 0 : 230 + Double(index) * 0.137, problem: nil)
        }
        var status = MeterStatus()
        status.limitViolations = 0
        status.deviceStatus = 0
        return MeterSnapshot(time: Date(timeIntervalSince1970: 1_795_000_000), values: values, status: status)
    }
}
