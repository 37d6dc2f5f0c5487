#!/usr/bin/env python3
"""A stand-in for an LLM command line: prompt on stdin, one JSON record on stdout.

Environment variables choose the behaviour under test:
FAKE_LLM_DELAY=seconds   sleep first            FAKE_LLM_FAIL=1     exit 1, message on stderr
FAKE_LLM_GARBAGE=1       answer non-JSON        FAKE_LLM_FENCED=1   ```json fence plus chatter
FAKE_LLM_HANG=1          never answer; a child `sleep` also holds stdout (tests group kill)
FAKE_LLM_ORPHAN=stdout   answer, but leave a child `sleep` holding stdout (=devnull: not)
FAKE_LLM_LOG=file        append a JSON line per call: argv, stdin_length, pid, time (child)
FAKE_LLM_PROMPT=file     write the prompt received there
"""

import json
import os
import re
import subprocess
import sys
import time


def main() -> int:
    prompt = sys.stdin.read()
    env = os.environ
    match = re.search(r"^File path \(JSON string\): (\".*\")$", prompt, re.MULTILINE)
    path = json.loads(match.group(1)) if match else "unknown"
    entry = {"argv": sys.argv, "stdin_length": len(prompt), "pid": os.getpid(),
             "time": time.time()}
    child = None
    if env.get("FAKE_LLM_HANG"):
        # Inherits our stdout: if only we were killed, the caller's pipe would stay open.
        child = subprocess.Popen(["sleep", "3600"])
        entry["child"] = child.pid
    if env.get("FAKE_LLM_ORPHAN"):
        out = subprocess.DEVNULL if env["FAKE_LLM_ORPHAN"] == "devnull" else None
        entry["child"] = subprocess.Popen(["sleep", "3000"], stdin=out, stdout=out,
                                          stderr=out).pid
    if env.get("FAKE_LLM_PROMPT"):
        with open(env["FAKE_LLM_PROMPT"], "w", encoding="utf-8") as out:
            out.write(prompt)
    if env.get("FAKE_LLM_LOG"):
        with open(env["FAKE_LLM_LOG"], "a", encoding="utf-8") as log:
            log.write(json.dumps(entry) + "\n")
    if child is not None:
        while True:
            time.sleep(3600)
    time.sleep(float(env.get("FAKE_LLM_DELAY", "0")))
    if env.get("FAKE_LLM_FAIL"):
        print("fake-llm: starting", file=sys.stderr)
        print("fake-llm: error: model overloaded", file=sys.stderr)
        return 1
    if env.get("FAKE_LLM_GARBAGE"):
        print("I'm sorry, I can't document this file today.")
        return 0
    stem = os.path.splitext(os.path.basename(path))[0] or "file"
    record = {
        "overview": f"Fake documentation of {path}.",
        "functions": [{"name": f"fake_{stem}", "signature": "()", "summary": "Fake.",
                       "line": 1}],
        "classes": [], "imports": [], "exports": [f"fake_{stem}"], "dependencies": [],
        "notes": [],
    }
    answer = json.dumps(record, indent=2)
    if env.get("FAKE_LLM_FENCED"):
        answer = f"Sure! Here is the record {{as asked}}:\n```json\n{answer}\n```\nAnything else?"
    print(answer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
