"""The standard jupyter_kernel_test conformance suite, with bpftrace cells."""
import unittest

import jupyter_kernel_test as jkt


class BpfreplKernelTests(jkt.KernelTests):
    kernel_name = "bpfrepl-test"  # written by conftest.py into a temporary JUPYTER_PATH
    language_name = "bpftrace"
    file_extension = ".bt"

    # The suite checks that some stdout stream contains "hello, world".
    code_hello_world = 'BEGIN { printf("hello, world\\n"); }'
    # warnf output goes to stderr ("WARNING: ..."), the cell succeeds.
    code_stderr = 'BEGIN { warnf("careful"); }'
    # A syntax error: execute_reply status error, and exactly one IOPub output (the error).
    code_generate_error = "BEGIN { @x = ; }"

    complete_code_samples = [
        't:syscalls:sys_enter_openat /comm == "cat"/ { @[comm] = count(); }',
        'BEGIN { printf("hi\\n"); }',
        "print(@x)",
        "%probes",
    ]
    incomplete_code_samples = ["BEGIN {", 'BEGIN { printf("hi\\n"', "i:s:1 { if (1) {"]
    invalid_code_samples = ["BEGIN { }}", "}"]

    completion_samples = [
        {"text": "prin", "matches": {"printf(", "print("}},
        {"text": "i:s:1 { @[co", "matches": {"comm", "count("}},
        {"text": "%pro", "matches": {"%probes"}},
        {"text": "t:syscalls:sys_enter_getppi", "matches": {"t:syscalls:sys_enter_getppid"}},
    ]
    code_inspect_sample = "comm"


class BpfreplIopubWelcomeTests(jkt.IopubWelcomeTests):
    kernel_name = "bpfrepl-test"
    support_iopub_welcome = True


if __name__ == "__main__":
    unittest.main()
