import Foundation

/// A session as an nbformat 4 notebook: code cells in order, each with its outputs (later event
/// output included), kernelspec `bpfrepl`. Readable by Jupyter and by `bpfrepl replay`.
public struct Notebook {
  public var records: [CellRecord]

  public init(records: [CellRecord]) { self.records = records }

  public func json() -> [String: Any] {
    let cells: [[String: Any]] = records.map { r in
      [
        "cell_type": "code", "execution_count": r.cell > 0 ? r.cell : NSNull(), "metadata": [String: Any](),
        "source": Notebook.lines(r.source), "outputs": Notebook.outputs(r),
      ]
    }
    return [
      "nbformat": 4, "nbformat_minor": 5,
      "metadata": [
        "kernelspec": ["name": "bpfrepl", "display_name": "bpftrace (bpfrepl)", "language": "bpftrace"],
        "language_info": ["name": "bpftrace", "file_extension": ".bt", "mimetype": "text/x-bpftrace"],
      ],
      "cells": cells,
    ]
  }

  /// Jupyter stores multi-line text as a list of lines, each keeping its newline.
  static func lines(_ text: String) -> [String] {
    var out: [String] = []
    var current = ""
    for ch in text {
      current.append(ch)
      if ch == "\n" {
        out.append(current)
        current = ""
      }
    }
    if !current.isEmpty { out.append(current) }
    return out
  }

  static func outputs(_ r: CellRecord) -> [[String: Any]] {
    var out: [[String: Any]] = []
    // Consecutive text of one stream becomes one output, as Jupyter shows it.
    for chunk in r.outputs {
      switch chunk {
      case .stdout(let t), .stderr(let t):
        let name = { if case .stdout = chunk { return "stdout" } else { return "stderr" } }()
        if var last = out.last, last["output_type"] as? String == "stream", last["name"] as? String == name {
          last["text"] = ((last["text"] as? [String]) ?? []).joined().appending(t).splitLines()
          out[out.count - 1] = last
        } else {
          out.append(["output_type": "stream", "name": name, "text": lines(t)])
        }
      case .display(let data, _, _):
        out.append(["output_type": "display_data", "data": data.mapValues { lines($0) }, "metadata": [String: Any]()])
      }
    }
    if case .error(let name, let message, let traceback) = r.outcome {
      out.append(["output_type": "error", "ename": name, "evalue": message, "traceback": traceback])
    }
    return out
  }

  public func write(to path: String) throws {
    let data = try JSONSerialization.data(withJSONObject: json(), options: [.prettyPrinted, .sortedKeys])
    try data.write(to: URL(fileURLWithPath: path))
  }

  /// The code cells of a notebook file, in order.
  public static func codeCells(at path: String) throws -> [String] {
    try taggedCodeCells(at: path).map(\.source)
  }

  /// The code cells of a notebook file, in order, each with its `metadata.tags` (e.g.
  /// `raises-exception`: the cell is expected to fail, as nbclient and nbval read it).
  public static func taggedCodeCells(at path: String) throws -> [(source: String, tags: [String])] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    guard let nb = try JSONSerialization.jsonObject(with: data) as? [String: Any],
      let cells = nb["cells"] as? [[String: Any]]
    else {
      throw NotebookError(message: "\(path) is not a notebook")
    }
    return cells.compactMap { c in
      guard c["cell_type"] as? String == "code" else { return nil }
      let source = (c["source"] as? String) ?? (c["source"] as? [String])?.joined()
      guard let source else { return nil }
      let tags = ((c["metadata"] as? [String: Any])?["tags"] as? [String]) ?? []
      return (source, tags)
    }
  }
}

public struct NotebookError: Error, CustomStringConvertible {
  public var message: String
  public var description: String { message }
}

extension String {
  fileprivate func splitLines() -> [String] { Notebook.lines(self) }
}
