"""A sample account for the static IAM checks: its pseudo parameters, one team's parameters for
every product (every optional part switched on), and the physical ids and ARNs CloudFormation
would give each resource. `resolve` turns a template into what AWS would evaluate: every
Fn::Sub, Ref and Fn::GetAtt of a policy replaced by a concrete string.

ARN shapes follow the Service Authorization Reference; a secret's ARN ends in the six random
characters Secrets Manager appends to its name (Secrets Manager User Guide, "Secret ARN").
"""
import json

from cfn import REPO, Resolved, load

PARTITION, REGION, ACCOUNT = "aws", "us-east-1", "111122223333"
TEAM = "payments"
PSEUDO = {
    "AWS::Partition": PARTITION,
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT,
    "AWS::StackName": f"SC-{ACCOUNT}-pp-abcdefghijklm",
    "AWS::URLSuffix": "amazonaws.com",
}
STACK_ARN = (f"arn:{PARTITION}:cloudformation:{REGION}:{ACCOUNT}:stack/{PSEUDO['AWS::StackName']}"
             "/0f6c1f40-0000-11ef-9a2c-0a1b2c3d4e5f")
KMS_KEY_ARN = f"arn:{PARTITION}:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
AUTOMATION_ROLE_ARN = f"arn:{PARTITION}:iam::{ACCOUNT}:role/cfsign-automation"
LAUNCH_ROLE_ARN = f"arn:{PARTITION}:iam::{ACCOUNT}:role/cfsign-servicecatalog-launch"
ARTIFACT_BUCKET = f"cfsign-artifacts-{ACCOUNT}"
HOSTED_ZONE_ID = "Z0123456789ABCDEFGHIJ"
DOMAIN = f"files.{TEAM}.example.com"
SECRET_SUFFIX = "-AbCdEf"
PEM = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n"
DISTRIBUTION_ID = "E2QWRUHEXAMPLE"

PARAMETERS = {
    "private-key-secret": {"TeamName": TEAM, "AutomationRoleArn": AUTOMATION_ROLE_ARN,
                           "KmsKeyArn": KMS_KEY_ARN},
    # Slot A a key cfsign made, slot B one the product's generator makes in the account.
    "key-pair": {"TeamName": TEAM, "KeySlotAPublicKey": PEM, "KeySlotBPublicKey": "generate",
                 "SecretKmsKeyArn": KMS_KEY_ARN},
    "s3-bucket": {
        "TeamName": TEAM,
        "DistributionArn": f"arn:{PARTITION}:cloudfront::{ACCOUNT}:distribution/{DISTRIBUTION_ID}",
        "AccessLogBucketName": f"logs-{ACCOUNT}", "UploadsExpirationDays": 14,
        "TransitionDays": 60,
    },
    "cloudfront-distribution": {
        "TeamName": TEAM, "DomainName": DOMAIN,
        "CertificateArn": f"arn:{PARTITION}:acm:us-east-1:{ACCOUNT}:certificate/0a1b2c3d-4e5f",
        "HostedZoneId": HOSTED_ZONE_ID,
        "BucketRegionalDomainName": f"cfsign-{TEAM}-{ACCOUNT}-{REGION}.s3.{REGION}.amazonaws.com",
        "KeyGroupId": "0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d",
        "AllowedOrigins": "https://app.example.com",
        "LoggingBucketDomainName": f"logs-{ACCOUNT}.s3.amazonaws.com",
        "WebAclArn": f"arn:{PARTITION}:wafv2:us-east-1:{ACCOUNT}:global/webacl/cfsign/0a1b2c3d",
    },
    "metadata-table": {"TeamName": TEAM, "SortKeyName": "version", "BillingMode": "PROVISIONED",
                       "TimeToLiveAttribute": "expiresAt", "KmsKeyArn": KMS_KEY_ARN},
    "integration-role": {
        "TeamName": TEAM,
        "SecretArn": f"arn:{PARTITION}:secretsmanager:{REGION}:{ACCOUNT}:secret:cfsign/{TEAM}/"
                     f"signing-key{SECRET_SUFFIX}",
        "SecretKmsKeyArn": KMS_KEY_ARN,
        "TableArn": f"arn:{PARTITION}:dynamodb:{REGION}:{ACCOUNT}:table/cfsign-{TEAM}-metadata",
        "TrustedPrincipalArn": f"arn:{PARTITION}:iam::{ACCOUNT}:role/payments-app",
        "TrustedService": "ecs-tasks",
        "PermissionsBoundaryArn": f"arn:{PARTITION}:iam::{ACCOUNT}:policy/boundary",
    },
    "launch-role": {"ArtifactBucketName": ARTIFACT_BUCKET},
    # Every trust switched on.
    "automation-role": {"SsoPermissionSetName": "PlatformEngineering",
                        "GitHubRepository": "example-org/platform-cfsign",
                        "TrustEcsTasks": "true", "EksClusterName": "platform"},
}

def _composed_parameters():
    """The one-click product's parameters: the modules' above, but for those the composition
    wires from another module's output (products/contract.json), and the table switched on."""
    contract = json.loads((REPO / "products" / "contract.json").read_text())
    wired = {wiring["to"].split(".")[1] for wiring in contract["wiring"]}
    composed = {"MetadataTable": "true"}
    for folder in contract["provisioningOrder"]:
        composed.update({k: v for k, v in PARAMETERS[folder].items() if k not in wired})
    return composed


PARAMETERS["signed-url-stack"] = _composed_parameters()
EXAMPLE_PARAMETERS = {
    "examples/rotation/eventbridge-ecs.yaml": {
        "Image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/cfsign:1",
        "AutomationRoleArn": AUTOMATION_ROLE_ARN, "Teams": TEAM,
        "ClusterArn": f"arn:{PARTITION}:ecs:{REGION}:{ACCOUNT}:cluster/platform",
        "Subnets": "subnet-0a1b2c3d", "SecurityGroups": "sg-0a1b2c3d",
    },
}

# Ids CloudFormation reports for resources whose Ref is an id the service generates.
GENERATED_IDS = {
    "AWS::CloudFront::Distribution": DISTRIBUTION_ID,
    "AWS::CloudFront::OriginAccessControl": "E1OACEXAMPLE00",
    "AWS::CloudFront::ResponseHeadersPolicy": "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b",
    "AWS::CloudFront::PublicKey": "K2JCJMDEHXQW5F",
    "AWS::CloudFront::KeyGroup": "0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d",
}


# The stacks the two roles are deployed as (recipes/publish.rhai deploys the launch role; the
# docs deploy the automation role); every product's stack is Service Catalog's SC-*.
STACK_NAMES = {"launch-role": "cfsign-launch-role", "automation-role": "cfsign-automation-role"}


def physical(logical_id, resource_type, properties, stack_name=PSEUDO["AWS::StackName"]):
    """{Ref name or `Logical.Attribute`: value} CloudFormation would report for one resource."""
    arn = f"arn:{PARTITION}"
    if resource_type == "AWS::S3::Bucket":
        name = properties["BucketName"]
        return {logical_id: name, f"{logical_id}.Arn": f"{arn}:s3:::{name}",
                f"{logical_id}.RegionalDomainName": f"{name}.s3.{REGION}.amazonaws.com"}
    if resource_type == "AWS::DynamoDB::Table":
        name = properties["TableName"]
        return {logical_id: name,
                f"{logical_id}.Arn": f"{arn}:dynamodb:{REGION}:{ACCOUNT}:table/{name}"}
    if resource_type == "AWS::IAM::Role":
        name = properties.get("RoleName", f"{stack_name}-{logical_id}-0A1B2C3D")
        return {logical_id: name, f"{logical_id}.Arn": f"{arn}:iam::{ACCOUNT}:role/{name}"}
    if resource_type == "AWS::IAM::ManagedPolicy":
        name = properties.get("ManagedPolicyName", f"{stack_name}-{logical_id}-0A1B2C3D")
        return {logical_id: f"{arn}:iam::{ACCOUNT}:policy/{name}"}
    if resource_type == "AWS::SecretsManager::Secret":
        return {logical_id: f"{arn}:secretsmanager:{REGION}:{ACCOUNT}:secret:"
                            f"{properties['Name']}{SECRET_SUFFIX}"}
    if resource_type == "AWS::Lambda::Function":
        name = properties["FunctionName"]
        return {logical_id: name,
                f"{logical_id}.Arn": f"{arn}:lambda:{REGION}:{ACCOUNT}:function:{name}"}
    if resource_type == "AWS::Logs::LogGroup":
        name = properties["LogGroupName"]
        return {logical_id: name,
                f"{logical_id}.Arn": f"{arn}:logs:{REGION}:{ACCOUNT}:log-group:{name}:*"}
    if resource_type == "AWS::ECS::TaskDefinition":
        return {logical_id: f"{arn}:ecs:{REGION}:{ACCOUNT}:task-definition/"
                            f"{properties['Family']}:1"}
    if resource_type in GENERATED_IDS:
        return {logical_id: GENERATED_IDS[resource_type]}
    return {logical_id: logical_id}


def resolve(source, **overrides):
    """`source` (a product folder, or a template path under the repository) resolved with the
    sample parameters, pseudo parameters and physical names: policies become plain strings."""
    if source in PARAMETERS:
        template, parameters = load(source), PARAMETERS[source]
    else:
        template, parameters = load(REPO / source), EXAMPLE_PARAMETERS[source]
    parameters = {**parameters, **overrides}
    names = {**PSEUDO, "AWS::StackName": STACK_NAMES.get(source, PSEUDO["AWS::StackName"])}
    first = Resolved(template, parameters, names)
    for logical_id, resource in first.resources.items():
        names.update(physical(logical_id, resource["Type"], resource.get("Properties", {}),
                              names["AWS::StackName"]))
    return Resolved(template, parameters, names)
