import Foundation
import NN

/// `tapegrad` — the command-line front end (`tapegrad help` lists the commands).
let arguments = Array(CommandLine.arguments.dropFirst())
let command = arguments.first.flatMap { $0.hasPrefix("-") ? nil : $0 } ?? "help"
let rest = arguments.first == command ? Array(arguments.dropFirst()) : arguments

// Help, exit 0: bare `tapegrad`, `tapegrad --help` / `-h`, `tapegrad help [COMMAND]`,
// `tapegrad COMMAND --help` / `-h`.
let wantsHelp = command == "help" || rest.contains("--help") || rest.contains("-h")
if wantsHelp {
    let topic = command == "help" ? rest.first(where: { !$0.hasPrefix("-") }) : command
    if let topic, let entry = commands.first(where: { $0.name == topic }) {
        print("usage: tapegrad \(topic) [options]\n" + entry.help)
    } else if let topic {
        let hint = nearestName(to: topic, in: commands.map(\.name)).map { " (did you mean '\($0)'?)" } ?? ""
        printError("tapegrad: no command '\(oneLine(topic))'\(hint); the commands: \(commands.map(\.name).joined(separator: ", "))\n")
        exit(2)
    } else {
        print(usage)
    }
    exit(0)
}

do {
    guard let entry = commands.first(where: { $0.name == command }), let run = entry.run else {
        let hint = nearestName(to: command, in: commands.map(\.name)).map { " (did you mean '\($0)'?)" } ?? ""
        throw CLIError.usage("unknown command '\(command)'\(hint)")
    }
    try run(try Options(rest, allowed: entry.allowed, positional: entry.positional))
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
