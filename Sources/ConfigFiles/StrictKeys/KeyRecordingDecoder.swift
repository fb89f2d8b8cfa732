import Yams

/// A `Decoder` around Yams's that notes in `KnownKeys` every key the decoded type asks for. It changes nothing
/// else: values still come from Yams, so scalars (durations as text, ports as numbers) read as they always did.
///
/// Scalars go straight to Yams; anything built from keys or elements is decoded through another recording decoder
/// over Yams's decoder for that place (`superDecoder`), so nested sections and list entries are recorded too.
struct KeyRecordingDecoder: Decoder {
    let inner: any Decoder
    let known: KnownKeys

    var codingPath: [any CodingKey] { inner.codingPath }
    var userInfo: [CodingUserInfoKey: Any] { inner.userInfo }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        let container = try inner.container(keyedBy: type)
        known.mapping(at: codingPath)
        return KeyedDecodingContainer(RecordingKeyedContainer(inner: container, known: known))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        RecordingUnkeyedContainer(inner: try inner.unkeyedContainer(), known: known)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        RecordingSingleValueContainer(decoder: self, inner: try inner.singleValueContainer())
    }

    /// Whether Yams makes `type` from a scalar itself (strings, numbers, booleans, dates).
    static func isScalar<T>(_ type: T.Type) -> Bool {
        type is any ScalarConstructible.Type
    }
}

private struct RecordingKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let inner: KeyedDecodingContainer<Key>
    let known: KnownKeys

    var codingPath: [any CodingKey] { inner.codingPath }

    var allKeys: [Key] {
        known.acceptsEveryKey(at: codingPath)
        return inner.allKeys
    }

    func contains(_ key: Key) -> Bool {
        known.asked(key, at: codingPath)
        return inner.contains(key)
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        known.asked(key, at: codingPath)
        return try inner.decodeNil(forKey: key)
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        known.asked(key, at: codingPath)
        if KeyRecordingDecoder.isScalar(type) { return try inner.decode(type, forKey: key) }
        return try T(from: KeyRecordingDecoder(inner: try inner.superDecoder(forKey: key), known: known))
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        known.asked(key, at: codingPath)
        guard inner.contains(key), try !inner.decodeNil(forKey: key) else { return nil }
        return try decode(type, forKey: key)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        known.asked(key, at: codingPath)
        return try KeyRecordingDecoder(inner: try inner.superDecoder(forKey: key), known: known).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        known.asked(key, at: codingPath)
        return RecordingUnkeyedContainer(inner: try inner.nestedUnkeyedContainer(forKey: key), known: known)
    }

    func superDecoder() throws -> any Decoder {
        KeyRecordingDecoder(inner: try inner.superDecoder(), known: known)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        known.asked(key, at: codingPath)
        return KeyRecordingDecoder(inner: try inner.superDecoder(forKey: key), known: known)
    }
}

private struct RecordingUnkeyedContainer: UnkeyedDecodingContainer {
    var inner: any UnkeyedDecodingContainer
    let known: KnownKeys

    var codingPath: [any CodingKey] { inner.codingPath }
    var count: Int? { inner.count }
    var isAtEnd: Bool { inner.isAtEnd }
    var currentIndex: Int { inner.currentIndex }

    mutating func decodeNil() throws -> Bool { try inner.decodeNil() }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if KeyRecordingDecoder.isScalar(type) { return try inner.decode(type) }
        return try T(from: KeyRecordingDecoder(inner: try inner.superDecoder(), known: known))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try KeyRecordingDecoder(inner: try inner.superDecoder(), known: known).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        RecordingUnkeyedContainer(inner: try inner.nestedUnkeyedContainer(), known: known)
    }

    mutating func superDecoder() throws -> any Decoder {
        KeyRecordingDecoder(inner: try inner.superDecoder(), known: known)
    }
}

private struct RecordingSingleValueContainer: SingleValueDecodingContainer {
    let decoder: KeyRecordingDecoder
    let inner: any SingleValueDecodingContainer

    var codingPath: [any CodingKey] { inner.codingPath }

    func decodeNil() -> Bool { inner.decodeNil() }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if KeyRecordingDecoder.isScalar(type) { return try inner.decode(type) }
        return try T(from: decoder)
    }
}
