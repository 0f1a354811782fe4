// Thin wrappers for what Swift cannot call directly: the variadic syscall(2),
// ioctl requests built by function-like macros, and a few kernel constants.
#ifndef BPFREPL_BPFSHIM_H
#define BPFREPL_BPFSHIM_H

#include <stdint.h>

// perf_event_open(2) for a tracepoint, software clock or (uprobe) PMU event.
// Returns the fd or -errno.
int bpfrepl_perf_event_open(uint32_t type, uint64_t config, uint64_t config1,
                            uint64_t config2, uint64_t sample_period,
                            int use_freq, int pid, int cpu);

// perf_event_open(2) for a hardware breakpoint (PERF_TYPE_BREAKPOINT) at addr: bp_type is a
// mask of HW_BREAKPOINT_R (1), _W (2), _X (4); fires on every hit. inherit: follow threads
// the task creates later. Returns the fd or -errno.
int bpfrepl_perf_breakpoint_open(uint64_t addr, uint64_t len, uint32_t bp_type, int pid, int cpu, int inherit);

// PERF_EVENT_IOC_ENABLE / DISABLE on a perf event fd. Returns 0 or -errno.
int bpfrepl_perf_event_enable(int fd);
int bpfrepl_perf_event_disable(int fd);

// PERF_EVENT_IOC_SET_BPF: the pre-bpf_link way to attach a program to a perf event
// (no cookie). Returns 0 or -errno.
int bpfrepl_perf_event_set_bpf(int fd, int prog_fd);

// Constants the importer cannot see as Swift values.
extern const uint32_t bpfrepl_perf_type_tracepoint;
extern const uint32_t bpfrepl_perf_type_software;
extern const uint64_t bpfrepl_perf_count_sw_cpu_clock;

// The cgroup v2 id of the cgroup directory at path (its kernfs file handle), as
// bpf_get_current_cgroup_id reports it. Returns 0 or -errno.
int bpfrepl_cgroup_id(const char *path, uint64_t *id);

// Forks a child that waits until one byte is written to *release_fd, then execs
// file with argv (closing *release_fd without writing makes it exit 127).
// Returns the child's pid or -errno.
int bpfrepl_spawn_held(const char *file, char *const argv[], int *release_fd);

#endif
