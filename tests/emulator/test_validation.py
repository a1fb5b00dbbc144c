"""The validator refuses what the service models say AWS refuses, with AWS's code, status and
message for each protocol, and passes the rest on to moto. One refusal and one accepted case
per rule kind and protocol; sources in FIDELITY.md ("Request validation")."""
import boto3
import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

import validation
from emulator_testing import REGION, public_key_pem

UNCHECKED = Config(parameter_validation=False, retries={"total_max_attempts": 1},
                   s3={"addressing_style": "path"})
VALIDATION_CODES = {"ValidationException", "ValidationError", "MalformedXML", "InvalidArgument"}


def api(endpoint, service):
    """A client that sends what it is given, as a buggy caller would."""
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION, config=UNCHECKED,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def refusal(call):
    with pytest.raises(ClientError) as raised:
        call()
    error = raised.value.response
    return (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"],
            error["Error"].get("Message", ""))


def accepted(call):
    """The call reached the service: it succeeded, or failed for another reason."""
    try:
        call()
    except ClientError as error:
        assert error.response["Error"]["Code"] not in VALIDATION_CODES, error.response


def constraint(message):
    return f"1 validation error detected: {message}"


# --- json (Service Catalog, Secrets Manager, DynamoDB) ----------------------------------------

def test_json_range(endpoint):
    sc = api(endpoint, "servicecatalog")
    assert refusal(lambda: sc.describe_record(Id="rec-1", PageSize=100)) == (
        "ValidationException", 400, constraint(
            "Value '100' at 'pageSize' failed to satisfy constraint: "
            "Member must have value less than or equal to 20"))
    accepted(lambda: sc.describe_record(Id="rec-1", PageSize=20))


def test_json_required(endpoint):
    sm = api(endpoint, "secretsmanager")
    assert refusal(lambda: sm.create_secret(SecretString="x")) == (
        "ValidationException", 400, constraint(
            "Value null at 'name' failed to satisfy constraint: Member must not be null"))
    accepted(lambda: sm.create_secret(Name="validation-required", SecretString="x"))


def test_json_length_and_a_sensitive_value_not_echoed(endpoint):
    sm = api(endpoint, "secretsmanager")
    code, status, message = refusal(lambda: sm.create_secret(Name="n" * 513, SecretString=""))
    assert (code, status) == ("ValidationException", 400)
    assert message == (
        "2 validation errors detected: Value '" + "n" * 513 + "' at 'name' failed to satisfy "
        "constraint: Member must have length less than or equal to 512; Value at "
        "'secretString' failed to satisfy constraint: Member must have length greater than or "
        "equal to 1")
    accepted(lambda: sm.create_secret(Name="n" * 512, SecretString="x"))


def test_json_pattern(endpoint):
    sc = api(endpoint, "servicecatalog")
    assert refusal(lambda: sc.describe_record(Id="rec 1")) == (
        "ValidationException", 400, constraint(
            "Value 'rec 1' at 'id' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: ^[a-zA-Z0-9_\\-]*"))
    accepted(lambda: sc.describe_record(Id="rec-1"))


def test_json_enum(endpoint):
    sc = api(endpoint, "servicecatalog")
    assert refusal(lambda: sc.search_provisioned_products(SortOrder="UP")) == (
        "ValidationException", 400, constraint(
            "Value 'UP' at 'sortOrder' failed to satisfy constraint: "
            "Member must satisfy enum value set: [ASCENDING, DESCENDING]"))
    accepted(lambda: sc.search_provisioned_products(SortOrder="ASCENDING"))


def test_json_map_keys(endpoint):
    sc = api(endpoint, "servicecatalog")
    assert refusal(lambda: sc.search_provisioned_products(Filters={"Name": ["x"]})) == (
        "ValidationException", 400, constraint(
            "Value '{Name=[x]}' at 'filters' failed to satisfy constraint: "
            "Map keys must satisfy constraint: [Member must satisfy enum value set: "
            "[SearchQuery]]"))
    accepted(lambda: sc.search_provisioned_products(Filters={"SearchQuery": ["x"]}))


def test_json_nested_in_a_list_of_structures(endpoint):
    ddb = api(endpoint, "dynamodb")

    def create(key_type):
        ddb.create_table(TableName="validation-nested", BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "id", "KeyType": key_type}])
    assert refusal(lambda: create("PRIMARY")) == (
        "ValidationException", 400, constraint(
            "Value 'PRIMARY' at 'keySchema.1.member.keyType' failed to satisfy constraint: "
            "Member must satisfy enum value set: [HASH, RANGE]"))
    accepted(lambda: create("HASH"))


# --- query (IAM, STS, CloudFormation) ---------------------------------------------------------

POLICY = '{"Version":"2012-10-17","Statement":[]}'


def test_query_range(endpoint):
    sts = api(endpoint, "sts")
    arn = "arn:aws:iam::123456789012:role/validation"
    assert refusal(lambda: sts.assume_role(RoleArn=arn, RoleSessionName="s1",
                                           DurationSeconds=899)) == (
        "ValidationError", 400, constraint(
            "Value '899' at 'durationSeconds' failed to satisfy constraint: "
            "Member must have value greater than or equal to 900"))
    accepted(lambda: sts.assume_role(RoleArn=arn, RoleSessionName="s1", DurationSeconds=900))


def test_query_length_and_pattern(endpoint):
    iam = api(endpoint, "iam")
    assert refusal(lambda: iam.create_role(RoleName="r" * 65,
                                           AssumeRolePolicyDocument=POLICY)) == (
        "ValidationError", 400, constraint(
            "Value '" + "r" * 65 + "' at 'roleName' failed to satisfy constraint: "
            "Member must have length less than or equal to 64"))
    assert refusal(lambda: iam.create_role(RoleName="a role",
                                           AssumeRolePolicyDocument=POLICY)) == (
        "ValidationError", 400, constraint(
            "Value 'a role' at 'roleName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [\\w+=,.@-]+"))
    accepted(lambda: iam.create_role(RoleName="r" * 64, AssumeRolePolicyDocument=POLICY))


def test_query_required(endpoint):
    iam = api(endpoint, "iam")
    assert refusal(lambda: iam.get_role()) == (
        "ValidationError", 400, constraint(
            "Value null at 'roleName' failed to satisfy constraint: Member must not be null"))
    accepted(lambda: iam.get_role(RoleName="validation-absent"))


def test_query_enum(endpoint):
    cfn = api(endpoint, "cloudformation")
    body = '{"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}'
    assert refusal(lambda: cfn.create_stack(StackName="validation-enum", TemplateBody=body,
                                            OnFailure="EXPLODE")) == (
        "ValidationError", 400, constraint(
            "Value 'EXPLODE' at 'onFailure' failed to satisfy constraint: "
            "Member must satisfy enum value set: [DO_NOTHING, ROLLBACK, DELETE]"))
    accepted(lambda: cfn.create_stack(StackName="validation-enum", TemplateBody=body,
                                      OnFailure="DELETE"))


def test_query_list_of_scalars(endpoint):
    sts = api(endpoint, "sts")
    arn = "arn:aws:iam::123456789012:role/validation"
    code, status, message = refusal(lambda: sts.assume_role(
        RoleArn=arn, RoleSessionName="s1", TransitiveTagKeys=["ok", ""]))
    assert (code, status) == ("ValidationError", 400)
    assert message.startswith(constraint(
        "Value '[ok, ]' at 'transitiveTagKeys' failed to satisfy constraint: Member must "
        "satisfy constraint: [Member must have length greater than or equal to 1"))
    accepted(lambda: sts.assume_role(RoleArn=arn, RoleSessionName="s1",
                                     TransitiveTagKeys=["ok"]))


# --- rest-xml: CloudFront ---------------------------------------------------------------------

def test_cloudfront_body_required(endpoint):
    cf = api(endpoint, "cloudfront")
    key = cf.create_public_key(PublicKeyConfig={
        "CallerReference": "validation", "Name": "validation", "EncodedKey": public_key_pem()})
    key_id = key["PublicKey"]["Id"]
    assert refusal(lambda: cf.create_key_group(KeyGroupConfig={"Items": [key_id]})) == (
        "MalformedXML", 400, constraint(
            "Value null at 'keyGroupConfig.name' failed to satisfy constraint: "
            "Member must not be null"))
    accepted(lambda: cf.create_key_group(KeyGroupConfig={"Name": "validation",
                                                         "Items": [key_id]}))


def test_cloudfront_body_enum(endpoint):
    cf = api(endpoint, "cloudfront")

    def create(behavior):
        cf.create_origin_access_control(OriginAccessControlConfig={
            "Name": f"validation-{behavior}", "SigningProtocol": "sigv4",
            "SigningBehavior": behavior, "OriginAccessControlOriginType": "s3"})
    assert refusal(lambda: create("sometimes")) == (
        "MalformedXML", 400, constraint(
            "Value 'sometimes' at 'originAccessControlConfig.signingBehavior' failed to "
            "satisfy constraint: Member must satisfy enum value set: [never, always, "
            "no-override, always-amz-auth]"))
    accepted(lambda: create("always"))


def test_cloudfront_located_pattern(endpoint):
    cf = api(endpoint, "cloudfront")
    code, status, message = refusal(lambda: cf.list_tags_for_resource(Resource="not-an-arn"))
    assert (code, status) == ("InvalidArgument", 400)
    assert message == constraint(
        "Value 'not-an-arn' at 'resource' failed to satisfy constraint: Member must satisfy "
        "regular expression pattern: arn:aws(-cn)?:cloudfront::[0-9]+:.*")
    accepted(lambda: cf.list_tags_for_resource(
        Resource="arn:aws:cloudfront::123456789012:distribution/E123"))


# --- rest-xml: S3 -----------------------------------------------------------------------------

def test_s3_body_enum_is_malformed_xml(endpoint):
    s3 = api(endpoint, "s3")
    s3.create_bucket(Bucket="validation-versioning")

    def put(status):
        s3.put_bucket_versioning(Bucket="validation-versioning",
                                 VersioningConfiguration={"Status": status})
    assert refusal(lambda: put("Disabled")) == ("MalformedXML", 400,
                                                validation.S3_MALFORMED_XML)
    accepted(lambda: put("Enabled"))


def test_s3_body_required(endpoint):
    s3 = api(endpoint, "s3")
    s3.create_bucket(Bucket="validation-delete")
    assert refusal(lambda: s3.delete_objects(Bucket="validation-delete",
                                             Delete={"Quiet": True}))[:2] == ("MalformedXML", 400)
    accepted(lambda: s3.delete_objects(Bucket="validation-delete",
                                       Delete={"Objects": [{"Key": "a"}]}))


def test_s3_querystring_range_is_invalid_argument(endpoint):
    s3 = api(endpoint, "s3")
    with pytest.raises(ClientError) as raised:
        s3.list_buckets(MaxBuckets=0)
    error = raised.value.response["Error"]
    assert (error["Code"], error["ArgumentName"], error["ArgumentValue"]) == \
        ("InvalidArgument", "max-buckets", "0")
    accepted(lambda: s3.list_buckets(MaxBuckets=5))


def test_s3_header_enums_are_left_to_s3(endpoint):
    s3 = api(endpoint, "s3")
    s3.create_bucket(Bucket="validation-headers")
    # S3's enums are open and it answers a bad header with its own code (InvalidStorageClass
    # here): the validator does not refuse it in S3's place.
    accepted(lambda: s3.put_object(Bucket="validation-headers", Key="k", Body=b"x",
                                   StorageClass="FANCY"))


# --- what is not validated --------------------------------------------------------------------

def test_unsigned_and_unknown_requests_reach_moto(endpoint):
    import urllib.request
    with urllib.request.urlopen(f"{endpoint}/moto-api/data.json") as reply:
        assert reply.status == 200
    sc = api(endpoint, "servicecatalog")
    sc.meta.events.register("before-sign", lambda request, **_: request.headers.__setitem__(
        "X-Amz-Target", "AWS242ServiceCatalogService.NoSuchOperation"))
    accepted(lambda: sc.list_portfolios(PageSize=1000))


# --- Java patterns ----------------------------------------------------------------------------

SERVICES = ["servicecatalog", "secretsmanager", "dynamodb", "kms", "cloudformation", "iam",
            "sts", "s3", "cloudfront"]


def test_every_pattern_of_the_recipes_services_compiles():
    loader = botocore.session.get_session().get_component("data_loader")
    patterns = {shape["pattern"] for service in SERVICES
                for shape in loader.load_service_model(service, "service-2")["shapes"].values()
                if "pattern" in shape}
    assert len(patterns) > 100
    for pattern in patterns:
        validation.java_pattern(pattern)


@pytest.mark.parametrize("pattern,value,matches", [
    (r"[\w+=,.@-]+", "role_1", True),
    (r"[\w+=,.@-]+", "rôle", False),                 # \w is ASCII in Java
    (r"[\p{L}\p{Z}\p{N}_.:/=+\-@]*", "rôle 1", True),  # \p{L} is Unicode
    (r"\p{Print}+", "abc ~", True),
    (r"\p{Print}+", "é", False),                      # POSIX classes are ASCII in Java
    (r"[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF]*", "a\U0001F600", True),
    (r"[\u0020-\uD7FF]*", "a\U0001F600", False),
    (r"a.c", "a\rc", False),                         # "." excludes every line terminator
    (r"a.c", "abc", True),
    (r"[a-z]+", "abc1", False),                      # the whole value must match
    (r"^[a-zA-Z0-9_\-]*", "rec-1", True),
    (r"\x{1F600}", "\U0001F600", True),
    (r"[\s\S]+", "any\nthing", True),
    (r"^\S{1,3}$", "a b", False),
    (r"[a-z&&[^aeiou]]+", "bcd", True),             # Java's class intersection
    (r"[a-z&&[^aeiou]]+", "bad", False),
])
def test_java_patterns(pattern, value, matches):
    assert bool(validation.java_pattern(pattern).fullmatch(value)) == matches
