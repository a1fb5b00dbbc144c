"""Every IAM policy document the repository ships, resolved against the sample account: the
identity policies (inline role policies, managed policies), trust policies and resource
policies (bucket policies, secret resource policies) of products/*/template.yaml and
examples/rotation/*.yaml, and the policy files under examples/iam/. `effective` gives each
role's identity policies as one document: what the role holds, for checks that look at
combinations of permissions."""
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


def role_policies(resolved, source):
    """{role: [its identity documents]}: its inline policies and the template's managed
    policies attached to it (the policy's Roles, or the role's ManagedPolicyArns)."""
    documents = list(documents_of(resolved, source))
    held = {}
    for logical_id, resource in resolved.resources.items():
        if resource["Type"] != "AWS::IAM::Role":
            continue
        arns = resource.get("Properties", {}).get("ManagedPolicyArns", [])
        held[f"{source}:{logical_id}"] = [
            d for d in documents if d.kind == "identity"
            and (d.where.startswith(f"{source}:{logical_id}:")
                 or attached(resolved, d.where.split(":")[-1], resolved.names[logical_id], arns))]
    return held


def attached(resolved, policy_id, role_name, role_policy_arns):
    """Whether the managed policy `policy_id` of the template is attached to the role."""
    policy = resolved.resources.get(policy_id, {})
    if policy.get("Type") != "AWS::IAM::ManagedPolicy":
        return False
    return (role_name in policy.get("Properties", {}).get("Roles", [])
            or resolved.names[policy_id] in role_policy_arns)


def effective():
    """The documents we ship with each role's identity policies merged into one; trust
    policies left out."""
    merged = set()
    for source in TEMPLATES + EXAMPLE_TEMPLATES:
        resolved = sample.resolve(source)
        for role, held in role_policies(resolved, source).items():
            merged |= {d.where for d in held}
            if held:
                statements = [s for d in held for s in d.document["Statement"]]
                yield Document(role, "identity", {"Version": "2012-10-17", "Statement": statements})
    for document in shipped():
        if document.kind != "trust" and document.where not in merged:
            yield document
