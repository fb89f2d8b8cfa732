extension GatewaySettings {
    /// `signing:` in gateway.yaml: how readings are signed beyond the key itself.
    public struct Signing: Decodable, Sendable {
        public init() {}
        /// Batch signatures for slow tokens: one token signature over a Merkle tree of up to `max_frames` readings,
        /// each frame carrying its own proof. Off when absent.
        public struct Batch: Decodable, Sendable {
            public init() {}
            public var max_frames: Int?
            public var max_wait: String?
        }
        public var batch: Batch?
    }
}
