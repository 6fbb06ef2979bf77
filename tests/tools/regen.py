#!/usr/bin/env python3
"""Regenerate golden expectations by running python3 (CPython 3.11, the oracle).

    regen.py [paths...]        rewrite name.out / name.err of the given scripts or folders
                               (default: every script under tests/golden)
    regen.py --check [paths]   write nothing; exit 1 and list the scripts whose stored
                               expectations differ from what python3 prints now

For each tests/golden/**/name.apy (folders named `modules` below an area hold helper
modules, not tests), python3 runs `name.apy` with PYTHONHASHSEED=0, `-X utf8`, cwd = the
script's folder, stdin from name.in if present, extra argv from a `# args: ...` comment
in the first lines, and a 60 s timeout (see run_golden.py, which runs scripts the same way).
Several directives may sit on separate comment lines among the first 5 lines; `# flags:`
(apy options) and `# timing: real` (a wall-time check done by run_golden.py) do not change
how python3 runs the script; `# oracle: virtual-time` runs python3 through
tests/tools/virtual_clock.py (CPython's asyncio on a virtual clock) for scripts that sleep
for hours.
It writes:
  name.out     the exact stdout;
  name.err     only if the exit status is non-zero: `exit: N` and the last line of stderr;
  name.stderr  only for scripts with a `# check-stderr` comment: the whole stderr.
Scripts whose FIRST line is `# apy-only: <reason>` are skipped: their expectations test
apy-specific behaviour and are written by hand. Never edit generated files by hand.
"""

from __future__ import annotations

import argparse
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run_golden as rg  # noqa: E402


def expected_for(script: Path, python: list[str],
                 timeout: float) -> tuple[bytes, str | None, bytes | None]:
    """stdout, the .err text and (for `# check-stderr` scripts) the whole stderr."""
    directives = rg.read_directives(script)
    command = rg.oracle_command(python, directives)
    res = rg.run_script(script, command, timeout=timeout,
                        env_overrides={"PYTHONHASHSEED": "0"})
    if res.exit_code is None:
        raise RuntimeError(f"python3 timed out after {timeout:g} s on {script}")
    return res.stdout, res.err_text(), res.stderr if directives.check_stderr else None


def stored_for(script: Path) -> tuple[bytes | None, str | None, bytes | None]:
    out = script.with_suffix(".out")
    err = script.with_suffix(".err")
    stderr = script.with_suffix(".stderr")
    return (out.read_bytes() if out.exists() else None,
            err.read_text(encoding="utf-8") if err.exists() else None,
            stderr.read_bytes() if stderr.exists() else None)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="*", help="golden scripts or folders (default: all)")
    ap.add_argument("--check", action="store_true",
                    help="write nothing; exit 1 if stored expectations drifted")
    ap.add_argument("--python", default=os.environ.get("APY_ORACLE", "python3"),
                    help="the oracle interpreter (default: python3)")
    ap.add_argument("--timeout", type=float, default=rg.DEFAULT_TIMEOUT)
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("-q", "--quiet", action="store_true")
    opts = ap.parse_args(argv)

    python = opts.python.split()
    try:
        scripts = rg.find_scripts(opts.paths)
    except FileNotFoundError as e:
        print(f"regen: {e}", file=sys.stderr)
        return 2
    todo = [s for s in scripts if rg.read_directives(s).apy_only is None]
    skipped = len(scripts) - len(todo)

    def work(script: Path):
        try:
            return script, expected_for(script, python, opts.timeout), None
        except Exception as e:  # report, keep going
            return script, None, e

    drifted: list[Path] = []
    errors: list[str] = []
    written = 0
    with ThreadPoolExecutor(max_workers=max(1, opts.jobs)) as pool:
        for script, expected, exc in pool.map(work, todo):
            rel = os.path.relpath(script)
            if exc is not None:
                errors.append(f"{rel}: {exc}")
                continue
            out, err, stderr = expected
            if opts.check:
                if stored_for(script) != expected:
                    drifted.append(script)
                    print(f"DRIFT {rel}")
                continue
            if stored_for(script) == expected:
                continue
            script.with_suffix(".out").write_bytes(out)
            err_path = script.with_suffix(".err")
            if err is None:
                if err_path.exists():
                    err_path.unlink()
            else:
                err_path.write_text(err, encoding="utf-8")
            stderr_path = script.with_suffix(".stderr")
            if stderr is None:
                if stderr_path.exists():
                    stderr_path.unlink()
            else:
                stderr_path.write_bytes(stderr)
            written += 1
            if not opts.quiet:
                print(f"wrote {rel}" + (f"  [{err.splitlines()[0]}]" if err else ""))

    for e in errors:
        print(f"ERROR {e}", file=sys.stderr)
    if opts.check:
        print(f"regen --check: {len(todo)} scripts checked, {skipped} apy-only skipped, "
              f"{len(drifted)} drifted, {len(errors)} errors")
        if drifted:
            print("expectations differ from python3 for:\n  "
                  + "\n  ".join(os.path.relpath(p) for p in drifted)
                  + "\nrun: python3 tests/tools/regen.py <those paths>")
        return 1 if drifted or errors else 0
    print(f"regen: {len(todo)} scripts, {written} updated, {skipped} apy-only skipped, "
          f"{len(errors)} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
