#!/usr/bin/env python3
"""Run a Python script under CPython's own asyncio, on a virtual clock (for the oracle).

    python3 -X utf8 tests/tools/virtual_clock.py name.apy [args...]

Used by regen.py (through run_golden.oracle_command) for golden scripts marked
`# oracle: virtual-time`: scripts that sleep far longer than a test may take (an hour, a
day), which apy runs with --virtual-time. The event loop is CPython's unchanged
(BaseEventLoop._run_once decides everything); only the waiting is virtual: when the loop
would block in its selector for `timeout` seconds with nothing to do, the clock jumps
forward by `timeout` instead. time.monotonic, time.time and time.perf_counter (and their
_ns variants) report the virtual clock, which starts at the real clock and only moves
by those jumps, as apy's --virtual-time does.

The script runs as __main__ with __file__ its absolute path and sys.argv = [name.apy,
args...], as `python3 name.apy args...` would; tracebacks gain this file's frames, which
golden tests do not compare (only the last stderr line is).
"""

import os
import runpy
import selectors
import sys
import time

_offset = 0.0
_m0 = time.monotonic()
_w0 = time.time()
_p0 = time.perf_counter()


def _monotonic():
    return _m0 + _offset


def _time():
    return _w0 + _offset


def _perf_counter():
    return _p0 + _offset


time.monotonic = _monotonic
time.time = _time
time.perf_counter = _perf_counter
time.monotonic_ns = lambda: int(_monotonic() * 1e9)
time.time_ns = lambda: int(_time() * 1e9)
time.perf_counter_ns = lambda: int(_perf_counter() * 1e9)

import asyncio  # noqa: E402  (after the clock is patched)


class VirtualSelector(selectors.DefaultSelector):
    def select(self, timeout=None):
        global _offset
        events = super().select(0)
        if events:
            return events
        if timeout is None:
            return super().select(None)  # nothing scheduled at all: block as CPython would
        if timeout > 0:
            _offset += timeout
        return []


class VirtualPolicy(asyncio.DefaultEventLoopPolicy):
    def new_event_loop(self):
        return asyncio.SelectorEventLoop(VirtualSelector())


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    asyncio.set_event_loop_policy(VirtualPolicy())
    script = os.path.abspath(sys.argv[1])
    sys.argv = sys.argv[1:]
    sys.path[0] = os.path.dirname(script)
    runpy.run_path(script, run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
