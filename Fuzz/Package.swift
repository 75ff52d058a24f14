// swift-tools-version: 6.1
import PackageDescription

// libFuzzer targets for the parsers of `fashion`, a package of their own so that the main
// package never builds them: `make fuzz` builds this one with `-sanitize=fuzzer,address`
// (libFuzzer provides `main`, hence `-parse-as-library`) and runs each target for a while
// on its committed corpus (Corpus/<target>/). Crashes go to Crashes/<target>/.
let targets = [
    ("fuzz-idx", ["FashionData"]), ("fuzz-gzip", ["FashionData"]), ("fuzz-csv", ["FashionData"]),
    ("fuzz-png", ["FashionData"]), ("fuzz-jpeg", ["FashionData"]), ("fuzz-model", ["NeuralNet"]),
    ("fuzz-experiment", ["Studies"]), ("fuzz-space", ["Tuning"]), ("fuzz-serve", ["Serving"]),
]

let package = Package(
    name: "fashion-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "fashion", path: "..")],
    targets: [.target(name: "FuzzDriver")]
        + targets.map { name, libraries in
            .executableTarget(
                name: name, dependencies: ["FuzzDriver"] + libraries.map { .product(name: $0, package: "fashion") },
                path: "Sources/\(name)")
        }
)
