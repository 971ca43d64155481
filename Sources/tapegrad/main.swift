import Foundation
import NN

/// `tapegrad` — the command-line front end. Subcommands: `demo` (the default), `bench`.
let arguments = Array(CommandLine.arguments.dropFirst())
let command = arguments.first.flatMap { $0.hasPrefix("-") ? nil : $0 } ?? "demo"
let rest = arguments.first == command ? Array(arguments.dropFirst()) : arguments

do {
    switch command {
    case "demo":
        try Demo.run(try Options(rest, allowed: ["--data", "--epochs", "--seed"]))
    case "train":
        try TrainCommand.run(try Options(rest, allowed: TrainCommand.allowed))
    case "bench":
        try Bench.run(try Options(rest, allowed: ["--json", "--quick", "--threads", "--suite", "--steps", "--only"]))
    case "gradcheck":
        try GradcheckCommand.run(try Options(rest, allowed: ["--json", "--points", "--activation"]))
    case "plot":
        try PlotCommand.run(try Options(rest, allowed: ["--output", "--activation"]))
    case "list": try ListCommand.run(try Options(rest, allowed: ["--json", "--markdown"]))
    case "longrun": try LongRunCommand.run(try Options(rest, allowed: LongRunCommand.allowed))
    case "help", "--help", "-h":
        print(usage)
    default:
        throw CLIError.usage("unknown command '\(command)'")
    }
    // Output that could not be written (`>/dev/full`, a closed pipe) is a failure, not a
    // silent success.
    if fflush(stdout) != 0 || ferror(stdout) != 0 {
        printError("tapegrad: cannot write to standard output: \(String(cString: strerror(errno)))\n")
        exit(2)
    }
} catch {
    // Every error from outside the program ends here: one line (control characters escaped,
    // length capped), exit status 2.
    printError("tapegrad: \(oneLine("\(error)"))\n")
    exit(2)
}
