import ArgumentParser
import Engine
import Glibc

// Subcommands first (`bpfrepl kernel ...`, `bpfrepl replay ...`); anything else is the
// bpftrace-compatible command line, or the REPL when there is no program.
let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "kernel":
  exit(runKernelSubcommand(Array(arguments.dropFirst())))
case "replay":
  ReplayCommand.main(Array(arguments.dropFirst()))
default:
  BpfreplCommand.main(arguments)
}
