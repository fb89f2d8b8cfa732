// swift-tools-version:6.1
import PackageDescription

// The layering, lowest first. A target imports only targets above it in this file; docs/ARCHITECTURE.md "Modules"
// draws the same graph. Pure codecs and types (COSEM, Signing, Modbus, PKI) know nothing of the network or disks
// beyond what they name; NIO lives in Transport and the services; SQLite lives in PKIStore and Gateway's outbox.
let crypto: [Target.Dependency] = [
    .product(name: "Crypto", package: "swift-crypto"),
    .product(name: "SwiftASN1", package: "swift-asn1"),
]
let x509: [Target.Dependency] = [
    .product(name: "X509", package: "swift-certificates"),
    .product(name: "SwiftASN1", package: "swift-asn1"),
]
let nio: [Target.Dependency] = [
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOPosix", package: "swift-nio"),
    .product(name: "NIOHTTP1", package: "swift-nio"),
    .product(name: "NIOTLS", package: "swift-nio"),
    .product(name: "NIOSSL", package: "swift-nio-ssl"),
]
// What an HTTP server module names: Hummingbird's core (the server, Request, Response) and the HTTP types it speaks.
let hummingbird: [Target.Dependency] = [
    .product(name: "HummingbirdCore", package: "hummingbird"),
    .product(name: "HTTPTypes", package: "swift-http-types"),
]
let http: [Target.Dependency] = [
    .product(name: "AsyncHTTPClient", package: "async-http-client"),
    .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
]
let observability: [Target.Dependency] = [
    .product(name: "Logging", package: "swift-log"),
    .product(name: "Metrics", package: "swift-metrics"),
]

let package = Package(
    name: "SecureMeteringGateway",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "gatewayctl", targets: ["gatewayctl"]),
        .executable(name: "pkid", targets: ["pkid"]),
        .executable(name: "gatewayd", targets: ["gatewayd"]),
        .executable(name: "headend", targets: ["headend"]),
        .library(name: "COSEM", targets: ["COSEM"]),
        .library(name: "Signing", targets: ["Signing"]),
        .library(name: "PKCS11", targets: ["PKCS11"]),
        .library(name: "SmartCard", targets: ["SmartCard"]),
        .library(name: "Modbus", targets: ["Modbus"]),
        .library(name: "PKI", targets: ["PKI"]),
        .library(name: "Metering", targets: ["Metering"]),
        .library(name: "UplinkProtocol", targets: ["UplinkProtocol"]),
        .library(name: "Gateway", targets: ["Gateway"]),
        .library(name: "HeadEnd", targets: ["HeadEnd"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // swift-configuration and full Foundation are Hummingbird's default traits; nothing here uses them.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        // FilePath, which swift-subprocess takes for an executable's path.
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
    ],
    targets: [
        // System libraries, found through pkg-config.
        .systemLibrary(name: "CPKCS11", pkgConfig: "p11-kit-1", providers: [.apt(["libp11-kit-dev"])]),
        .systemLibrary(name: "CModbus", pkgConfig: "libmodbus", providers: [.apt(["libmodbus-dev"])]),
        .systemLibrary(name: "CPCSC", pkgConfig: "libpcsclite", providers: [.apt(["libpcsclite-dev"])]),

        // Pure types and codecs.
        .target(name: "COSEM"),
        .target(name: "Signing", dependencies: [.product(name: "Crypto", package: "swift-crypto"), .product(name: "CryptoExtras", package: "swift-crypto")]),
        .target(name: "Modbus", dependencies: ["CModbus"]),
        .target(name: "PKI", dependencies: ["Signing"] + crypto + x509),

        // Devices and state.
        .target(name: "PKCS11", dependencies: ["CPKCS11", "Signing", .product(name: "SwiftASN1", package: "swift-asn1")]),
        // PC/SC readers and card presence events on libpcsclite; every call on a thread of its own.
        .target(name: "SmartCard", dependencies: ["CPCSC"]),
        .target(name: "PAC3200Simulator", dependencies: ["Modbus", "CModbus"]),
        // A virtual PIV card for pcscd through vsmartcard-vpcd (tests, demo, benchmarks; never a token: its keys are
        // plain files). The card's protocol is pure (APDU in, APDU out); only its vpcd link touches a socket.
        .target(
            name: "VirtualCard",
            dependencies: ["Signing", .product(name: "CryptoExtras", package: "swift-crypto"), .product(name: "X509", package: "swift-certificates")] + crypto
        ),
        // Configuration files, and files a daemon rewrites that a crash must leave whole (AtomicFile).
        .target(name: "ConfigFiles", dependencies: ["Modbus", .product(name: "Yams", package: "Yams")]),
        // The check every daemon's SQLite file passes before it is opened for writing: read-only, through SQLite's C API.
        .target(name: "SQLiteFiles", dependencies: [.product(name: "GRDBSQLite", package: "GRDB.swift")]),
        .target(name: "PKIStore", dependencies: ["PKI", "COSEM", "Signing", "SQLiteFiles", .product(name: "GRDB", package: "GRDB.swift")] + crypto + x509),
        .target(name: "Metering", dependencies: ["COSEM", "Signing", "PKI", "Modbus"] + x509),
        // The uplink's protocol without I/O: what the gateway sends next and what an acknowledgement means, and the
        // head-end's replay and gap rules. Bytes and values in and out, no NIO, so it is tested with bytes alone.
        .target(name: "UplinkProtocol", dependencies: ["COSEM", "Metering"]),

        // The network: TLS, framing, HTTP clients and the HTTP server. Libraries log and count through the swift-log
        // and swift-metrics APIs only; which backend receives them is the executable's choice.
        .target(
            name: "Transport",
            // NIOHTTPTypes: the HTTP parts the request deadlines see behind Hummingbird's codec.
            dependencies: ["COSEM", "Signing", "PKI", .product(name: "NIOHTTPTypes", package: "swift-nio-extras")]
                + nio + x509 + observability + http + hummingbird
        ),
        .target(name: "PKIService", dependencies: ["PKIStore", "PKI", "COSEM", "Transport", "Signing"] + hummingbird + x509 + observability),

        // What every daemon stands on: logging and metrics bootstraps, the /metrics endpoint,
        // one ServiceGroup stopped gracefully by SIGTERM or SIGINT, and the certificate files settings name.
        .target(
            name: "DaemonRuntime",
            dependencies: [
                "Transport", "PKI",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "X509", package: "swift-certificates"),
            ] + observability + hummingbird
        ),

        // The gateway's pipeline services (gatewayd's inside): poller, signing stage, durable outbox (SQLite through GRDB),
        // uplink, status and renewal. The signer comes in as `any Signer`; only gatewayd opens the token.
        .target(
            name: "Gateway",
            dependencies: [
                "Metering", "COSEM", "Modbus", "PKI", "Signing", "UplinkProtocol", "Transport", "SQLiteFiles", "SmartCard", "ConfigFiles",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
            ] + observability
        ),

        // The head-end: the mutual-TLS listener for gateways, each frame verified end to end, the replay and gap rules
        // (UplinkProtocol's ledger), the reading store on SQLite through GRDB, and signed acknowledgements. The signer comes
        // in as any Signer: the executable opens the token.
        .target(
            name: "HeadEnd",
            dependencies: [
                "COSEM", "Signing", "PKI", "Metering", "UplinkProtocol", "Transport", "SQLiteFiles",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ] + nio + x509 + observability + hummingbird
        ),

        // The benchmarks `gatewayctl bench` runs: each stage's throughput and latency, and the chain's from gatewayd's
        // stage-times file; percentiles from HdrHistogram, the daemons run through swift-subprocess.
        .target(
            name: "Benchmarks",
            dependencies: [
                "Gateway", "Metering", "COSEM", "Modbus", "PAC3200Simulator", "PKCS11", "PKI", "Signing", "Transport", "ConfigFiles",
                "DaemonRuntime", "PKIStore",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "X509", package: "swift-certificates"),
            ]
        ),

        // Executables: parse, wire, print.
        .executableTarget(
            name: "pkid",
            dependencies: [
                "PKIService", "PKIStore", "PKI", "PKCS11", "Transport", "ConfigFiles", "DaemonRuntime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "X509", package: "swift-certificates"),
            ]
        ),
        .executableTarget(
            name: "gatewayd",
            dependencies: [
                "Gateway", "Metering", "Modbus", "PKCS11", "SmartCard", "PKI", "Signing", "Transport", "ConfigFiles", "DaemonRuntime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "X509", package: "swift-certificates"),
            ]
        ),
        .executableTarget(
            name: "headend",
            dependencies: [
                "HeadEnd", "PKCS11", "PKI", "COSEM", "Metering", "Transport", "ConfigFiles", "DaemonRuntime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "X509", package: "swift-certificates"),
            ]
        ),
        .executableTarget(
            name: "gatewayctl",
            dependencies: [
                "PKCS11", "SmartCard", "Modbus", "PAC3200Simulator", "VirtualCard", "PKI", "PKIStore", "PKIService", "Transport", "Signing", "COSEM",
                "Metering", "ConfigFiles", "DaemonRuntime", "Gateway", "Benchmarks",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ] + x509
        ),
        // libFuzzer harness for the COSEM decoders; a stub unless built by `make fuzz`.
        .executableTarget(name: "COSEMFuzzer", dependencies: ["COSEM"]),
        // libFuzzer over the verify path (frame, evidence, verification, report); a stub unless built by `make fuzz`.
        .executableTarget(name: "VerifyFuzzer", dependencies: ["Metering", "PKI", "COSEM"] + crypto + x509),

        .target(name: "TestSupport", dependencies: [.product(name: "Subprocess", package: "swift-subprocess")], path: "Tests/TestSupport"),
        .testTarget(name: "SigningTests", dependencies: ["Signing", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "VirtualCardTests", dependencies: ["VirtualCard", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "SmartCardTests", dependencies: ["SmartCard"]),
        .testTarget(name: "PKCS11Tests", dependencies: ["CPKCS11", "PKCS11", "Signing", "TestSupport"]),
        .testTarget(name: "ModbusTests", dependencies: ["Modbus", "PAC3200Simulator", "ConfigFiles", "TestSupport"]),
        .testTarget(
            name: "MeteringTests",
            dependencies: ["Metering", "COSEM", "PKI", "PKIStore", "Signing", "Modbus", "ConfigFiles", "TestSupport"] + x509,
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "UplinkProtocolTests",
            dependencies: ["UplinkProtocol", "Metering", "COSEM", "PKI", "PKIStore", "Signing", "TestSupport", .product(name: "X509", package: "swift-certificates")]
        ),
        .testTarget(
            name: "PKIServiceTests",
            dependencies: ["PKIService", "PKIStore", "PKI", "Transport", "Signing", "TestSupport", "DaemonRuntime",
                           .product(name: "Prometheus", package: "swift-prometheus"), .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
                           .product(name: "X509", package: "swift-certificates"), .product(name: "Logging", package: "swift-log")] + hummingbird
        ),
        .testTarget(
            name: "GatewayTests",
            dependencies: ["Gateway", "Metering", "COSEM", "Signing", "TestSupport", "Modbus", "PAC3200Simulator", "PKI", "PKIStore",
                           "ConfigFiles", "DaemonRuntime", "HeadEnd", "Transport", "SmartCard", .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")] + x509 + hummingbird
        ),
        .testTarget(
            name: "HeadEndTests",
            dependencies: ["HeadEnd", "Gateway", "Metering", "COSEM", "PKI", "PKIStore", "PKIService", "Signing", "Modbus",
                           "Transport", "TestSupport", .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "NIOEmbedded", package: "swift-nio"), .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
                           .product(name: "Logging", package: "swift-log")] + hummingbird + x509
        ),
        .testTarget(name: "BenchmarksTests", dependencies: ["Benchmarks", "Gateway", "Signing", "TestSupport"]),
        .testTarget(
            name: "PKITests",
            dependencies: ["PKI", "PKIStore", "COSEM", "Signing", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")] + x509
        ),
        .testTarget(
            name: "COSEMTests",
            dependencies: ["COSEM", "Transport", "TestSupport", .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOEmbedded", package: "swift-nio")],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["TestSupport", "Signing", "SmartCard", "VirtualCard", "Modbus", "ConfigFiles", "COSEM", "PKI", "Transport", "Metering", "Gateway", .product(name: "Crypto", package: "swift-crypto"), .product(name: "Logging", package: "swift-log")] + x509,
            exclude: ["Fixtures"]
        ),
    ]
)
