"""How the C allocator hands freed memory back, for the commands that hold a million rows at once.

glibc raises its threshold for serving a block from its own mapping each time such a block is
freed, so after the first large frames are let go, later arrays of a few megabytes come from the
heap, where freed pages stay with the process: a build at a million relations held about 200 MB it
no longer used. Fixing the thresholds (``mallopt``) makes every block of 1 MiB or more a mapping of
its own, returned to the system when freed, and trims the heap's free top. Elsewhere (macOS, musl)
there is no ``mallopt``, and nothing changes.
"""

from __future__ import annotations

__all__ = ["return_freed_memory"]

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_THRESHOLD = 1 << 20


def return_freed_memory() -> bool:
    """Fix glibc's mapping and trimming thresholds at 1 MiB for this process; whether it could."""
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    return bool(mallopt(_M_MMAP_THRESHOLD, _THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, _THRESHOLD))
