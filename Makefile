# bpfrepl: one-command setup, build, run and test on a fresh Debian 12 machine (as root).
SHELL := /bin/bash
SWIFT ?= swift
CONFIG ?= release
BIN := .build/$(CONFIG)/bpfrepl
APT_PACKAGES := libbpf-dev libelf-dev libzmq3-dev libedit-dev zlib1g-dev linux-libc-dev systemtap-sdt-dev \
                bpftrace bpftool python3-pip tmux hyperfine
PIP_PACKAGES := jupyter_client nbclient nbformat jupyter-kernel-test jupyter_console pytest pexpect pyte

.PHONY: all deps system build repl test test-swift test-python bench clean

all: build

# Everything the build, the tests and the benchmarks need, installed once.
deps: .deps-stamp system
.deps-stamp:
	@if ! dpkg -s $(APT_PACKAGES) >/dev/null 2>&1; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES); fi
	@python3 -c 'import jupyter_client, nbclient, jupyter_kernel_test, pytest, pexpect, pyte' 2>/dev/null || \
	  python3 -m pip install -q $(PIP_PACKAGES)
	@touch $@

# Kernel-side prerequisites: tracefs mounted, bpf stats on (for per-probe ns/event).
system:
	@mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
	@sysctl -q -w kernel.bpf_stats_enabled=1 >/dev/null 2>&1 || true

build: deps
	$(SWIFT) build -c $(CONFIG)

repl: build
	@$(BIN)

test: deps
	$(SWIFT) build -c debug
	$(SWIFT) build -c $(CONFIG)
	BPFREPL_BIN=$(CURDIR)/$(BIN) $(SWIFT) test --no-parallel
	@if [ -d Tests/python ]; then BPFREPL_BIN=$(CURDIR)/$(BIN) python3 -m pytest -q Tests/python; fi

bench: build
	BPFREPL_BIN=$(CURDIR)/$(BIN) python3 bench/run.py

clean:
	rm -rf .build .deps-stamp
