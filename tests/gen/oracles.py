"""The generator's Python oracles, served to the Go test as JSON lines.

One long-lived process serves every template of a run: starting Python and
loading cfn-lint's rules and schemas takes about a second, linting a small
template a tenth of that. Started as

    python3 oracles.py lint    # cfn-lint (its Python API, default rules, us-east-1)
    python3 oracles.py sam     # the SAM translator, as tests/sam/translate.py runs it

it reads one JSON object a line on stdin, {"template": {...}}, and writes one
a line on stdout:

    lint: {"findings": [{"rule": "E3005", "level": "error", "message": "...", "path": [...]}]}
    sam:  {"template": {...}} or {"error": "..."}

Any exception is answered as {"error": "..."}, so one template never stops
the server.
"""
import json
import os
import sys
import traceback

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")


def lint_server():
    from cfnlint.config import ConfigMixIn
    from cfnlint.decode.decode import decode_str
    from cfnlint.runner import Runner, run_template_by_data

    config = ConfigMixIn(regions=["us-east-1"])
    rules = Runner(config).rules

    def serve(template):
        # decode_str gives the nodes cfn-lint expects (with positions).
        decoded, errors = decode_str(json.dumps(template))
        matches = errors or list(run_template_by_data(decoded, config, rules))
        return {"findings": [{
            "rule": m.rule.id,
            "level": str(getattr(m.rule, "severity", "")).lower(),
            "message": m.message,
            "path": [str(p) for p in (getattr(m, "path", None) or [])],
        } for m in matches]}

    return serve


def sam_server():
    from samtranslator.translator.transform import transform

    class NoManagedPolicies:
        def load(self):
            return {}

    def serve(template):
        return {"template": transform(template, {}, NoManagedPolicies())}

    return serve


def main():
    serve = {"lint": lint_server, "sam": sam_server}[sys.argv[1]]()
    out = sys.stdout
    out.write(json.dumps({"ready": True}) + "\n")
    out.flush()
    for line in sys.stdin:
        try:
            answer = serve(json.loads(line)["template"])
        except Exception as e:  # the template's problem, not the server's
            msg = str(e) or type(e).__name__
            if not isinstance(e, ValueError) and "InvalidDocumentException" not in type(e).__name__:
                msg = type(e).__name__ + ": " + msg
            answer = {"error": msg}
        out.write(json.dumps(answer, default=str) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
