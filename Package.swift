// swift-tools-version:6.0
// Warren (a sandboxing superserver) and Quill (a blog: site builder and per-connection engine).
// Module layout and the reasons for it: README.md, "Where things live".
import PackageDescription

let package = Package(
    name: "warren",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "warren", targets: ["warren"]),
        .executable(name: "quill", targets: ["quill"]),
        .executable(name: "quill-engine", targets: ["quill-engine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        // System libraries, linked through pkg-config.
        .systemLibrary(
            name: "CSeccomp", pkgConfig: "libseccomp", providers: [.apt(["libseccomp-dev"])]),
        .systemLibrary(name: "CCap", pkgConfig: "libcap", providers: [.apt(["libcap-dev"])]),
        .systemLibrary(
            name: "CCmark", pkgConfig: "libcmark-gfm",
            providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CBrotli", pkgConfig: "libbrotlienc", providers: [.apt(["libbrotli-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),

        // The only code that runs between clone and execve: C, raw syscalls, no allocation.
        .target(name: "CWarrenSpawn"),

        // Warren.
        .target(
            name: "WarrenSystem",
            dependencies: ["CWarrenSpawn", .product(name: "SystemPackage", package: "swift-system")]),
        .target(
            name: "WarrenPolicy",
            dependencies: ["CSeccomp", "CCap", "WarrenSystem", "TOMLKit"]),
        .target(
            name: "WarrenSpawn", dependencies: ["CWarrenSpawn", "CSeccomp", "WarrenSystem", "WarrenPolicy"]),
        .target(name: "WarrenServer", dependencies: ["WarrenSystem", "WarrenPolicy", "WarrenSpawn"]),
        .executableTarget(
            name: "warren",
            dependencies: [
                "WarrenServer", "WarrenSpawn", "WarrenPolicy",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // Quill: the engine depends on QuillHTTP only, so the sandboxed binary stays small.
        .target(name: "CQuillSys"),
        .target(
            name: "QuillHTTP",
            dependencies: ["CQuillSys", .product(name: "SystemPackage", package: "swift-system")]),
        .executableTarget(
            name: "quill-engine",
            dependencies: ["QuillHTTP", .product(name: "SystemPackage", package: "swift-system")]),
        // The request fuzz target; a replay tool unless built by bench/fuzz-http.sh with libFuzzer.
        .executableTarget(
            name: "QuillHTTPFuzz",
            dependencies: ["QuillHTTP", .product(name: "SystemPackage", package: "swift-system")]),
        .target(
            name: "QuillSite",
            dependencies: [
                "CCmark", "CZlib", "CBrotli", "CCrypto", "Yams", "TOMLKit",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]),
        .executableTarget(
            name: "quill",
            dependencies: [
                "QuillSite", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // Tests. Integration tests (root, namespaces, spawned processes) live apart from unit tests.
        .testTarget(name: "WarrenPolicyTests", dependencies: ["WarrenPolicy"]),
        .testTarget(
            name: "WarrenServerTests",
            dependencies: ["WarrenServer", "WarrenSystem", "WarrenPolicy", "WarrenSpawn"],
            exclude: ["Policies"]),
        .testTarget(
            name: "WarrenSandboxTests",
            dependencies: ["WarrenSpawn", "WarrenPolicy", "WarrenSystem", "CSeccomp"]),
        .testTarget(name: "QuillHTTPTests", dependencies: ["QuillHTTP"]),
        .testTarget(name: "QuillSiteTests", dependencies: ["QuillSite"], exclude: ["Fixtures"]),
    ]
)
