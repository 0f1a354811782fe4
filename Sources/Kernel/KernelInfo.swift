import Engine

/// The kernel_info_reply content: who we are and how frontends should treat the language.
enum KernelInfo {
  static var content: JSON {
    [
      "status": "ok",
      "protocol_version": .string(MessageFactory.protocolVersion),
      "implementation": "bpfrepl",
      "implementation_version": .string(EngineInfo.version),
      "language_info": [
        "name": "bpftrace",
        "version": .string(EngineInfo.version),
        "mimetype": "text/x-bpftrace",
        "file_extension": ".bt",
        // bpftrace is C-like; no lexer or CodeMirror mode exists for it.
        "pygments_lexer": "c",
        "codemirror_mode": "text/x-csrc",
        "nbconvert_exporter": "script",
      ],
      "banner": .string(
        "bpfrepl \(EngineInfo.version): bpftrace, one cell at a time.\n"
          + "Probes stay attached after a cell returns; maps persist across cells.\n"
          + "Magics: %probes  %detach ID|all  %maps  %reset  %%run DURATION  %list PATTERN"),
      "help_links": [
        ["text": "bpftrace language", "url": "https://github.com/bpftrace/bpftrace/blob/master/docs/language.md"],
        [
          "text": "bpftrace standard library", "url": "https://github.com/bpftrace/bpftrace/blob/master/docs/stdlib.md",
        ],
      ],
      "debugger": false,
      "supported_features": [],
    ]
  }
}
