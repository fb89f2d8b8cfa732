import Foundation

/// results.json's encoding, in one place for the writer and for any reader (the tests, a later comparison): sorted
/// keys and pretty printing so two runs diff line by line, ISO-8601 dates, and a figure that is not a number written as
/// the string "NaN" (or "Infinity"), since JSON has no such number and one missing figure must not lose the others.
extension SecurityResults {
    public static var jsonEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }

    public static var jsonDecoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return decoder
    }

    /// A results.json read back.
    public init(json: Data) throws {
        self = try Self.jsonDecoder.decode(SecurityResults.self, from: json)
    }
}
