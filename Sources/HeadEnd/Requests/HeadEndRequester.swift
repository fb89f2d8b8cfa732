import COSEM
import Foundation
import Logging
import Metering
import Metrics
import PKI
import X509

/// The head-end's signed requests: the get-request signed with its key (on the headend token), numbered by its
/// own counter (strictly increasing, across restarts: the gateway refuses an id it has seen), sent down the
/// gateway's uplink, and the answer verified (the gateway's certificate looked up by serial in the Central
/// Directory, its signature, chain and revocation, its originator, the echoed transaction id) before its value is
/// believed.
public struct HeadEndRequester: Sendable {
    public let signer: ExchangeSigner
    public let router: RequestRouter
    public let numbering: AcknowledgementNumbering
    public let directory: any CertificateSource
    public let timeout: Duration
    let validator: @Sendable () async -> CertificateValidator
    let logger: Logger

    public init(signer: ExchangeSigner, router: RequestRouter, numbering: AcknowledgementNumbering, directory: any CertificateSource,
                timeout: Duration = .seconds(10), logger: Logger, validator: @escaping @Sendable () async -> CertificateValidator) {
        self.signer = signer
        self.router = router
        self.numbering = numbering
        self.directory = directory
        self.timeout = timeout
        self.logger = logger
        self.validator = validator
    }

    /// Asks `gateway` for `attribute`, and verifies the answer.
    public func request(_ attribute: AttributeDescriptor, from gateway: SystemTitle) async -> RequestOutcome {
        let clock = ContinuousClock()
        var outcome = RequestOutcome(gateway: gateway, attribute: attribute)
        do {
            let id = try await numbering.next()
            outcome.transactionID = id
            let started = clock.now
            let request = try await signer.request(attribute, to: gateway, transactionID: id)
            let signed = clock.now
            outcome.signing = signed - started
            let answer = try await router.send(request.encoded, transactionID: id, to: gateway, timeout: timeout)
            let answered = clock.now
            outcome.roundTrip = answered - signed
            if answer.first == ExceptionResponse.tag {
                outcome.error = "gateway \(gateway) could not take the request (exception-response \(answer.map { String(format: "%02X", $0) }.joined()))"
                return outcome
            }
            let verification = await ResponseVerifier(validator: await validator(), receiver: signer.originator, expectedOriginator: gateway,
                                                      convention: signer.convention)
                .verify(frame: answer, certificates: directory, transactionID: id)
            outcome.verification = clock.now - answered
            outcome.checks = verification.checks.map { ($0.name, $0.passed, $0.detail) }
            outcome.verified = verification.passed
            outcome.result = verification.decoded?.body.result
        } catch {
            outcome.error = "\(error)"
        }
        Counter(label: "headend_requests_total", dimensions: [("result", outcome.label)]).increment()
        logger.info("request to \(gateway) for \(attribute.instance): \(outcome.line)")
        return outcome
    }
}

/// What became of one request, as `headend request` prints it.
public struct RequestOutcome: Sendable {
    public var gateway: SystemTitle
    public var attribute: AttributeDescriptor
    public var transactionID: UInt64?
    /// The answer's result, verified or not (see `verified`).
    public var result: GetResponseNormal.Result?
    public var verified = false
    public var checks: [(name: String, passed: Bool, detail: String)] = []
    /// Why there is no verdict at all (not connected, no answer in time, an exception-response).
    public var error: String?
    public var signing: Duration?
    public var roundTrip: Duration?
    public var verification: Duration?

    init(gateway: SystemTitle, attribute: AttributeDescriptor) {
        self.gateway = gateway
        self.attribute = attribute
    }

    var label: String {
        if error != nil { return "no_answer" }
        if !verified { return "unverified" }
        if case .dataAccessError = result { return "refused" }
        return "answered"
    }

    /// The value, or the data-access-result, in words.
    public var value: String {
        switch result {
        case .data(let data)?: "\(data)"
        case .dataAccessError(let result)?: "\(result)"
        case nil: "-"
        }
    }

    /// One line: the value with the verdict and the times.
    public var line: String {
        if let error { return "no answer: \(error)" }
        let verdict = verified ? "signature ok" : "NOT VERIFIED (\(checks.first { !$0.passed }.map { "\($0.name): \($0.detail)" } ?? "?"))"
        let times = [("sign", signing), ("round trip", roundTrip), ("verify", verification)]
            .compactMap { name, duration in duration.map { "\(name) \(Self.milliseconds($0)) ms" } }.joined(separator: ", ")
        return "request #\(transactionID.map { "\($0)" } ?? "?") to \(gateway): \(attribute.instance) = \(value), \(verdict) (\(times))"
    }

    static func milliseconds(_ duration: Duration) -> String {
        String(format: "%.2f", Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15)
    }

    /// The JSON `headend request --json` prints.
    public var json: [String: Any] {
        var object: [String: Any] = ["gateway": gateway.description, "obis": attribute.instance.description, "attribute": Int(attribute.attribute),
                                     "verified": verified, "value": value, "line": line]
        if let transactionID { object["transaction_id"] = transactionID }
        if case .data(.float64(let number))? = result { object["number"] = number }
        if let error { object["error"] = error }
        object["checks"] = checks.map { ["check": $0.name, "passed": $0.passed, "detail": $0.detail] }
        var times: [String: Double] = [:]
        for (name, duration) in [("sign_ms", signing), ("round_trip_ms", roundTrip), ("verify_ms", verification)] {
            if let duration { times[name] = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15 }
        }
        object["times"] = times
        return object
    }
}
