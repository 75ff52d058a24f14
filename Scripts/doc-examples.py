#!/usr/bin/env python3
"""Runs the quick examples of README.md and Docs/*.md, as Rust runs its doctests.

A fenced block whose info string is `sh quick` is an example: its lines that start with `$ ` are
commands (a line ending in a backslash goes on to the next), and the lines after a command, up to
the next one, are what it must print (standard output and error together). A line `...` stands
for any number of lines; `...` inside a line for any text. A command with no lines after it is
checked for its exit status only. Each command must exit 0 and print what is shown.

The examples of one file run in order in one temporary folder (so a later one may use what an
earlier one wrote), with the `fashion` under test first on the PATH, each command with a
deadline (60 s, DOC_EXAMPLE_TIMEOUT) after which it is killed and reported.

Usage: Scripts/doc-examples.py --fashion PATH [FILE...]   (default: README.md and Docs/*.md)
Exits 0 when every example passes, 1 when one fails; prints a skip reason and exits 0 when the
dataset is not installed (the examples read Fashion-MNIST).
"""
import argparse
import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

FENCE = re.compile(r"^(\s*)(```+|~~~+)\s*(.*)$")


def examples(path):
    """Yields (line number, [(command, [expected lines])]) for each quick block of a file."""
    with open(path, encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    index = 0
    while index < len(lines):
        match = FENCE.match(lines[index])
        if not match:
            index += 1
            continue
        fence, info = match.group(2), match.group(3).split()
        start = index + 1
        end = start
        while end < len(lines) and not lines[end].strip().startswith(fence):
            end += 1
        if info[:2] == ["sh", "quick"]:
            yield start, parse(lines[start:end])
        index = end + 1


def parse(block):
    commands = []
    pending = None
    for line in block:
        if pending is not None:
            pending += "\n" + line
            if not line.endswith("\\"):
                commands.append((pending, []))
                pending = None
            continue
        if line.startswith("$ "):
            command = line[2:]
            if command.endswith("\\"):
                pending = command
            else:
                commands.append((command, []))
        elif commands:
            commands[-1][1].append(line)
    return commands


def matches(expected, actual):
    """Whether the actual lines fit the expected ones, `...` lines and in-line `...` as wildcards."""
    if not expected:
        return True
    pattern = ""
    for line in expected:
        if line.strip() == "...":
            pattern += r"(?:.*\n)*?"
        else:
            pattern += ".*".join(re.escape(part) for part in line.rstrip().split("...")) + r"[ \t]*\n"
    text = "\n".join(line.rstrip() for line in actual.splitlines()) + "\n"
    return re.fullmatch(pattern, text) is not None


def run(command, folder, env, timeout):
    process = subprocess.Popen(
        ["bash", "-c", command], cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True)
    try:
        output, _ = process.communicate(timeout=timeout)
        return process.returncode, output, False
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        return None, output, True


def self_test():
    """The matcher can fail (run before the examples)."""
    assert matches(["a", "...", "c"], "a\nb\nb\nc\n")
    assert matches(["x ... y"], "x 12 y\n")
    assert not matches(["a"], "b\n")
    assert not matches(["a", "c"], "a\nb\nc\n")
    assert matches([], "anything\n")


def main():
    self_test()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fashion", required=True, help="the fashion executable under test")
    parser.add_argument("files", nargs="*")
    arguments = parser.parse_args()
    fashion = os.path.abspath(arguments.fashion)
    if not os.access(fashion, os.X_OK):
        print(f"doc-examples: {fashion} is not an executable (build it first)", file=sys.stderr)
        return 1
    files = arguments.files or ["README.md"] + sorted(glob.glob("Docs/*.md"))
    if not (os.environ.get("FASHION_MNIST_DIR") or os.path.isdir("/usr/share/datasets/fashion-mnist")
            or os.path.isdir(os.path.expanduser("~/.cache/fashion/fashion-mnist"))):
        print("doc-examples: skipped: the Fashion-MNIST data is not installed (make deps installs it)")
        return 0
    timeout = float(os.environ.get("DOC_EXAMPLE_TIMEOUT", "60"))
    bin_folder = tempfile.mkdtemp(prefix="doc-examples-bin-")
    os.symlink(fashion, os.path.join(bin_folder, "fashion"))
    env = dict(os.environ, PATH=bin_folder + os.pathsep + os.environ.get("PATH", ""), NO_COLOR="1",
               COLUMNS="120")
    env.pop("FASHION_STORE", None)
    failures = count = 0
    started = time.time()
    try:
        for path in files:
            folder = tempfile.mkdtemp(prefix="doc-examples-")
            try:
                for line, commands in examples(path):
                    for command, expected in commands:
                        count += 1
                        status, output, timed_out = run(command, folder, env, timeout)
                        where = f"{path}:{line}"
                        if timed_out:
                            failures += 1
                            print(f"doc-examples: FAILED {where}: `{command}` did not finish within {timeout:g} s")
                        elif status != 0:
                            failures += 1
                            print(f"doc-examples: FAILED {where}: `{command}` exited {status}:\n{output}")
                        elif not matches(expected, output):
                            failures += 1
                            print(f"doc-examples: FAILED {where}: `{command}` printed\n{output}\n"
                                  "but the page shows\n" + "\n".join(expected))
            finally:
                shutil.rmtree(folder, ignore_errors=True)
    finally:
        shutil.rmtree(bin_folder, ignore_errors=True)
    seconds = time.time() - started
    if failures:
        print(f"doc-examples: {failures} of {count} documented commands failed ({seconds:.1f} s)")
        return 1
    print(f"doc-examples: {count} documented commands ran as the pages show ({seconds:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
