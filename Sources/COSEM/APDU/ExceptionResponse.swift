/// ExceptionResponse (tag 0xD8): a server's answer to an APDU it cannot process at all.
///
/// `D8 | state-error | service-error [| invocation counter u32]`. The service-error is a CHOICE whose tag
/// alone carries the meaning, except invocation-counter-error (6), which adds the counter value the server
/// expects next; as in dlms-cosem, that value is required.
public struct ExceptionResponse: Sendable, Hashable {
    public static let tag: UInt8 = 0xD8

    public enum StateError: UInt8, Sendable, Hashable, CustomStringConvertible {
        case serviceNotAllowed = 1
        case serviceUnknown = 2

        public var description: String {
            switch self {
            case .serviceNotAllowed: "service-not-allowed"
            case .serviceUnknown: "service-unknown"
            }
        }
    }

    public enum ServiceError: Sendable, Hashable, CustomStringConvertible {
        case operationNotPossible
        case serviceNotSupported
        case otherReason
        case pduTooLong
        case decipheringError
        /// The invocation counter of a ciphered APDU was too low; carries the one the server expects.
        case invocationCounterError(expected: UInt32)

        public var code: UInt8 {
            switch self {
            case .operationNotPossible: 1
            case .serviceNotSupported: 2
            case .otherReason: 3
            case .pduTooLong: 4
            case .decipheringError: 5
            case .invocationCounterError: 6
            }
        }

        public var description: String {
            switch self {
            case .operationNotPossible: "operation-not-possible"
            case .serviceNotSupported: "service-not-supported"
            case .otherReason: "other-reason"
            case .pduTooLong: "pdu-too-long"
            case .decipheringError: "deciphering-error"
            case .invocationCounterError(let expected): "invocation-counter-error (expected \(expected))"
            }
        }
    }

    public var stateError: StateError
    public var serviceError: ServiceError

    public init(stateError: StateError, serviceError: ServiceError) {
        self.stateError = stateError
        self.serviceError = serviceError
    }

    public var encoded: [UInt8] {
        var writer = ByteWriter()
        writer.u8(Self.tag)
        writer.u8(stateError.rawValue)
        writer.u8(serviceError.code)
        if case .invocationCounterError(let expected) = serviceError { writer.u32(expected) }
        return writer.bytes
    }

    public init(decoding bytes: [UInt8], limits: DecodingLimits = .default) throws(COSEMError) {
        var reader = ByteReader(bytes)
        try expectTag(Self.tag, in: &reader)
        self = try Self.readBody(from: &reader)
        try reader.expectEnd()
    }

    static func readBody(from reader: inout ByteReader) throws(COSEMError) -> ExceptionResponse {
        let stateAt = reader.offset
        let rawState = try reader.u8()
        guard let state = StateError(rawValue: rawState) else {
            throw .invalidValue(at: stateAt, "exception state-error \(rawState) (must be 1 or 2)")
        }
        let serviceAt = reader.offset
        let service: ServiceError
        switch try reader.u8() {
        case 1: service = .operationNotPossible
        case 2: service = .serviceNotSupported
        case 3: service = .otherReason
        case 4: service = .pduTooLong
        case 5: service = .decipheringError
        case 6: service = .invocationCounterError(expected: try reader.u32())
        case let code: throw .invalidValue(at: serviceAt, "exception service-error \(code) (must be 1-6)")
        }
        return ExceptionResponse(stateError: state, serviceError: service)
    }
}
