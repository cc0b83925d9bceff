"""Code the benchmarks run inside a real Jupyter kernel, one module per benchmark, each
imported there by its driver (``from kernel_side import scale as k``, the benchmarks folder
on sys.path): recording.py starts Ganga with every status change recorded; job_widget.py,
table.py, scale.py and browser_render.py set up the project's views and the naive baselines
they are measured against. The baselines' browser views are the .js files beside them.
"""

import faulthandler
import os
import signal

# A benchmark killed at its time limit first sends its kernels SIGUSR1 (benchmarks/__main__.py):
# each writes every thread's stack to a file of its own, as ipykernel sends fd 2 through a pipe
# that dies with the kernel.
_STACKS = os.environ.get("GW_BENCH_STACKS")
if _STACKS:
    _stacks_file = open(f"{_STACKS}-{os.getpid()}.log", "w")  # open for its life
    faulthandler.register(signal.SIGUSR1, file=_stacks_file, all_threads=True)
