import Foundation

/// What one reading's way through the gateway took, stage by stage: the research question ("what does security
/// cost a meter reading") answered per reading. Each is nil until its stage ran in this process (a reading taken
/// before a restart has no Modbus time, for instance).
public struct StageTimes: Sendable, Hashable {
    /// The Modbus requests of the poll, summed round trips.
    public var modbus: Duration?
    /// Building the measurement record from the snapshot.
    public var build: Duration?
    /// The outbox transaction that allocated the id and stored the reading, fsync included, without the build.
    public var outboxCommit: Duration?
    /// The signed bytes and the frame.
    public var encode: Duration?
    /// The token's signature.
    public var signature: Duration?
    /// Storing the frame in the outbox: this reading's share of its batch's commit.
    public var signatureCommit: Duration?
    /// From writing the frame to the head-end until its acknowledgement verified.
    public var sendToAcknowledgement: Duration?
    /// Taking the delivered reading out of the outbox (its commit).
    public var deliveryCommit: Duration?
    /// From the start of the poll to the verified acknowledgement: the stages and every wait between them, what the
    /// security device adds to a reading's way to the head-end.
    public var endToEnd: Duration?

    public init() {}

    /// The stages by name, in pipeline order: metric labels and the summary line use these names.
    public var named: [(stage: Stage, duration: Duration?)] {
        [(.modbus, modbus), (.build, build), (.outboxCommit, outboxCommit), (.encode, encode), (.signature, signature),
         (.signatureCommit, signatureCommit), (.sendToAcknowledgement, sendToAcknowledgement), (.deliveryCommit, deliveryCommit),
         (.endToEnd, endToEnd)]
    }

    public enum Stage: String, Sendable, CaseIterable {
        case modbus
        case build
        case outboxCommit = "outbox_commit"
        case encode
        case signature
        case signatureCommit = "sign_commit"
        case sendToAcknowledgement = "send_to_ack"
        case deliveryCommit = "deliver_commit"
        case endToEnd = "end_to_end"
    }
}

extension Duration {
    /// Milliseconds with one decimal, as lines print them.
    public var milliseconds: String {
        let value = Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
        return value < 10 ? String(format: "%.2f", value) : String(format: "%.1f", value)
    }
}
