"""Translates a SAM template (JSON, on stdin) with the SAM translator, as
CloudFormation's AWS::Serverless-2016-10-31 transform does after AsyncInvoke,
and prints the CloudFormation template (JSON). Local CodeUri paths become S3
URIs first, as `sam package` would make them."""
import json
import sys

from samtranslator.translator.transform import transform


class NoManagedPolicies:
    def load(self):
        return {}


template = json.load(sys.stdin)
for resource in template.get("Resources", {}).values():
    props = resource.get("Properties") or {}
    if resource.get("Type") == "AWS::Serverless::Function" and isinstance(props.get("CodeUri"), str) \
            and not props["CodeUri"].startswith("s3://"):
        props["CodeUri"] = "s3://artifacts/code.zip"
json.dump(transform(template, {}, NoManagedPolicies()), sys.stdout, indent=1)
