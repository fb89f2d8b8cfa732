import COSEM
import ConfigFiles
import DaemonRuntime
import Foundation
import Gateway
import Metering
import Modbus
import PKCS11
import PKI
import Signing
import X509

/// Each of the gateway's serial stages run alone, in the bench's own process, for `seconds`: what the pipeline's
/// throughput is compared with. The poller's own rate is whole polls of the meter; the signing stage's, signatures
/// on the token with the gateway's key; the outbox's, its three commits for one reading (take, store the frame,
/// deliver), since SQLite's one writer serves all three stages in turn.
public struct ChainStagesAlone: Sendable {
    public var poll: Double
    public var sign: Double
    public var outbox: Double

    public init(poll: Double, sign: Double, outbox: Double) {
        self.poll = poll
        self.sign = sign
        self.outbox = outbox
    }

    public var slowest: (name: String, rate: Double) {
        [("poll (the meter over Modbus)", poll), ("sign (the token)", sign), ("outbox writer (take + frame + deliver commits)", outbox)]
            .min { $0.1 < $1.1 }!
    }

    static func measure(gatewayConfig: String, meterPort: Int, scratch: URL, duration: Duration) async throws -> ChainStagesAlone {
        let configuration = try ConfigFile.load(GatewaySettings.self, path: gatewayConfig)
            .validated { text, key in try TimeoutSetting.parse(text, key: key, allowZero: true) }
        let map = try configuration.meters[0].registerMap.map { try RegisterMap.load(path: $0) } ?? RegisterMap.builtInPAC3200()
        let reader = MeterReader(client: ModbusClient(endpoint: try ModbusEndpoint(host: "127.0.0.1", port: meterPort)), map: map)
        let builder = try RecordBuilder(map: map, identity: configuration.meters[0].identity)

        let poll = await Sampling.rate(duration: duration) { _ = await reader.poll() }
        let snapshot = await reader.poll()
        await reader.client.close()

        let key = try await TokenKey.open(configuration.signingKey, module: configuration.module)
        let message = try builder.record(of: snapshot, transactionID: 1).encodedDataNotification(transactionID: 1)
        let sign = try await key.token.withTokenThread { try await Sampling.rate(duration: duration) { _ = try await key.sign(message) } }
        let certificate = try Certificate(derEncoded: try await key.token.certificate(key.uri))

        let outbox = try Outbox(path: scratch.appendingPathComponent("alone.sqlite").path, limit: 1_000_000)
        let software = try SoftwareSigner(generating: .ecdsa(.p256))
        let outboxRate = try await Sampling.rate(duration: duration) {
            let reading = try await outbox.take(measuredAt: snapshot.time) { id throws(RecordError) in try builder.record(of: snapshot, transactionID: id) }
            let frame = try await SignedRecord.sign(try reading.record(), transactionID: reading.transactionID, signer: software,
                                                    certificate: certificate, originator: configuration.systemTitle,
                                                    recipient: configuration.uplink.headEnd)
            try await outbox.attachSignatures([(reading.transactionID, frame.encoded)])
            try await outbox.markDelivered(transactionID: reading.transactionID)
        }
        try outbox.close()
        return ChainStagesAlone(poll: poll, sign: sign, outbox: outboxRate)
    }
}
