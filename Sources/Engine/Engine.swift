import CLibbpf

public enum EngineInfo { public static let version = "0.1.0" }
