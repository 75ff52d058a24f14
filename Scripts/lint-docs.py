#!/usr/bin/env python3
"""The project's files speak of the project, and its Markdown reads in a terminal.

Checks every tracked text file (documents, code and its comments, messages, scripts):
  - no mention of work sessions or issue numbers (the word for a session with a number after
    it, or "this", "last" and the like before it; the word for an issue with a number or "#"
    and a number after it; see HISTORY): the history lives in git, not in the files;
  - no Markdown line over 120 characters outside tables, pictures and fenced blocks (pasted output,
    code).

Prints each finding as FILE:LINE: what, and exits 1 if there is any.
Usage: Scripts/lint-docs.py [FILE...]   (default: every file git tracks)
"""
import re
import subprocess
import sys

HISTORY = re.compile(
    r"\bsessions? \d+\b"
    r"|\b(?:this|last|next|previous|earlier|later|a later|an earlier|that) (?:work )?session\b"
    r"|\bsession's\b"
    r"|\bissues? #?\d+\b"
    r"|\bissue's\b",
    re.IGNORECASE,
)
MARKDOWN_WIDTH = 120
BINARY_SUFFIXES = (
    ".png", ".jpg", ".jpeg", ".gz", ".safetensors", ".sqlite", ".onnx", ".bin", ".idx", ".ttf",
)
# The lint's own patterns name what they look for.
SKIPPED = {"Scripts/lint-docs.py"}


def tracked_files():
    out = subprocess.run(["git", "ls-files"], capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if line]


def check(path, text):
    findings = []
    in_fence = False
    fence = ""
    for number, line in enumerate(text.splitlines(), start=1):
        match = HISTORY.search(line)
        if match:
            findings.append(f"{path}:{number}: speaks of work history ('{match.group(0)}'); say what the project does")
        if not path.endswith(".md"):
            continue
        stripped = line.lstrip()
        if stripped.startswith("```") or stripped.startswith("~~~"):
            marker = stripped[:3]
            if not in_fence:
                in_fence, fence = True, marker
            elif marker == fence:
                in_fence = False
            continue
        if in_fence or stripped.startswith("|") or stripped.startswith("!["):
            continue
        if len(line) > MARKDOWN_WIDTH:
            findings.append(f"{path}:{number}: a line of {len(line)} characters (at most {MARKDOWN_WIDTH} outside "
                            "tables and fenced blocks)")
    return findings


def self_test():
    """The checks find what they look for and leave alone what they should (run before each lint)."""
    # Built from pieces, so that this file does not say what it forbids.
    session, issue = "ses" + "sion", "is" + "sue"
    bad = f"As {session} 12 measured,\nthis {session}'s run\nsee {issue} #18\n" + "x" * 121 + "\n"
    good = ("A PostgreSQL session that sits silent\nURLSession\n| " + "x" * 130 + " |\n```\n"
            + "y" * 130 + "\n```\n")
    found = check("bad.md", bad)
    assert len(found) == 4, found
    assert check("good.md", good) == [], check("good.md", good)
    assert check("code.swift", "z" * 200) == []


def main(argv):
    self_test()
    paths = argv[1:] or [p for p in tracked_files() if p not in SKIPPED]
    findings = []
    for path in paths:
        if path.lower().endswith(BINARY_SUFFIXES):
            continue
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        except (UnicodeDecodeError, IsADirectoryError, FileNotFoundError):
            continue
        findings.extend(check(path, text))
    for finding in findings:
        print(finding)
    if findings:
        print(f"lint-docs: {len(findings)} finding(s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
