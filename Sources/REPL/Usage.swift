/// `bpfrepl --help`, and what a bad command line gets on stderr. Same options as bpftrace, so a
/// bpftrace command line works unchanged.
enum Usage {
  static let text = """
    bpfrepl - the bpftrace language as a REPL, a Jupyter kernel and a bpftrace-compatible command line

    USAGE:
        bpfrepl                             start the REPL (stdin not a terminal: run the cells read from it)
        bpfrepl [options] FILE.bt [ARGS]    run a program file; ARGS are $1, $2, ...
        bpfrepl [options] - [ARGS]          run the program read from stdin
        bpfrepl [options] -e 'PROGRAM' [ARGS]
        bpfrepl kernel -f CONNECTION_FILE | kernel install    the Jupyter kernel
        bpfrepl replay FILE.ipynb           run a saved session again

    OPTIONS:
        -e 'PROGRAM'      the program to run
        -l, --list [PATTERN|FILE]
                          list probes matching PATTERN, the probes FILE (or -e) attaches to, or
                          struct/union/enum types ('struct task_struct'); -v adds arguments / definitions
        -v, --verbose     verbose messages (the verifier log on rejections)
        -h, --help        this text
        -V, --version     the bpfrepl version
        --info            what this kernel supports, as bpfrepl detects it
        -p, --pid PID     probes act on PID only; uprobes attach to it
        -c, --cmd CMD     run CMD once probes are attached; end when it ends (its pid is cpid)
        -o, --output FILE write program output (printf, print, maps, system) to FILE
        -f FORMAT         output format: text or json
        -B MODE           output buffering: line, full or none (output is flushed per event)
        -q, --quiet       do not print the "Attached N probes" line
        -k, --warnings    accepted (runtime helper-error warnings are not reported yet)
        --no-warnings     no warning messages (warnf() included)
        -I DIR            search DIR for #include headers
        --include FILE    check FILE like an #include (types come from kernel BTF, no headers are parsed)
        --unsafe          allow system(), signal() and other unsafe functions
        --no-color        never color diagnostics

    TROUBLESHOOTING:
        --dry-run         compile and load through the verifier, attach nothing, exit
        -d, --debug STAGE print a stage of the program: ast, types, bpf, verifier, jit, all (comma list)

    EXAMPLES:
        bpfrepl -e 'tracepoint:syscalls:sys_enter_openat { printf("%s %s\\n", comm, str(args.filename)); }'
        bpfrepl -e 'tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }'
        bpfrepl -e 'profile:hz:99 { @[kstack] = count(); }'
        bpfrepl -l 'tracepoint:syscalls:*open*'

    """
}
