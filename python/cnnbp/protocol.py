"""The JSON-lines protocol of `cnnbp suite` and `cnnbp hunt` (docs/protocol.md), from the implementation's side."""
import json
import sys

from .case import Case, result_json


class Unsupported(Exception):
    """A case the implementation does not handle (say, dilation): return it or raise it from the handler, with why."""


def serve(handler, input=None, output=None):
    """Answers cases until the input ends: reads one case per line (default standard input) as a Case (params in
    full, as suite and hunt send them), calls handler(case), and writes its answer as one JSON line, flushed (default
    standard output). The handler returns a dict of arrays (what check() takes) or Unsupported("why"). Any other
    exception it raises ends the process with its traceback, which suite and hunt show with the failed case."""
    input, output = input or sys.stdin, output or sys.stdout
    for line in input:
        if not line.strip():
            continue
        case = Case.from_json(json.loads(line))
        try:
            answer = handler(case)
        except Unsupported as why:
            answer = why
        answer = {"unsupported": str(answer)} if isinstance(answer, Unsupported) else result_json(answer)
        output.write(json.dumps(answer) + "\n")
        output.flush()
