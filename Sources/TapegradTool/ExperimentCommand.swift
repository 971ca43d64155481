import Foundation
import Lab
import NN

/// `tapegrad experiment NAME|all [--quick] [--seeds N] [--json] [--output DIR] [--markdown]`
/// and `tapegrad experiment --list`: the activation lab (Docs/Experiments.md).
enum ExperimentCommand {
    static let allowed: Set<String> = ["--list", "--quick", "--seeds", "--json", "--output", "--markdown", "--threads"]

    static func run(_ options: Options) throws {
        if options.flag("--list") {
            for e in Experiments.all {
                print(e.name.padding(toLength: 22, withPad: " ", startingAt: 0) + e.summary)
            }
            return
        }
        guard let name = options.positional.first else {
            throw CLIError.usage("experiment needs a NAME ('tapegrad experiment --list' names them) or 'all'")
        }
        let chosen: [Experiment]
        if name == "all" {
            chosen = Experiments.all
        } else if let e = Experiments.named(name) {
            chosen = [e]
        } else {
            let hint = nearestName(to: name, in: Experiments.all.map(\.name)).map { " (did you mean '\($0)'?)" } ?? ""
            throw CLIError.usage("no experiment '\(oneLine(name))'\(hint); 'tapegrad experiment --list' names them")
        }
        var lab = ExperimentOptions(quick: options.flag("--quick"))
        if options.values["--seeds"] != nil { lab.seeds = try options.int("--seeds", default: 1, range: 1...1000) }
        TensorRuntime.threadCount = try options.int("--threads", default: 1, range: 1...256)
        let json = options.flag("--json"), markdown = options.flag("--markdown")
        let output = options.string("--output") ?? "runs/experiments"
        // The picture folder is made on demand and checked before anything runs.
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            try AtomicFile.checkWritable(URL(fileURLWithPath: output).appendingPathComponent("\(chosen[0].name).svg"))
        } catch let error as FileWriteError {
            throw CLIError.file(path: output, reason: "cannot write the experiment's pictures: \(error.reason) (nothing was run)")
        } catch {
            throw CLIError.file(path: output, reason: "cannot make the folder for the pictures: \(error.localizedDescription) (nothing was run)")
        }
        var reports: [(ExperimentReport, Double, String?)] = []
        for e in chosen {
            if !json && !markdown { printError("running \(e.name)\(lab.quick ? " (quick)" : "")…\n") }
            let start = DispatchTime.now().uptimeNanoseconds
            let report = try e.run(lab)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            var svgPath: String?
            if let svg = report.svg {
                let path = URL(fileURLWithPath: output).appendingPathComponent("\(e.name).svg")
                do {
                    try AtomicFile.write(Array(svg.utf8), to: path)
                    svgPath = path.relativePath
                } catch {
                    throw CLIError.file(path: path.relativePath, reason: "cannot write the picture: \(error.reason)")
                }
            }
            reports.append((report, seconds, svgPath))
            if json {
                var object = report.json
                if case .object(var fields) = object {
                    fields.append(("seconds", .number((seconds * 100).rounded() / 100)))
                    fields.append(("quick", .bool(lab.quick)))
                    object = .object(fields)
                }
                print(object.text)
            } else if !markdown {
                print(text(report, seconds: seconds, svg: svgPath))
            }
        }
        if markdown { print(page(reports, lab: lab, output: output)) }
    }

    static func text(_ r: ExperimentReport, seconds: Double, svg: String?) -> String {
        var lines = ["== \(r.name): \(r.claim)", "", r.tableText, "", "setup: \(r.setup)"]
        lines.append("literature: \(r.literature)")
        lines.append("ours: \(r.ours)")
        lines.append("verdict: \(r.verdict.rawValue)")
        if let svg { lines.append("picture: \(svg)") }
        lines.append(String(format: "(%.1f s)", seconds))
        return lines.joined(separator: "\n") + "\n"
    }

    /// Docs/Experiments.md: every result with its claim, source, figures and verdict.
    static func page(_ reports: [(ExperimentReport, Double, String?)], lab: ExperimentOptions, output: String) -> String {
        var out = """
            # Experiments: the claims of the source articles, measured

            The articles this project grew from (`../shared/seeds`, five Chinese-language posts on activation
            functions: seed 000 on activations in Caffe, 001 on DarkNet's activations, 002 on why ReLU, 003
            notes on 魏秀参's *解析卷积神经网络*, 004 an introduction to sigmoid, tanh and ReLU) make claims a
            learner wants to check. Each section below states one claim, where it comes from, the figure
            the literature gives, ours, and a verdict: **reproduced**, **partly**, **not reproduced** or
            **contradicted**. A claim that turns out false here is a result, not a failure; the digits
            data set (8×8, 1,797 images) is far smaller than the papers' ImageNet or CIFAR, so trained
            comparisons say what happens on small nets, not what happened there.

            Regenerate this page and its pictures with one command (release build, about \(Int(reports.map(\.1).reduce(0, +) / 60 + 1)) minutes on one core):

                swift run -c release tapegrad experiment all --markdown --output Docs/plots/experiments > Docs/Experiments.md

            Any one experiment: `tapegrad experiment NAME` (a table and an SVG under `runs/experiments`),
            `--json` for its figures as one JSON object, `--quick` for a small version (CI runs all of them),
            `--seeds N` for more or fewer seeds. `tapegrad experiment --list` names them all. Every figure
            below comes from the command in its section, on this machine (\(machineLine())).

            | experiment | claim | verdict |
            |---|---|---|

            """
        for (r, _, _) in reports {
            out += "| [\(r.name)](#\(r.name)) | \(r.claim.replacingOccurrences(of: "|", with: "\\|")) | \(r.verdict.rawValue) |\n"
        }
        for (r, seconds, svg) in reports {
            out += """

                ## \(r.name)

                **Claim.** \(r.claim)

                **Source.** \(r.source).

                **Literature.** \(r.literature).

                **Ours.** \(r.ours).

                **Verdict: \(r.verdict.rawValue).**

                \(r.markdownTable)

                Setup: \(r.setup). Command: `tapegrad experiment \(r.name)\(lab.quick ? " --quick" : "")` (\(String(format: "%.0f", seconds)) s).

                """
            if svg != nil {
                // The page lives in Docs/, the pictures in Docs/plots/experiments.
                let relative = output.hasPrefix("Docs/") ? String(output.dropFirst(5)) : output
                out += "\n![\(r.name)](\(relative)/\(r.name).svg)\n"
            }
        }
        return out
    }

    static func machineLine() -> String {
        var cpu = "unknown CPU"
        if let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let name = line.split(separator: ":", maxSplits: 1).last {
            cpu = name.trimmingCharacters(in: .whitespaces)
        }
        let flags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let isa = flags.contains(" avx512f") ? "AVX-512" : (flags.contains(" avx2") ? "AVX2" : "no AVX2")
        return "\(cpu) with \(isa), one thread, release build"
    }
}
