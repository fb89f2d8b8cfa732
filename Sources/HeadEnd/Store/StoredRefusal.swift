import COSEM
import Foundation
import Metering

/// A frame the head-end refused for good, kept with its bytes: what an operator looks at when a gateway's readings
/// go missing. Retry-later refusals are not kept (the same frame comes again and gets a verdict then); they are
/// logged and counted only.
public struct StoredRefusal: Sendable, Hashable {
    /// The TLS peer that sent it (the frame's own originator may be anything).
    public var gateway: SystemTitle
    /// The frame's transaction id, when the frame was readable that far.
    public var transactionID: UInt64?
    public var reason: Refusal.Reason
    public var disposition: Refusal.Disposition
    public var text: String
    public var at: Date
    public var frame: [UInt8]

    public init(gateway: SystemTitle, transactionID: UInt64?, reason: Refusal.Reason, disposition: Refusal.Disposition,
                text: String, at: Date, frame: [UInt8]) {
        self.gateway = gateway
        self.transactionID = transactionID
        self.reason = reason
        self.disposition = disposition
        self.text = text
        self.at = at
        self.frame = frame
    }
}
