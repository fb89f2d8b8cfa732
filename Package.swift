// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "SecureMeteringGateway",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "gatewayctl", targets: ["gatewayctl"]),
        .executable(name: "pkid", targets: ["pkid"]),
        .library(name: "Signing", targets: ["Signing"]),
        .library(name: "PKCS11", targets: ["PKCS11"]),
        .library(name: "Modbus", targets: ["Modbus"]),
        .library(name: "PKI", targets: ["PKI"]),
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
    ],
    targets: [
        // System libraries, found through pkg-config.
        .systemLibrary(name: "CPKCS11", pkgConfig: "p11-kit-1", providers: [.apt(["libp11-kit-dev"])]),
        .systemLibrary(name: "CModbus", pkgConfig: "libmodbus", providers: [.apt(["libmodbus-dev"])]),
        .systemLibrary(name: "CPCSC", pkgConfig: "libpcsclite", providers: [.apt(["libpcsclite-dev"])]),

        .target(
            name: "Signing",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        .target(
            name: "PKCS11",
            dependencies: [
                "CPKCS11",
                "Signing",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                
            ]
        ),
        .target(
            name: "Modbus",
            dependencies: ["CModbus", .product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "PKI",
            dependencies: [
                "Signing",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .target(
            name: "Metering",
            dependencies: [
                "COSEM", "Signing", "PKI", "Modbus",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        .target(
            name: "TLS",
            dependencies: [
                "Signing",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        .target(
            name: "PKIService",
            dependencies: [
                "PKI", "TLS", "Signing",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        .executableTarget(
            name: "pkid",
            dependencies: [
                "PKIService", "PKI", "PKCS11", "TLS",
                .product(name: "Yams", package: "Yams"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "X509", package: "swift-certificates"),
            ]
        ),
        .executableTarget(
            name: "gatewayctl",
            dependencies: [
                "PKCS11", "Modbus", "PKI", "PKIService", "Signing", "COSEM", "Metering",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),

        .target(name: "COSEM", dependencies: [.product(name: "NIOCore", package: "swift-nio")]),
        // libFuzzer harness for the COSEM decoders; a stub unless built by `make fuzz`.
        .executableTarget(name: "COSEMFuzzer", dependencies: ["COSEM"]),

        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(
            name: "SigningTests",
            dependencies: ["Signing", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .testTarget(name: "PKCS11Tests", dependencies: ["PKCS11", "Signing", "TestSupport"]),
        .testTarget(name: "ModbusTests", dependencies: ["Modbus", "TestSupport"]),
        .testTarget(
            name: "MeteringTests",
            dependencies: [
                "Metering", "COSEM", "PKI", "Signing", "Modbus", "TestSupport",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "PKIServiceTests",
            dependencies: [
                "PKIService", "PKI", "Signing", "TestSupport",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(
            name: "PKITests",
            dependencies: ["PKI", "Signing", "TestSupport", .product(name: "X509", package: "swift-certificates")]
        ),
        .testTarget(
            name: "COSEMTests",
            dependencies: [
                "COSEM", "TestSupport", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["TestSupport", "Signing", "Modbus", "COSEM", .product(name: "Crypto", package: "swift-crypto")],
            exclude: ["Fixtures"]
        ),
    ]
)
