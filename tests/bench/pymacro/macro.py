"""A plain Python macro, for `make bench-e2e` only: what a developer would
write instead of AsyncInvoke, with json.loads and json.dumps, on a minimal
Lambda Runtime API loop (standard library only).

It performs the AsyncInvoke expansion of AWS::ApiGateway::Method resources
as the Go macro does for the benchmark request (the modes, the integration,
the canonical URI, the header mapping, the responses and one permission per
function and REST API), so that the comparison is of the same work; the
harness checks that both give the same template. It is not a full
implementation: no OpenAPI documents, few of the Go macro's checks.
"""

import json
import os
import urllib.request

API = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/invocation/"
PRINCIPAL = "apigateway.amazonaws.com"
FUNCTION_TYPES = ("AWS::Lambda::Function", "AWS::Serverless::Function")


class Problem(Exception):
    pass


def expand(fragment, values):
    parameters = fragment.get("Parameters") or {}
    resources = fragment.get("Resources") or {}

    def resolve(v):
        if isinstance(v, dict) and list(v) == ["Ref"]:
            name = v["Ref"]
            if name in values:
                return values[name]
            if "Default" in parameters.get(name, {}):
                return parameters[name]["Default"]
            raise Problem("AsyncInvoke refers to %s, which has no value" % name)
        return v

    existing = set()
    for res in resources.values():
        props = res.get("Properties") or {}
        if res.get("Type") == "AWS::Lambda::Permission" and props.get("Principal") == PRINCIPAL:
            fn = props.get("FunctionName")
            if isinstance(fn, dict) and "Fn::GetAtt" in fn:
                existing.add(fn["Fn::GetAtt"][0])
            elif isinstance(fn, dict) and "Ref" in fn:
                existing.add(fn["Ref"])

    planned = {}
    for rid, res in list(resources.items()):
        props = res.get("Properties")
        if res.get("Type") != "AWS::ApiGateway::Method" or not isinstance(props, dict) or "AsyncInvoke" not in props:
            continue
        mode = str(resolve(props.pop("AsyncInvoke"))).strip().lower()
        if mode not in ("always", "client"):
            raise Problem("Resources.%s.Properties.AsyncInvoke: unknown mode %r" % (rid, mode))
        integ = props.get("Integration")
        if not isinstance(integ, dict):
            raise Problem("Resources.%s.Properties.Integration: must be an object" % rid)
        typ = integ.setdefault("Type", "AWS")
        if str(typ).upper() != "AWS":
            raise Problem("Resources.%s.Properties.Integration.Type: must be AWS" % rid)
        integ["IntegrationHttpMethod"] = "POST"
        uri = integ.get("Uri")
        fn = None
        if isinstance(uri, dict) and "Fn::GetAtt" in uri:
            att = uri["Fn::GetAtt"]
            fn = att.split(".")[0] if isinstance(att, str) else att[0]
        elif isinstance(uri, dict) and "Ref" in uri:
            fn = uri["Ref"]
        if fn not in resources or resources[fn].get("Type") not in FUNCTION_TYPES:
            raise Problem("Resources.%s.Properties.Integration.Uri: must name a function of the template" % rid)
        integ["Uri"] = {"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${%s.Arn}/invocations" % fn}
        params = integ.setdefault("RequestParameters", {})
        source = "'Event'" if mode == "always" else "method.request.header.InvocationType"
        params["integration.request.header.X-Amz-Invocation-Type"] = source
        if mode == "client":
            props.setdefault("RequestParameters", {}).setdefault("method.request.header.InvocationType", False)
        if not integ.get("IntegrationResponses"):
            integ["IntegrationResponses"] = [{"StatusCode": "200"}]
        statuses = [str(r.get("StatusCode")) for r in integ["IntegrationResponses"]]
        responses = props.get("MethodResponses", [])
        declared = {str(r.get("StatusCode")) for r in responses}
        missing = [{"StatusCode": s} for s in statuses if s not in declared]
        if missing:
            props["MethodResponses"] = responses + missing
        api = props.get("RestApiId")
        if fn not in existing and isinstance(api, dict) and "Ref" in api:
            planned.setdefault((fn, api["Ref"]), True)

    for fn, api in planned:
        name = base = fn + api + "AsyncInvokePermission"
        n = 2
        while name in resources:
            name, n = base + str(n), n + 1
        perm = {"Type": "AWS::Lambda::Permission"}
        cond = resources[fn].get("Condition") or resources.get(api, {}).get("Condition")
        if cond:
            perm["Condition"] = cond
        perm["Properties"] = {
            "Action": "lambda:InvokeFunction",
            "FunctionName": {"Fn::GetAtt": [fn, "Arn"]},
            "Principal": PRINCIPAL,
            "SourceArn": {"Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${%s}/*/*" % api},
        }
        resources[name] = perm
    return fragment


def handle(event):
    try:
        fragment = expand(event["fragment"], event.get("templateParameterValues") or {})
        return {"requestId": event.get("requestId"), "status": "success", "fragment": fragment}
    except Problem as e:
        return {"requestId": event.get("requestId"), "status": "failure", "errorMessage": str(e)}


def main():
    while True:
        with urllib.request.urlopen(API + "next") as r:
            request_id = r.headers["Lambda-Runtime-Aws-Request-Id"]
            event = json.loads(r.read())
        body = json.dumps(handle(event)).encode()
        urllib.request.urlopen(urllib.request.Request(API + request_id + "/response", data=body, method="POST")).read()


if __name__ == "__main__":
    main()
