/// The tools ToolTests runs: bpftrace's classic tools, written for the probes this kernel has
/// (tracepoints instead of kprobes).
enum ToolPrograms {
  static let opensnoop = #"""
    BEGIN { printf("%-6s %-16s %4s %3s %s\n", "PID", "COMM", "FD", "ERR", "PATH"); }
    tracepoint:syscalls:sys_enter_open, tracepoint:syscalls:sys_enter_openat
    {
      @filename[tid] = args->filename;
    }
    tracepoint:syscalls:sys_exit_open, tracepoint:syscalls:sys_exit_openat
    /@filename[tid]/
    {
      $ret = args->ret;
      $fd = $ret >= 0 ? $ret : -1;
      $errno = $ret >= 0 ? 0 : - $ret;
      printf("%-6d %-16s %4d %3d %s\n", pid, comm, $fd, $errno, str(@filename[tid]));
      delete(@filename[tid]);
    }
    END { clear(@filename); }
    """#

  static let execsnoop = #"""
    BEGIN { printf("%-10s %-5s %s\n", "TIME(ms)", "PID", "ARGS"); }
    tracepoint:syscalls:sys_enter_exec*
    {
      printf("%-10u %-5d ", elapsed / 1e6, pid);
      join(args->argv);
    }
    """#

  static let syscount = #"""
    BEGIN { printf("Counting syscalls... Hit Ctrl-C to end.\n"); }
    tracepoint:raw_syscalls:sys_enter
    {
      @syscall[args->id] = count();
      @process[comm] = count();
    }
    END {
      printf("\nTop 10 syscalls IDs:\n");
      print(@syscall, 10);
      clear(@syscall);
      printf("\nTop 10 processes:\n");
      print(@process, 10);
      clear(@process);
    }
    """#

  static let statsnoop = #"""
    BEGIN { printf("%-6s %-16s %3s %s\n", "PID", "COMM", "ERR", "PATH"); }
    tracepoint:syscalls:sys_enter_statx,
    tracepoint:syscalls:sys_enter_newstat,
    tracepoint:syscalls:sys_enter_newlstat,
    tracepoint:syscalls:sys_enter_newfstatat
    {
      @filename[tid] = args->filename;
    }
    tracepoint:syscalls:sys_exit_statx,
    tracepoint:syscalls:sys_exit_newstat,
    tracepoint:syscalls:sys_exit_newlstat,
    tracepoint:syscalls:sys_exit_newfstatat
    /@filename[tid]/
    {
      $ret = args->ret;
      $errno = $ret >= 0 ? 0 : - $ret;
      printf("%-6d %-16s %3d %s\n", pid, comm, $errno, str(@filename[tid]));
      delete(@filename[tid]);
    }
    END { clear(@filename); }
    """#

  static let killsnoop = #"""
    BEGIN { printf("%-6s %-16s %-4s %-6s %s\n", "PID", "COMM", "SIG", "TPID", "RESULT"); }
    tracepoint:syscalls:sys_enter_kill
    {
      @tpid[tid] = args->pid;
      @tsig[tid] = args->sig;
    }
    tracepoint:syscalls:sys_exit_kill
    /@tpid[tid]/
    {
      printf("%-6d %-16s %-4d %-6d %d\n", pid, comm, @tsig[tid], @tpid[tid], args->ret);
      delete(@tpid[tid]);
      delete(@tsig[tid]);
    }
    """#

  static let biolatency = #"""
    BEGIN { printf("Tracing block device I/O... Hit Ctrl-C to end.\n"); }
    tracepoint:block:block_rq_issue
    {
      @start[args->dev, args->sector] = nsecs;
    }
    tracepoint:block:block_rq_complete
    /@start[args->dev, args->sector]/
    {
      @usecs = hist((nsecs - @start[args->dev, args->sector]) / 1000);
      delete(@start[args->dev, args->sector]);
    }
    END { clear(@start); }
    """#

  static let bitesize = #"""
    BEGIN { printf("Tracing block device I/O... Hit Ctrl-C to end.\n"); }
    tracepoint:block:block_rq_issue
    {
      @[args->comm] = hist(args->bytes);
    }
    END { printf("\nI/O size (bytes) histograms by process name:"); }
    """#

  /// TASK_RUNNING is 0.
  static let runqlat = #"""
    BEGIN { printf("Tracing CPU scheduler... Hit Ctrl-C to end.\n"); }
    tracepoint:sched:sched_wakeup,
    tracepoint:sched:sched_wakeup_new
    {
      @qtime[args->pid] = nsecs;
    }
    tracepoint:sched:sched_switch
    {
      if (args->prev_state == 0) {
        @qtime[args->prev_pid] = nsecs;
      }
      $ns = @qtime[args->next_pid];
      if ($ns) {
        @usecs = hist((nsecs - $ns) / 1000);
      }
      delete(@qtime[args->next_pid]);
    }
    END { clear(@qtime); }
    """#

  /// Linux 6.13 renamed cfs_rq->nr_running to nr_queued (upstream's runqlen.bt still reads
  /// nr_running, which this kernel's BTF no longer has).
  static let runqlen = #"""
    BEGIN { printf("Sampling run queue length at 99 Hertz... Hit Ctrl-C to end.\n"); }
    profile:hz:99
    {
      $task = (struct task_struct *)curtask;
      $my_q = (struct cfs_rq *)$task->se.cfs_rq;
      $len = $my_q->nr_queued;
      $len = $len > 0 ? $len - 1 : 0;
      @runqlen = lhist($len, 0, 100, 1);
    }
    """#

  /// TCP (protocol 6) sockets from their first state change to TCP_CLOSE (7); who opened
  /// (SYN_SENT, 2) or closed (LAST_ACK, 9) them is remembered, as later changes run in softirq.
  static let tcplife = #"""
    BEGIN { printf("%-5s %-10s %-15s %-5s %-15s %-5s %5s\n", "PID", "COMM", "LADDR", "LPORT", "RADDR", "RPORT", "MS"); }
    tracepoint:sock:inet_sock_set_state
    /args->protocol == 6/
    {
      $sk = args->skaddr;
      if (@birth[$sk] == 0) {
        @birth[$sk] = nsecs;
      }
      if (args->newstate == 2 || args->newstate == 9) {
        @skpid[$sk] = pid;
        @skcomm[$sk] = comm;
      }
      if (args->newstate == 7) {
        $ms = (nsecs - @birth[$sk]) / 1000000;
        printf("%-5d %-10.10s %-15s %-5d %-15s %-5d %5d\n", @skpid[$sk], @skcomm[$sk],
          ntop(args->saddr), args->sport, ntop(args->daddr), args->dport, $ms);
        delete(@birth[$sk]);
        delete(@skpid[$sk]);
        delete(@skcomm[$sk]);
      }
    }
    END { clear(@birth); clear(@skpid); clear(@skcomm); }
    """#

  static let bashreadline = #"""
    BEGIN { printf("%-9s %-6s %s\n", "TIME", "PID", "COMMAND"); }
    uretprobe:/bin/bash:readline
    {
      time("%H:%M:%S  ");
      printf("%-6d %s\n", pid, str(retval));
    }
    """#

  static func profile(pids: [Int32]) -> String {
    let filter = pids.map { "pid == \($0)" }.joined(separator: " || ")
    return "profile:hz:99 /\(filter)/ { @k[kstack] = count(); @u[ustack] = count(); }"
  }

  /// A loopback TCP connection that sends a byte each way; prints the listening port.
  static let loopbackConnection = """
    import socket
    s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1); port = s.getsockname()[1]
    c = socket.create_connection(("127.0.0.1", port)); a, _ = s.accept()
    c.sendall(b"x"); a.recv(1); a.sendall(b"y"); c.recv(1)
    c.close(); a.close(); s.close()
    print(port)
    """

  /// bash -i on a pseudo-terminal: waits for each prompt before typing (input typed earlier
  /// can be flushed while bash sets the terminal up), and never outlives 10 seconds.
  static let interactiveBash = """
    import os, pty, select, signal, time
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["PS1"] = "prompt> "
        os.execv("/bin/bash", ["bash", "--norc", "--noprofile", "-i"])
    deadline = time.time() + 10
    def read():
        if select.select([fd], [], [], 0.1)[0]:
            try:
                return os.read(fd, 4096)
            except OSError:
                time.sleep(0.1)
        return b""
    def until_prompt():
        seen = b""
        while time.time() < deadline and not seen.endswith(b"prompt> "):
            seen += read()
    until_prompt()
    os.write(fd, b"echo bashreadline-marker\\n")
    until_prompt()
    # Stay a moment: user symbols are read from /proc/PID/maps while the events are printed.
    time.sleep(0.3)
    os.write(fd, b"exit\\n")
    while time.time() < deadline:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        read()
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    """
}
