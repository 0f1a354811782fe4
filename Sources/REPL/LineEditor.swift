import CEdit
import Foundation
import Glibc

/// The one file that talks to libedit: line editing with a changing prompt, a persistent history,
/// tab completion, and output printed above the line being typed.
///
/// Output from other threads must not touch the terminal while libedit owns it, so libedit reads
/// keys through our own getc (EL_GETCFN), which waits on stdin *and* the output's wake pipe. When
/// woken it erases the prompt and the partial line, prints the queued output, and has libedit draw
/// prompt and line again (EL_REFRESH) — all on the editing thread.
final class LineEditor {
  private let el: OpaquePointer
  private let history: OpaquePointer
  private let historyPath: String?
  private let output: AsyncOutput
  /// The prompt for the line being edited; asked again at every redraw.
  var prompt: () -> String = { "> " }
  /// (text, cursor in characters) -> candidates and the character range they replace.
  var completer: ((String, Int) -> (matches: [String], start: Int, end: Int))?
  /// Called on Ctrl-C while editing, before the new prompt is drawn (forget a partly typed cell).
  var onCancel: () -> Void = {}

  private let flagsLock = NSLock()
  private var cancelRequested = false
  private var quitRequested = false
  private var resizeRequested = false
  private var promptBuffer: UnsafeMutablePointer<CChar>?
  private var shownPrompt = ""
  private var pendingUTF8: [UInt8] = []
  /// Buffer and cursor after the last TAB: a second TAB with nothing to add lists the candidates.
  private var lastTabState: String?
  private var lastEntry: String?
  /// Without cursor movement sequences (TERM=dumb) output goes below the line instead.
  private let ansi: Bool
  static let historySize: Int32 = 1000

  /// libedit's callbacks are C functions without context: they reach the editor through this.
  nonisolated(unsafe) fileprivate static var active: LineEditor?

  init?(historyPath: String?, output: AsyncOutput) {
    // libedit decodes and draws multibyte text only in a UTF-8 locale.
    setlocale(LC_CTYPE, "")
    if String(cString: nl_langinfo(nl_item(CODESET))) != "UTF-8" { setlocale(LC_CTYPE, "C.UTF-8") }
    guard let el = el_init("bpfrepl", stdin, stdout, stderr), let h = history_init() else { return nil }
    self.el = el
    self.history = h
    self.historyPath = historyPath
    self.output = output
    let term = ProcessInfo.processInfo.environment["TERM"] ?? ""
    ansi = !term.isEmpty && term != "dumb"

    bpfrepl_history_setsize(h, LineEditor.historySize)
    bpfrepl_history_setunique(h, 1)
    if let historyPath { loadHistory(historyPath) }

    bpfrepl_el_set_editor(el, "emacs")
    bpfrepl_el_set_signal(el, 0)  // our signal thread handles SIGINT/SIGWINCH
    bpfrepl_el_set_hist(el, h)
    bpfrepl_el_set_prompt(el) { _ in LineEditor.active?.promptCString() ?? LineEditor.emptyPrompt }
    bpfrepl_el_set_getcfn(el) { _, wc in LineEditor.active?.readChar(wc!) ?? 0 }
    bpfrepl_el_addfn(el, "bpfrepl-complete", "complete probes, builtins, maps, magics") { _, _ in
      LineEditor.active?.completeKey() ?? UInt8(CC_ERROR)
    }
    bpfrepl_el_bind(el, "^I", "bpfrepl-complete")
    // A cell of several complete lines (two probes): Alt-Enter adds a line instead of running.
    bpfrepl_el_addfn(el, "bpfrepl-newline", "add a line to the cell") { _, _ in
      LineEditor.active?.insertNewline() ?? UInt8(CC_ERROR)
    }
    bpfrepl_el_bind(el, "\\e^M", "bpfrepl-newline")
    bpfrepl_el_bind(el, "\\e^J", "bpfrepl-newline")
    // Pasted text (bracketed paste) becomes one cell, however many lines it has.
    bpfrepl_el_addfn(el, "bpfrepl-paste", "insert pasted text") { _, _ in
      LineEditor.active?.insertPaste() ?? UInt8(CC_ERROR)
    }
    bpfrepl_el_bind(el, LineEditor.pasteStart, "bpfrepl-paste")
    el_source(el, nil)  // the user's ~/.editrc may rebind keys
  }

  private static let emptyPrompt = strdup("")!

  deinit { close() }

  private var closed = false
  /// Restores the terminal and frees libedit.
  func close() {
    guard !closed else { return }
    closed = true
    el_end(el)
    history_end(history)
    free(promptBuffer)
    if LineEditor.active === self { LineEditor.active = nil }
  }

  /// One line, without its newline; nil at end of input (Ctrl-D) or after `requestQuit`.
  func readLine() -> String? {
    LineEditor.active = self
    lastTabState = nil
    output.beginEditing()
    defer { output.endEditing() }
    if ansi { AsyncOutput.writeAll(1, "\u{1B}[?2004h") }
    var count: Int32 = 0
    let p = el_gets(el, &count)
    // `!command`s must not see bracketed paste.
    if ansi { AsyncOutput.writeAll(1, "\u{1B}[?2004l") }
    guard let p, count > 0 else { return nil }
    var line = String(cString: p)
    if line.hasSuffix("\n") { line.removeLast() }
    return line
  }

  // MARK: Requests from the signal thread

  func requestCancel() { setFlag { $0.cancelRequested = true } }
  func requestQuit() { setFlag { $0.quitRequested = true } }
  func requestResize() { setFlag { $0.resizeRequested = true } }

  private func setFlag(_ body: (LineEditor) -> Void) {
    flagsLock.lock()
    body(self)
    flagsLock.unlock()
    output.wake()
  }

  private func takeFlags() -> (cancel: Bool, quit: Bool, resize: Bool) {
    flagsLock.lock()
    defer {
      cancelRequested = false
      resizeRequested = false
      flagsLock.unlock()
    }
    return (cancelRequested, quitRequested, resizeRequested)
  }

  // MARK: Reading keys

  /// libedit's getc: 1 with a character, 0 at end of input, -1 on error.
  fileprivate func readChar(_ wc: UnsafeMutablePointer<wchar_t>) -> Int32 {
    while true {
      var fds = [
        pollfd(fd: 0, events: Int16(POLLIN), revents: 0), pollfd(fd: output.wakeFD, events: Int16(POLLIN), revents: 0),
      ]
      if poll(&fds, 2, -1) < 0 {
        if errno == EINTR { continue }
        return -1
      }
      if fds[1].revents != 0, serviceWake() {
        return 0
      }
      if fds[0].revents != 0 {
        var b: UInt8 = 0
        let n = read(0, &b, 1)
        if n == 0 { return 0 }
        if n < 0 {
          if errno == EINTR || errno == EAGAIN { continue }
          return -1
        }
        if let scalar = decodeUTF8(b) {
          wc.pointee = wchar_t(bitPattern: scalar)
          return 1
        }
      }
    }
  }

  /// Acts on what woke the editor; true when it must stop (end of input).
  private func serviceWake() -> Bool {
    output.drainWake()
    let flags = takeFlags()
    if flags.resize { el_resize(el) }
    if flags.quit {
      clearBuffer()
      return true
    }
    if flags.cancel { cancelLine() }
    if output.hasQueued {
      // Let a burst gather: one redraw per ~30 ms, however many lines arrive.
      usleep(30_000)
      printAbove(output.takeQueued())
    }
    return false
  }

  /// Bytes from the terminal to one Unicode scalar (libedit's own getc would do this).
  private func decodeUTF8(_ b: UInt8) -> UInt32? {
    if pendingUTF8.isEmpty {
      if b < 0x80 { return UInt32(b) }
      if b < 0xC0 { return 0xFFFD }
    } else if b & 0xC0 != 0x80 {
      pendingUTF8.removeAll()
      return decodeUTF8(b)
    }
    pendingUTF8.append(b)
    let lead = pendingUTF8[0]
    let need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
    guard pendingUTF8.count == need else { return nil }
    defer { pendingUTF8.removeAll() }
    return String(decoding: pendingUTF8, as: UTF8.self).unicodeScalars.first?.value ?? 0xFFFD
  }

  // MARK: Drawing

  fileprivate func promptCString() -> UnsafeMutablePointer<CChar>? {
    shownPrompt = prompt()
    free(promptBuffer)
    promptBuffer = strdup(shownPrompt)
    return promptBuffer
  }

  private var columns: Int {
    let c = Int(bpfrepl_term_columns(1))
    return c > 0 ? c : 80
  }

  /// The edit buffer as wide characters, and the cursor's index in it.
  private func buffer() -> (chars: [wchar_t], cursor: Int) {
    let li = el_wline(el)!.pointee
    let chars = Array(UnsafeBufferPointer(start: li.buffer, count: li.lastchar - li.buffer))
    return (chars, li.cursor - li.buffer)
  }

  private func text(_ chars: some Collection<wchar_t>) -> String {
    var s = String.UnicodeScalarView()
    for c in chars { s.append(Unicode.Scalar(UInt32(bitPattern: c)) ?? "\u{FFFD}") }
    return String(s)
  }

  /// Terminal rows between the prompt's first row and the cursor, as libedit lays the line out.
  private func cursorRow() -> Int {
    let (chars, cursor) = buffer()
    let width = columns
    var row = shownPrompt.count / width
    var col = shownPrompt.count % width
    for c in chars.prefix(cursor) {
      if c == 10 {
        row += 1
        col = 0
        continue
      }
      let w = c == 9 ? 8 - col % 8 : (c < 32 || c == 127) ? 2 : max(1, Int(wcwidth(c)))
      if col + w > width {
        row += 1
        col = 0
      }
      col += w
      if col >= width {
        row += 1
        col = 0
      }
    }
    return row
  }

  /// Erases prompt and line; the cursor ends at the start of the prompt's first row.
  private func clearInputArea() {
    if !ansi {
      AsyncOutput.writeAll(1, "\n")
      return
    }
    let rows = cursorRow()
    AsyncOutput.writeAll(1, (rows > 0 ? "\u{1B}[\(rows)A" : "") + "\r\u{1B}[J")
  }

  /// Prints output where the prompt was, then has libedit draw prompt and line below it.
  private func printAbove(_ chunks: [(AsyncOutput.Stream, String)]) {
    guard !chunks.isEmpty else { return }
    clearInputArea()
    // libedit's edit mode keeps the terminal's output processing (ONLCR): text prints as is.
    for (stream, text) in chunks { AsyncOutput.writeAll(stream == .stdout ? 1 : 2, text) }
    if chunks.last?.1.hasSuffix("\n") == false { AsyncOutput.writeAll(1, "\n") }
    bpfrepl_el_refresh(el)
  }

  private func clearBuffer() {
    let (chars, cursor) = buffer()
    if cursor < chars.count { _ = el_cursor(el, Int32(chars.count - cursor)) }
    if !chars.isEmpty { el_deletestr(el, Int32(chars.count)) }
  }

  /// Ctrl-C: the line stays visible with ^C, and a fresh prompt starts below it.
  private func cancelLine() {
    let old = shownPrompt + text(buffer().chars)
    clearInputArea()
    clearBuffer()
    onCancel()
    lastTabState = nil
    AsyncOutput.writeAll(1, old + "^C\n")
    bpfrepl_el_refresh(el)
  }

  // MARK: Multi-line cells

  fileprivate func insertNewline() -> UInt8 {
    el_insertstr(el, "\n")
    return UInt8(CC_REFRESH)
  }

  /// The terminal's bracketed-paste markers (as libedit's bind spells them, and as sent).
  static let pasteStart = "\\e[200~"
  static let pasteEnd = "\u{1B}[201~"

  /// Reads the rest of a paste and inserts it as is: its line breaks stay in the cell, and
  /// nothing runs before the person presses Enter.
  fileprivate func insertPaste() -> UInt8 {
    var scalars = String.UnicodeScalarView()
    var wc: wchar_t = 0
    while el_wgetc(el, &wc) == 1 {
      scalars.append(Unicode.Scalar(UInt32(bitPattern: wc)) ?? "\u{FFFD}")
      if scalars.count >= 6, String(scalars.suffix(6)) == LineEditor.pasteEnd {
        scalars.removeLast(6)
        break
      }
    }
    var pasted = String(scalars).replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    while pasted.hasSuffix("\n") { pasted.removeLast() }
    if !pasted.isEmpty { el_insertstr(el, pasted) }
    return UInt8(CC_REFRESH)
  }

  // MARK: Completion

  fileprivate func completeKey() -> UInt8 {
    guard let completer else { return UInt8(CC_ERROR) }
    let (chars, cursor) = buffer()
    let line = text(chars)
    let cursorCharacters = text(chars.prefix(cursor)).count
    let state = "\(cursor)\u{0}\(line)"
    let r = completer(line, cursorCharacters)
    let characters = Array(line)
    guard !r.matches.isEmpty, r.start <= r.end, r.end <= characters.count else {
      lastTabState = nil
      return UInt8(CC_REFRESH_BEEP)
    }
    let word = String(characters[r.start..<r.end])
    let insert = r.matches.count == 1 ? r.matches[0] : LineEditor.commonPrefix(r.matches)
    if insert.count > word.count, insert.hasPrefix(word), r.end == cursorCharacters {
      el_deletestr(el, Int32(word.unicodeScalars.count))
      el_insertstr(el, insert)
      let after = buffer()
      lastTabState = "\(after.cursor)\u{0}\(text(after.chars))"
      return UInt8(CC_REFRESH)
    }
    if r.matches.count > 1, lastTabState == state {
      listCandidates(r.matches, line: line)
      return UInt8(CC_NORM)
    }
    lastTabState = state
    return UInt8(CC_REFRESH_BEEP)
  }

  static func commonPrefix(_ words: [String]) -> String {
    guard var prefix = words.first.map(Array.init) else { return "" }
    for w in words.dropFirst() {
      let a = Array(w)
      var n = 0
      while n < prefix.count, n < a.count, prefix[n] == a[n] { n += 1 }
      prefix = Array(prefix.prefix(n))
    }
    return String(prefix)
  }

  /// Candidates in columns (like ls), below a copy of the line, then the prompt again.
  private func listCandidates(_ matches: [String], line: String) {
    let limit = 200
    let shown = Array(matches.prefix(limit))
    let colWidth = (shown.map(\.count).max() ?? 0) + 2
    let ncols = max(1, columns / colWidth)
    let nrows = (shown.count + ncols - 1) / ncols
    var list = ""
    for r in 0..<nrows {
      var row = ""
      for c in 0..<ncols {
        let i = c * nrows + r
        guard i < shown.count else { break }
        let last = c == ncols - 1 || i + nrows >= shown.count
        row += last ? shown[i] : shown[i] + String(repeating: " ", count: colWidth - shown[i].count)
      }
      list += row + "\n"
    }
    if matches.count > limit { list += "... and \(matches.count - limit) more\n" }
    clearInputArea()
    AsyncOutput.writeAll(1, shownPrompt + line + "\n" + list)
    bpfrepl_el_refresh(el)
  }

  // MARK: History

  /// Adds a cell to the history and appends it to the file at once (a crash loses nothing, and
  /// concurrent sessions interleave instead of overwriting each other).
  func addHistory(_ entry: String) {
    guard !entry.isEmpty, entry != lastEntry else { return }  // a recalled cell run again
    lastEntry = entry
    bpfrepl_history_enter(history, entry)
    guard let historyPath else { return }
    let fd = open(historyPath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
    guard fd >= 0 else { return }
    defer { Glibc.close(fd) }
    var st = stat()
    fstat(fd, &st)
    AsyncOutput.writeAll(
      fd, (st.st_size == 0 ? LineEditor.historyCookie : "") + LineEditor.encodeHistoryLine(entry) + "\n")
  }

  /// libedit's history file format: a cookie line, then one strvis(3)-encoded entry per line.
  static let historyCookie = "_HiStOrY_V2_\n"

  /// Backslash, blanks and control characters as strunvis(3) (libedit's H_LOAD) decodes them.
  static func encodeHistoryLine(_ entry: String) -> String {
    var out: [UInt8] = []
    for b in entry.utf8 {
      if b == UInt8(ascii: "\\") {
        out += [b, b]
      } else if b <= 0x20 || b == 0x7F {
        out += Array(("\\" + String(b >> 6) + String((b >> 3) & 7) + String(b & 7)).utf8)
      } else {
        out.append(b)  // UTF-8 sequences pass through unchanged
      }
    }
    return String(decoding: out, as: UTF8.self)
  }

  private func loadHistory(_ path: String) {
    bpfrepl_history_load(history, path)
    lastEntry = bpfrepl_history_newest(history).map { String(cString: $0) }
    // Appending grows the file without bound: rewrite it (the last historySize entries) when large.
    if let data = FileManager.default.contents(atPath: path),
      data.count(where: { $0 == 10 }) > 2 * Int(LineEditor.historySize)
    {
      bpfrepl_history_save(history, path)
    }
  }
}
