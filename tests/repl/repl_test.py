#!/usr/bin/env python3
"""Drives apy's REPL through a pseudo-terminal, as a user at a terminal would.

usage: repl_test.py --apy PATH [TEST ...]   (no TEST: all of them)

Each test starts `apy` on a fresh pty (TERM=dumb, 80 columns, a temporary APY_HISTORY),
types keys and waits for output with a deadline, so a hang is a failure, not a stall.
"""
import argparse
import os
import pty
import queue
import re
import select
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import fcntl
import threading
import time

TIMEOUT = float(os.environ.get("APY_REPL_TIMEOUT", "10"))
ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-Za-z]|[\x07]")


class Failure(Exception):
    pass


class Repl:
    def __init__(self, apy, args=(), history=None, cwd=None):
        env = dict(os.environ)
        env["TERM"] = "dumb"
        env["APY_HISTORY"] = history or os.path.join(tempfile.mkdtemp(), "history")
        env.pop("APY_VIRTUAL_TIME", None)
        self.history = env["APY_HISTORY"]
        pid, fd = pty.fork()
        if pid == 0:
            try:
                if cwd:
                    os.chdir(cwd)
                os.execve(apy, [apy, *args], env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.raw = b""   # everything read
        self.text = ""   # the same with escape sequences removed, \r\n as \n
        self.pos = 0     # expectations search from here
        self.status = None

    def _read(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        ready, _, _ = select.select([self.fd], [], [], min(left, 0.1))
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 4096)
        except OSError:  # EIO: the child closed the terminal
            chunk = b""
        if not chunk:
            return False
        self.raw += chunk
        self.text = ANSI.sub(b"", self.raw).replace(b"\r\n", b"\n").decode("utf-8", "replace")
        return True

    def expect(self, pattern, timeout=TIMEOUT):
        """Waits for [pattern] (a regex) in the output after the last match; returns it."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while True:
            m = regex.search(self.text, self.pos)
            if m:
                self.pos = m.end()
                return m
            if not self._read(deadline):
                m = regex.search(self.text, self.pos)
                if m:
                    self.pos = m.end()
                    return m
                raise Failure("expected %r; output after the last match:\n%s" %
                              (pattern, self.text[self.pos:]))

    def expect_prompt(self, timeout=TIMEOUT):
        return self.expect(r">>> ", timeout)

    def send(self, keys):
        os.write(self.fd, keys.encode())

    def line(self, text):
        """Types [text] and Enter."""
        self.send(text + "\r")

    def settle(self, seconds):
        """Reads output for [seconds] (to see that nothing happens, or let time pass)."""
        deadline = time.monotonic() + seconds
        while self._read(deadline):
            pass

    def wait(self, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._read(min(deadline, time.monotonic() + 0.1))
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)
                return self.status
        raise Failure("apy did not exit; output:\n" + self.text[self.pos:])

    def close(self):
        if self.fd is None:
            return
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except OSError:
                pass
        os.close(self.fd)
        self.fd = None


# ---------------------------------------------------------------------- the tests

def test_banner_and_echo(r):
    r.expect(r"apy \d+\.\d+\.\d+ .*\n>>> ")
    r.line("1 + 2")
    r.expect(r"\n3\n>>> ")
    r.line("None")
    r.expect_prompt()
    r.line("_ * 2")  # _ is the last echoed result, None was not echoed
    r.expect(r"\n6\n>>> ")
    r.line("asyncio.sleep")  # asyncio already imported
    r.expect(r"<function sleep|<built-in function sleep")
    r.expect_prompt()


def test_multiline_def(r):
    r.expect_prompt()
    r.line("def f(x):")
    r.expect(r"\.\.\. ")
    r.line("    y = x * 2")
    r.expect(r"\.\.\. ")
    r.line("    return y")
    r.expect(r"\.\.\. ")
    r.line("")
    r.expect_prompt()
    r.line("f(21)")
    r.expect(r"\n42\n>>> ")
    r.line("for i in range(3):")
    r.expect(r"\.\.\. ")
    r.send("\t")  # Tab in the indentation indents
    r.line("print('i', i)")
    r.expect(r"\.\.\. ")
    r.line("")
    r.expect(r"i 0\ni 1\ni 2\n>>> ")


def test_top_level_await(r):
    r.expect_prompt()
    r.line("async def later(delay, text):")
    r.line("    await asyncio.sleep(delay)")
    r.line("    print(text)")
    r.line("    return text")
    r.line("")
    r.expect_prompt()
    r.line("r = await later(0.05, 'direct')")
    r.expect(r"direct\n>>> ")
    r.line("r")
    r.expect(r"'direct'\n>>> ")
    r.line("await asyncio.sleep(0.01, result=7)")
    r.expect(r"\n7\n>>> ")
    # A task made in one entry runs while a later entry awaits...
    r.line("t = asyncio.create_task(later(0.2, 'background'))")
    r.expect_prompt()
    r.line("await asyncio.sleep(0.6); print('slept')")
    r.expect(r"background\n(.*\n)?slept\n>>> ")
    r.line("t.result()")
    r.expect(r"'background'\n>>> ")
    # ...and while the prompt waits for input.
    r.line("t2 = asyncio.create_task(later(0.3, 'while idle'))")
    r.expect_prompt()
    r.expect(r"while idle", timeout=5)
    r.line("t2.done(), asyncio.get_running_loop() is t2.get_loop()")
    r.expect(r"\(True, True\)\n>>> ")


def test_completion(r):
    r.expect_prompt()
    r.send("asyncio.cr\t")
    r.expect(r"create_task\(")
    r.send("\x15")  # Ctrl-U: kill the line
    r.line("")
    r.expect_prompt()
    r.line("class Point:")
    r.line("    def __init__(self): self.xcoord = 1")
    r.line("    def norm(self): return 0")
    r.line("")
    r.expect_prompt()
    r.line("pt = Point()")
    r.expect_prompt()
    r.send("pt.\t\t")
    m = r.expect(r"pt\.norm\((.|\n)*>>> pt\.")
    if "pt.xcoord" not in m.group(0):
        raise Failure("members listed without pt.xcoord:\n" + m.group(0))
    r.send("xc\t\r")
    r.expect(r"\n1\n>>> ")
    r.send("pri\t'done')\r")
    r.expect(r"\ndone\n>>> ")


def test_ctrl_c(r):
    r.expect_prompt()
    # While typing: the line is dropped.
    r.send("1 + ")
    r.send("\x03")
    r.expect(r"KeyboardInterrupt\n>>> ")
    r.line("2 + 2")
    r.expect(r"\n4\n>>> ")
    # While awaiting: KeyboardInterrupt in the entry; the loop and its tasks live on.
    r.line("async def later():")
    r.line("    await asyncio.sleep(1.0)")
    r.line("    print('still alive')")
    r.line("")
    r.expect_prompt()
    r.line("t = asyncio.create_task(later())")
    r.expect_prompt()
    # Each Ctrl-C below follows a line that the entry prints once it waits (a fixed delay
    # can end before a loaded machine runs the entry at all).
    r.line("print('waiting'); await asyncio.sleep(100)")
    r.expect(r"\nwaiting\n")
    r.settle(0.1)
    r.send("\x03")
    r.expect(r"Traceback(.|\n)*KeyboardInterrupt\n>>> ", timeout=3)
    r.line("3 + 3")
    r.expect(r"\n6\n>>> ")
    r.expect(r"still alive", timeout=5)
    # A KeyboardInterrupt that the entry catches.
    r.line("try:")
    r.line("    print('waiting in try')")
    r.line("    await asyncio.sleep(100)")
    r.line("except KeyboardInterrupt:")
    r.line("    print('caught')")
    r.line("")
    r.expect(r"\nwaiting in try\n")
    r.settle(0.1)
    r.send("\x03")
    r.expect(r"caught\n>>> ", timeout=3)
    # While input() waits for a line; and input() itself.
    r.line("input('name? ')")
    r.expect(r"\nname\? ")
    r.settle(0.2)
    r.send("\x03")
    r.expect(r"Traceback(.|\n)*KeyboardInterrupt\n>>> ", timeout=3)
    r.line("input('name? ')")
    r.expect(r"\nname\? ")
    r.settle(0.2)
    r.line("bob")
    r.expect(r"'bob'\n>>> ")
    # While running a busy loop.
    r.line("def spin():")
    r.line("    print('spinning')")
    r.line("    while True: pass")
    r.line("")
    r.expect_prompt()
    r.line("spin()")
    r.expect(r"\nspinning\n")
    r.settle(0.1)
    r.send("\x03")
    r.expect(r"KeyboardInterrupt\n>>> ", timeout=3)
    r.line("'alive'")
    r.expect(r"'alive'\n>>> ")


def test_error_then_entry(r):
    r.expect_prompt()
    r.line("1/0")
    r.expect(r"Traceback \(most recent call last\):\n  File \"<stdin>\", line 1, in <module>\n"
             r"ZeroDivisionError: division by zero\n>>> ")
    r.line("def (")
    r.expect(r"SyntaxError: .*\n>>> ")
    r.line("async def boom():")
    r.line("    raise ValueError('in task')")
    r.line("")
    r.expect_prompt()
    r.line("await boom()")
    r.expect(r"ValueError: in task\n>>> ")
    r.line("print('still here')")
    r.expect(r"\nstill here\n>>> ")


def test_history(r, apy):
    r.expect_prompt()
    r.line("x = 41")
    r.expect_prompt()
    r.line("def g():")
    r.line("    return 'multi'")
    r.line("")
    r.expect_prompt()
    text = open(r.history).read()  # written after every entry, before the session ends
    if not re.search(r"#\d+\nx = 41\n#\d+\ndef g\(\):\n    return 'multi'\n$", text):
        raise Failure("history file lacks the entries:\n" + text)
    r.send("\x04")
    if r.wait() != 0:
        raise Failure("Ctrl-D: exit status %s" % r.status)
    r2 = Repl(apy, history=r.history)
    try:
        r2.expect_prompt()
        r2.send("\x1b[A")  # Up: the whole def, one entry
        r2.send("\r")
        r2.expect_prompt()
        r2.line("g()")
        r2.expect(r"'multi'\n>>> ")
        r2.send("\x1b[A\x1b[A\x1b[A\x1b[A")  # g(), def, def, x = 41
        r2.send("\r")
        r2.expect_prompt()
        r2.line("x + 1")
        r2.expect(r"\n42\n>>> ")
    finally:
        r2.close()


def test_exit(r, apy):
    r.expect_prompt()
    r.send("\x04")
    if r.wait() != 0:
        raise Failure("Ctrl-D: exit status %s" % r.status)
    r2 = Repl(apy)
    try:
        r2.expect_prompt()
        r2.line("exit(3)")
        if r2.wait() != 3:
            raise Failure("exit(3): exit status %s" % r2.status)
    finally:
        r2.close()
    r3 = Repl(apy)
    try:
        r3.expect_prompt()
        r3.line("quit()")
        if r3.wait() != 0:
            raise Failure("quit(): exit status %s" % r3.status)
    finally:
        r3.close()


def test_dash_i_file(r, apy):
    r.close()
    folder = tempfile.mkdtemp()
    script = os.path.join(folder, "script.py")
    with open(script, "w") as f:
        f.write("x = 5\ndef h():\n    return x * 2\nprint('ran')\n")
    r2 = Repl(apy, args=["-i", script])
    try:
        r2.expect(r"ran\n>>> ")
        r2.line("h()")
        r2.expect(r"\n10\n>>> ")
    finally:
        r2.close()


def test_stdin_not_a_terminal(r, apy):
    r.close()
    out = subprocess.run([apy], input="print(6 * 7)\nimport sys\nprint(sys.argv)\n",
                         capture_output=True, text=True, timeout=TIMEOUT)
    if out.stdout != "42\n['']\n" or out.returncode != 0:
        raise Failure("apy < file: %r %r %s" % (out.stdout, out.stderr, out.returncode))


def test_dash_i_piped(r, apy):
    # apy -i with stdin not a terminal: the same session without readline, prompts on stderr.
    r.close()
    program = ("async def f():\n    return 5\n\nawait f()\n1/0\n"
               "t = asyncio.create_task(f())\nawait t\nexit(2)\n")
    out = subprocess.run([apy, "-i"], input=program, capture_output=True, text=True,
                         timeout=TIMEOUT)
    if (out.stdout != "5\n5\n" or out.returncode != 2 or
            "ZeroDivisionError: division by zero" not in out.stderr or ">>> " not in out.stderr):
        raise Failure("apy -i < file: %r %r %s" % (out.stdout, out.stderr, out.returncode))


SCRIPT_CTRL_C = """\
import asyncio, time
async def worker():
    try:
        print("worker waits", flush=True)
        await asyncio.sleep(100)
    finally:
        print("worker cleanup", flush=True)
async def main():
    asyncio.create_task(worker())
    try:
        await asyncio.sleep(100)
    finally:
        print("main cleanup", flush=True)
try:
    print("looping", flush=True)
    while True:
        pass
except KeyboardInterrupt:
    print("caught in a loop", flush=True)
try:
    print("sleeping", flush=True)
    time.sleep(100)
except KeyboardInterrupt:
    print("caught in time.sleep", flush=True)
asyncio.run(main())
"""
# The lines after which SCRIPT_CTRL_C waits inside a try block for its next Ctrl-C.
CTRL_C_MARKERS = ("looping", "sleeping", "worker waits")


def interrupted_run(command, script):
    """Runs [command script] and sends SIGINT each time it prints one of CTRL_C_MARKERS (a
    fixed delay would hit an interpreter still starting on a loaded machine); returns
    (stdout, last stderr line, status)."""
    # SIGINT at its default even when this runs in a background job (which ignores it).
    p = subprocess.Popen(command + [script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    lines = queue.Queue()  # stdout's lines, then None
    err = []
    def read_stdout():
        for line in p.stdout:
            lines.put(line)
        lines.put(None)

    readers = [threading.Thread(target=read_stdout),
               threading.Thread(target=lambda: err.append(p.stderr.read()))]
    for t in readers:
        t.start()
    out = []
    ended = False
    deadline = time.monotonic() + TIMEOUT
    for marker in CTRL_C_MARKERS:
        while not ended and (not out or out[-1].strip() != marker):
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break  # stuck before the marker: what it printed shows it
            if line is None:
                ended = True
            else:
                out.append(line)
        if ended or out[-1:] != [marker + "\n"]:
            break
        p.send_signal(signal.SIGINT)
    try:
        p.wait(timeout=max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    for t in readers:
        t.join()
    while not ended and (line := lines.get()) is not None:
        out.append(line)
    err_lines = "".join(err).strip().splitlines()
    return "".join(out), err_lines[-1] if err_lines else "", p.returncode


def test_script_ctrl_c(r, apy):
    # A script gets KeyboardInterrupt as CPython's does: in a loop, in time.sleep, and in
    # asyncio.run (the tasks' finally blocks run), then the process dies of SIGINT.
    r.close()
    folder = tempfile.mkdtemp()
    script = os.path.join(folder, "interrupted.py")
    with open(script, "w") as f:
        f.write(SCRIPT_CTRL_C)
    got = interrupted_run([apy], script)
    want = interrupted_run([sys.executable], script)
    if got != want:
        raise Failure("Ctrl-C in a script: apy %r, python3 %r" % (got, want))


TESTS = {name[5:]: fn for name, fn in globals().items() if name.startswith("test_")}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--apy", required=True)
    parser.add_argument("tests", nargs="*")
    args = parser.parse_args()
    apy = os.path.abspath(args.apy)
    failed = 0
    for name in args.tests or TESTS:
        fn = TESTS[name]
        r = Repl(apy)
        start = time.monotonic()
        try:
            if fn.__code__.co_argcount == 2:
                fn(r, apy)
            else:
                fn(r)
            print("ok   %s (%.1fs)" % (name, time.monotonic() - start))
        except Failure as e:
            failed += 1
            print("FAIL %s: %s" % (name, e))
        finally:
            r.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
