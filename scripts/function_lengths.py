#!/usr/bin/env python3
"""Lists C++ functions in src/ longer than a limit (default 80 lines, the brief's rule), longest
first; exits 1 when there is one. A function runs from the first line of its signature to its
closing brace. A small lexer (comments, strings and chars skipped, braces counted) is enough for
this code base's style; lambdas count as part of the function around them.
    scripts/function_lengths.py [--limit N] [paths...]   (default: src)"""
import argparse
import pathlib
import re
import sys

OPENERS = re.compile(r"(\)|\bconst|\boverride|\bnoexcept|\bmutable|\bfinal|->\s*[\w:<>,\s&*]+)\s*$")


def strip(text):
    """The text with comments, string and char literals blanked (newlines kept)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, j))
            i = j
        elif text.startswith('R"', i):
            m = re.match(r'R"([^(]*)\(', text[i:])
            end = text.find(")" + m.group(1) + '"', i) + len(m.group(1)) + 2
            out.append('""' + "\n" * text.count("\n", i, end))
            i = end
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def functions(path):
    """(name, first line, last line) of each function body outside other function bodies."""
    text = strip(path.read_text())
    found, depth, body_depth, start, head_start, head_at, line = [], 0, None, 0, 1, 0, 1
    for i, c in enumerate(text):
        if c == "\n":
            line += 1
        elif c == "{":
            head = text[max(0, i - 400):i]
            if body_depth is None and OPENERS.search(head) and not re.search(r"\b(namespace|class|struct|enum|union)\b[^;{}]*$", head):
                sig = text[head_at:i]
                body_depth, start = depth, head_start + sig[: len(sig) - len(sig.lstrip())].count("\n")
                name = re.search(r"([\w:~]+)\s*\(", text[head_at:i])
                fname = name.group(1) if name else "?"
            depth += 1
            head_start, head_at = line, i + 1
        elif c == "}":
            depth -= 1
            if body_depth is not None and depth == body_depth:
                found.append((fname, start, line))
                body_depth = None
            head_start, head_at = line + 1, i + 1
        elif c == ";" and body_depth is None:
            head_start, head_at = line + 1, i + 1
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=80)
    ap.add_argument("paths", nargs="*", default=["src"])
    args = ap.parse_args()
    long = []
    for root in args.paths:
        for p in sorted(pathlib.Path(root).rglob("*")):
            if p.suffix in (".cpp", ".h", ".cu"):
                for name, a, b in functions(p):
                    if b - a + 1 > args.limit:
                        long.append((b - a + 1, f"{p}:{a}", name))
    for n, where, name in sorted(long, reverse=True):
        print(f"{n:5d} lines  {where}  {name}")
    return 1 if long else 0


if __name__ == "__main__":
    sys.exit(main())
