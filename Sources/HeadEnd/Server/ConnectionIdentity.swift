import COSEM
import Synchronization

/// What the handshake learnt about one connection, read by the connection's task and its handlers: the gateway
/// its certificate names, or why it was refused (so the refusal is logged once, with its reason).
final class ConnectionIdentity: Sendable {
    private let state = Mutex<(gateway: SystemTitle?, refusal: TLSRefusal?)>((nil, nil))

    var gateway: SystemTitle? { state.withLock { $0.gateway } }
    var refusal: TLSRefusal? { state.withLock { $0.refusal } }

    func accept(_ gateway: SystemTitle) { state.withLock { $0.gateway = gateway } }
    func refuse(_ refusal: TLSRefusal) { state.withLock { $0.refusal = refusal } }
}
