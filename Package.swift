// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "bpfrepl",
  products: [
    .executable(name: "bpfrepl", targets: ["bpfrepl"])
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
  ],
  targets: [
    // System libraries, each behind its own module map.
    .systemLibrary(name: "CLibbpf", path: "Sources/CLibbpf"),
    .systemLibrary(name: "CElf", path: "Sources/CElf"),
    .systemLibrary(name: "CZmq", path: "Sources/CZmq"),
    .systemLibrary(name: "CEdit", path: "Sources/CEdit"),
    // What Swift cannot import directly: variadic syscalls, ioctl requests, function-like macros.
    .target(name: "CBPFShim", path: "Sources/CBPFShim"),

    .target(
      name: "Engine",
      dependencies: ["CLibbpf", "CElf", "CBPFShim"],
      swiftSettings: [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]
    ),
    .target(
      name: "Kernel",
      dependencies: ["Engine", "CZmq", .product(name: "Crypto", package: "swift-crypto")]
    ),
    .executableTarget(
      name: "bpfrepl",
      dependencies: [
        "Engine", "Kernel", "CEdit",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "Sources/REPL"
    ),

    .testTarget(name: "EngineTests", dependencies: ["Engine"], exclude: ["Dumps/Golden"]),
    .testTarget(name: "KernelTests", dependencies: ["Kernel"]),
    .testTarget(name: "EndToEndTests", dependencies: ["Engine"]),
  ],
  swiftLanguageModes: [.v5]
)
