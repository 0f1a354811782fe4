import Glibc
import Testing

@testable import Engine

@Suite struct RuntimeAttachTests {
  @Test func tracepointCountsAndDetachStops() throws {
    let m = try counterMap()
    let p = try BPFProgram(instructions: A.counter(map: m, pid: getpid()), type: .tracepoint, name: "tp_count")
    let a = try p.attachTracepoint(category: "syscalls", name: "sys_enter_getpid", cookie: 7)
    #expect(a.isAttached)
    #expect(a.kind == .tracepoint)
    #expect(a.usesLinks)
    #expect(a.descriptors.count == 1)
    for _ in 0..<100 { _ = getpid() }
    let n = try slot0(m)
    #expect(n >= 100)
    a.detach()
    #expect(!a.isAttached)
    for _ in 0..<100 { _ = getpid() }
    #expect(try slot0(m) == n)
  }

  @Test func deinitDetaches() throws {
    let m = try counterMap()
    let p = try BPFProgram(instructions: A.counter(map: m, pid: getpid()), type: .tracepoint, name: "tp_deinit")
    do {
      let a = try p.attachTracepoint(category: "syscalls", name: "sys_enter_getpid")
      for _ in 0..<10 { _ = getpid() }
      withExtendedLifetime(a) {}
    }
    let n = try slot0(m)
    #expect(n >= 10)
    for _ in 0..<10 { _ = getpid() }
    #expect(try slot0(m) == n)
  }

  @Test(.enabled(if: KernelFeatures.attachCookie, "bpf_get_attach_cookie is not available"))
  func cookieIsObserved() throws {
    let m = try counterMap("cookie")
    let p = try BPFProgram(instructions: A.cookieRecorder(map: m), type: .tracepoint, name: "cookie")
    let a = try p.attachTracepoint(category: "syscalls", name: "sys_enter_getppid", cookie: 0xC0FFEE_1234)
    #expect(a.cookie == 0xC0FFEE_1234)
    for _ in 0..<5 { _ = getppid() }
    #expect(try slot0(m) == 0xC0FFEE_1234)
    a.detach()
  }

  @Test(.enabled(if: KernelFeatures.attachCookie, "bpf_get_attach_cookie is not available"))
  func cookieReachesPerfEventPrograms() throws {
    let m = try counterMap("cookie_pe")
    let p = try BPFProgram(instructions: A.cookieRecorder(map: m), type: .perfEvent, name: "cookie_pe")
    let a = try p.attachInterval(periodNs: 1_000_000, cookie: 77)
    usleep(30_000)
    a.detach()
    #expect(try slot0(m) == 77)
  }

  @Test func missingTracepointIsTypedError() throws {
    let p = try BPFProgram(instructions: A.returnZero, type: .tracepoint, name: "none")
    #expect(throws: BPFError.self) { try p.attachTracepoint(category: "nope", name: "nothing") }
  }

  @Test func rawTracepointFires() throws {
    let m = try counterMap()
    let p = try BPFProgram(instructions: A.counter(map: m, pid: getpid()), type: .rawTracepoint, name: "rawtp")
    let a = try p.attachRawTracepoint(name: "sys_enter")
    for _ in 0..<20 { _ = getpid() }
    #expect(try slot0(m) >= 20)
    a.detach()
  }

  @Test func intervalFires() throws {
    let m = try counterMap()
    let p = try BPFProgram(instructions: A.counter(map: m), type: .perfEvent, name: "interval")
    let a = try p.attachInterval(periodNs: 1_000_000, cookie: 3)  // every 1 ms on CPU 0
    #expect(a.descriptors.count == 1)
    usleep(200_000)
    let n = try slot0(m)
    a.detach()
    #expect(n >= 20, "interval:ms:1 fired \(n) times in 200 ms")
  }

  @Test func profileOpensOneEventPerCPU() throws {
    let m = try counterMap()
    let p = try BPFProgram(instructions: A.counter(map: m), type: .perfEvent, name: "profile")
    let a = try p.attachProfile(hz: 997)
    #expect(a.descriptors.count == CPUSet.online().count)
    usleep(100_000)
    let n = try slot0(m)
    a.detach()
    #expect(n > 0)
  }

  @Test func softwarePageFaults() throws {
    let m = try counterMap()
    let p = try BPFProgram(instructions: A.counter(map: m, pid: getpid()), type: .perfEvent, name: "faults")
    #expect(SoftwareEvent(name: "faults") == .pageFaults)
    #expect(SoftwareEvent(name: "page-faults") == .pageFaults)
    let a = try p.attachSoftware(.pageFaults, count: 1)
    #expect(a.target == "page-faults:1")
    // Touch fresh pages: one fault each.
    let size = 64 * 4096
    let mem = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)!
    for i in stride(from: 0, to: size, by: 4096) { mem.storeBytes(of: 1, toByteOffset: i, as: UInt8.self) }
    munmap(mem, size)
    let n = try slot0(m)
    a.detach()
    #expect(n >= 64)
  }

  @Test func cpuListParsing() {
    #expect(CPUSet.parse("0-3,6,8-9") == [0, 1, 2, 3, 6, 8, 9])
    #expect(CPUSet.parse("0") == [0])
    #expect(!CPUSet.online().isEmpty)
  }

  @Test func kprobeFailsClearly() throws {
    let p = try BPFProgram(instructions: A.returnZero, type: .kprobe, name: "kprobe")
    if KernelFeatures.kprobes {
      let a = try p.attachKprobe(symbol: "do_nanosleep")
      a.detach()
      return
    }
    do {
      _ = try p.attachKprobe(symbol: "do_nanosleep")
      Issue.record("kprobe attach should fail on this kernel")
    } catch let e as MissingKernelFeature {
      #expect(e.description.contains("kprobes are not supported by this kernel"))
      #expect(e.description.contains("CONFIG_KPROBES"))
      #expect(e.description.contains("/sys/bus/event_source/devices/kprobe"))
    }
  }

  @Test func fentryFailsClearly() throws {
    if KernelFeatures.fentry { return }
    do {
      try BPFProgram.requireFentrySupport()
      Issue.record("fentry should be reported missing")
    } catch let e as MissingKernelFeature {
      #expect(e.description.contains("fentry/fexit probes are not supported by this kernel"))
      #expect(e.description.contains("BPF_PROG_TYPE_TRACING"))
    }
  }

  @Test func kernelFeaturesMatchThisMachine() {
    #expect(KernelFeatures.uprobes == FileIO.exists("/sys/bus/event_source/devices/uprobe"))
    #expect(KernelFeatures.btf)
    #expect(KernelFeatures.ringbuf)
  }
}

@Suite struct RuntimePerfFallbackTests {
  /// PERF_EVENT_IOC_SET_BPF, the path for kernels without perf bpf_links: it counts, and
  /// closing the perf event detaches.
  @Test func ioctlAttachPath() throws {
    let m = try counterMap()
    let p = try BPFProgram(instructions: A.counter(map: m, pid: getpid()), type: .tracepoint, name: "ioctl")
    let id = try Tracefs.tracepointID(category: "syscalls", name: "sys_enter_getpid")
    let event = try PerfEvent.open(type: 2 /* PERF_TYPE_TRACEPOINT */, config: id, cpu: 0, what: "test")
    let (fd, link) = try PerfEvent.attach(program: p, event: event, cookie: 9, what: "test", forceIoctl: true)
    #expect(!link)
    for _ in 0..<30 { _ = getpid() }
    let n = try slot0(m)
    #expect(n >= 30)
    fd.close()
    for _ in 0..<30 { _ = getpid() }
    #expect(try slot0(m) == n)
  }
}

@Suite struct RuntimeBackgroundDetachTests {
  @Test func detachInBackgroundReturnsAtOnceAndFinishes() throws {
    let m = try counterMap()
    let p = try BPFProgram(instructions: A.counter(map: m, pid: getpid()), type: .tracepoint, name: "bg")
    let tps = try Tracefs.tracepoints(category: "syscalls", name: "sys_enter_getp*")
    #expect(tps.count >= 3)  // getpid, getppid, getpgid, getpgrp, getpriority
    let attachments = try tps.map { try p.attachTracepoint(category: $0.category, name: $0.name) }
    for _ in 0..<10 { _ = getpid() }
    var t0 = timespec()
    var t1 = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t0)
    for a in attachments { a.detachInBackground() }
    clock_gettime(CLOCK_MONOTONIC, &t1)
    let ms = Double(t1.tv_sec - t0.tv_sec) * 1e3 + Double(t1.tv_nsec - t0.tv_nsec) / 1e6
    #expect(ms < 20, "detachInBackground took \(ms) ms")
    #expect(attachments.allSatisfy { !$0.isAttached })
    BackgroundCloser.shared.waitUntilIdle()
    #expect(BackgroundCloser.shared.pending == 0)
    let n = try slot0(m)
    #expect(n >= 10)
    for _ in 0..<10 { _ = getpid() }
    #expect(try slot0(m) == n)
  }
}
