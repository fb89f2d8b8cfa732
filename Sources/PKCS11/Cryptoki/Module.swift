import CPKCS11
import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A loaded PKCS#11 library (a "module"): SoftHSM, OpenSC, a vendor's HSM client.
///
/// A module is initialised once per process; a second C_Initialize fails and a C_Finalize would pull the
/// ground from under every other user, so there is one shared instance per path and it lives until the
/// process ends.
public final class Module: Sendable {
    /// Debian's SoftHSM2 module, the default for development and tests.
    public static let softHSMPath = "/usr/lib/softhsm/libsofthsm2.so"
    /// OpenSC's module for smart cards through pcscd.
    public static let openSCPath = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"

    public let path: String
    nonisolated(unsafe) let functions: UnsafeMutablePointer<CK_FUNCTION_LIST>

    private static let loaded = Mutex<[String: Module]>([:])

    /// Serialises the calls that rebuild a module's slot table (slot lists, token initialisation). SoftHSM refreshes
    /// its token list inside C_GetSlotList and aborts on an assertion when two threads do it at once (seen in the
    /// test suite); other modules lose nothing by it, since these calls are rare and not on the signing path.
    private let slotTable = Mutex<Void>(())

    /// The module at `path`, loaded and initialised on first use.
    public static func shared(path: String) throws(PKCS11Error) -> Module {
        do {
            return try loaded.withLock { modules throws(PKCS11Error) in
                if let module = modules[path] { return module }
                let module = try Module(path: path)
                modules[path] = module
                return module
            }
        }
    }

    private init(path: String) throws(PKCS11Error) {
        self.path = path
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "dlopen failed"
            throw .moduleNotLoadable(path: path, reason: reason)
        }
        guard let symbol = dlsym(handle, "C_GetFunctionList") else {
            dlclose(handle)
            throw .moduleNotLoadable(path: path, reason: "it has no C_GetFunctionList, so it is not a PKCS#11 module")
        }
        let getFunctionList = unsafeBitCast(symbol, to: CK_C_GetFunctionList.self)
        var list: UnsafeMutablePointer<CK_FUNCTION_LIST>?
        let rv = getFunctionList(&list)
        guard rv == CKR_OK, let list else {
            dlclose(handle)
            throw .moduleNotLoadable(path: path, reason: "C_GetFunctionList returned \(ReturnValue(rv).name)")
        }
        functions = list
        try initialize()
    }

    /// C_Initialize with our locking callbacks; already initialised counts as done.
    private func initialize() throws(PKCS11Error) {
        // The module is called from several threads (the lanes), so it must lock; it locks with our mutexes, which
        // are recursive, rather than its own (no CKF_OS_LOCKING_OK, so PKCS#11 §5.4 says it uses the callbacks).
        // OpenSC 0.23 relocks a mutex it already holds when a card is pulled in the middle of C_Login, and with its
        // own non-recursive pthread mutexes that thread then waits for itself for ever (seen in the chain tests,
        // the lane stuck in sc_unlock). A recursive mutex lets the call fail with "card removed" instead.
        var args = CK_C_INITIALIZE_ARGS()
        args.CreateMutex = RecursiveMutexCallbacks.create
        args.DestroyMutex = RecursiveMutexCallbacks.destroy
        args.LockMutex = RecursiveMutexCallbacks.lock
        args.UnlockMutex = RecursiveMutexCallbacks.unlock
        let initRV = withUnsafeMutablePointer(to: &args) { functions.pointee.C_Initialize(UnsafeMutableRawPointer($0)) }
        guard initRV == CKR_OK || initRV == CKR_CRYPTOKI_ALREADY_INITIALIZED else {
            throw .moduleNotLoadable(path: path, reason: "C_Initialize returned \(ReturnValue(initRV).name)")
        }
    }

    /// The lanes of every token opened on this module, so that a restart (`restart`) can hold them all.
    private let lanes = Mutex<[WeakLane]>([])

    func register(_ new: [Lane]) {
        lanes.withLock { lanes in
            lanes.removeAll { $0.lane == nil }
            lanes += new.map(WeakLane.init)
        }
    }

    /// Finalises the module and initialises it again, with every token's lanes held meanwhile: the one way to make a
    /// smart-card module let go of everything it holds in pcscd. OpenSC 0.23 leaks a PC/SC transaction when a card is
    /// pulled between a context-specific login and the signature (its lock count never returns to zero, so it never
    /// ends the transaction nor disconnects), and pcscd then holds every program off that reader, so the next card in
    /// it is never even powered; finalising releases the PC/SC context and with it the transaction. Every session
    /// and login is gone afterwards: tokens must have been `release()`d first, so their next call starts afresh.
    /// Gives up (throws `.busy`) if a lane does not come to a stop within `timeout`, rather than finalise under a
    /// call; a module that cannot be initialised again throws `.reinitialise` with Cryptoki's reason.
    public func restart(timeout: Duration = .seconds(5)) async throws(ModuleRestartFailure) {
        let held = lanes.withLock { $0.compactMap(\.lane) }
        try await offloaded { () throws(ModuleRestartFailure) in
            let parked = DispatchGroup()
            let released = DispatchSemaphore(value: 0)
            for lane in held { lane.park(parked: parked, released: released) }
            defer { for _ in held { released.signal() } }
            let (seconds, attoseconds) = timeout.components
            guard parked.wait(timeout: .now() + .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))) == .success else {
                throw .busy(timeout)
            }
            try self.slotTable.withLock { _ throws(ModuleRestartFailure) in
                _ = self.functions.pointee.C_Finalize(nil)
                do throws(PKCS11Error) {
                    try self.initialize()
                } catch {
                    throw .reinitialise(error)
                }
            }
        }
    }

    /// The module at `path`, loaded off the caller's thread: C_Initialize of a smart-card module talks to pcscd
    /// and may take a while.
    public static func load(path: String) async throws -> Module {
        try await offloaded { try Module.shared(path: path) }
    }

    /// Runs blocking module-level calls (slot lists, token initialisation) off the caller's thread.
    public func run<T: Sendable>(_ body: @escaping @Sendable (Module) throws -> T) async throws -> T {
        try await offloaded { try body(self) }
    }

    /// Finalises every loaded module. Call it once, when the process is done with its tokens and about to exit:
    /// SoftHSM crashes in its exit-time destructors if it is never finalised while sessions are open.
    public static func finalizeAll() {
        loaded.withLock { modules in
            for module in modules.values { _ = module.functions.pointee.C_Finalize(nil) }
            modules.removeAll()
        }
    }

    /// Throws the call's failure as `PKCS11Error.call`.
    @inline(__always)
    func check(_ rv: CK_RV, _ function: StaticString) throws(PKCS11Error) {
        guard rv == CKR_OK else { throw .call("\(function)", ReturnValue(rv)) }
    }

    /// The library's own description (C_GetInfo).
    public func info() throws(PKCS11Error) -> ModuleInfo {
        var info = CK_INFO()
        try check(functions.pointee.C_GetInfo(&info), "C_GetInfo")
        return ModuleInfo(info)
    }

    /// Slots, with or without a token in them.
    public func slots(withTokenOnly: Bool = true) throws(PKCS11Error) -> [Slot] {
        try slotTable.withLock { _ throws(PKCS11Error) in try slotsLocked(withTokenOnly: withTokenOnly) }
    }

    private func slotsLocked(withTokenOnly: Bool) throws(PKCS11Error) -> [Slot] {
        var count: CK_ULONG = 0
        try check(functions.pointee.C_GetSlotList(withTokenOnly ? 1 : 0, nil, &count), "C_GetSlotList")
        var ids = [CK_SLOT_ID](repeating: 0, count: Int(count))
        try check(functions.pointee.C_GetSlotList(withTokenOnly ? 1 : 0, &ids, &count), "C_GetSlotList")
        // A slot that fails to describe itself (a token being removed right now) is left out, not fatal.
        return ids.prefix(Int(count)).compactMap { id in try? slot(id) }
    }

    func slot(_ id: CK_SLOT_ID) throws(PKCS11Error) -> Slot {
        var slotInfo = CK_SLOT_INFO()
        try check(functions.pointee.C_GetSlotInfo(id, &slotInfo), "C_GetSlotInfo")
        var token: TokenInfo?
        if slotInfo.flags & CK_FLAGS(CKF_TOKEN_PRESENT) != 0 {
            var tokenInfo = CK_TOKEN_INFO()
            let rv = functions.pointee.C_GetTokenInfo(id, &tokenInfo)
            if rv == CKR_OK {
                token = TokenInfo(tokenInfo)
            } else if rv != CKR_TOKEN_NOT_PRESENT && rv != CKR_TOKEN_NOT_RECOGNIZED {
                throw .call("C_GetTokenInfo", ReturnValue(rv))
            }
        }
        return Slot(id: id, info: SlotInfo(slotInfo), token: token)
    }

    func tokenInfo(slot id: CK_SLOT_ID) throws(PKCS11Error) -> TokenInfo {
        var tokenInfo = CK_TOKEN_INFO()
        try check(functions.pointee.C_GetTokenInfo(id, &tokenInfo), "C_GetTokenInfo")
        return TokenInfo(tokenInfo)
    }

    func mechanisms(slot id: CK_SLOT_ID) throws(PKCS11Error) -> Set<CK_MECHANISM_TYPE> {
        var count: CK_ULONG = 0
        try check(functions.pointee.C_GetMechanismList(id, nil, &count), "C_GetMechanismList")
        var list = [CK_MECHANISM_TYPE](repeating: 0, count: Int(count))
        try check(functions.pointee.C_GetMechanismList(id, &list, &count), "C_GetMechanismList")
        return Set(list.prefix(Int(count)))
    }

    /// Initialises the token in `slot` (C_InitToken), erasing what it held, and sets its user PIN.
    /// Only tokens that allow it (SoftHSM's free slot, some HSMs) do; smart cards have their own tools.
    public func initializeToken(slot: Slot, label: String, soPIN: [UInt8], userPIN: [UInt8]) throws(PKCS11Error) {
        try slotTable.withLock { _ throws(PKCS11Error) in
            try initializeTokenLocked(slot: slot, label: label, soPIN: soPIN, userPIN: userPIN)
        }
    }

    private func initializeTokenLocked(slot: Slot, label: String, soPIN: [UInt8], userPIN: [UInt8]) throws(PKCS11Error) {
        var paddedLabel = [UInt8](repeating: 0x20, count: 32)
        let labelBytes = Array(label.utf8)
        guard labelBytes.count <= 32 else { throw .invalidRequest("token label \"\(label)\" is longer than 32 bytes; choose a shorter one") }
        paddedLabel.replaceSubrange(0..<labelBytes.count, with: labelBytes)
        var so = soPIN
        try check(functions.pointee.C_InitToken(slot.id, &so, CK_ULONG(so.count), &paddedLabel), "C_InitToken")
        let slotID = slot.id
        var session: CK_SESSION_HANDLE = 0
        try check(functions.pointee.C_OpenSession(slotID, CK_FLAGS(CKF_SERIAL_SESSION | CKF_RW_SESSION), nil, nil, &session), "C_OpenSession")
        defer { _ = functions.pointee.C_CloseSession(session) }
        try check(functions.pointee.C_Login(session, CK_USER_TYPE(CKU_SO), &so, CK_ULONG(so.count)), "C_Login(SO)")
        defer { _ = functions.pointee.C_Logout(session) }
        var user = userPIN
        try check(functions.pointee.C_InitPIN(session, &user, CK_ULONG(user.count)), "C_InitPIN")
    }
}

extension Module {
    /// Where p11-kit-aware systems keep modules, searched for a URI's module-name.
    static let moduleDirectories = ["/usr/lib/x86_64-linux-gnu/pkcs11", "/usr/lib/x86_64-linux-gnu", "/usr/lib/softhsm", "/usr/lib/pkcs11"]

    /// The module a URI asks for: its module-path, else its module-name looked up in the usual directories
    /// (`softhsm2` → libsofthsm2.so, `opensc-pkcs11` → opensc-pkcs11.so), else `fallback` (the CLI's --module).
    public static func path(for uri: PKCS11URI, fallback: String) -> String {
        if let path = uri.modulePath { return path }
        if let name = uri.moduleName {
            for directory in moduleDirectories {
                for file in ["\(name).so", "lib\(name).so"] {
                    let candidate = directory + "/" + file
                    if access(candidate, R_OK) == 0 { return candidate }
                }
            }
            return name
        }
        return fallback
    }
}

/// The mutexes a module locks with (see `Module.init`): recursive pthread mutexes on the heap, handed to the module
/// as opaque pointers.
enum RecursiveMutexCallbacks {
    static let create: CK_CREATEMUTEX = { slot in
        guard let slot else { return CK_RV(CKR_ARGUMENTS_BAD) }
        let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_RECURSIVE))
        let made = pthread_mutex_init(mutex, &attributes)
        pthread_mutexattr_destroy(&attributes)
        guard made == 0 else {
            mutex.deallocate()
            return CK_RV(CKR_HOST_MEMORY)
        }
        slot.pointee = UnsafeMutableRawPointer(mutex)
        return CK_RV(CKR_OK)
    }

    static let destroy: CK_DESTROYMUTEX = { raw in
        guard let mutex = raw?.assumingMemoryBound(to: pthread_mutex_t.self) else { return CK_RV(CKR_MUTEX_BAD) }
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        return CK_RV(CKR_OK)
    }

    static let lock: CK_LOCKMUTEX = { raw in
        guard let mutex = raw?.assumingMemoryBound(to: pthread_mutex_t.self) else { return CK_RV(CKR_MUTEX_BAD) }
        return pthread_mutex_lock(mutex) == 0 ? CK_RV(CKR_OK) : CK_RV(CKR_GENERAL_ERROR)
    }

    static let unlock: CK_UNLOCKMUTEX = { raw in
        guard let mutex = raw?.assumingMemoryBound(to: pthread_mutex_t.self) else { return CK_RV(CKR_MUTEX_BAD) }
        return pthread_mutex_unlock(mutex) == 0 ? CK_RV(CKR_OK) : CK_RV(CKR_MUTEX_NOT_LOCKED)
    }
}

/// A lane the module knows of without keeping it alive.
struct WeakLane: Sendable {
    weak var lane: Lane?
    init(_ lane: Lane) { self.lane = lane }
}
