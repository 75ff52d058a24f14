// swift-tools-version: 6.1
import PackageDescription

// Hot loops (hashing, decoding, later the numeric kernels) are compiled with -O even in
// debug builds: unoptimised they run hundreds of times slower, and the tests use the real data.
// -fno-math-errno lets squareRoot() and friends compile to single instructions.
let optimisedInDebug: [SwiftSetting] = [
    .unsafeFlags(["-O"], .when(configuration: .debug)),
    .unsafeFlags(["-Xcc", "-fno-math-errno"]),
]

let package = Package(
    name: "fashion",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "fashion", targets: ["fashion"]),
        .library(name: "FashionData", targets: ["FashionData"]),
        .library(name: "Reports", targets: ["Reports"]),
        // For the fuzz targets (Fuzz/, a package of its own) and for embedding.
        .library(name: "NeuralNet", targets: ["NeuralNet"]),
        .library(name: "Studies", targets: ["Studies"]),
        .library(name: "Inference", targets: ["Inference"]),
        .library(name: "Tuning", targets: ["Tuning"]),
        .library(name: "Serving", targets: ["Serving"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // The HTTP server of `fashion serve`, only in the Serving target. Its default traits
        // (swift-configuration support, full Foundation) are not needed and cost build time.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // The PostgreSQL run store (`--store postgresql://...`), only in the _PostgresStore target.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // `make docs`: the API reference (DocC). A plugin only: nothing of it is built into fashion.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .executableTarget(name: "fashion", dependencies: ["FashionCLI"]),
        // The library's example (Docs/library.md): built with the package, so it keeps up with the API.
        .executableTarget(
            name: "train-and-predict", dependencies: ["FashionData", "Inference", "NeuralNet", "Studies"],
            path: "Examples/train-and-predict"),
        .executableTarget(
            name: "fashion-bench",
            dependencies: [
                "Studies", "Tuning", "RunStore", "_SQLiteStore", "_PostgresStore", "FashionData", "NeuralNet",
                "NumericCore", "Explain",
            ],
            path: "Benchmarks/FashionBench"),
        .target(
            name: "FashionCLI",
            dependencies: [
                "FashionData", "Reports", "NumericCore", "NeuralNet", "ClassificationMetrics", "Studies", "RunStore",
                "_SQLiteStore", "_PostgresStore",
                "Tuning",
                "Inference", "Export", "Explain", "Serving", "_Files",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .target(name: "Reports", dependencies: ["_Files", "_CZlib"], swiftSettings: optimisedInDebug),
        .target(
            name: "FashionData", dependencies: ["NumericCore", "_Files", "_CZlib", "_CTurboJPEG"],
            swiftSettings: optimisedInDebug),
        .target(
            name: "NumericCore", dependencies: ["_CBLAS", "_CFloatEnvironment", "_Kernels"],
            swiftSettings: optimisedInDebug),
        .target(
            name: "NeuralNet", dependencies: ["NumericCore", "ClassificationMetrics", "_Files"],
            swiftSettings: optimisedInDebug),
        .target(name: "_CFloatEnvironment"),
        .target(name: "_Kernels", cSettings: [.unsafeFlags(["-O3", "-ffp-contract=fast", "-fno-math-errno"])]),
        .target(name: "ClassificationMetrics"),
        .target(name: "RunStore"),
        .target(name: "_SQLiteStore", dependencies: ["RunStore", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(
            name: "_PostgresStore",
            dependencies: [
                "RunStore", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(name: "Inference", dependencies: ["NeuralNet", "FashionData", "NumericCore", "_Files"]),
        .target(name: "Export", dependencies: ["NeuralNet", "NumericCore", "FashionData", "_Files"]),
        .target(
            name: "Serving",
            dependencies: [
                "Inference", "Explain", "NeuralNet", "FashionData", "NumericCore", "_Files",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .target(name: "Explain", dependencies: ["NeuralNet", "NumericCore"]),
        .target(
            name: "Studies",
            dependencies: [
                "Inference", "Explain", "FashionData", "NeuralNet", "NumericCore", "ClassificationMetrics", "Reports",
                "RunStore",
                "_Files",
            ]),
        .target(
            name: "Tuning",
            dependencies: ["Studies", "FashionData", "NeuralNet", "NumericCore", "Reports", "RunStore", "_Files"]),
        .target(name: "_Files"),
        .systemLibrary(
            name: "_CBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"]), .brew(["openblas"])]),
        .systemLibrary(
            name: "_CTurboJPEG", pkgConfig: "libturbojpeg",
            providers: [.apt(["libturbojpeg0-dev"]), .brew(["jpeg-turbo"])]),
        .systemLibrary(
            name: "_CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
        .target(
            name: "_TestSupport",
            dependencies: ["FashionData", "NumericCore", "NeuralNet", "Reports", "_CZlib", "_CTurboJPEG"]),

        .testTarget(name: "NumericCoreTests", dependencies: ["NumericCore", "_TestSupport"]),
        .testTarget(
            name: "NeuralNetTests", dependencies: ["NeuralNet", "NumericCore", "_TestSupport"], exclude: ["Fixtures"]),
        .testTarget(
            name: "StudiesTests",
            dependencies: [
                "Studies", "FashionData", "NeuralNet", "NumericCore", "ClassificationMetrics", "Reports", "RunStore",
                "_SQLiteStore",
                "_TestSupport",
            ],
            exclude: ["Fixtures", "Snapshots"]),
        .testTarget(
            name: "TuningTests",
            dependencies: ["Tuning", "RunStore", "_SQLiteStore", "NeuralNet", "NumericCore", "_TestSupport"]),
        .testTarget(
            name: "RunStoreTests", dependencies: ["RunStore", "_SQLiteStore", "_PostgresStore", "_TestSupport"],
            exclude: ["Fixtures"]),
        .testTarget(
            name: "ExplainTests",
            dependencies: ["Explain", "NeuralNet", "NumericCore", "FashionData", "Inference", "_TestSupport"]),
        .testTarget(
            name: "ExportTests",
            dependencies: ["Export", "NeuralNet", "NumericCore", "FashionData", "Inference", "_TestSupport"]),
        .testTarget(
            name: "ServingTests",
            dependencies: [
                "Serving", "Inference", "Explain", "NeuralNet", "NumericCore", "FashionData", "Reports", "_TestSupport",
            ]),
        .testTarget(
            name: "InferenceTests",
            dependencies: ["Inference", "NeuralNet", "NumericCore", "FashionData", "_TestSupport"]),
        .testTarget(
            name: "ClassificationMetricsTests", dependencies: ["ClassificationMetrics", "_TestSupport"],
            exclude: ["Snapshots"]),
        .testTarget(name: "FashionDataTests", dependencies: ["FashionData", "NumericCore", "Reports", "_TestSupport"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "FashionData", "_TestSupport"]),
        .testTarget(
            name: "FashionCLITests",
            dependencies: [
                "FashionCLI", "fashion", "FashionData", "Studies", "NeuralNet", "NumericCore", "Reports", "RunStore",
                "_SQLiteStore", "_PostgresStore", "Inference", "Tuning", "_TestSupport",
            ],
            exclude: ["Snapshots"]),
    ]
)
