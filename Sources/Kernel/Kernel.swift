import CZmq
import Engine
public enum KernelInfo { public static let protocolVersion = "5.3" }
