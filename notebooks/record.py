#!/usr/bin/env python3
"""Re-records investigation records: executes each notebook with nbclient against the `bpfrepl`
kernelspec and saves it with its new outputs (cells tagged `raises-exception` may fail).

    .build/debug/bpfrepl kernel install --prefix /tmp/kp
    JUPYTER_PATH=/tmp/kp/share/jupyter python3 notebooks/record.py notebooks/*.ipynb
"""
import sys

import nbformat
from nbclient import NotebookClient

for path in sys.argv[1:]:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="bpfrepl", record_timing=False).execute()
    nbformat.write(nb, path)
    print("recorded", path)
