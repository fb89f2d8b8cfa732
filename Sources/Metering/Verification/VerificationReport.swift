import COSEM
import Foundation
import Modbus

/// A verification as `gatewayctl verify` prints it, in text or JSON. It lives beside the verifier so that every
/// field a signer controls (values, identity strings, the checks' details) is printed by code the tests and the
/// fuzzer reach: whatever a frame holds, the report is produced, never a crash.
public enum VerificationReport {
    public static func text(_ result: RecordVerification) -> String {
        var lines: [String] = []
        if let record = result.record {
            lines.append("record: transaction \(result.transactionID.map(String.init) ?? "?"), sequence \(record.sequenceNumber), "
                + "from \(result.originator?.description ?? "?"), meter \(record.meterIdent) \(record.meterNumber)")
            lines.append("measured at \(time(record.measurementTime)), error code 0x\(String(record.errorCode, radix: 16, uppercase: true)), state \(record.state)")
            let rows = [["OBIS", "VALUE", "UNIT"]] + record.counterValues.map {
                [$0.obis.description, $0.value.map(ValueFormat.reading) ?? "not read", CounterValue.unitSymbol($0.unit)]
            }
            let widths = (0..<3).map { column in rows.map { $0[column].count }.max() ?? 0 }
            for row in rows {
                let padded = zip(row, widths).map { cell, width in cell + String(repeating: " ", count: width - cell.count) }
                lines.append(padded.joined(separator: "  ").replacingOccurrences(of: " +$", with: "", options: .regularExpression))
            }
        }
        for check in result.checks { lines.append("\(check.passed ? "ok  " : "FAIL") \(check.name): \(check.detail)") }
        lines.append(result.passed ? "verdict: VALID" : "verdict: INVALID (\(result.failure?.name ?? "?"): \(result.failure?.detail ?? ""))")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The same as a JSON object; values that JSON cannot hold (NaN, infinities) are null.
    public static func json(_ result: RecordVerification) -> Data {
        var object: [String: Any] = [
            "verdict": result.passed ? "valid" : "invalid",
            "checks": result.checks.map { ["name": $0.name, "passed": $0.passed, "detail": $0.detail] },
        ]
        if result.isRetryable { object["retryable"] = true }
        if let id = result.transactionID { object["transaction_id"] = id }
        if let record = result.record {
            object["record"] = [
                "sequence_nr": Int(record.sequenceNumber), "meter_ident": record.meterIdent, "meter_number": record.meterNumber,
                "location_ident": record.locationIdent, "error_code": Int(record.errorCode), "state": record.state.description,
                "counter_values": record.counterValues.map { value -> [String: Any] in
                    ["obis": value.obis.description, "value": value.value.map { $0.isFinite ? $0 as Any : NSNull() } ?? NSNull(),
                     "scaler": Int(value.scaler), "unit": CounterValue.unitSymbol(value.unit)]
                },
            ]
        }
        // Only strings, numbers, booleans, null, arrays and dictionaries go in, so serialisation cannot fail.
        return ((try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data("{}".utf8)) + Data("\n".utf8)
    }

    private static func time(_ dateTime: COSEMDateTime) -> String {
        guard let unix = dateTime.unixTime else { return "unspecified" }
        return ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(unix.seconds) + Double(unix.hundredths) / 100))
    }
}
