"""Translates a SAM template (JSON, on stdin) with the SAM translator, as
CloudFormation's AWS::Serverless-2016-10-31 transform does after AsyncInvoke,
and prints the CloudFormation template (JSON).

Local paths become S3 URIs first, as `sam package` makes them: the properties
below, in each resource of their type and in the Globals section of that type
(Globals: Function: CodeUri: src/, which the resources inherit). Managed
policies given by name (Policies: [AWSLambdaBasicExecutionRole]) resolve
through the map the translator bundles; the loader below is only its
fallback, for names the bundled map does not have."""
import json
import sys

from samtranslator.translator.transform import transform

# Resource type: (its Globals section, the property that holds a local path).
PACKAGED = {
    "AWS::Serverless::Function": ("Function", "CodeUri"),
    "AWS::Serverless::LayerVersion": ("LayerVersion", "ContentUri"),
    "AWS::Serverless::Api": ("Api", "DefinitionUri"),
    "AWS::Serverless::HttpApi": ("HttpApi", "DefinitionUri"),
    "AWS::Serverless::StateMachine": ("StateMachine", "DefinitionUri"),
}


class NoManagedPolicies:
    def load(self):
        return {}


def uploaded(props, key):
    """Replaces a local path at props[key] with the S3 URI of an upload."""
    if isinstance(props, dict) and isinstance(props.get(key), str) and not props[key].startswith("s3://"):
        props[key] = "s3://artifacts/code.zip"


template = json.load(sys.stdin)
globals_ = template.get("Globals") or {}
for section, key in PACKAGED.values():
    uploaded(globals_.get(section), key)
for resource in (template.get("Resources") or {}).values():
    if isinstance(resource, dict) and resource.get("Type") in PACKAGED:
        uploaded(resource.get("Properties"), PACKAGED[resource["Type"]][1])
json.dump(transform(template, {}, NoManagedPolicies()), sys.stdout, indent=1)
