#!/usr/bin/env python3
"""Runs a test command with a time limit that cannot be missed.

    Scripts/test-watchdog.py SECONDS COMMAND...

The command's output passes through unchanged. Swift Testing's lines ("Test X started.",
"Test X passed/failed/skipped") tell which tests are running. When the command is still running
after SECONDS, the watchdog prints the tests that started and did not end, every thread's
backtrace of each test process (gdb, attached in batch mode, itself given a minute), kills the
command's process group and exits 1. So a stuck run ends red, with the evidence, instead of
waiting for whoever started it to notice.

FASHION_TEST_LIMIT overrides SECONDS.
"""

import os
import re
import signal
import subprocess
import sys
import threading
import time

STARTED = re.compile(r"^◇ Test (.+) started\.$")
ENDED = re.compile(r"^[✔✘↷] Test (.+?) (passed|failed|skipped|recorded)")
CASE_STARTED = re.compile(r"^◇ Test case passing .* to (.+) started\.$")


def children(pid):
    """Every descendant of pid, from /proc."""
    parents = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            parents.setdefault(int(fields[1]), []).append(int(entry))
        except OSError:
            continue
    found, stack = [], [pid]
    while stack:
        for child in parents.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def command_line(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"


def backtraces(pid):
    try:
        result = subprocess.run(
            ["gdb", "-batch", "-nx", "-p", str(pid), "-ex", "set pagination off", "-ex", "thread apply all bt"],
            capture_output=True, text=True, timeout=60)
        return result.stdout + result.stderr
    except FileNotFoundError:
        return "(gdb is not installed: Scripts/install-deps.sh installs it)\n"
    except subprocess.TimeoutExpired:
        return "(gdb did not finish within 60 s)\n"


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    limit = float(os.environ.get("FASHION_TEST_LIMIT", sys.argv[1]))
    command = sys.argv[2:]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    running = {}
    lock = threading.Lock()

    def pump():
        for raw in process.stdout:
            line = raw.decode(errors="replace")
            sys.stdout.write(line)
            sys.stdout.flush()
            text = line.strip()
            with lock:
                match = STARTED.match(text) or CASE_STARTED.match(text)
                if match and not text.startswith("◇ Test run"):
                    running[match.group(1)] = running.get(match.group(1), 0) + 1
                    continue
                match = ENDED.match(text)
                if match and match.group(2) != "recorded" and match.group(1) in running:
                    running[match.group(1)] -= 1
                    if running[match.group(1)] <= 0:
                        del running[match.group(1)]

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            reader.join(timeout=10)
            return process.returncode
        time.sleep(0.5)

    print(f"\ntest-watchdog: the tests did not finish within {limit:.0f} s (FASHION_TEST_LIMIT); stopping them",
          flush=True)
    with lock:
        names = sorted(running)
    print("test-watchdog: started and not ended:" if names else "test-watchdog: no test was running", flush=True)
    for name in names:
        print(f"  {name}", flush=True)
    for pid in [process.pid] + children(process.pid):
        line = command_line(pid)
        if ".xctest" in line or "swiftpm-testing-helper" in line:
            print(f"\ntest-watchdog: every thread of {pid} ({line}):", flush=True)
            print(backtraces(pid), flush=True)
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()
    print("test-watchdog: FAILED: the run was stopped by the watchdog", flush=True)
    return 1


if __name__ == "__main__":
    sys.exit(main())
