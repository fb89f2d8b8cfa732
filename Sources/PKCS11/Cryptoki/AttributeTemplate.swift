import CPKCS11

/// A CK_ATTRIBUTE array whose values it owns, for C_FindObjectsInit, C_CreateObject and key generation.
///
/// Cryptoki takes raw pointers into caller memory; keeping the buffers in one place with the array that points
/// at them means no value can be freed while the module still reads it.
final class AttributeTemplate {
    private(set) var attributes: [CK_ATTRIBUTE] = []
    private var buffers: [UnsafeMutableRawBufferPointer] = []

    init() {}

    deinit {
        for buffer in buffers {
            buffer.initializeMemory(as: UInt8.self, repeating: 0)
            buffer.deallocate()
        }
    }

    func append(_ type: CK_ATTRIBUTE_TYPE, bytes: [UInt8]) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 8)
        buffer.copyBytes(from: bytes)
        buffers.append(buffer)
        attributes.append(CK_ATTRIBUTE(type: type, pValue: buffer.baseAddress, ulValueLen: CK_ULONG(bytes.count)))
    }

    func append(_ type: CK_ATTRIBUTE_TYPE, _ value: Bool) {
        append(type, bytes: [value ? 1 : 0])
    }

    func append(_ type: CK_ATTRIBUTE_TYPE, ulong value: CK_ULONG) {
        append(type, bytes: withUnsafeBytes(of: value) { Array($0) })
    }

    func append(_ type: CK_ATTRIBUTE_TYPE, string: String) {
        append(type, bytes: Array(string.utf8))
    }

    var count: CK_ULONG { CK_ULONG(attributes.count) }
}

/// Attribute values read from an object; a value the token would not give (sensitive, or not of this object
/// type) is absent rather than an error, because C_GetAttributeValue fails the whole template for one such value.
struct AttributeValues {
    var values: [CK_ATTRIBUTE_TYPE: [UInt8]]

    func bytes(_ type: CK_ATTRIBUTE_TYPE) -> [UInt8]? { values[type] }

    func bool(_ type: CK_ATTRIBUTE_TYPE) -> Bool? {
        values[type].flatMap { $0.first.map { $0 != 0 } }
    }

    func ulong(_ type: CK_ATTRIBUTE_TYPE) -> CK_ULONG? {
        guard let bytes = values[type], bytes.count == MemoryLayout<CK_ULONG>.size else { return nil }
        return bytes.withUnsafeBytes { $0.loadUnaligned(as: CK_ULONG.self) }
    }

    func string(_ type: CK_ATTRIBUTE_TYPE) -> String? {
        values[type].map { String(decoding: $0, as: UTF8.self) }
    }
}
