/// Rich views of maps for notebooks: an HTML table for plain maps, SVG bar charts for hist/lhist,
/// and an SVG flame graph for count maps keyed by stacks. Always beside bpftrace's text.
public enum RichFormatter {
  /// A Jupyter mime bundle for `print(@m)`: text/plain is exactly what the terminal shows.
  public static func bundle(_ m: MapSnapshot, top: Int = 0, div: UInt64 = 0) -> [String: String] {
    var data = ["text/plain": TextFormatter.map(m, top: top, div: div)]
    let entries = MapOrdering.ordered(m, top: top)
    if entries.contains(where: { if case .tseries = $0.value { return true } else { return false } }) {
      // A time series is its text graph; there is no richer view yet.
      return data
    }
    if entries.contains(where: { isStackKeyed($0.key) }) {
      data["image/svg+xml"] = FlameGraphSVG.render(FoldedStacks.lines(m), title: m.name)
    } else if entries.contains(where: {
      if case .hist = $0.value { return true }
      if case .lhist = $0.value { return true }
      return false
    }) {
      data["text/html"] = entries.map { histogramHTML(m.name, $0, div: div) }.joined()
    } else {
      data["text/html"] = tableHTML(m.name, entries, div: div)
    }
    return data
  }

  static func isStackKeyed(_ key: OutputValue?) -> Bool {
    switch key {
    case .stack?: return true
    case .tuple(let parts)?: return parts.contains { if case .stack = $0 { return true } else { return false } }
    default: return false
    }
  }

  static func escape(_ s: String) -> String {
    var out = ""
    for ch in s {
      switch ch {
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "&": out += "&amp;"
      case "\"": out += "&quot;"
      default: out.append(ch)
      }
    }
    return out
  }

  static func keyText(_ key: OutputValue?) -> String {
    guard let key else { return "" }
    if case .tuple(let parts) = key { return parts.map { TextValue.string($0) }.joined(separator: ", ") }
    return TextValue.string(key)
  }

  static func valueText(_ v: MapValue, div: UInt64) -> String {
    let single = MapSnapshot(name: "", entries: [MapEntry(key: nil, value: v)])
    let text = TextFormatter.map(single, top: 0, div: div)
    // ": value\n" after the empty name.
    return String(text.dropFirst(2).dropLast())
  }

  static func tableHTML(_ name: String, _ entries: [MapEntry], div: UInt64) -> String {
    var html = "<table class=\"bpfrepl-map\"><thead><tr><th>\(escape(name))</th><th>value</th></tr></thead><tbody>"
    for e in entries {
      html +=
        "<tr><td><code>\(escape(keyText(e.key)))</code></td><td style=\"text-align:right\">\(escape(valueText(e.value, div: div)))</td></tr>"
    }
    return html + "</tbody></table>"
  }

  /// One SVG bar chart per histogram: a row per bucket, label, bar and count.
  static func histogramHTML(_ name: String, _ e: MapEntry, div: UInt64) -> String {
    let rows: HistogramRows
    switch e.value {
    case .hist(let h): rows = h.rows(div: max(div, 1))
    case .lhist(let h): rows = h.rows()
    default: return ""
    }
    let labels = rows.rowLabels
    let maxCount = max(1, rows.counts.max() ?? 1)
    let rowHeight = 18
    let width = 560
    let barX = 130
    let barMax = 340
    let height = rowHeight * labels.count + 28
    var svg =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" font-family=\"monospace\" font-size=\"12\">"
    let title = e.key == nil ? name : "\(name)[\(keyText(e.key))]"
    svg += "<text x=\"4\" y=\"14\" font-weight=\"bold\">\(escape(title))</text>"
    for (i, label) in labels.enumerated() {
      let y = 24 + i * rowHeight
      let count = rows.counts[i]
      let w = Int(Double(count) / Double(maxCount) * Double(barMax))
      svg += "<text x=\"4\" y=\"\(y + 13)\">\(escape(label))</text>"
      svg +=
        "<rect x=\"\(barX)\" y=\"\(y + 2)\" width=\"\(w)\" height=\"\(rowHeight - 4)\" fill=\"#4c78a8\"><title>\(escape(label)): \(count)</title></rect>"
      svg += "<text x=\"\(barX + w + 6)\" y=\"\(y + 13)\">\(count)</text>"
    }
    return svg + "</svg>"
  }
}

/// An icicle-free, classic bottom-up flame graph drawn from folded stacks, as inline SVG.
enum FlameGraphSVG {
  final class Node {
    var name: String
    var count: UInt64 = 0
    var children: [String: Node] = [:]
    var order: [String] = []
    init(_ name: String) { self.name = name }

    func child(_ n: String) -> Node {
      if let c = children[n] { return c }
      let c = Node(n)
      children[n] = c
      order.append(n)
      return c
    }
  }

  static func render(_ folded: String, title: String) -> String {
    let root = Node("all")
    for line in folded.split(separator: "\n") {
      guard let space = line.lastIndex(of: " "), let n = UInt64(line[line.index(after: space)...]) else { continue }
      var node = root
      root.count += n
      let frames = line[..<space].split(separator: ";").map(String.init)
      for f in frames {
        node = node.child(f.isEmpty ? "[unknown]" : f)
        node.count += n
      }
    }
    let width = 960.0
    let rowHeight = 16.0
    func depth(_ n: Node) -> Int { 1 + (n.order.map { depth(n.children[$0]!) }.max() ?? 0) }
    let levels = depth(root)
    let height = Double(levels) * rowHeight + 30
    var svg =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"Verdana\" font-size=\"11\">"
    svg +=
      "<text x=\"\(Int(width / 2))\" y=\"16\" text-anchor=\"middle\" font-size=\"14\">\(RichFormatter.escape(title)) — flame graph</text>"
    func color(_ name: String) -> String {
      var h: UInt32 = 2_166_136_261
      for b in name.utf8 { h = (h ^ UInt32(b)) &* 16_777_619 }
      return "rgb(\(205 + h % 50),\(Int(h >> 8) % 130 + 70),\(Int(h >> 16) % 40 + 20))"
    }
    func draw(_ n: Node, x: Double, level: Int) {
      guard root.count > 0 else { return }
      let w = Double(n.count) / Double(root.count) * width
      guard w >= 0.5 else { return }
      let y = height - Double(level + 1) * rowHeight
      let label = "\(n.name) (\(n.count) sample\(n.count == 1 ? "" : "s"), \(n.count * 100 / max(1, root.count))%)"
      svg +=
        "<g><title>\(RichFormatter.escape(label))</title><rect x=\"\(fmt(x))\" y=\"\(fmt(y))\" width=\"\(fmt(w))\" height=\"\(fmt(rowHeight - 1))\" fill=\"\(color(n.name))\" rx=\"2\"/>"
      let chars = Int(w / 7)
      if chars >= 3 {
        let text = n.name.count > chars ? String(n.name.prefix(chars - 2)) + ".." : n.name
        svg += "<text x=\"\(fmt(x + 3))\" y=\"\(fmt(y + rowHeight - 4))\">\(RichFormatter.escape(text))</text>"
      }
      svg += "</g>"
      var cx = x
      for name in n.order.sorted() {
        let c = n.children[name]!
        draw(c, x: cx, level: level + 1)
        cx += Double(c.count) / Double(root.count) * width
      }
    }
    draw(root, x: 0, level: 0)
    return svg + "</svg>"
  }

  static func fmt(_ d: Double) -> String { String(Double(Int(d * 10)) / 10) }
}
