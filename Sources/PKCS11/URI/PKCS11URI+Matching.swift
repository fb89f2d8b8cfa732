/// How a URI selects tokens and objects (RFC 7512 §2.3: an attribute that is absent matches anything).
extension PKCS11URI {
    /// Only the attributes that pick a module, slot and token, plus the PIN query: what a token keeps to find
    /// itself again after a reset, without the object part.
    public var tokenPart: PKCS11URI {
        var uri = self
        uri.object = nil
        uri.id = nil
        uri.type = nil
        return uri
    }

    func matches(_ slot: Slot, module: ModuleInfo) -> Bool {
        guard let token = slot.token else { return false }
        if let value = self.token, value != token.label { return false }
        if let value = manufacturer, value != token.manufacturer { return false }
        if let value = serial, value != token.serialNumber { return false }
        if let value = model, value != token.model { return false }
        if let value = slotID, value != UInt(slot.id) { return false }
        if let value = slotDescription, value != slot.info.description { return false }
        if let value = slotManufacturer, value != slot.info.manufacturer { return false }
        if let value = libraryManufacturer, value != module.manufacturer { return false }
        if let value = libraryDescription, value != module.libraryDescription { return false }
        if let value = libraryVersion, value.major != module.libraryVersion.major || value.minor != module.libraryVersion.minor {
            return false
        }
        return true
    }
}
