import Foundation
import Kernel

/// The backend a `bpfrepl kernel` process serves: a bpfrepl Session.
func makeKernelBackend() throws -> KernelBackend { try SessionKernelBackend() }

private let kernelUsage = """
  usage: bpfrepl kernel -f CONNECTION_FILE [--allow-empty-key]
         bpfrepl kernel install [--user | --prefix PREFIX]

    -f, --connection-file FILE  serve the Jupyter protocol on the sockets in FILE
    --allow-empty-key           accept a connection file with an empty "key"
                                (no message authentication; also BPFREPL_ALLOW_EMPTY_KEY=1)
    install                     write the "bpfrepl" kernelspec: --user (your Jupyter data dir),
                                --prefix PREFIX (PREFIX/share/jupyter), default system-wide
                                (/usr/local/share/jupyter)

  CurveZMQ: if the connection file has "curve_server_secret_key" (Z85, 40 characters), every
  kernel socket requires CURVE encryption; clients need the matching "curve_server_public_key".

  """

/// `bpfrepl kernel ...`; `args` are the words after `kernel` (a leading "kernel" is skipped).
func runKernelSubcommand(_ args: [String]) -> Int32 {
  var args = args
  if args.first == "kernel" { args.removeFirst() }
  if args.first == "install" { return runKernelInstall(Array(args.dropFirst())) }

  var connectionFile: String?
  var allowEmptyKey = false
  var i = 0
  while i < args.count {
    let a = args[i]
    switch a {
    case "-f", "--connection-file":
      guard i + 1 < args.count else { return usageError("\(a) needs a file") }
      connectionFile = args[i + 1]
      i += 1
    case "--allow-empty-key": allowEmptyKey = true
    case "-h", "--help":
      FileHandle.standardOutput.write(Data(kernelUsage.utf8))
      return 0
    default:
      if a.hasPrefix("--connection-file=") || a.hasPrefix("-f=") {
        connectionFile = String(a.split(separator: "=", maxSplits: 1)[1])
      } else {
        return usageError("unknown argument \(a)")
      }
    }
    i += 1
  }
  guard let connectionFile else { return usageError("missing -f CONNECTION_FILE") }
  do {
    try runKernel(connectionFile: connectionFile, backend: try makeKernelBackend(), allowEmptyKey: allowEmptyKey)
  } catch {
    FileHandle.standardError.write(Data("bpfrepl kernel: \(error)\n".utf8))
    return 1
  }
}

private func runKernelInstall(_ args: [String]) -> Int32 {
  var location = KernelSpec.Location.system
  var i = 0
  while i < args.count {
    switch args[i] {
    case "--user": location = .user
    case "--sys-prefix": location = .prefix(sysPrefix())
    case "--prefix":
      guard i + 1 < args.count else { return usageError("--prefix needs a directory") }
      location = .prefix(URL(fileURLWithPath: args[i + 1]).standardizedFileURL.path)
      i += 1
    case "-h", "--help":
      FileHandle.standardOutput.write(Data(kernelUsage.utf8))
      return 0
    default:
      return usageError("unknown argument \(args[i])")
    }
    i += 1
  }
  do {
    let dir = try KernelSpec.install(at: location)
    print("Installed kernelspec \(KernelSpec.name) in \(dir)")
    return 0
  } catch {
    FileHandle.standardError.write(Data("bpfrepl kernel install: \(error)\n".utf8))
    return 1
  }
}

/// The active Python environment's prefix, as `jupyter kernelspec install --sys-prefix` means it.
private func sysPrefix() -> String {
  ProcessInfo.processInfo.environment["VIRTUAL_ENV"] ?? ProcessInfo.processInfo.environment["CONDA_PREFIX"] ?? "/usr"
}

private func usageError(_ message: String) -> Int32 {
  FileHandle.standardError.write(Data("bpfrepl kernel: \(message)\n\(kernelUsage)".utf8))
  return 2
}
