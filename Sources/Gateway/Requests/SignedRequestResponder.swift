import COSEM
import Foundation
import Logging
import Metering
import Metrics
import Modbus
import PKI
import X509

/// The gateway's answer to a signed get-request from the head-end: only a request that verifies (the requester's
/// certificate looked up by serial in the Central Directory, its signature, chain, revocation and signing profile,
/// its originator, this gateway as recipient), that the allow-list permits, that is fresh (date-time within the
/// window, transaction id above the last one admitted from that requester, persisted) reaches the meter; the value
/// is read then, and the answer signed on the token with the request's transaction id echoed.
///
/// Every refusal is answered too, signed, with the data-access-result that says why: read-write-denied (not
/// verified, not allowed, stale, replayed), object-undefined (the map has no such object), temporary-failure (the
/// meter did not answer, or the requester's certificate or its revocation status cannot be had now: the directory
/// is down and the serial is not cached). Bytes that are not a signed request get an exception-response.
public struct SignedRequestResponder: Sendable {
    public let reader: MeterReader
    public let credentials: GatewayCredentials
    public let directory: any CertificateSource
    public let policy: RequestPolicy
    public let outbox: Outbox
    let validator: @Sendable () async -> CertificateValidator
    let logger: Logger
    /// Where each answered request's verify, meter and sign times go for benchmarks (`gatewayd --stage-times`).
    let stageTimes: StageTimesFile?
    private let answered = Counter(label: "gateway_requests_total", dimensions: [("result", "answered")])
    static let verifyTimer = Metrics.Timer(label: "gateway_request_seconds", dimensions: [("stage", "verify")], preferredDisplayUnit: .seconds)
    static let meterTimer = Metrics.Timer(label: "gateway_request_seconds", dimensions: [("stage", "meter")], preferredDisplayUnit: .seconds)
    static let signTimer = Metrics.Timer(label: "gateway_request_seconds", dimensions: [("stage", "sign")], preferredDisplayUnit: .seconds)

    public init(reader: MeterReader, credentials: GatewayCredentials, directory: any CertificateSource, policy: RequestPolicy,
                outbox: Outbox, logger: Logger, stageTimes: StageTimesFile? = nil,
                validator: @escaping @Sendable () async -> CertificateValidator) {
        self.reader = reader
        self.credentials = credentials
        self.directory = directory
        self.policy = policy
        self.outbox = outbox
        self.validator = validator
        self.logger = logger
        self.stageTimes = stageTimes
    }

    /// The APDU to send back for the request APDU `bytes`.
    public func handle(_ bytes: [UInt8], at now: Date = Date()) async -> [UInt8] {
        let gateway = credentials.recordSigner.originator
        let clock = ContinuousClock()
        let started = clock.now
        let verification = await RequestVerifier(validator: await validator(), receiver: gateway,
                                                 convention: credentials.recordSigner.convention)
            .verify(frame: bytes, certificates: directory, at: now)
        let verified = clock.now
        Self.verifyTimer.record(duration: verified - started)
        guard let request = verification.decoded else {
            count("not_a_request")
            logger.warning("a frame that is not a signed request: \(verification.decodingError.map { "\($0)" } ?? "undecodable"); answered with an exception-response")
            return ExceptionResponse(stateError: .serviceNotAllowed, serviceError: .operationNotPossible).encoded
        }
        let attribute = request.body.attribute
        let what = "request \(request.transactionID) from \(request.originator) for \(attribute.instance) attribute \(attribute.attribute)"
        guard verification.passed else {
            let failed = verification.failure
            if case .unavailable = verification.lookupFailure {
                logger.error("\(what) refused: the Central Directory is down and the requester's certificate is not cached (\(failed?.detail ?? "")); answered temporary-failure")
            } else {
                logger.warning("\(what) refused: \(failed.map { "\($0.name): \($0.detail)" } ?? "not verified")")
            }
            return await refuse(request, verification.isRetryable ? .temporaryFailure : .readWriteDenied, reason: failed?.name ?? "unverified")
        }
        let obis = attribute.instance.description
        guard policy.permits(request.originator, toRead: obis) else {
            logger.warning("\(what) refused: \(request.originator) may not read \(obis) (requests.allow)")
            return await refuse(request, .readWriteDenied, reason: "not_allowed")
        }
        if let stale = policy.staleness(of: request.signedAt, at: now) {
            logger.warning("\(what) refused as stale: \(stale)")
            return await refuse(request, .readWriteDenied, reason: "stale")
        }
        do {
            let (admitted, last) = try await outbox.admit(requester: request.originator, transactionID: request.transactionID, at: now)
            guard admitted else {
                logger.warning("\(what) refused as a replay: the last request admitted from \(request.originator) was \(last.map { "\($0)" } ?? "?")")
                return await refuse(request, .readWriteDenied, reason: "replay")
            }
        } catch {
            logger.error("\(what): cannot record its transaction id (\(error)); answered temporary-failure")
            return await refuse(request, .temporaryFailure, reason: "outbox")
        }
        guard attribute.attribute == 2, let definition = reader.definition(obis: obis) else {
            logger.warning("\(what) refused: the register map has no value for it")
            return await refuse(request, .objectUndefined, reason: "object_undefined")
        }
        let value: MeterValue
        let reading = clock.now
        do {
            value = try await reader.read(definition)
            Self.meterTimer.record(duration: clock.now - reading)
        } catch {
            logger.error("\(what): the meter did not answer (\(error)); answered temporary-failure")
            return await refuse(request, .temporaryFailure, reason: "meter")
        }
        guard value.isValid else {
            logger.warning("\(what): the meter's value is unusable (\(value.problem ?? "")); answered temporary-failure")
            return await refuse(request, .temporaryFailure, reason: "meter_value")
        }
        answered.increment()
        let read = clock.now
        let reply = await sign(.data(.float64(value.value)), answering: request)
        let signed = clock.now
        Self.signTimer.record(duration: signed - read)
        logger.info("\(what) answered: \(value.value) \(value.unit) (verify with lookup \((verified - started).milliseconds) ms, meter \((read - reading).milliseconds) ms, sign \((signed - read).milliseconds) ms)")
        stageTimes?.append(StageTimesRecord(kind: .request, id: request.transactionID,
                                            stages: [("verify", verified - started), ("meter", read - reading), ("sign", signed - read)]))
        return reply
    }

    private func refuse(_ request: SignedRequest, _ result: DataAccessResult, reason: String) async -> [UInt8] {
        count(reason)
        return await sign(.dataAccessError(result), answering: request)
    }

    private func sign(_ result: GetResponseNormal.Result, answering request: SignedRequest) async -> [UInt8] {
        do {
            return try await ExchangeSigner(credentials.recordSigner).response(result, answering: request).encoded
        } catch {
            // The token is gone: no signed answer can be made; say so unsigned rather than stay silent.
            logger.error("cannot sign the answer to request \(request.transactionID): \(error)")
            return ExceptionResponse(stateError: .serviceNotAllowed, serviceError: .otherReason).encoded
        }
    }

    private func count(_ reason: String) {
        Counter(label: "gateway_requests_total", dimensions: [("result", reason)]).increment()
    }
}
