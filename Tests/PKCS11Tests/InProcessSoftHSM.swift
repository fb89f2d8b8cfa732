import Foundation
import Synchronization
import PKCS11
import TestSupport

/// The one SoftHSM token store this test process loads the module against. SOFTHSM2_CONF is read once, at
/// C_Initialize, so it is set before the first use. SoftHSM does not see tokens that another process creates
/// after C_Initialize, so each in-process test initialises its own token through the module (C_InitToken on
/// the free slot, which SoftHSM replaces with a new free one), one at a time.
enum InProcessSoftHSM {
    /// Held while a token is initialised in-process or a SoftHSM tool runs against the store.
    private static let storeLock = StoreLock()

    static let fixture: SoftHSMFixture = {
        let fixture = try! SoftHSMFixture()
        setenv("SOFTHSM2_CONF", fixture.configPath, 1)
        return fixture
    }()

    static var module: Module {
        get throws { _ = fixture; return try Module.shared(path: SoftHSMFixture.module) }
    }

    /// A new token with a unique label, opened with its PIN in the token's own environment (not the process's).
    static func token(_ prefix: String = "t", sessions: Int = 4) async throws -> (token: Token, label: String, pin: String) {
        let label = "\(prefix)-\(randomDigits(8))"
        let pin = randomDigits(8)
        let module = try module
        try await storeLock.whileHeld {
            guard let free = try module.slots().first(where: { $0.token.map { !$0.flags.contains(.tokenInitialized) } ?? false }) else {
                throw TestSetupError("SoftHSM offers no free slot")
            }
            try module.initializeToken(slot: free, label: label, soPIN: Array(fixture.soPIN.utf8), userPIN: Array(pin.utf8))
        }
        var uri = PKCS11URI()
        uri.token = label
        let token = try await Token.open(uri, module: module, maxSessions: sessions, environment: ["GATEWAY_PIN": pin])
        return (token, label, pin)
    }

    /// Runs pkcs11-tool against the store while no token is being initialised in-process: SoftHSM's file store
    /// is not made for two processes changing it at once.
    static func pkcs11Tool(_ arguments: [String]) async throws -> ProcessResult {
        try await storeLock.whileHeld { try await fixture.pkcs11Tool(arguments) }
    }

    static func softhsm2Util(_ arguments: [String]) async throws -> ProcessResult {
        try await storeLock.whileHeld { try await run("softhsm2-util", arguments, environment: fixture.environment) }
    }

    static func uri(_ token: String, object: String? = nil, id: [UInt8]? = nil) -> PKCS11URI {
        var uri = PKCS11URI()
        uri.token = token
        uri.object = object
        uri.id = id
        return uri
    }
}

/// One holder at a time; the others suspend, in order, until it lets go. A lock a test can hold across a child
/// process it awaits, where a thread lock would block a cooperative thread for the child's whole run.
private final class StoreLock: Sendable {
    private let state = Mutex<(held: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

    func whileHeld<T>(_ body: () async throws -> T) async rethrows -> T {
        await withCheckedContinuation { continuation in
            let mustWait = state.withLock { state in
                if state.held { state.waiting.append(continuation); return true }
                state.held = true
                return false
            }
            if !mustWait { continuation.resume() }
        }
        defer {
            // Handed straight to the next waiter, so it stays held; let go only when nobody waits.
            let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
                if state.waiting.isEmpty { state.held = false; return nil }
                return state.waiting.removeFirst()
            }
            next?.resume()
        }
        return try await body()
    }
}
