#!/usr/bin/env python3
"""Run ONE golden script under an interpreter and compare with its stored expectations.

    run_golden.py --apy build/apy tests/golden/basics/arith.apy

A golden script `name.apy` comes with:
  name.out   expected stdout, compared byte for byte;
  name.err   only for scripts that exit non-zero: two lines, `exit: N` and the LAST
             line of stderr (e.g. `ZeroDivisionError: division by zero`);
  name.in    optional, fed to stdin (otherwise stdin is empty).
Comments among the script's first lines tune the run:
  # args: a b c              extra argv, split like a shell would (shlex)
  # flags: --virtual-time    extra flags for apy itself (not given to python3 by regen.py)
  # apy-only: <reason>       regen.py leaves .out/.err alone (they are written by hand)
  # check-stderr             also compare the whole stderr (tracebacks with their source
                             lines and markers) with name.stderr, byte for byte, once the
                             script's folder is removed from the paths it shows
  # oracle: virtual-time     python3 (the oracle) runs the script on a virtual clock, through
                             tests/tools/virtual_clock.py: for scripts that sleep far too
                             long for real time (an hour...); use with --virtual-time
  # timing: real             also check timing (real-time asyncio scripts): run python3
                             (the oracle, $APY_ORACLE or python3) on the same script in the
                             same run, and fail when the moments of a line of output or of
                             the exit, counted from the first line, differ by more than
                             0.1 s ($APY_TIMING_TOLERANCE seconds, if set); up to 5
                             measuring rounds, one within tolerance passes; see "timing"
Several directives go on separate comment lines (any of the first 5 lines; apy-only must
be the very first line).

The script runs with cwd = its folder and is named `name.apy` on the command line. When
its folder has a subfolder `modules/` (helper modules and packages that are not tests),
it runs instead in a temporary copy of its folder into which the contents of `modules/`
are merged, so that `import helper_mod` finds `helper_mod.apy` beside the script; in that
copy each `.apy` file also exists as `.py` so that python3 (the oracle) can import it too.

This module is also the library used by regen.py (same way of running scripts).
Exit status: 0 on match, 1 on mismatch (a unified diff is printed), 2 on usage errors.
"""

from __future__ import annotations

import argparse
import difflib
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

GOLDEN_ROOT = Path(__file__).resolve().parent.parent / "golden"
HELPER_DIR_NAME = "modules"  # folders with this name hold helper modules, never tests
HEADER_LINES = 5  # directives are looked for in this many first lines
DEFAULT_TIMEOUT = 60.0
DEFAULT_TIMING_TOLERANCE = 0.1  # seconds, for `# timing: real`


# ----------------------------------------------------------------------------- discovery


def golden_relative(path: Path) -> tuple[str, ...]:
    """Parts of path below tests/golden (or below the last folder named `golden`)."""
    path = path.resolve()
    try:
        return path.relative_to(GOLDEN_ROOT).parts
    except ValueError:
        parts = path.parts
        if "golden" in parts:
            i = len(parts) - 1 - parts[::-1].index("golden")
            return parts[i + 1:]
        return parts[-2:]


def is_helper(path: Path) -> bool:
    """True for files inside a folder named `modules` below an area folder
    (tests/golden/<area>/**/modules/**): helper modules and packages, not tests.
    The top-level area tests/golden/modules/ (tests of time, math, sys...) is not one."""
    rel = golden_relative(path)
    return HELPER_DIR_NAME in rel[1:-1]


def find_scripts(paths: list[str] | None = None) -> list[Path]:
    """Golden scripts under the given files/folders (default: all of tests/golden)."""
    roots = [Path(p) for p in paths] if paths else [GOLDEN_ROOT]
    found: set[Path] = set()
    for root in roots:
        root = root.resolve()
        if root.is_dir():
            for p in root.rglob("*.apy"):
                if not is_helper(p):
                    found.add(p)
        elif root.suffix == ".apy" and root.exists():
            if not is_helper(root):
                found.add(root)
        else:
            raise FileNotFoundError(f"no such golden script or folder: {root}")
    return sorted(found)


# ----------------------------------------------------------------------------- directives


@dataclass
class Directives:
    args: list[str]
    flags: list[str]
    apy_only: str | None
    timing: str | None = None  # "real": compare wall time with python3's
    oracle: str | None = None  # "virtual-time": python3 runs through virtual_clock.py
    check_stderr: bool = False  # compare the whole stderr with name.stderr


def read_directives(script: Path) -> Directives:
    args: list[str] = []
    flags: list[str] = []
    apy_only = None
    timing = None
    oracle = None
    check_stderr = False
    with open(script, encoding="utf-8", errors="replace") as f:
        for i, line in enumerate(f):
            if i >= HEADER_LINES:
                break
            s = line.strip()
            if not s.startswith("#"):
                continue
            body = s[1:].strip()
            if body.lower() == "check-stderr":
                check_stderr = True
                continue
            key, sep, value = body.partition(":")
            if not sep:
                continue
            key = key.strip().lower()
            if key == "args":
                args = shlex.split(value)
            elif key == "flags":
                flags = shlex.split(value)
            elif key == "apy-only" and i == 0:
                apy_only = value.strip() or "(no reason given)"
            elif key == "timing":
                timing = value.strip().lower() or None
            elif key == "oracle":
                oracle = value.strip().lower() or None
    return Directives(args, flags, apy_only, timing, oracle, check_stderr)


VIRTUAL_CLOCK = Path(__file__).resolve().parent / "virtual_clock.py"


def oracle_command(python: list[str], directives: Directives) -> list[str]:
    """How the oracle (python3) runs a script: `python3 -X utf8 name.apy`, or through
    virtual_clock.py for scripts marked `# oracle: virtual-time`."""
    command = list(python) + ["-X", "utf8"]
    if directives.oracle == "virtual-time":
        command.append(str(VIRTUAL_CLOCK))
    elif directives.oracle is not None:
        raise ValueError(f"unknown oracle directive {directives.oracle!r} "
                         "(expected 'virtual-time')")
    return command


# ----------------------------------------------------------------------------- running


@dataclass
class Result:
    stdout: bytes
    stderr: bytes
    exit_code: int | None  # None: timed out
    elapsed: float = 0.0  # wall time from start to exit, in seconds

    def last_stderr_line(self) -> str:
        text = self.stderr.decode("utf-8", errors="replace")
        lines = [ln.rstrip() for ln in text.splitlines()]
        lines = [ln for ln in lines if ln.strip()]
        return lines[-1] if lines else ""

    def err_text(self) -> str | None:
        """Contents of the .err file this run corresponds to (None: exit 0, no .err)."""
        if self.exit_code == 0:
            return None
        code = "timeout" if self.exit_code is None else str(self.exit_code)
        return f"exit: {code}\n{self.last_stderr_line()}\n"


def _merge_tree(src: Path, dst: Path) -> None:
    for item in src.iterdir():
        target = dst / item.name
        if item.is_dir():
            if item.name == "__pycache__":
                continue
            target.mkdir(exist_ok=True)
            _merge_tree(item, target)
        else:
            shutil.copy2(item, target)


def _add_py_twins(root: Path) -> None:
    for p in list(root.rglob("*.apy")):
        twin = p.with_suffix(".py")
        if not twin.exists():
            shutil.copy2(p, twin)


def _run_process(argv: list[str], cwd: Path, env: dict[str, str], stdin, timeout: float,
                 line_times: list[float] | None) -> Result:
    start = time.monotonic()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=stdin, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    chunks: dict[str, list[bytes]] = {"out": [], "err": []}

    def read_stdout() -> None:
        for line in iter(proc.stdout.readline, b""):
            if line_times is not None and line.endswith(b"\n"):
                line_times.append(time.monotonic() - start)
            chunks["out"].append(line)

    def read_stderr() -> None:
        chunks["err"].append(proc.stderr.read())

    readers = [threading.Thread(target=read_stdout), threading.Thread(target=read_stderr)]
    for r in readers:
        r.start()
    try:
        exit_code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        exit_code = None
    elapsed = time.monotonic() - start
    for r in readers:
        r.join()
    proc.stdout.close()
    proc.stderr.close()
    return Result(b"".join(chunks["out"]), b"".join(chunks["err"]), exit_code, elapsed)


def run_script(
    script: Path,
    command: list[str],
    *,
    extra_flags: list[str] | None = None,
    env_overrides: dict[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    line_times: list[float] | None = None,
) -> Result:
    """Run `command + extra_flags + [name.apy] + args` the golden way. With [line_times],
    appends the moment each line of stdout arrived (seconds since the start)."""
    script = script.resolve()
    directives = read_directives(script)
    env = dict(os.environ)
    for var in ("PYTHONPATH", "PYTHONSTARTUP", "PYTHONHOME", "PYTHONWARNINGS"):
        env.pop(var, None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONHASHSEED"] = "0"
    if env_overrides:
        env.update(env_overrides)
    stdin_path = script.with_suffix(".in")
    argv = list(command) + list(extra_flags or []) + [script.name] + directives.args

    tmp = None
    cwd = script.parent
    try:
        helper_dir = script.parent / HELPER_DIR_NAME
        if helper_dir.is_dir() and len(golden_relative(script)) >= 2:
            tmp = tempfile.TemporaryDirectory(prefix="apy-golden-")
            cwd = Path(tmp.name)
            for item in script.parent.iterdir():
                if item.is_file():
                    shutil.copy2(item, cwd / item.name)
            _merge_tree(helper_dir, cwd)
            _add_py_twins(cwd)
        stdin = open(stdin_path, "rb") if stdin_path.exists() else subprocess.DEVNULL
        try:
            result = _run_process(argv, cwd, env, stdin, timeout, line_times)
        finally:
            if stdin is not subprocess.DEVNULL:
                stdin.close()
        if directives.check_stderr:
            # python3 shows the script's absolute path: keep tracebacks independent of
            # where the tree (or the temporary copy) lies.
            result.stderr = result.stderr.replace(str(cwd).encode() + os.sep.encode(), b"")
        return result
    finally:
        if tmp is not None:
            tmp.cleanup()


# ----------------------------------------------------------------------------- comparing


def _diff(expected: bytes | str, actual: bytes | str, name_exp: str, name_act: str) -> str:
    if isinstance(expected, bytes):
        expected = expected.decode("utf-8", errors="backslashreplace")
    if isinstance(actual, bytes):
        actual = actual.decode("utf-8", errors="backslashreplace")
    lines = difflib.unified_diff(
        expected.splitlines(keepends=True),
        actual.splitlines(keepends=True),
        fromfile=name_exp,
        tofile=name_act,
    )
    out = []
    for ln in lines:
        out.append(ln if ln.endswith("\n") else ln + "\n\\ No newline at end of file\n")
    return "".join(out)


def compare(script: Path, result: Result) -> list[str]:
    """Problems (each a printable block) between stored expectations and result."""
    problems = []
    out_path = script.with_suffix(".out")
    err_path = script.with_suffix(".err")
    if not out_path.exists():
        problems.append(f"missing expectation file {out_path} (run tests/tools/regen.py)\n")
        expected_out = b""
    else:
        expected_out = out_path.read_bytes()
    if result.stdout != expected_out:
        problems.append(
            "stdout differs:\n"
            + _diff(expected_out, result.stdout, str(out_path), "actual stdout")
        )
    expected_err = err_path.read_text(encoding="utf-8") if err_path.exists() else None
    actual_err = result.err_text()
    if expected_err != actual_err:
        problems.append(
            "exit status / last stderr line differs:\n"
            + _diff(
                expected_err if expected_err is not None else "exit: 0\n",
                actual_err if actual_err is not None else "exit: 0\n",
                str(err_path),
                "actual",
            )
        )
    if read_directives(script).check_stderr:
        stderr_path = script.with_suffix(".stderr")
        expected_stderr = stderr_path.read_bytes() if stderr_path.exists() else b""
        if result.stderr != expected_stderr:
            problems.append(
                "stderr differs:\n"
                + _diff(expected_stderr, result.stderr, str(stderr_path), "actual stderr")
            )
    return problems


# ----------------------------------------------------------------------------- timing
#
# `# timing: real`: the script's timeline under apy must match python3's within 0.1 s.
# One measuring round runs apy and python3 on the script at the same moment, both with
# unbuffered stdout (-u), and notes when each line of output arrives and when the process
# exits. A timeline counts from the first line, so that neither interpreter's start-up
# (0.05 s for python3 on an idle machine, up to a second on a loaded one, as much for an
# ASan build of apy) is part of it: real-time scripts print a line before their first
# sleep. The round matches when every line arrives within the tolerance of its twin and
# apy exits no later than python3 plus the tolerance, nor more than EXIT_SLACK earlier
# (python3's shut-down alone takes 0.03-0.07 s idle, more under load). A mismatch with
# matching output is measured again, TIMING_ATTEMPTS rounds in all: the test fails only if
# every round is off, which a real timing bug (a sleep off by more than the tolerance) does.

TIMING_ATTEMPTS = 5
EXIT_SLACK = 0.5  # seconds


def _oracle_command() -> list[str]:
    return shlex.split(os.environ.get("APY_ORACLE", "python3")) + ["-X", "utf8"]  # real time


def _timeline(result: Result, line_times: list[float]) -> list[float]:
    """Moments of each line and of the exit, counted from the first line."""
    points = line_times + [result.elapsed]
    return [t - points[0] for t in points]


def _timing_round(script: Path, apy: list[str], flags: list[str],
                  overrides: dict[str, str], timeout: float) -> tuple[Result, bool, str]:
    """Returns apy's result on the script, whether the timelines match, and a report."""
    times: dict[str, list[float]] = {"apy": [], "py": []}
    jobs = {
        "apy": lambda: run_script(script, apy, extra_flags=["-u"] + flags,
                                  env_overrides=overrides, timeout=timeout,
                                  line_times=times["apy"]),
        "py": lambda: run_script(script, _oracle_command() + ["-u"], timeout=timeout,
                                 line_times=times["py"]),
    }
    results: dict[str, Result] = {}
    threads = [threading.Thread(target=lambda k=k, f=f: results.__setitem__(k, f()))
               for k, f in jobs.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    r = results["apy"]
    if results["py"].exit_code is None:
        return r, False, "timing: python3 timed out on the script"
    if len(times["apy"]) != len(times["py"]):
        return r, False, (f"timing: apy printed {len(times['apy'])} lines, python3 "
                          f"{len(times['py'])}")
    apy_line, py_line = _timeline(r, times["apy"]), _timeline(results["py"], times["py"])
    tolerance = float(os.environ.get("APY_TIMING_TOLERANCE", DEFAULT_TIMING_TOLERANCE))
    deltas = [a - p for a, p in zip(apy_line, py_line)]
    lines_ok = all(abs(d) <= tolerance for d in deltas[:-1])
    exit_ok = -EXIT_SLACK <= deltas[-1] <= tolerance
    ok = lines_ok and exit_ok
    worst = max(range(len(deltas) - 1), key=lambda i: abs(deltas[i]))
    report = (f"timing (s after the first line): apy "
              f"{' '.join(f'{t:.3f}' for t in apy_line[1:])}, python3 "
              f"{' '.join(f'{t:.3f}' for t in py_line[1:])}; largest difference at a line "
              f"{deltas[worst]:+.3f} s (line {worst + 1}), at the exit {deltas[-1]:+.3f} s; "
              f"tolerance {tolerance:g} s (exit: -{EXIT_SLACK:g} to +{tolerance:g} s): "
              f"{'ok' if ok else 'FAIL'}")
    return r, ok, report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--apy", required=True, help="interpreter command (e.g. build/apy)")
    ap.add_argument("--timeout", type=float,
                    default=float(os.environ.get("APY_GOLDEN_TIMEOUT", DEFAULT_TIMEOUT)))
    ap.add_argument("script", help="the golden .apy script")
    opts = ap.parse_args(argv)

    script = Path(opts.script).resolve()
    if not script.exists():
        print(f"run_golden: no such script: {script}", file=sys.stderr)
        return 2
    apy = shlex.split(opts.apy)
    if os.sep in apy[0] or apy[0].startswith("."):
        apy[0] = str(Path(apy[0]).resolve())
    directives = read_directives(script)
    overrides = {}
    if "APY_VIRTUAL_TIME" in os.environ:  # passed through explicitly (documented knob)
        overrides["APY_VIRTUAL_TIME"] = os.environ["APY_VIRTUAL_TIME"]
    if directives.timing is not None and directives.timing != "real":
        print(f"run_golden: unknown timing directive {directives.timing!r} (expected 'real')",
              file=sys.stderr)
        return 2
    timing_problems: list[str] = []
    if directives.timing == "real":
        for attempt in range(1, TIMING_ATTEMPTS + 1):
            result, ok, report = _timing_round(script, apy, directives.flags, overrides,
                                               opts.timeout)
            print(f"[{attempt}/{TIMING_ATTEMPTS}] {report}")
            problems = compare(script, result)
            timing_problems = [] if ok else [f"timing differs from python3's\n  {report}\n"]
            if ok or problems or result.exit_code is None:
                break
    else:
        result = run_script(script, apy, extra_flags=directives.flags,
                            env_overrides=overrides, timeout=opts.timeout)
        problems = compare(script, result)
    problems += timing_problems
    if result.exit_code is None:
        problems.insert(0, f"TIMEOUT after {opts.timeout:g} s (a hang is a failure)\n")
    elif result.exit_code < 0:
        try:
            sig = signal.Signals(-result.exit_code).name
        except ValueError:
            sig = str(-result.exit_code)
        problems.insert(0, f"CRASH: killed by signal {sig}\n")
    if not problems:
        return 0
    cmd = " ".join(shlex.quote(a) for a in apy + directives.flags + [script.name]
                   + directives.args)
    print(f"FAIL {script}\n  command: (cd {script.parent} && {cmd})")
    for p in problems:
        sys.stdout.write(p)
    if result.stderr:
        tail = result.stderr.decode("utf-8", errors="replace").splitlines()[-15:]
        print("--- last stderr lines:")
        print("\n".join(tail))
    return 1


if __name__ == "__main__":
    sys.exit(main())
