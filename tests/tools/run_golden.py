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
  # timing: real             also check wall time (real-time asyncio scripts): run python3
                             (the oracle, $APY_ORACLE or python3) on the same script in the
                             same run, and fail when the two wall times, each minus that
                             interpreter's start-up cost, differ by more than 0.1 s
                             ($APY_TIMING_TOLERANCE seconds, if set); up to 5 measuring
                             rounds, one within tolerance passes; see "timing" below
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


def run_script(
    script: Path,
    command: list[str],
    *,
    extra_flags: list[str] | None = None,
    env_overrides: dict[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Result:
    """Run `command + extra_flags + [name.apy] + args` the golden way."""
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
        start = time.monotonic()
        try:
            proc = subprocess.run(
                argv,
                cwd=cwd,
                env=env,
                stdin=stdin,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                timeout=timeout,
            )
            stderr = proc.stderr
            if directives.check_stderr:
                # python3 shows the script's absolute path: keep tracebacks independent of
                # where the tree (or the temporary copy) lies.
                stderr = stderr.replace(str(cwd).encode() + os.sep.encode(), b"")
            return Result(proc.stdout, stderr, proc.returncode, time.monotonic() - start)
        except subprocess.TimeoutExpired as e:
            return Result(e.stdout or b"", e.stderr or b"", None, time.monotonic() - start)
        finally:
            if stdin is not subprocess.DEVNULL:
                stdin.close()
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
# `# timing: real`: the script's wall time under apy must match python3's within 0.1 s.
# "Wall time" is the elapsed time of the process minus that interpreter's start-up and
# shut-down cost. One measuring round starts four processes at the same moment: apy and
# python3 on the script, and apy and python3 on a baseline program that only does
# `import asyncio`; each baseline starts under the same machine load as its twin, so
# that subtracting it leaves the time the program itself takes (its scheduling and the
# accuracy of its sleeps). python3 needs 0.05 s to start on an idle machine, but far more,
# and noisily, under load; apy a few ms. A mismatch with matching output is measured
# again, TIMING_ATTEMPTS rounds in all: the test fails only if every round is off, which
# a real timing bug (sleeps off by more than the tolerance) does.

BASELINE_PROGRAM = "import asyncio\n"
TIMING_ATTEMPTS = 5


def _oracle_command() -> list[str]:
    return shlex.split(os.environ.get("APY_ORACLE", "python3")) + ["-X", "utf8"]  # real time


def _timing_round(script: Path, apy: list[str], flags: list[str],
                  overrides: dict[str, str], timeout: float) -> tuple[Result, bool, str]:
    """Returns apy's result on the script, whether the times match, and a report."""
    with tempfile.TemporaryDirectory(prefix="apy-timing-") as tmp:
        base = Path(tmp) / "timing_baseline.apy"
        base.write_text(BASELINE_PROGRAM, encoding="utf-8")
        jobs = {
            "apy": lambda: run_script(script, apy, extra_flags=flags,
                                      env_overrides=overrides, timeout=timeout),
            "py": lambda: run_script(script, _oracle_command(), timeout=timeout),
            "apy_base": lambda: run_script(base, apy, extra_flags=flags, timeout=timeout),
            "py_base": lambda: run_script(base, _oracle_command(), timeout=timeout),
        }
        results: dict[str, Result] = {}
        threads = [threading.Thread(target=lambda k=k, f=f: results.__setitem__(k, f()))
                   for k, f in jobs.items()]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    r = results["apy"]
    for key, what in (("apy_base", "apy"), ("py_base", "python3")):
        if results[key].exit_code != 0:
            return r, False, f"timing: {what} failed on the baseline `import asyncio`"
    if results["py"].exit_code is None:
        return r, False, "timing: python3 timed out on the script"
    apy_time = r.elapsed - results["apy_base"].elapsed
    py_time = results["py"].elapsed - results["py_base"].elapsed
    tolerance = float(os.environ.get("APY_TIMING_TOLERANCE", DEFAULT_TIMING_TOLERANCE))
    delta = apy_time - py_time
    ok = abs(delta) <= tolerance
    report = (f"timing: apy {apy_time:.3f} s (elapsed {r.elapsed:.3f} - start-up "
              f"{results['apy_base'].elapsed:.3f}), python3 {py_time:.3f} s (elapsed "
              f"{results['py'].elapsed:.3f} - start-up {results['py_base'].elapsed:.3f}), "
              f"difference {delta:+.3f} s, tolerance {tolerance:g} s: "
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
            timing_problems = [] if ok else [f"wall time differs from python3's\n  {report}\n"]
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
