import NIOCore
import NIOPosix
import Synchronization

/// Plain TCP sockets from one loopback source address that never send a byte, each opened again as soon as the
/// server closes it, until `stop`: the security review's flood (1,100 of them kept a restarted gateway out for
/// 66 s). Another source address than the gateway's 127.0.0.1 (any 127.x.y.z is loopback on Linux) is what tells
/// the head-end that the flood is not the gateway.
final class SilentFlood: Sendable {
    let port: Int
    let source: String
    let sockets: Int
    private struct State {
        var stopped = false
        var open: [ObjectIdentifier: any Channel] = [:]
        var connects = 0
    }
    private let state = Mutex(State())

    init(port: Int, source: String, sockets: Int) {
        self.port = port
        self.source = source
        self.sockets = sockets
    }

    /// Connections opened so far (each socket counts every time it is opened again).
    var connects: Int { state.withLock { $0.connects } }

    func start() {
        for _ in 0..<sockets { open() }
    }

    /// Stops reopening, closes every socket and waits for the closes.
    func stop() async {
        let open = state.withLock { state -> [any Channel] in
            state.stopped = true
            return Array(state.open.values)
        }
        for channel in open { try? await channel.close() }
    }

    private func open() {
        guard !state.withLock({ $0.stopped }) else { return }
        let local: SocketAddress
        do { local = try SocketAddress(ipAddress: source, port: 0) } catch { return }
        ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .bind(to: local)
            .connect(host: "127.0.0.1", port: port)
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    let kept = self.state.withLock { state -> Bool in
                        state.connects += 1
                        guard !state.stopped else { return false }
                        state.open[ObjectIdentifier(channel)] = channel
                        return true
                    }
                    guard kept else { channel.close(promise: nil); return }
                    channel.closeFuture.whenComplete { _ in
                        self.state.withLock { _ = $0.open.removeValue(forKey: ObjectIdentifier(channel)) }
                        self.open()
                    }
                case .failure:
                    // The listener's accept queue is full, or it is gone: try again a moment later, not in a spin.
                    MultiThreadedEventLoopGroup.singleton.next().scheduleTask(in: .milliseconds(50)) { self.open() }
                }
            }
    }
}
