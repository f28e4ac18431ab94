"""A build gives the memory of the frames it let go back to the system (``jjjkg.memory``)."""

import subprocess
import sys

import pytest

CHILD = """
import sys
from jjjkg.memory import return_freed_memory

def rss_mb():
    with open("/proc/self/status") as f:
        return int(next(line for line in f if line.startswith("VmRSS:")).split()[1]) // 1024

fixed = sys.argv[1] == "fixed" and return_freed_memory()
big = bytearray(16 << 20)  # a large frame, freed: glibc would raise its mapping threshold past it
del big
blocks = [bytearray(2 << 20) for _ in range(100)]  # 200 MB of 2 MB arrays
before = rss_mb()
kept = blocks[-1]  # the last one stays, as a live table does
del blocks
print(int(fixed), before - rss_mb())
"""


def _returned(mode: str) -> tuple[int, int]:
    out = subprocess.run([sys.executable, "-c", CHILD, mode], capture_output=True, text=True, check=True).stdout
    fixed, returned = map(int, out.split())
    return fixed, returned


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc and glibc's mallopt")
def test_freed_arrays_go_back_to_the_system():
    fixed, returned = _returned("fixed")
    if not fixed:
        pytest.skip("no glibc mallopt here")
    assert returned >= 150, f"only {returned} MB of 200 MB freed went back to the system"
    _, default = _returned("default")  # what the allocator does by itself: keeps them
    assert default < 50, f"{default} MB"
