import Foundation

/// The connection file Jupyter writes before starting a kernel.
///
/// Standard fields: `transport` ("tcp" | "ipc"), `ip`, `shell_port`, `iopub_port`,
/// `stdin_port`, `control_port`, `hb_port`, `key`, `signature_scheme`.
///
/// bpfrepl extension (no standard exists) for CurveZMQ encryption:
/// `curve_server_secret_key` — the kernel's Z85-encoded (40 characters) CURVE secret key;
/// `curve_server_public_key` — the matching public key, which clients need to connect
/// (the kernel itself only uses the secret key). With a secret key present every kernel
/// socket is a CURVE server and only encrypting clients can talk to it.
public struct ConnectionFile: Equatable, Sendable {
  public enum Transport: String, Sendable { case tcp, ipc }

  public var transport: Transport
  public var ip: String
  public var shellPort: Int
  public var iopubPort: Int
  public var stdinPort: Int
  public var controlPort: Int
  public var hbPort: Int
  public var key: String
  public var signatureScheme: String
  public var kernelName: String?
  public var curveServerSecretKey: String?
  public var curveServerPublicKey: String?

  public struct Error: Swift.Error, CustomStringConvertible {
    public let description: String
  }

  public static func load(path: String) throws -> ConnectionFile {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw Error(description: "cannot read connection file \(path)")
    }
    return try parse([UInt8](data))
  }

  public static func parse(_ bytes: [UInt8]) throws -> ConnectionFile {
    let json: JSON
    do { json = try JSON.parse(bytes) } catch {
      throw Error(description: "connection file is not valid JSON: \(error)")
    }
    guard json.objectValue != nil else { throw Error(description: "connection file must be a JSON object") }

    func port(_ name: String) throws -> Int {
      guard let p = json[name]?.intValue ?? json[name]?.stringValue.flatMap({ Int($0) }) else {
        throw Error(description: "connection file: missing or non-integer \"\(name)\"")
      }
      guard (1...65535).contains(p) else { throw Error(description: "connection file: \"\(name)\" out of range: \(p)") }
      return p
    }

    let transportName = (json["transport"]?.stringValue ?? "tcp").lowercased()
    guard let transport = Transport(rawValue: transportName) else {
      throw Error(description: "connection file: unsupported transport \"\(transportName)\" (tcp or ipc)")
    }
    var ip = json["ip"]?.stringValue ?? (transport == .tcp ? "127.0.0.1" : "kernel-ipc")
    // jupyter_client treats "*" as all interfaces.
    if transport == .tcp && ip == "*" { ip = "0.0.0.0" }
    let scheme = json["signature_scheme"]?.stringValue ?? "hmac-sha256"

    return ConnectionFile(
      transport: transport, ip: ip,
      shellPort: try port("shell_port"), iopubPort: try port("iopub_port"),
      stdinPort: try port("stdin_port"), controlPort: try port("control_port"),
      hbPort: try port("hb_port"),
      key: json["key"]?.stringValue ?? "",
      signatureScheme: scheme,
      kernelName: json["kernel_name"]?.stringValue,
      curveServerSecretKey: nonEmpty(json["curve_server_secret_key"]?.stringValue),
      curveServerPublicKey: nonEmpty(json["curve_server_public_key"]?.stringValue))
  }

  /// The ZeroMQ endpoint for one port; ipc follows jupyter_client's "<ip>-<port>" file naming.
  public func endpoint(port: Int) -> String {
    switch transport {
    case .tcp:
      // IPv6 literals need brackets in a zmq endpoint.
      let host = ip.contains(":") && !ip.hasPrefix("[") ? "[\(ip)]" : ip
      return "tcp://\(host):\(port)"
    case .ipc: return "ipc://\(ip)-\(port)"
    }
  }

  public var usesIPv6: Bool { transport == .tcp && ip.contains(":") }
}

private func nonEmpty(_ s: String?) -> String? {
  guard let s, !s.isEmpty else { return nil }
  return s
}
