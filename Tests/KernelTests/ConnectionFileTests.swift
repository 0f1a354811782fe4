import Testing

@testable import Kernel

@Suite struct ConnectionFileTests {
  static let typical = """
    {"shell_port": 5001, "iopub_port": 5002, "stdin_port": 5003, "control_port": 5004, "hb_port": 5005,
     "ip": "127.0.0.1", "key": "a0436f6c-1916-498b-8eb9-e81ab9368e84", "transport": "tcp",
     "signature_scheme": "hmac-sha256", "kernel_name": "bpfrepl"}
    """

  @Test func parsesJupyterConnectionFile() throws {
    let c = try ConnectionFile.parse(Array(Self.typical.utf8))
    #expect(c.transport == .tcp)
    #expect(
      c.shellPort == 5001 && c.iopubPort == 5002 && c.stdinPort == 5003 && c.controlPort == 5004 && c.hbPort == 5005)
    #expect(c.key == "a0436f6c-1916-498b-8eb9-e81ab9368e84")
    #expect(c.signatureScheme == "hmac-sha256")
    #expect(c.kernelName == "bpfrepl")
    #expect(c.curveServerSecretKey == nil)
    #expect(c.endpoint(port: c.shellPort) == "tcp://127.0.0.1:5001")
  }

  @Test func ipcEndpointsFollowJupyterClientNaming() throws {
    let c = try ConnectionFile.parse(
      Array(
        Self.typical.replacingOccurrences(of: #""transport": "tcp""#, with: #""transport": "ipc""#)
          .replacingOccurrences(of: "127.0.0.1", with: "/tmp/k/kernel-ipc").utf8))
    #expect(c.transport == .ipc)
    #expect(c.endpoint(port: 5002) == "ipc:///tmp/k/kernel-ipc-5002")
  }

  @Test func addressVariants() throws {
    func with(ip: String) throws -> ConnectionFile {
      try ConnectionFile.parse(Array(Self.typical.replacingOccurrences(of: "127.0.0.1", with: ip).utf8))
    }
    #expect(try with(ip: "*").endpoint(port: 1) == "tcp://0.0.0.0:1")
    let v6 = try with(ip: "::1")
    #expect(v6.endpoint(port: 1) == "tcp://[::1]:1")
    #expect(v6.usesIPv6)
  }

  @Test func defaultsAndCurveFields() throws {
    let c = try ConnectionFile.parse(
      Array(
        """
        {"shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5,
         "curve_server_secret_key": "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6", "curve_server_public_key": "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"}
        """.utf8))
    #expect(c.transport == .tcp && c.ip == "127.0.0.1" && c.key == "" && c.signatureScheme == "hmac-sha256")
    #expect(c.curveServerSecretKey?.count == 40)
    #expect(c.curveServerPublicKey?.count == 40)
  }

  @Test(arguments: [
    "not json", "[]", #"{"shell_port": 1}"#,
    #"{"shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 70000}"#,
    #"{"shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5, "transport": "udp"}"#,
  ])
  func rejectsBadFiles(_ text: String) {
    #expect(throws: ConnectionFile.Error.self) { try ConnectionFile.parse(Array(text.utf8)) }
  }
}

@Suite struct KernelSpecTests {
  @Test func directories() {
    #expect(KernelSpec.directory(for: .system, environment: [:]) == "/usr/local/share/jupyter/kernels/bpfrepl")
    #expect(KernelSpec.directory(for: .prefix("/opt/x"), environment: [:]) == "/opt/x/share/jupyter/kernels/bpfrepl")
    #expect(
      KernelSpec.directory(for: .user, environment: ["HOME": "/home/u"])
        == "/home/u/.local/share/jupyter/kernels/bpfrepl")
    #expect(
      KernelSpec.directory(for: .user, environment: ["HOME": "/home/u", "XDG_DATA_HOME": "/xdg"])
        == "/xdg/jupyter/kernels/bpfrepl")
    #expect(
      KernelSpec.directory(for: .user, environment: ["HOME": "/home/u", "JUPYTER_DATA_DIR": "/jd"])
        == "/jd/kernels/bpfrepl")
  }

  @Test func kernelJSON() {
    let j = KernelSpec.kernelJSON(executable: "/usr/bin/bpfrepl")
    #expect(j["argv"] == ["/usr/bin/bpfrepl", "kernel", "-f", "{connection_file}"])
    #expect(j["display_name"] == "bpftrace (bpfrepl)")
    #expect(j["language"] == "bpftrace")
    #expect(j["interrupt_mode"] == "message")
  }
}
