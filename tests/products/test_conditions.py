"""The optional parts of each product appear exactly when their parameters ask for them."""
from cfn import Resolved, load

PEM = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n"
DISTRIBUTION_ARN = "arn:aws:cloudfront::123456789012:distribution/E2QWRUHEXAMPLE"


def resolve(product, **parameters):
    return Resolved(load(product), parameters)


def test_key_pair_slots_create_keys_only_when_filled():
    one = resolve("key-pair", TeamName="payments", KeySlotAPublicKey=PEM)
    assert "KeySlotA" in one.resources and "KeySlotB" not in one.resources
    assert one.properties("KeyGroup")["KeyGroupConfig"]["Items"] == [{"Ref": "KeySlotA"}]
    assert set(one.outputs) == {"KeyGroupId", "KeySlotAPublicKeyId"}

    both = resolve("key-pair", TeamName="payments", KeySlotAPublicKey=PEM, KeySlotBPublicKey=PEM)
    assert both.properties("KeyGroup")["KeyGroupConfig"]["Items"] == [
        {"Ref": "KeySlotA"}, {"Ref": "KeySlotB"}]
    assert set(both.outputs) == {"KeyGroupId", "KeySlotAPublicKeyId", "KeySlotBPublicKeyId"}

    only_b = resolve("key-pair", TeamName="payments", KeySlotBPublicKey=PEM)
    assert only_b.properties("KeyGroup")["KeyGroupConfig"]["Items"] == [{"Ref": "KeySlotB"}]


def test_key_pair_refuses_an_empty_key_group():
    rule = load("key-pair")["Rules"]["AtLeastOneKey"]["Assertions"][0]["Assert"]
    empty = Resolved(load("key-pair"), {"TeamName": "payments"})
    assert empty.evaluate(rule) is False
    filled = Resolved(load("key-pair"), {"TeamName": "payments", "KeySlotAPublicKey": PEM})
    assert filled.evaluate(rule) is True


def statements(resolved):
    return resolved.properties("BucketPolicy")["PolicyDocument"]["Statement"]


def test_bucket_policy_admits_the_distribution_only_once_it_is_known():
    first = resolve("s3-bucket", TeamName="payments")
    assert [s["Sid"] for s in statements(first)] == ["DenyInsecureTransport"]

    second = resolve("s3-bucket", TeamName="payments", DistributionArn=DISTRIBUTION_ARN)
    by_sid = {s["Sid"]: s for s in statements(second)}
    assert set(by_sid) == {"DenyInsecureTransport", "AllowDistributionReads",
                           "AllowDistributionUploads"}
    for sid in ["AllowDistributionReads", "AllowDistributionUploads"]:
        assert by_sid[sid]["Principal"] == {"Service": "cloudfront.amazonaws.com"}
        assert by_sid[sid]["Condition"] == {"StringEquals": {"AWS:SourceArn": DISTRIBUTION_ARN}}
    assert by_sid["AllowDistributionReads"]["Action"] == "s3:GetObject"
    assert by_sid["AllowDistributionUploads"]["Action"] == "s3:PutObject"
    assert by_sid["AllowDistributionUploads"]["Resource"]["Fn::Sub"].endswith("/uploads/*")


def test_bucket_lifecycle_rules_follow_their_parameters():
    def rules(**parameters):
        bucket = resolve("s3-bucket", TeamName="payments", **parameters).properties("Bucket")
        return {r["Id"]: r for r in bucket["LifecycleConfiguration"]["Rules"]}

    defaults = rules()
    assert defaults["AbortIncompleteMultipartUploads"]["Status"] == "Enabled"
    assert defaults["ExpireUploads"]["Status"] == "Disabled"
    assert defaults["TransitionObjects"]["Status"] == "Disabled"
    custom = rules(UploadsExpirationDays=14, TransitionDays=60, TransitionStorageClass="GLACIER_IR")
    assert custom["ExpireUploads"]["Status"] == "Enabled"
    assert custom["ExpireUploads"]["ExpirationInDays"] == 14
    assert custom["ExpireUploads"]["Prefix"] == "uploads/"
    assert custom["TransitionObjects"]["Status"] == "Enabled"
    assert custom["TransitionObjects"]["Transitions"] == [
        {"StorageClass": "GLACIER_IR", "TransitionInDays": 60}]

    versioned = resolve("s3-bucket", TeamName="payments").properties("Bucket")
    assert versioned["VersioningConfiguration"] == {"Status": "Enabled"}
    assert "LoggingConfiguration" not in versioned
    plain = resolve("s3-bucket", TeamName="payments", VersioningEnabled="false",
                    AccessLogBucketName="logs").properties("Bucket")
    assert plain["VersioningConfiguration"] == {"Status": "Suspended"}
    assert plain["LoggingConfiguration"]["DestinationBucketName"] == "logs"


DISTRIBUTION = dict(
    TeamName="payments",
    DomainName="files.payments.example.com",
    CertificateArn="arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666",
    BucketRegionalDomainName="cfsign-payments.s3.eu-west-1.amazonaws.com",
    KeyGroupId="a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
)


def test_distribution_options_are_off_unless_asked_for():
    plain = resolve("cloudfront-distribution", **DISTRIBUTION)
    assert "AliasRecordIpv4" not in plain.resources and "AliasRecordIpv6" not in plain.resources
    headers = plain.properties("DownloadsHeadersPolicy")["ResponseHeadersPolicyConfig"]
    assert "CorsConfig" not in headers and "SecurityHeadersConfig" in headers
    config = plain.properties("Distribution")["DistributionConfig"]
    assert "Logging" not in config and "WebACLId" not in config

    full = resolve("cloudfront-distribution", **DISTRIBUTION, HostedZoneId="Z0123456789ABC",
                   AllowedOrigins="https://app.example.com,https://admin.example.com",
                   LoggingBucketDomainName="logs.s3.amazonaws.com")
    assert {"AliasRecordIpv4", "AliasRecordIpv6"} <= set(full.resources)
    cors = full.properties("DownloadsHeadersPolicy")["ResponseHeadersPolicyConfig"]["CorsConfig"]
    assert cors["AccessControlAllowOrigins"]["Items"] == [
        "https://app.example.com", "https://admin.example.com"]
    assert full.properties("Distribution")["DistributionConfig"]["Logging"]["Bucket"] == \
        "logs.s3.amazonaws.com"
    # Given the shared policies' ids, the stack creates none (teams share them).
    shared = resolve("cloudfront-distribution", **DISTRIBUTION,
                     DownloadsHeadersPolicyId="0a1b2c3d-0000-1111-2222-333344445555",
                     UploadsHeadersPolicyId="0a1b2c3d-0000-1111-2222-333344446666")
    assert not {"DownloadsHeadersPolicy", "UploadsHeadersPolicy"} & set(shared.resources)


def test_both_behaviors_trust_the_key_group_and_only_uploads_take_writes():
    config = resolve("cloudfront-distribution", **DISTRIBUTION).properties(
        "Distribution")["DistributionConfig"]
    default = config["DefaultCacheBehavior"]
    (uploads,) = config["CacheBehaviors"]
    assert uploads["PathPattern"] == "/uploads/*"
    for behavior in [default, uploads]:
        assert behavior["TrustedKeyGroups"] == [DISTRIBUTION["KeyGroupId"]]
        assert behavior["ViewerProtocolPolicy"] == "https-only"
    assert "PUT" not in default["AllowedMethods"]
    assert {"PUT", "POST"} <= set(uploads["AllowedMethods"])
    assert config["ViewerCertificate"]["MinimumProtocolVersion"] == "TLSv1.2_2021"
    assert config["Aliases"] == [DISTRIBUTION["DomainName"]]
    assert config["HttpVersion"] == "http2and3"


def test_table_key_schema_follows_the_team_choice():
    simple = resolve("metadata-table", TeamName="payments").properties("Table")
    assert simple["KeySchema"] == [{"AttributeName": "fileId", "KeyType": "HASH"}]
    assert simple["BillingMode"] == "PAY_PER_REQUEST" and "ProvisionedThroughput" not in simple
    assert "TimeToLiveSpecification" not in simple
    assert simple["SSESpecification"] == {"SSEEnabled": True}

    composite = resolve("metadata-table", TeamName="payments", PartitionKeyName="tenant",
                        SortKeyName="uploadedAt", SortKeyType="N", BillingMode="PROVISIONED",
                        TimeToLiveAttribute="expiresAt").properties("Table")
    assert composite["KeySchema"] == [{"AttributeName": "tenant", "KeyType": "HASH"},
                                      {"AttributeName": "uploadedAt", "KeyType": "RANGE"}]
    assert {"AttributeName": "uploadedAt", "AttributeType": "N"} in composite["AttributeDefinitions"]
    assert composite["ProvisionedThroughput"] == {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    assert composite["TimeToLiveSpecification"] == {"AttributeName": "expiresAt", "Enabled": True}


ROLE = dict(TeamName="payments",
            SecretArn="arn:aws:secretsmanager:eu-west-1:123456789012:secret:cfsign/payments/signing-key-AbCdEf")


def role_policies(resolved):
    return {p["PolicyName"]: p["PolicyDocument"]["Statement"]
            for p in resolved.properties("Role")["Policies"]}


def test_role_uses_the_table_only_when_there_is_one():
    without = resolve("integration-role", **ROLE, TrustedService="lambda")
    assert set(role_policies(without)) == {"read-signing-key"}
    table = "arn:aws:dynamodb:eu-west-1:123456789012:table/cfsign-payments-metadata"
    with_table = resolve("integration-role", **ROLE, TrustedService="lambda", TableArn=table)
    (statement,) = role_policies(with_table)["use-metadata-table"]
    assert statement["Resource"][0] == table
    assert statement["Resource"][1]["Fn::Sub"] == "${TableArn}/index/*"
    assert "dynamodb:Query" in statement["Action"]


def test_role_reads_the_secret_and_decrypts_only_with_its_key():
    plain = role_policies(resolve("integration-role", **ROLE, TrustedService="ecs-tasks"))
    (read,) = plain["read-signing-key"]
    assert read["Resource"] == ROLE["SecretArn"]
    assert "secretsmanager:GetSecretValue" in read["Action"]
    key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    with_key = role_policies(resolve("integration-role", **ROLE, TrustedService="ecs-tasks",
                                     SecretKmsKeyArn=key))
    decrypt = with_key["read-signing-key"][1]
    assert decrypt["Action"] == "kms:Decrypt" and decrypt["Resource"] == key


def test_role_trusts_exactly_the_principals_given():
    def trusted(**parameters):
        role = resolve("integration-role", **ROLE, **parameters).properties("Role")
        return [s["Principal"] for s in role["AssumeRolePolicyDocument"]["Statement"]]

    account_role = "arn:aws:iam::210987654321:role/payments-api"
    assert trusted(TrustedPrincipalArn=account_role) == [{"AWS": account_role}]
    assert trusted(TrustedService="eks-pod-identity") == [{"Service": "pods.eks.amazonaws.com"}]
    assert trusted(TrustedPrincipalArn=account_role, TrustedService="lambda") == [
        {"AWS": account_role}, {"Service": "lambda.amazonaws.com"}]


def test_secret_uses_a_customer_key_only_when_given_and_never_holds_a_key():
    plain = resolve("private-key-secret", TeamName="payments",
                    AutomationRoleArn="arn:aws:iam::123456789012:role/platform-automation")
    secret = plain.properties("SigningKeySecret")
    assert "KmsKeyId" not in secret
    assert secret["SecretString"] == '{"keyPairId":"","privateKey":""}'
    key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    with_key = resolve("private-key-secret", TeamName="payments", KmsKeyArn=key,
                       AutomationRoleArn="arn:aws:iam::123456789012:role/platform-automation")
    assert with_key.properties("SigningKeySecret")["KmsKeyId"] == key
    policy = plain.properties("SigningKeySecretPolicy")["ResourcePolicy"]["Statement"][0]
    readers = policy["Condition"]["ArnNotLike"]["aws:PrincipalArn"]
    assert readers[1] == "arn:aws:iam::123456789012:role/platform-automation"
    assert readers[0]["Fn::Sub"].endswith(":role/cfsign-${TeamName}-integration")


def test_integration_role_name_matches_what_the_secret_admits():
    role = load("integration-role")["Resources"]["Role"]["Properties"]["RoleName"]
    assert role == {"Fn::Sub": "cfsign-${TeamName}-integration"}
