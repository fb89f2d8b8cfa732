import CPKCS11

/// One open Cryptoki session and the calls made on it.
///
/// Not thread-safe on its own, as Cryptoki sessions are not: the `SessionPool` hands a session to one thread
/// at a time.
struct Session {
    let module: Module
    let handle: CK_SESSION_HANDLE

    private var f: CK_FUNCTION_LIST { module.functions.pointee }

    static func open(_ module: Module, slot: CK_SLOT_ID) throws(PKCS11Error) -> Session {
        var handle: CK_SESSION_HANDLE = 0
        try module.check(
            module.functions.pointee.C_OpenSession(slot, CK_FLAGS(CKF_SERIAL_SESSION | CKF_RW_SESSION), nil, nil, &handle),
            "C_OpenSession"
        )
        return Session(module: module, handle: handle)
    }

    func close() {
        _ = f.C_CloseSession(handle)
    }

    /// Logs the user in. Already being logged in (by another session of this process) counts as success.
    func login(_ pin: [UInt8], userType: CK_USER_TYPE = CK_USER_TYPE(CKU_USER)) -> ReturnValue {
        var pin = pin
        defer { for i in pin.indices { pin[i] = 0 } }
        let rv = f.C_Login(handle, userType, &pin, CK_ULONG(pin.count))
        return ReturnValue(rv == CKR_USER_ALREADY_LOGGED_IN ? CK_RV(CKR_OK) : rv)
    }

    func find(_ template: AttributeTemplate, limit: Int = 64) throws(PKCS11Error) -> [CK_OBJECT_HANDLE] {
        var attributes = template.attributes
        try module.check(f.C_FindObjectsInit(handle, &attributes, template.count), "C_FindObjectsInit")
        defer { _ = f.C_FindObjectsFinal(handle) }
        var found: [CK_OBJECT_HANDLE] = []
        var batch = [CK_OBJECT_HANDLE](repeating: 0, count: 16)
        while found.count < limit {
            var count: CK_ULONG = 0
            try module.check(f.C_FindObjects(handle, &batch, CK_ULONG(batch.count), &count), "C_FindObjects")
            if count == 0 { break }
            found.append(contentsOf: batch.prefix(Int(count)))
        }
        return found
    }

    /// Reads `types` from `object`, leaving out those the token withholds.
    func attributes(_ types: [CK_ATTRIBUTE_TYPE], of object: CK_OBJECT_HANDLE) throws(PKCS11Error) -> AttributeValues {
        var template = types.map { CK_ATTRIBUTE(type: $0, pValue: nil, ulValueLen: 0) }
        // First pass: lengths. CKR_ATTRIBUTE_SENSITIVE / TYPE_INVALID still fill in the lengths of the others.
        let rv = f.C_GetAttributeValue(handle, object, &template, CK_ULONG(template.count))
        guard rv == CKR_OK || rv == CKR_ATTRIBUTE_SENSITIVE || rv == CKR_ATTRIBUTE_TYPE_INVALID else {
            throw .call("C_GetAttributeValue", ReturnValue(rv))
        }
        let available = template.filter { $0.ulValueLen != CK_UNAVAILABLE_INFORMATION_VALUE }
        guard !available.isEmpty else { return AttributeValues(values: [:]) }
        // One allocation for all values; each attribute points at its own slice.
        let total = available.reduce(0) { $0 + Int($1.ulValueLen) }
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(total, 1), alignment: 8)
        defer { storage.deallocate() }
        var offsets: [Int] = []
        var offset = 0
        for attribute in available {
            offsets.append(offset)
            offset += Int(attribute.ulValueLen)
        }
        var second = zip(available, offsets).map { attribute, start in
            CK_ATTRIBUTE(type: attribute.type, pValue: storage.baseAddress.map { $0 + start }, ulValueLen: attribute.ulValueLen)
        }
        try module.check(f.C_GetAttributeValue(handle, object, &second, CK_ULONG(second.count)), "C_GetAttributeValue")
        var values: [CK_ATTRIBUTE_TYPE: [UInt8]] = [:]
        for (attribute, start) in zip(second, offsets) where attribute.ulValueLen != CK_UNAVAILABLE_INFORMATION_VALUE {
            values[attribute.type] = Array(storage[start..<start + Int(attribute.ulValueLen)])
        }
        return AttributeValues(values: values)
    }

    func generateKeyPair(
        mechanism type: CK_MECHANISM_TYPE, publicTemplate: AttributeTemplate, privateTemplate: AttributeTemplate
    ) throws(PKCS11Error) -> (public: CK_OBJECT_HANDLE, private: CK_OBJECT_HANDLE) {
        var mechanism = CK_MECHANISM(mechanism: type, pParameter: nil, ulParameterLen: 0)
        var pub = publicTemplate.attributes
        var priv = privateTemplate.attributes
        var publicHandle: CK_OBJECT_HANDLE = 0
        var privateHandle: CK_OBJECT_HANDLE = 0
        try module.check(
            f.C_GenerateKeyPair(handle, &mechanism, &pub, publicTemplate.count, &priv, privateTemplate.count, &publicHandle, &privateHandle),
            "C_GenerateKeyPair"
        )
        return (publicHandle, privateHandle)
    }

    func createObject(_ template: AttributeTemplate) throws(PKCS11Error) -> CK_OBJECT_HANDLE {
        var attributes = template.attributes
        var object: CK_OBJECT_HANDLE = 0
        try module.check(f.C_CreateObject(handle, &attributes, template.count, &object), "C_CreateObject")
        return object
    }

    func destroy(_ object: CK_OBJECT_HANDLE) throws(PKCS11Error) {
        try module.check(f.C_DestroyObject(handle, object), "C_DestroyObject")
    }

    /// C_SignInit + (context-specific login) + C_Sign, as one operation. `parameter` is the mechanism's
    /// parameter block (RSA-PSS), if any.
    func sign(
        _ data: [UInt8], key: CK_OBJECT_HANDLE, mechanism type: CK_MECHANISM_TYPE,
        parameter: [UInt8]? = nil, contextPIN: [UInt8]? = nil
    ) throws(PKCS11Error) -> [UInt8] {
        var parameterBytes = parameter ?? []
        let rv: CK_RV = parameterBytes.withUnsafeMutableBytes { raw in
            var mechanism = CK_MECHANISM(
                mechanism: type,
                pParameter: parameter == nil ? nil : raw.baseAddress,
                ulParameterLen: CK_ULONG(raw.count)
            )
            return f.C_SignInit(handle, &mechanism, key)
        }
        try module.check(rv, "C_SignInit")
        if let contextPIN {
            // A key with CKA_ALWAYS_AUTHENTICATE (a PIV card's 9C key) wants the PIN again for each signature.
            let login = login(contextPIN, userType: CK_USER_TYPE(CKU_CONTEXT_SPECIFIC))
            // The sign operation stays open on failure; the pool closes a session that saw an error.
            guard login.rawValue == CKR_OK else { throw .call("C_Login(CONTEXT_SPECIFIC)", login) }
        }
        var input = data
        // 512 bytes hold any signature up to RSA-4096, so one C_Sign call is enough (no length query first).
        var output = [UInt8](repeating: 0, count: 512)
        var length = CK_ULONG(output.count)
        var signRV = f.C_Sign(handle, &input, CK_ULONG(input.count), &output, &length)
        if signRV == CKR_BUFFER_TOO_SMALL {
            output = [UInt8](repeating: 0, count: Int(length))
            signRV = f.C_Sign(handle, &input, CK_ULONG(input.count), &output, &length)
        }
        try module.check(signRV, "C_Sign")
        return Array(output.prefix(Int(length)))
    }
}

/// CK_UNAVAILABLE_INFORMATION, which Swift does not import (it is a cast in the header).
let CK_UNAVAILABLE_INFORMATION_VALUE = CK_ULONG.max

