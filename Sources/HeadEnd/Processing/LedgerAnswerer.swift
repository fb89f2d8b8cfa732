import COSEM
import Foundation
import Logging
import Metering
import PKI

/// Answers a gateway's `LedgerQuery`: the highest transaction id the store holds from it and the head-end's current
/// acknowledgement number, in a get-response signed with the acknowledgement key. The gateway sends no reading before
/// a verified answer: it raises its next id above the highest (an emptied or restored outbox never reuses an id the
/// head-end holds) and takes the number as the floor for the acknowledgements that follow.
///
/// The query is checked as a record is: the signer's certificate found by the serial in `certificate_info`, the
/// signature, chain, signing profile and CRL (`ExchangeVerifier`), the originator the TLS peer, the recipient this
/// head-end, and its date-time within `maxClockSkew` of the head-end's clock. A query that fails is answered with a
/// data-access-result, signed all the same (temporary-failure when the check could not be made, read-write-denied
/// otherwise), and logged; it reveals nothing of the store.
struct LedgerAnswerer: Sendable {
    let store: ReadingStore
    let numbering: AcknowledgementNumbering
    let signer: ExchangeSigner
    let certificates: any CertificateSource
    let convention: GeneralSigning.SignedBytesConvention
    let maxClockSkew: Duration
    let logger: Logger

    /// The signed answer to `request` (already decoded as a signed get-request) from the TLS peer `peer`.
    func answer(_ request: SignedRequest, bytes: [UInt8], from peer: SystemTitle, validator: CertificateValidator,
                at now: Date) async throws -> [UInt8] {
        let metadata: Logger.Metadata = ["gateway": "\(peer)", "query": "\(request.transactionID)"]
        let verification = await RequestVerifier(validator: validator, receiver: signer.originator, expectedOriginator: peer,
                                                 convention: convention)
            .verify(frame: bytes, certificates: certificates, at: now)
        let result: GetResponseNormal.Result
        if let failure = verification.failure {
            HeadEndMetrics.ledgerQueries(answered: false)
            logger.notice("ledger query refused: \(failure.kind.rawValue): \(failure.detail)", metadata: metadata)
            result = .dataAccessError(verification.isRetryable ? .temporaryFailure : .readWriteDenied)
        } else if let stale = staleness(of: request.signedAt, at: now) {
            HeadEndMetrics.ledgerQueries(answered: false)
            logger.notice("ledger query refused: \(stale)", metadata: metadata)
            result = .dataAccessError(.readWriteDenied)
        } else if !LedgerQuery.asks(request) {
            HeadEndMetrics.ledgerQueries(answered: false)
            logger.notice("request for \(request.body.attribute) refused: a gateway may ask only for its ledger (\(LedgerQuery.attribute))",
                          metadata: metadata)
            result = .dataAccessError(.objectUndefined)
        } else {
            do {
                let highest = try await store.highestTransactionID(gateway: peer) ?? 0
                // Taken from the counter, so every acknowledgement signed after this answer carries a higher number.
                let number = try await numbering.next()
                let state = LedgerState(highestTransactionID: highest, acknowledgementNumber: number)
                HeadEndMetrics.ledgerQueries(answered: true)
                logger.info("ledger query answered: highest stored \(highest), acknowledgement number \(number)", metadata: metadata)
                result = .data(state.data)
            } catch {
                HeadEndMetrics.ledgerQueries(answered: false)
                logger.error("ledger query not answered: \(error)", metadata: metadata)
                result = .dataAccessError(.temporaryFailure)
            }
        }
        return try await signer.response(result, answering: request, at: now).encoded
    }

    /// Nil when `signedAt` is within `maxClockSkew` of `now`, else why not.
    private func staleness(of signedAt: COSEMDateTime, at now: Date) -> String? {
        guard let time = signedAt.unixTime else { return "its date-time \(signedAt) names no instant" }
        let skew = abs(FrameProcessor.date(time).timeIntervalSince(now))
        let limit = Double(maxClockSkew.components.seconds)
        return skew <= limit ? nil : "signed \(Int(skew)) s away from the head-end's clock (at most \(Int(limit)) s)"
    }
}
