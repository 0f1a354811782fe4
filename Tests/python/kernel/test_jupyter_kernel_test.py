"""The standard jupyter_kernel_test conformance suite, for the parts that apply.

Cell contents here target the temporary protocol probe backend; with the real
Session they become bpftrace (the lead fills in completion samples then).
"""
import unittest

import jupyter_kernel_test as jkt


class BpfreplKernelTests(jkt.KernelTests):
    kernel_name = "bpfrepl-test"  # written by conftest.py into a temporary JUPYTER_PATH
    language_name = "bpftrace"
    file_extension = ".bt"

    code_hello_world = "hello, world"
    code_stderr = "%%stderr oops"
    code_generate_error = "error"

    complete_code_samples = ["kprobe:do_nanosleep { @[comm] = count(); }", "BEGIN { printf(\"hi\\n\"); }"]
    incomplete_code_samples = ["kprobe:do_nanosleep {", "BEGIN { printf(\"hi\\n\""]
    invalid_code_samples = ["}"]

    completion_samples = [{"text": "pri", "matches": {"printf", "print"}}]
    code_inspect_sample = "printf"


class BpfreplIopubWelcomeTests(jkt.IopubWelcomeTests):
    kernel_name = "bpfrepl-test"
    support_iopub_welcome = True


if __name__ == "__main__":
    unittest.main()
