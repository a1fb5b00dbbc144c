"""IAM on every request (iam_enforce.py), through boto3 against the emulator: each rule refused
and accepted, with AWS's error codes, statuses and messages."""
import json

import boto3
from moto.sts.models import sts_backends

from emulator_testing import (ACCOUNT, REGION, allow, as_role, client, document,
                              make_role, refused, unique)

def secret(endpoint, **extra):
    sm = client(endpoint, "secretsmanager")
    return sm.create_secret(Name=unique("cfsign/t/signing-key"), SecretString="{}", **extra)["ARN"]


# --- callers -------------------------------------------------------------------------------------

def test_an_unknown_access_key_is_refused(endpoint):
    for service, code in (("secretsmanager", "UnrecognizedClientException"),
                          ("sts", "InvalidClientTokenId"), ("s3", "InvalidAccessKeyId")):
        stranger = boto3.client(service, endpoint_url=endpoint, region_name=REGION,
                                aws_access_key_id="AKIAUNKNOWN", aws_secret_access_key="x")
        call = {"secretsmanager": lambda: stranger.list_secrets(),
                "sts": lambda: stranger.get_caller_identity(),
                "s3": lambda: stranger.list_buckets()}[service]
        assert refused(call)["Error"]["Code"] == code


def test_an_expired_session_is_refused(endpoint):
    role = make_role(endpoint, allow("secretsmanager:*"))
    sm = as_role(endpoint, role, "secretsmanager")
    session = sts_backends[ACCOUNT]["aws"].assumed_roles[-1]
    session.expiration = session.expiration.replace(year=2000)
    assert refused(sm.list_secrets)["Error"]["Code"] == "ExpiredTokenException"


def test_a_session_acts_as_its_role_and_is_named_by_its_session_arn(endpoint):
    arn = secret(endpoint)
    role = make_role(endpoint, path="/teams/")
    sm = as_role(endpoint, role, "secretsmanager")
    response = refused(sm.get_secret_value, SecretId=arn)
    name = role.rsplit("/", 1)[1]
    assert response["Error"]["Code"] == "AccessDeniedException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["Error"]["Message"] == (
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/{name}/app is not authorized to perform: "
        f"secretsmanager:GetSecretValue on resource: {arn} because no identity-based policy "
        "allows the secretsmanager:GetSecretValue action")


def test_the_role_policy_grants(endpoint):
    arn = secret(endpoint)
    role = make_role(endpoint, allow("secretsmanager:GetSecretValue", arn))
    assert as_role(endpoint, role, "secretsmanager").get_secret_value(SecretId=arn)["SecretString"]


def test_an_iam_user_acts_with_its_own_and_its_groups_policies(endpoint):
    iam = client(endpoint, "iam")
    user, group = unique("user"), unique("group")
    iam.create_user(UserName=user)
    iam.create_group(GroupName=group)
    iam.add_user_to_group(GroupName=group, UserName=user)
    key = iam.create_access_key(UserName=user)["AccessKey"]
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name=REGION,
                      aws_access_key_id=key["AccessKeyId"],
                      aws_secret_access_key=key["SecretAccessKey"])
    response = refused(s3.list_buckets)
    assert response["Error"]["Code"] == "AccessDenied"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert f"arn:aws:iam::{ACCOUNT}:user/{user}" in response["Error"]["Message"]
    iam.put_group_policy(GroupName=group, PolicyName="list",
                         PolicyDocument=document(allow("s3:ListAllMyBuckets")))
    assert "Buckets" in s3.list_buckets()


def test_get_caller_identity_needs_no_permission(endpoint):
    role = make_role(endpoint, {"Effect": "Deny", "Action": "*", "Resource": "*"})
    identity = as_role(endpoint, role, "sts").get_caller_identity()
    assert identity["Arn"].endswith("/app")


# --- identity policies, boundaries ---------------------------------------------------------------

def test_an_explicit_deny_in_the_identity_policy_wins(endpoint):
    arn = secret(endpoint)
    role = make_role(endpoint, allow("secretsmanager:*"),
                     {"Effect": "Deny", "Action": "secretsmanager:GetSecretValue", "Resource": "*"})
    response = refused(as_role(endpoint, role, "secretsmanager").get_secret_value, SecretId=arn)
    assert response["Error"]["Message"].endswith(
        "with an explicit deny in an identity-based policy")


def test_the_permissions_boundary_caps_the_role(endpoint):
    iam = client(endpoint, "iam")
    boundary = iam.create_policy(PolicyName=unique("boundary"), PolicyDocument=document(
        allow("secretsmanager:DescribeSecret")))["Policy"]["Arn"]
    arn = secret(endpoint)
    role = make_role(endpoint, allow("secretsmanager:*"), boundary=boundary)
    sm = as_role(endpoint, role, "secretsmanager")
    assert sm.describe_secret(SecretId=arn)["ARN"] == arn
    response = refused(sm.get_secret_value, SecretId=arn)
    assert "because no permissions boundary allows" in response["Error"]["Message"]


def test_resource_arns_are_matched_with_the_secrets_suffix(endpoint):
    arn = secret(endpoint)
    name_only = arn.rsplit("-", 1)[0]
    role = make_role(endpoint, allow("secretsmanager:GetSecretValue", name_only))
    sm = as_role(endpoint, role, "secretsmanager")
    refused(sm.get_secret_value, SecretId=arn)
    wildcard = make_role(endpoint, allow("secretsmanager:GetSecretValue", name_only + "-??????"))
    assert as_role(endpoint, wildcard, "secretsmanager").get_secret_value(SecretId=arn)


# --- resource policies ---------------------------------------------------------------------------

def product_secret_policy(*readers):
    """products/private-key-secret's policy: only the named roles read the key."""
    return document({"Effect": "Deny", "Principal": "*", "Action": "secretsmanager:GetSecretValue",
                     "Resource": "*",
                     "Condition": {"StringNotEquals": {"aws:PrincipalArn": list(readers)}}})


def test_the_secret_policy_refuses_all_but_the_named_roles(endpoint):
    arn = secret(endpoint)
    reader = make_role(endpoint, allow("secretsmanager:GetSecretValue"), path="/cfsign/")
    other = make_role(endpoint, allow("secretsmanager:GetSecretValue"))
    client(endpoint, "secretsmanager").put_resource_policy(
        SecretId=arn, ResourcePolicy=product_secret_policy(reader))
    assert as_role(endpoint, reader, "secretsmanager").get_secret_value(SecretId=arn)
    response = refused(as_role(endpoint, other, "secretsmanager").get_secret_value, SecretId=arn)
    assert response["Error"]["Message"].endswith("with an explicit deny in a resource-based policy")


def test_a_secret_policy_naming_the_role_grants_without_an_identity_policy(endpoint):
    arn = secret(endpoint)
    role = make_role(endpoint)
    sm = as_role(endpoint, role, "secretsmanager")
    refused(sm.get_secret_value, SecretId=arn)
    client(endpoint, "secretsmanager").put_resource_policy(SecretId=arn, ResourcePolicy=document(
        allow("secretsmanager:GetSecretValue", Principal={"AWS": role})))
    assert sm.get_secret_value(SecretId=arn)


def test_the_root_is_exempt_unless_asked_to_be_as_on_aws(endpoint, monkeypatch):
    arn = secret(endpoint)
    sm = client(endpoint, "secretsmanager")
    sm.put_resource_policy(SecretId=arn, ResourcePolicy=product_secret_policy(
        f"arn:aws:iam::{ACCOUNT}:role/nobody"))
    assert sm.get_secret_value(SecretId=arn)
    monkeypatch.setenv("EMULATOR_ROOT", "aws")
    response = refused(sm.get_secret_value, SecretId=arn)
    assert response["Error"]["Message"] == (
        f"User: arn:aws:iam::{ACCOUNT}:root is not authorized to perform: "
        f"secretsmanager:GetSecretValue on resource: {arn} with an explicit deny in a "
        "resource-based policy")


def bucket_with_policy(endpoint, *statements):
    s3 = client(endpoint, "s3")
    name = unique("policy")
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="a.txt", Body=b"a")
    s3.put_bucket_policy(Bucket=name, Policy=document(*statements))
    return name


def test_bucket_policy_statements_whose_conditions_do_not_hold_do_not_apply(endpoint):
    """The s3-bucket product's TLS-only Deny and OAC Allow (moto counted both as Denies)."""
    reader = make_role(endpoint, allow("s3:GetObject"))
    bucket = bucket_with_policy(endpoint, {
        "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::*/*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}, {
        "Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"},
        "Action": "s3:GetObject", "Resource": "arn:aws:s3:::*/*",
        "Condition": {"StringEquals": {"AWS:SourceArn": "arn:aws:cloudfront::1:distribution/X"}}})
    s3 = as_role(endpoint, reader, "s3")
    assert s3.get_object(Bucket=bucket, Key="a.txt")["Body"].read() == b"a"


def test_an_explicit_deny_in_the_bucket_policy_refuses(endpoint):
    reader = make_role(endpoint, allow("s3:GetObject"))
    bucket = bucket_with_policy(endpoint, {"Effect": "Deny", "Principal": "*",
                                           "Action": "s3:GetObject", "Resource": "*"})
    response = refused(as_role(endpoint, reader, "s3").get_object, Bucket=bucket, Key="a.txt")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert response["Error"]["Message"].endswith(
        f'on resource: "arn:aws:s3:::{bucket}/a.txt" with an explicit deny in a '
        "resource-based policy")


# --- actions and resources from the Service Authorization Reference ------------------------------

def test_s3_operations_need_the_actions_s3_documents(endpoint):
    bucket = bucket_with_policy(endpoint, {"Effect": "Allow", "Principal": "*",
                                           "Action": "s3:GetBucketLocation", "Resource": "*"})
    by_name = as_role(endpoint, make_role(endpoint, allow("s3:ListObjectsV2")), "s3")
    assert "s3:ListBucket" in refused(by_name.list_objects_v2, Bucket=bucket)["Error"]["Message"]
    documented = as_role(endpoint, make_role(endpoint, allow(
        ["s3:ListBucket", "s3:GetObject"], [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"])),
        "s3")
    assert documented.list_objects_v2(Bucket=bucket)["KeyCount"] == 1
    assert documented.head_object(Bucket=bucket, Key="a.txt")["ContentLength"] == 1


def test_reading_an_object_version_needs_get_object_version(endpoint):
    s3 = client(endpoint, "s3")
    bucket = unique("versions")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    version = s3.put_object(Bucket=bucket, Key="a.txt", Body=b"a")["VersionId"]
    reader = as_role(endpoint, make_role(endpoint, allow("s3:GetObject")), "s3")
    assert reader.get_object(Bucket=bucket, Key="a.txt")["Body"].read() == b"a"
    response = refused(reader.get_object, Bucket=bucket, Key="a.txt", VersionId=version)
    assert "s3:GetObjectVersion" in response["Error"]["Message"]


def test_actions_without_resource_level_permissions_need_resource_star(endpoint):
    """cloudfront:GetPublicKey supports no resource types (Service Authorization Reference):
    a statement naming public-key/* does not grant it."""
    public_key = client(endpoint, "cloudfront").list_public_keys()
    scoped = as_role(endpoint, make_role(endpoint, allow(
        "cloudfront:ListPublicKeys", f"arn:aws:cloudfront::{ACCOUNT}:public-key/*")), "cloudfront")
    response = refused(scoped.list_public_keys)
    assert response["Error"]["Code"] == "AccessDenied"
    assert response["Error"]["Message"].endswith(
        "is not authorized to perform: cloudfront:ListPublicKeys because no identity-based "
        "policy allows the cloudfront:ListPublicKeys action")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 403
    anywhere = as_role(endpoint, make_role(endpoint, allow("cloudfront:ListPublicKeys")),
                       "cloudfront")
    assert anywhere.list_public_keys()["PublicKeyList"] == public_key["PublicKeyList"]


def test_cloudformation_stacks_are_matched_by_their_arn(endpoint):
    cfn = client(endpoint, "cloudformation")
    name = unique("SC-stack")
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(
        {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}))
    team = as_role(endpoint, make_role(endpoint, allow(
        "cloudformation:DescribeStacks", "arn:aws:cloudformation:*:*:stack/SC-*")),
        "cloudformation")
    assert team.describe_stacks(StackName=name)["Stacks"][0]["StackName"] == name
    other = cfn.create_stack(StackName=unique("other"), TemplateBody=json.dumps(
        {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}))["StackId"]
    assert refused(team.describe_stacks, StackName=other)["Error"]["Code"] == "AccessDenied"


# --- Service Catalog portfolios and products ----------------------------------------------------

CATALOG = f"arn:aws:catalog:{REGION}:{ACCOUNT}"


def test_catalog_writes_are_matched_by_the_portfolio_and_product_tags(endpoint):
    sc = client(endpoint, "servicecatalog")
    tagged = sc.create_portfolio(DisplayName=unique("p"), ProviderName="platform", Tags=[
        {"Key": "cfsign:portfolio", "Value": "cfsign"}])["PortfolioDetail"]["Id"]
    other = sc.create_portfolio(DisplayName=unique("p"), ProviderName="platform")[
        "PortfolioDetail"]["Id"]
    admin = as_role(endpoint, make_role(endpoint, allow(
        "servicecatalog:UpdatePortfolio", f"{CATALOG}:portfolio/*",
        Condition={"StringEquals": {"aws:ResourceTag/cfsign:portfolio": "cfsign"}})),
        "servicecatalog")
    assert admin.update_portfolio(Id=tagged, Description="updated")["PortfolioDetail"]
    response = refused(admin.update_portfolio, Id=other, Description="updated")
    assert response["Error"]["Code"] == "AccessDeniedException"
    assert f"on resource: {CATALOG}:portfolio/{other}" in response["Error"]["Message"]


def test_a_product_named_by_its_name_is_the_product(endpoint):
    sc, s3 = client(endpoint, "servicecatalog"), client(endpoint, "s3")
    name, bucket = unique("product"), unique("templates")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="t.yaml", Body=json.dumps(
        {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}))
    product_id = sc.create_product(
        Name=name, Owner="platform", ProductType="CLOUD_FORMATION_TEMPLATE",
        ProvisioningArtifactParameters={
            "Name": "v1", "Type": "CLOUD_FORMATION_TEMPLATE",
            "Info": {"LoadTemplateFromURL": f"{endpoint}/{bucket}/t.yaml"}})[
        "ProductViewDetail"]["ProductViewSummary"]["ProductId"]
    portfolio = sc.create_portfolio(DisplayName=unique("p"), ProviderName="platform")[
        "PortfolioDetail"]["Id"]
    sc.associate_product_with_portfolio(ProductId=product_id, PortfolioId=portfolio)
    roles = [make_role(endpoint, allow("servicecatalog:DescribeProduct", resource))
             for resource in (f"{CATALOG}:product/{product_id}", f"{CATALOG}:product/prod-other")]
    for role in roles:
        sc.associate_principal_with_portfolio(PortfolioId=portfolio, PrincipalARN=role,
                                              PrincipalType="IAM")
    reader, elsewhere = (as_role(endpoint, role, "servicecatalog") for role in roles)
    assert reader.describe_product(Name=name)["ProductViewSummary"]["ProductId"] == product_id
    response = refused(elsewhere.describe_product, Name=name)
    assert f"on resource: {CATALOG}:product/{product_id}" in response["Error"]["Message"]


# --- role trust policies -------------------------------------------------------------------------

def test_assuming_a_role_needs_its_trust_policy(endpoint):
    target = make_role(endpoint, trust={"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": "sts:AssumeRole"}]})
    caller = as_role(endpoint, make_role(endpoint, allow("sts:AssumeRole")), "sts")
    response = refused(caller.assume_role, RoleArn=target, RoleSessionName="other")
    assert response["Error"]["Code"] == "AccessDenied"
    assert response["Error"]["Message"].endswith(
        "because no role trust policy allows the sts:AssumeRole action")
    trusting = make_role(endpoint)  # trusts the account: the caller's policy must allow
    assert caller.assume_role(RoleArn=trusting, RoleSessionName="other")["Credentials"]
    bare = as_role(endpoint, make_role(endpoint), "sts")
    refused(bare.assume_role, RoleArn=trusting, RoleSessionName="other")


# --- KMS on behalf of Secrets Manager ------------------------------------------------------------

def customer_key(endpoint, *statements):
    kms = client(endpoint, "kms")
    policy = document(*statements) if statements else None
    return kms.create_key(**({"Policy": policy} if policy else {}))["KeyMetadata"]["Arn"]


def via_secrets_manager(action, key="*"):
    return allow(action, key, Condition={"StringEquals": {
        "kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"}})


def test_reading_a_secret_under_a_customer_key_needs_kms_decrypt(endpoint):
    key = customer_key(endpoint)  # moto's default key policy delegates to the account's IAM
    arn = secret(endpoint, KmsKeyId=key)
    without = make_role(endpoint, allow("secretsmanager:GetSecretValue", arn))
    response = refused(as_role(endpoint, without, "secretsmanager").get_secret_value, SecretId=arn)
    assert response["Error"] == {"Code": "AccessDeniedException",
                                 "Message": "Access to KMS is not allowed"}
    reader = make_role(endpoint, allow("secretsmanager:GetSecretValue", arn),
                       via_secrets_manager("kms:Decrypt", key))
    assert as_role(endpoint, reader, "secretsmanager").get_secret_value(SecretId=arn)


def test_secrets_manager_sends_the_secret_arn_as_the_encryption_context(endpoint):
    key = customer_key(endpoint)
    arn = secret(endpoint, KmsKeyId=key)

    def reader(pattern):
        return make_role(endpoint, allow("secretsmanager:GetSecretValue", arn),
                         allow("kms:Decrypt", key, Condition={"StringLike": {
                             "kms:EncryptionContext:SecretARN": pattern}}))
    other = as_role(endpoint, reader(arn + "-other"), "secretsmanager")
    assert refused(other.get_secret_value, SecretId=arn)["Error"]["Message"] == \
        "Access to KMS is not allowed"
    assert as_role(endpoint, reader(arn), "secretsmanager").get_secret_value(SecretId=arn)


def test_the_key_policy_must_allow_what_iam_allows(endpoint):
    admin = f"arn:aws:iam::{ACCOUNT}:role/key-admin"
    key = customer_key(endpoint, allow("kms:*", Principal={"AWS": admin}))
    arn = secret(endpoint, KmsKeyId=key)
    reader = make_role(endpoint, allow("secretsmanager:GetSecretValue"),
                       via_secrets_manager("kms:Decrypt"))
    response = refused(as_role(endpoint, reader, "secretsmanager").get_secret_value, SecretId=arn)
    assert response["Error"]["Message"] == "Access to KMS is not allowed"


def test_kms_use_outside_secrets_manager_is_not_granted_by_a_via_service_condition(endpoint):
    key = customer_key(endpoint)
    caller = as_role(endpoint, make_role(endpoint, via_secrets_manager("kms:Decrypt", key)), "kms")
    response = refused(caller.decrypt, CiphertextBlob=b"x" * 32, KeyId=key)
    assert response["Error"]["Code"] == "AccessDeniedException"
    assert "kms:Decrypt on resource: " + key in response["Error"]["Message"]


def test_writing_a_secret_under_a_customer_key_needs_kms_generate_data_key(endpoint):
    key = customer_key(endpoint)
    arn = secret(endpoint, KmsKeyId=key)
    writer = make_role(endpoint, allow("secretsmanager:PutSecretValue", arn),
                       via_secrets_manager("kms:Decrypt", key))
    sm = as_role(endpoint, writer, "secretsmanager")
    refused(sm.put_secret_value, SecretId=arn, SecretString="{}")
    writer = make_role(endpoint, allow("secretsmanager:PutSecretValue", arn),
                       via_secrets_manager("kms:GenerateDataKey", key))
    assert as_role(endpoint, writer, "secretsmanager").put_secret_value(
        SecretId=arn, SecretString="{}")["VersionId"]


def test_the_aws_managed_key_serves_every_principal_through_secrets_manager(endpoint):
    arn = secret(endpoint)
    reader = make_role(endpoint, allow("secretsmanager:GetSecretValue", arn))
    assert as_role(endpoint, reader, "secretsmanager").get_secret_value(SecretId=arn)
    denied = make_role(endpoint, allow("secretsmanager:GetSecretValue", arn),
                       {"Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"})
    refused(as_role(endpoint, denied, "secretsmanager").get_secret_value, SecretId=arn)


# --- resource and request condition keys ------------------------------------------------------

def test_s3_existing_object_tags_are_condition_keys(endpoint):
    s3 = client(endpoint, "s3")
    bucket = unique("tags")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="ours.txt", Body=b"a", Tagging="team=a")
    s3.put_object(Bucket=bucket, Key="theirs.txt", Body=b"b", Tagging="team=b")
    reader = as_role(endpoint, make_role(endpoint, allow("s3:GetObject", Condition={
        "StringEquals": {"s3:ExistingObjectTag/team": "a"}})), "s3")
    assert reader.get_object(Bucket=bucket, Key="ours.txt")["Body"].read() == b"a"
    refused(reader.get_object, Bucket=bucket, Key="theirs.txt")


def test_secret_tags_and_version_stages_are_condition_keys(endpoint):
    arn = secret(endpoint, Tags=[{"Key": "cfsign:team", "Value": "a"}])
    role = make_role(endpoint, allow("secretsmanager:GetSecretValue", Condition={
        "StringEquals": {"secretsmanager:ResourceTag/cfsign:team": "a",
                         "secretsmanager:VersionStage": "AWSCURRENT"}}))
    reader = as_role(endpoint, role, "secretsmanager")
    assert reader.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")
    refused(reader.get_secret_value, SecretId=arn)  # no VersionStage in the request
    other = secret(endpoint, Tags=[{"Key": "cfsign:team", "Value": "b"}])
    refused(reader.get_secret_value, SecretId=other, VersionStage="AWSCURRENT")


def _distribution(cloudfront, tags):
    """A minimal distribution made by the root, with `tags`; returns its id and ARN."""
    config = {"CallerReference": unique("ref"), "Comment": "", "Enabled": False,
              "Origins": {"Quantity": 1, "Items": [{
                  "Id": "o", "DomainName": "example.com",
                  "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443,
                                         "OriginProtocolPolicy": "https-only"}}]},
              "DefaultCacheBehavior": {"TargetOriginId": "o",
                                       "ViewerProtocolPolicy": "redirect-to-https",
                                       "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"}}
    made = cloudfront.create_distribution_with_tags(DistributionConfigWithTags={
        "DistributionConfig": config, "Tags": {"Items": tags}})["Distribution"]
    return made["Id"], made["ARN"]


def test_a_distributions_tags_are_its_aws_resource_tags(endpoint):
    # The Service Authorization Reference lists aws:ResourceTag for CloudFront's distribution
    # resource type: a role may be limited to the distributions carrying a tag.
    cloudfront = client(endpoint, "cloudfront")
    tagged, _ = _distribution(cloudfront, [{"Key": "cfsign:team", "Value": "payments"}])
    other, other_arn = _distribution(cloudfront, [{"Key": "owner", "Value": "web"}])
    role = make_role(endpoint, allow("cloudfront:GetDistribution",
                                     f"arn:aws:cloudfront::{ACCOUNT}:distribution/*",
                                     Condition={"Null": {"aws:ResourceTag/cfsign:team": "false"}}))
    as_tagged = as_role(endpoint, role, "cloudfront")
    assert as_tagged.get_distribution(Id=tagged)["Distribution"]["Id"] == tagged
    error = refused(as_tagged.get_distribution, Id=other)["Error"]
    assert error["Code"] == "AccessDenied"
    assert f"cloudfront:GetDistribution on resource: {other_arn}" in error["Message"]
