"""Every IAM policy document the repository ships, resolved against the sample account: the
identity policies (inline role policies, managed policies), trust policies and resource
policies (bucket policies, secret resource policies) of products/*/template.yaml and
examples/rotation/*.yaml, and the policy files under examples/iam/."""
import json
from dataclasses import dataclass

import sample
from cfn import PRODUCTS, REPO

TEMPLATES = sorted(p.parent.name for p in PRODUCTS.glob("*/template.yaml"))
EXAMPLE_TEMPLATES = ["examples/rotation/eventbridge-ecs.yaml"]
POLICY_FILES = sorted(REPO.glob("examples/iam/*.json"))


@dataclass(frozen=True)
class Document:
    """One policy document: where it is, what kind (identity, trust or resource), its JSON and,
    for a resource policy, the ARN patterns of what it is attached to."""
    where: str
    kind: str
    document: dict
    attached_to: tuple = ()


def documents_of(resolved, source):
    """The policy documents of one resolved template."""
    for logical_id, resource in resolved.resources.items():
        properties = resource.get("Properties", {})
        where = f"{source}:{logical_id}"
        kind = resource["Type"]
        if kind == "AWS::IAM::Role":
            yield Document(f"{where}:AssumeRolePolicyDocument", "trust",
                           properties["AssumeRolePolicyDocument"])
            for policy in properties.get("Policies", []):
                yield Document(f"{where}:{policy['PolicyName']}", "identity",
                               policy["PolicyDocument"])
        elif kind == "AWS::IAM::ManagedPolicy":
            yield Document(where, "identity", properties["PolicyDocument"])
        elif kind == "AWS::S3::BucketPolicy":
            bucket = f"arn:{sample.PARTITION}:s3:::{properties['Bucket']}"
            yield Document(where, "resource", properties["PolicyDocument"], (bucket, f"{bucket}/*"))
        elif kind == "AWS::SecretsManager::ResourcePolicy":
            yield Document(where, "resource", properties["ResourcePolicy"],
                           (properties["SecretId"],))


def shipped():
    """Every policy document we ship."""
    for source in TEMPLATES + EXAMPLE_TEMPLATES:
        yield from documents_of(sample.resolve(source), source)
    for path in POLICY_FILES:
        yield Document(str(path.relative_to(REPO)), "identity", json.loads(path.read_text()))
