/// Cosem-Attribute-Descriptor: which attribute of which object a get/set addresses — class id (u16), the
/// instance's OBIS code, attribute id (i8; negative ids are manufacturer-specific).
public struct AttributeDescriptor: Sendable, Hashable, CustomStringConvertible {
    public var classID: UInt16
    public var instance: OBISCode
    public var attribute: Int8

    public init(classID: UInt16, instance: OBISCode, attribute: Int8) {
        self.classID = classID
        self.instance = instance
        self.attribute = attribute
    }

    public var description: String { "class \(classID), \(instance), attribute \(attribute)" }

    func write(to writer: inout ByteWriter) {
        writer.u16(classID)
        writer.bytes(instance.bytes)
        writer.u8(UInt8(bitPattern: attribute))
    }

    static func read(from reader: inout ByteReader) throws(COSEMError) -> AttributeDescriptor {
        let classID = try reader.u16()
        let obis = try reader.bytes(6)
        return AttributeDescriptor(classID: classID, instance: OBISCode(obis[0], obis[1], obis[2], obis[3], obis[4], obis[5]),
                                   attribute: Int8(bitPattern: try reader.u8()))
    }
}

/// Selective-Access-Descriptor: an access selector (e.g. 1 = range, 2 = entry for profile generics) and its
/// parameters as Data.
public struct SelectiveAccess: Sendable, Hashable {
    public var selector: UInt8
    public var parameters: COSEMData

    public init(selector: UInt8, parameters: COSEMData) {
        self.selector = selector
        self.parameters = parameters
    }
}
