import Foundation

extension MeterSnapshot {
    /// The snapshot a reading document describes, entry for entry against `map`: how `gatewayctl record sign`
    /// turns the JSON of `meter read --json` back into the typed reading the gateway signs. Status words come from
    /// the document's status; the poll's failures from its error code, so the record's error code is the one the
    /// document shows. Round trips of the request are not in a document and stay empty.
    public init(_ document: ReadingDocument, map: RegisterMap) throws(ReadingDocumentError) {
        let byOBIS = Dictionary(document.values.map { ($0.obis, $0) }, uniquingKeysWith: { first, _ in first })
        for value in document.values where map.definition(obis: value.obis) == nil {
            throw .unknownValue(obis: value.obis, name: value.name)
        }
        var values: [MeterValue] = []
        for definition in map.definitions {
            switch definition.kind {
            case .status:
                let word = definition.name == MeterReader.limitViolationsName ? document.status.limit_violations
                    : definition.name == MeterReader.deviceStatusName ? document.status.device_status : nil
                values.append(MeterValue(definition: definition, value: word.map(Double.init) ?? .nan, problem: word == nil ? "not read" : nil, wasRead: word != nil))
            case .value, .counter:
                guard let obis = definition.obis, let entry = byOBIS[obis] else {
                    throw .missingValue(obis: definition.obis ?? "", name: definition.name)
                }
                let problem = entry.valid ? nil : (entry.problem ?? "invalid")
                // JSON has no NaN: a value the meter sent as NaN and one never read are both null, told apart by the
                // reason MeterReader wrote ("not read: ...").
                let wasRead = entry.value != nil || !(entry.problem?.hasPrefix("not read") ?? false)
                values.append(MeterValue(definition: definition, value: entry.value ?? .nan, problem: problem, wasRead: wasRead))
            }
        }
        let code = MeterStatus.ErrorCode(rawValue: document.status.error_code)
        var status = MeterStatus()
        status.limitViolations = document.status.limit_violations
        status.deviceStatus = document.status.device_status
        status.unreachable = code.contains(.unreachable)
        status.timedOut = code.contains(.timeout)
        status.exception = code.contains(.exception)
        status.invalidValue = code.contains(.invalidValue)
        self.init(time: document.time, values: values, status: status)
    }
}

/// A reading document that does not fit the register map it is read with.
public enum ReadingDocumentError: Error, Sendable, Hashable, CustomStringConvertible {
    case missingValue(obis: String, name: String)
    case unknownValue(obis: String, name: String)

    public var description: String {
        switch self {
        case .missingValue(let obis, let name):
            "the reading has no value \(obis) (\(name)) that the register map lists; read it with the same --map"
        case .unknownValue(let obis, let name):
            "the reading has a value \(obis) (\(name)) that the register map does not list; give the map it was read with (--map)"
        }
    }
}
