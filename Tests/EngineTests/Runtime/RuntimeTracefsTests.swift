import Testing

@testable import Engine

@Suite struct RuntimeTracefsTests {
  @Test func rootHasEvents() throws {
    let root = try Tracefs.root()
    #expect(FileIO.isDirectory(root + "/events"))
  }

  @Test func tracepointID() throws {
    let id = try Tracefs.tracepointID(category: "syscalls", name: "sys_exit_read")
    #expect(id > 0)
    #expect(try Tracefs.format(category: "syscalls", name: "sys_exit_read").id == id)
  }

  @Test func sysExitReadFormat() throws {
    let f = try Tracefs.format(category: "syscalls", name: "sys_exit_read")
    let ret = try #require(f.field(named: "ret"))
    #expect(ret.offset == 16)
    #expect(ret.size == 8)
    #expect(ret.isSigned)
    #expect(ret.type == "long")
    #expect(!ret.isArray && !ret.isCommon)
    #expect(f.fields.map(\.name) == ["__syscall_nr", "ret"])
    #expect(f.commonFields.map(\.name) == ["common_type", "common_flags", "common_preempt_count", "common_pid"])
    #expect(f.commonFields.allSatisfy { $0.isCommon })
  }

  @Test func arraysPointersAndDataLoc() throws {
    let sw = try Tracefs.format(category: "sched", name: "sched_switch")
    let comm = try #require(sw.field(named: "prev_comm"))
    #expect(comm.type == "char" && comm.arrayLength == 16 && comm.size == 16 && comm.offset == 8)
    let openat = try Tracefs.format(category: "syscalls", name: "sys_enter_openat")
    let filename = try #require(openat.field(named: "filename"))
    #expect(filename.type == "const char *" && filename.isPointer)
    let exec = try Tracefs.format(category: "sched", name: "sched_process_exec")
    let fn = try #require(exec.field(named: "filename"))
    #expect(fn.isDataLoc && fn.type == "char" && fn.size == 4)
  }

  @Test func parsesFormatText() throws {
    let text = """
      name: demo
      ID: 12
      format:
      \tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;

      \tfield:unsigned long args[6];\toffset:16;\tsize:48;\tsigned:0;
      \tfield:u32 buf[];\toffset:64;\tsize:0;\tsigned:0;
      \tfield:__data_loc cpumask_t cpumask;\toffset:68;\tsize:4;\tsigned:0;
      \tfield:__rel_loc char[] s;\toffset:72;\tsize:4;\tsigned:0;

      print fmt: "x"
      """
    let f = try TracepointFormat(category: "c", name: "demo", text: text)
    #expect(f.id == 12)
    #expect(f.fields.count == 4)
    #expect(f.fields[0].name == "args" && f.fields[0].arrayLength == 6 && f.fields[0].type == "unsigned long")
    #expect(f.fields[1].name == "buf" && f.fields[1].arrayLength == 0)
    #expect(f.fields[2].name == "cpumask" && f.fields[2].isDataLoc && f.fields[2].arrayLength == nil)
    #expect(f.fields[3].name == "s" && f.fields[3].isRelLoc && f.fields[3].type == "char")
  }

  @Test func listing() throws {
    let all = try Tracefs.listTracepoints()
    let syscalls = all.filter { $0.category == "syscalls" }
    #expect(syscalls.count >= 700)
    #expect(try Tracefs.listCategories().contains("sched"))
    let exits = try Tracefs.tracepoints(category: "syscalls", name: "sys_exit_*")
    #expect(exits.count >= 350)
    #expect(exits.allSatisfy { $0.name.hasPrefix("sys_exit_") })
    #expect(
      try Tracefs.tracepoints(category: "sched", name: "sched_switch") == [
        Tracepoint(category: "sched", name: "sched_switch")
      ])
    #expect(try Tracefs.tracepoints(category: "sched", name: "no_such").isEmpty)
    #expect(
      try Tracefs.tracepoints(category: "sch?d", name: "sched_sw*tch").map(\.description) == ["sched:sched_switch"])
  }

  @Test func glob() {
    #expect(Glob.matches("*", ""))
    #expect(Glob.matches("*", "anything"))
    #expect(Glob.matches("sys_enter_*", "sys_enter_read"))
    #expect(!Glob.matches("sys_enter_*", "sys_exit_read"))
    #expect(Glob.matches("sys_*_read", "sys_enter_read"))
    #expect(Glob.matches("?ead", "read"))
    #expect(!Glob.matches("?ead", "ead"))
    #expect(Glob.matches("*read*", "sys_exit_readv"))
    #expect(Glob.matches("a*b*c", "aXXbYYbZc"))
    #expect(!Glob.matches("a*b*c", "aXXbYYbZ"))
    #expect(Glob.matches("exact", "exact"))
    #expect(!Glob.matches("exact", "exactly"))
    #expect(Glob.matches("**x", "x"))
    #expect(Glob.hasWildcard("a*") && Glob.hasWildcard("a?") && !Glob.hasWildcard("abc"))
  }
}
