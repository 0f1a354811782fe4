#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <bpf/btf.h>
