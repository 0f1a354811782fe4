#define _GNU_SOURCE
#include "bpfshim.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

const uint32_t bpfrepl_perf_type_tracepoint = PERF_TYPE_TRACEPOINT;
const uint32_t bpfrepl_perf_type_software = PERF_TYPE_SOFTWARE;
const uint64_t bpfrepl_perf_count_sw_cpu_clock = PERF_COUNT_SW_CPU_CLOCK;

int bpfrepl_perf_event_open(uint32_t type, uint64_t config, uint64_t config1,
                            uint64_t config2, uint64_t sample_period,
                            int use_freq, int pid, int cpu) {
  struct perf_event_attr attr;
  memset(&attr, 0, sizeof(attr));
  attr.size = sizeof(attr);
  attr.type = type;
  attr.config = config;
  attr.config1 = config1;
  attr.config2 = config2;
  attr.sample_period = sample_period;
  attr.freq = use_freq ? 1 : 0;
  attr.sample_type = PERF_SAMPLE_RAW;
  attr.wakeup_events = 1;
  long fd = syscall(__NR_perf_event_open, &attr, pid, cpu, -1,
                    PERF_FLAG_FD_CLOEXEC);
  return fd < 0 ? -errno : (int)fd;
}

int bpfrepl_perf_breakpoint_open(uint64_t addr, uint64_t len, uint32_t bp_type, int pid, int cpu, int inherit) {
  struct perf_event_attr attr;
  memset(&attr, 0, sizeof(attr));
  attr.size = sizeof(attr);
  attr.type = PERF_TYPE_BREAKPOINT;
  attr.bp_type = bp_type;
  attr.bp_addr = addr;
  attr.bp_len = len;
  attr.sample_period = 1;
  attr.inherit = inherit ? 1 : 0;
  long fd = syscall(__NR_perf_event_open, &attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
  return fd < 0 ? -errno : (int)fd;
}

int bpfrepl_perf_event_enable(int fd) {
  return ioctl(fd, PERF_EVENT_IOC_ENABLE, 0) < 0 ? -errno : 0;
}

int bpfrepl_perf_event_disable(int fd) {
  return ioctl(fd, PERF_EVENT_IOC_DISABLE, 0) < 0 ? -errno : 0;
}

int bpfrepl_perf_event_set_bpf(int fd, int prog_fd) {
  return ioctl(fd, PERF_EVENT_IOC_SET_BPF, prog_fd) < 0 ? -errno : 0;
}
