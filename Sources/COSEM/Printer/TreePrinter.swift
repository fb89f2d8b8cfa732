/// Plain-text trees of decoded APDUs and Data, one field per line, children indented by two spaces — the
/// output of `gatewayctl cosem decode`, in the spirit of Gurux's translator but without XML.
///
/// Six-byte octet strings are annotated as possible OBIS codes and twelve-byte ones as date-times when they
/// decode as such, because COSEM data sets carry both as untyped octet strings.
public enum TreePrinter {
    public static func render(_ apdu: APDU) -> String {
        var lines: [String] = []
        switch apdu {
        case .dataNotification(let n):
            lines.append("data-notification")
            lines.append("  long-invoke-id-and-priority: \(n.invokeIDAndPriority)")
            lines.append("  date-time: \(n.dateTime.map(describe) ?? "absent")")
            lines.append("  notification-body:")
            append(n.body, indent: 2, to: &lines)
        case .getRequest(let r):
            lines.append("get-request-normal")
            lines.append("  invoke-id-and-priority: \(r.invokeIDAndPriority)")
            lines.append("  class-id: \(r.attribute.classID)")
            lines.append("  instance-id: \(r.attribute.instance)")
            lines.append("  attribute-id: \(r.attribute.attribute)")
            if let access = r.access {
                lines.append("  access-selector: \(access.selector)")
                lines.append("  access-parameters:")
                append(access.parameters, indent: 2, to: &lines)
            } else {
                lines.append("  access-selection: none")
            }
        case .getResponse(let r):
            lines.append("get-response-normal")
            lines.append("  invoke-id-and-priority: \(r.invokeIDAndPriority)")
            switch r.result {
            case .data(let data):
                lines.append("  result: data")
                append(data, indent: 2, to: &lines)
            case .dataAccessError(let error):
                lines.append("  result: data-access-result \(error)")
            }
        case .exceptionResponse(let e):
            lines.append("exception-response")
            lines.append("  state-error: \(e.stateError.rawValue) (\(e.stateError))")
            lines.append("  service-error: \(e.serviceError.code) (\(e.serviceError))")
        case .generalSigning(let s):
            lines.append("general-signing")
            lines.append("  transaction-id: \(octets(s.transactionID))")
            lines.append("  originator-system-title: \(octets(s.originatorSystemTitle))")
            lines.append("  recipient-system-title: \(octets(s.recipientSystemTitle))")
            lines.append("  date-time: \(s.dateTime.map(describe) ?? "absent")")
            lines.append("  other-information: \(octets(s.otherInformation))")
            if let inner = try? s.decodedContent() {
                lines.append("  content (\(s.content.count) bytes):")
                lines.append(contentsOf: render(inner).split(separator: "\n").map { "    " + $0 })
            } else {
                lines.append("  content: \(octets(s.content))")
            }
            lines.append("  signature: \(octets(s.signature))")
        }
        return lines.joined(separator: "\n")
    }

    public static func render(_ data: COSEMData) -> String {
        var lines: [String] = []
        append(data, indent: 0, to: &lines)
        return lines.joined(separator: "\n")
    }

    private static func append(_ data: COSEMData, indent: Int, to lines: inout [String]) {
        let pad = String(repeating: "  ", count: indent)
        let tag = data.tag.description
        switch data {
        case .null:
            lines.append(pad + tag)
        case .array(let elements), .structure(let elements):
            lines.append(pad + "\(tag) (\(elements.count) element\(elements.count == 1 ? "" : "s"))")
            for element in elements { append(element, indent: indent + 1, to: &lines) }
        case .boolean(let value):
            lines.append(pad + "\(tag): \(value)")
        case .bitString(let bits):
            lines.append(pad + "\(tag) (\(bits.count) bits): \(bits)")
        case .octetString(let bytes):
            lines.append(pad + "\(tag) \(octets(bytes))\(annotation(bytes))")
        case .visibleString(let bytes):
            lines.append(pad + "\(tag): \"\(String(decoding: bytes, as: UTF8.self))\"")
        case .utf8String(let text):
            lines.append(pad + "\(tag): \"\(text)\"")
        case .bcd(let value):
            lines.append(pad + "\(tag): \(hex(value))")
        case .long64Unsigned(let value):
            lines.append(pad + "\(tag): \(value)")
        case .float32(let value):
            lines.append(pad + "\(tag): \(value)")
        case .float64(let value):
            lines.append(pad + "\(tag): \(value)")
        case .dateTime(let value):
            lines.append(pad + "\(tag): \(describe(value))")
        case .date(let value):
            lines.append(pad + "\(tag): \(describe(value))")
        case .time(let value):
            lines.append(pad + "\(tag): \(describe(value))")
        default:
            lines.append(pad + "\(tag): \(data.integerValue.map(String.init) ?? "?")")
        }
    }

    private static func octets(_ bytes: [UInt8]) -> String {
        bytes.isEmpty ? "(empty)" : "(\(bytes.count) byte\(bytes.count == 1 ? "" : "s")) \(hex(bytes))"
    }

    private static func annotation(_ bytes: [UInt8]) -> String {
        if bytes.count == 6, let obis = try? OBISCode(bytes: bytes) { return " [OBIS \(obis)?]" }
        if bytes.count == 12, let dateTime = try? COSEMDateTime(bytes: bytes) { return " [\(describe(dateTime))?]" }
        return ""
    }

    static func describe(_ date: COSEMDate) -> String {
        let year = date.year == COSEMDate.yearNotSpecified ? "****" : pad(Int(date.year), 4)
        let month = switch date.month {
        case 0xFD: "DE"  // daylight saving end
        case 0xFE: "DB"  // daylight saving begin
        case 0xFF: "**"
        default: pad(Int(date.month), 2)
        }
        let day = switch date.dayOfMonth {
        case 0xFD: "L2"
        case 0xFE: "LD"
        case 0xFF: "**"
        default: pad(Int(date.dayOfMonth), 2)
        }
        let weekday = date.dayOfWeek == 0xFF ? "" : " (day of week \(date.dayOfWeek))"
        return "\(year)-\(month)-\(day)\(weekday)"
    }

    static func describe(_ time: COSEMTime) -> String {
        func field(_ value: UInt8) -> String { value == 0xFF ? "**" : pad(Int(value), 2) }
        return "\(field(time.hour)):\(field(time.minute)):\(field(time.second)).\(field(time.hundredths))"
    }

    static func describe(_ value: COSEMDateTime) -> String {
        var text = "\(describe(value.date)) \(describe(value.time))"
        text += value.deviation.map { " deviation \($0) min" } ?? " deviation not specified"
        text += value.clockStatus.map { " status \($0)" } ?? " status not specified"
        if let unix = value.unixTime { text += " (unix \(unix.seconds))" }
        return text
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
