// swift-tools-version: 6.2
import PackageDescription

// Release builds:
// - `-target-cpu native`: Swift's SIMD types only turn into wide vector instructions (AVX2/FMA,
//   AVX-512 where present) when the compiler may assume them; on baseline x86-64 several SIMD
//   operations go lane by lane. The flag is per build, so a machine without AVX-512 gets an
//   AVX2 (or SSE) build of its own.
// - `-enable-cmo-everything`: lets client modules specialize Tensor/Autograd generics for
//   Float and Double instead of calling unspecialized code (per-op overhead on small tensors).
// - `-enforce-exclusivity=unchecked`: no dynamic exclusivity bookkeeping on every class
//   property access in the graph engine (14% of the per-op time); debug builds keep the checks.
// - `-Xcc -fno-math-errno`: Swift's `squareRoot()` goes through a C shim that clang otherwise
//   compiles as an errno-setting `sqrtf` call, which blocks vectorization (scalar loops and
//   SIMD vectors alike ran lane by lane through libm); without errno it is `vsqrtps`/`vsqrtpd`.
//   Swift never reads errno, so nothing else changes.
let native: [SwiftSetting] = [
    .unsafeFlags(["-target-cpu", "native", "-Xfrontend", "-enable-cmo-everything", "-enforce-exclusivity=unchecked", "-Xcc", "-fno-math-errno"], .when(configuration: .release))
]

// Examples read as scripts (top-level code using top-level values), which Swift 6 mode would
// isolate to the main actor; they build in Swift 5 mode like the `tapegrad` tool.
let script: [SwiftSetting] = native + [.swiftLanguageMode(.v5)]

let package = Package(
    name: "Tapegrad",
    products: [
        .library(name: "Tensor", targets: ["Tensor"]),
        .library(name: "Autograd", targets: ["Autograd"]),
        .library(name: "NN", targets: ["NN"]),
        // `import Tapegrad`: Tensor, Autograd and NN in one import.
        .library(name: "Tapegrad", targets: ["Tapegrad"]),
        .executable(name: "tapegrad", targets: ["TapegradTool"]),
    ],
    targets: [
        .target(name: "Tensor", swiftSettings: native),
        .target(name: "Autograd", dependencies: ["Tensor"], swiftSettings: native),
        .target(name: "NN", dependencies: ["Autograd", "Tensor"], swiftSettings: native),
        .target(name: "Tapegrad", dependencies: ["NN", "Autograd", "Tensor"]),
        // The activation lab: the experiments `tapegrad experiment` runs (Docs/Experiments.md), a
        // library of the tool's so that the tests can run them too.
        .target(name: "Lab", dependencies: ["NN"], swiftSettings: script),
        // The command-line tool. The product (and so the command) is `tapegrad`; the target and its
        // module are `TapegradTool`, so that no two modules' names differ only in case (`Tapegrad`
        // and `tapegrad` would collide on a case-insensitive file system such as macOS's).
        .executableTarget(
            name: "TapegradTool", dependencies: ["Lab", "NN", "Autograd", "Tensor"],
            swiftSettings: native + [.swiftLanguageMode(.v5)]),
        // Examples: scripts that train small models (`swift run -c release XOR`, …).
        .executableTarget(name: "XOR", dependencies: ["NN"], path: "Examples/XOR", swiftSettings: script),
        .executableTarget(name: "Spirals", dependencies: ["NN"], path: "Examples/Spirals", swiftSettings: script),
        .executableTarget(name: "DigitsMLP", dependencies: ["NN"], path: "Examples/DigitsMLP", swiftSettings: script),
        .executableTarget(name: "DigitsCNN", dependencies: ["NN"], path: "Examples/DigitsCNN", swiftSettings: script),
        .executableTarget(name: "CustomActivation", dependencies: ["NN"], path: "Examples/CustomActivation", swiftSettings: script),
        .executableTarget(
            name: "CaffeToONNX", dependencies: ["NN"], path: "Examples/CaffeToONNX", exclude: ["digits.prototxt"], swiftSettings: script),
        .executableTarget(name: "PyTorchHabits", dependencies: ["Tapegrad"], path: "Examples/PyTorchHabits", swiftSettings: script),
        // libFuzzer target for the checkpoint loader (Scripts/fuzz_checkpoint.sh); a normal build
        // replays files given as arguments.
        .executableTarget(name: "CheckpointFuzz", dependencies: ["NN"], path: "Fuzz/CheckpointFuzz", swiftSettings: native),
        .target(name: "TestSupport", dependencies: ["Tensor"], path: "Tests/TestSupport"),
        .testTarget(name: "TensorTests", dependencies: ["Tensor", "TestSupport"]),
        .testTarget(name: "AutogradTests", dependencies: ["Autograd", "TestSupport"]),
        .testTarget(name: "LabTests", dependencies: ["Lab", "NN", "TestSupport"]),
        .testTarget(
            name: "NNTests", dependencies: ["NN", "TestSupport"],
            resources: [.copy("Fixtures")]),
    ]
)
