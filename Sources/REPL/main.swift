import Engine
import Kernel
import CEdit
import Foundation

// Minimal dispatch so the kernel can be tested in this branch; the lead's
// ArgumentParser main replaces this.
if CommandLine.arguments.dropFirst().first == "kernel" {
  exit(runKernelSubcommand(Array(CommandLine.arguments.dropFirst(2))))
}
print(EngineInfo.version)
