"""The one-click product (products/signed-url-stack) launched the way a team launches it from the
console: plain Service Catalog calls, as a principal of the team's portfolio, with only the
team name, domain and certificate (and who may assume the integration role). The stack is whole
when the record succeeds: the key was made in the account, the integration role reads it, and
URLs it signs are served by the edge, uploads and downloads alike, while unsigned ones are not.
No key material shows in the stack's parameters, outputs, events or the emulator's output."""
import json
import uuid

import boto3
import requests
from cryptography.hazmat.primitives import serialization

from emulator_testing import (ACCOUNT, PRODUCTS, REGION, allow, as_role, client,
                              credentials_of, make_role, unique)
from servicecatalog_testing import launch_role, outputs_of, template_url, wait
from test_edge import canned
from test_key_generator import held_by_cloudfront, no_key_material, public_key_of

END_USER = ["servicecatalog:DescribeProduct", "servicecatalog:ProvisionProduct",
            "servicecatalog:DescribeRecord", "servicecatalog:DescribeProvisionedProduct",
            "servicecatalog:TerminateProvisionedProduct"]


def one_click_catalog(endpoint, team):
    """The team's portfolio holding the one-click product, as publish.rhai makes it: launched
    with the cfsign launch role, TeamName pinned to the team, the team's role its principal.
    Returns (product id, artifact id, the team's Service Catalog client)."""
    sc = client(endpoint, "servicecatalog")
    body = (PRODUCTS / "signed-url-stack/template.yaml").read_text()
    url = template_url(endpoint, f"signed-url-stack/{uuid.uuid4().hex}.yaml", body)
    product = sc.create_product(
        Name=unique("cfsign signed-URL stack"), Owner="platform",
        ProductType="CLOUD_FORMATION_TEMPLATE",
        ProvisioningArtifactParameters={"Name": "v1", "Type": "CLOUD_FORMATION_TEMPLATE",
                                        "Info": {"LoadTemplateFromURL": url}})
    product_id = product["ProductViewDetail"]["ProductViewSummary"]["ProductId"]
    portfolio = sc.create_portfolio(DisplayName=f"cfsign-{team}", ProviderName="platform")[
        "PortfolioDetail"]["Id"]
    sc.associate_product_with_portfolio(ProductId=product_id, PortfolioId=portfolio)
    sc.create_constraint(PortfolioId=portfolio, ProductId=product_id, Type="LAUNCH",
                         Parameters=json.dumps({"RoleArn": launch_role(endpoint)}))
    sc.create_constraint(PortfolioId=portfolio, ProductId=product_id, Type="TEMPLATE",
                         Parameters=json.dumps({"Rules": {"TeamNameIsPinned": {"Assertions": [{
                             "Assert": {"Fn::Contains": [[team], {"Ref": "TeamName"}]},
                             "AssertDescription": f"TeamName must be {team}"}]}}}))
    member = make_role(endpoint, allow(END_USER))
    sc.associate_principal_with_portfolio(PortfolioId=portfolio, PrincipalARN=member,
                                          PrincipalType="IAM")
    return product_id, product["ProvisioningArtifactDetail"]["Id"], as_role(
        endpoint, member, "servicecatalog")


def launch(sc, product_id, artifact_id, name, parameters):
    record = sc.provision_product(
        ProductId=product_id, ProvisioningArtifactId=artifact_id, ProvisionedProductName=name,
        ProvisionToken=str(uuid.uuid4()),
        ProvisioningParameters=[{"Key": k, "Value": v} for k, v in parameters.items()])
    return wait(sc, record["RecordDetail"]["RecordId"])[0]


def test_a_team_launches_the_whole_stack_from_the_console_and_signs_with_it(endpoint, capfd):
    team = unique("oc").replace("-", "")[:12]
    # The automation role the stack's secret admits by default (cfsign-automation) must exist
    # for the secret's policy; the account has it once products/automation-role is deployed.
    iam = client(endpoint, "iam")
    if not [r for r in iam.list_roles()["Roles"] if r["RoleName"] == "cfsign-automation"]:
        make_role(endpoint, name="cfsign-automation")
    app = make_role(endpoint, allow(
        "sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/cfsign-{team}-integration"))
    product_id, artifact_id, sc = one_click_catalog(endpoint, team)

    # Another team's name is refused by the portfolio's template constraint.
    refused = launch(sc, product_id, artifact_id, f"cfsign-x{team}-stack", {
        "TeamName": f"x{team}", "DomainName": f"files.x{team}.example.com",
        "CertificateArn": f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/0a1b2c3d-2222"})
    assert refused["RecordDetail"]["Status"] == "FAILED"
    assert f"TeamName must be {team}" in json.dumps(refused["RecordDetail"]["RecordErrors"])

    detail = launch(sc, product_id, artifact_id, f"cfsign-{team}-stack", {
        "TeamName": team, "DomainName": f"files.{team}.example.com",
        "CertificateArn": f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/0a1b2c3d-2222",
        "TrustedPrincipalArn": app})
    assert detail["RecordDetail"]["Status"] == "SUCCEEDED", detail["RecordDetail"]
    card = outputs_of(detail)
    for name in ("SecretArn", "DistributionId", "DistributionDomainName", "RoleArn",
                 "BucketName", "KeyGroupId", "KeySlotAPublicKeyId", "CustomDomainName"):
        assert card.get(name), name

    # The key, read as the integration role the application assumes: the team's first key,
    # AWSCURRENT, whose public key is the one CloudFront trusts.
    found = credentials_of(endpoint, card["RoleArn"], caller=as_role(endpoint, app, "sts"))
    secrets = boto3.client("secretsmanager", endpoint_url=endpoint, region_name=REGION,
                           aws_access_key_id=found["AccessKeyId"],
                           aws_secret_access_key=found["SecretAccessKey"],
                           aws_session_token=found["SessionToken"])
    key = json.loads(secrets.get_secret_value(SecretId=card["SecretArn"])["SecretString"])
    assert key["keyPairId"] == card["KeySlotAPublicKeyId"]
    assert public_key_of(key["privateKey"]) == held_by_cloudfront(endpoint, key["keyPairId"])
    private = serialization.load_pem_private_key(key["privateKey"].encode(), password=None)

    # Signed by it, an upload and a download are served by the edge; unsigned, neither.
    base = f"{endpoint}/_edge/{card['DistributionId']}"
    name = f"{uuid.uuid4().hex}.txt"
    upload = canned(f"{base}/uploads/{name}?cfsign-upload=1", private, key["keyPairId"])
    assert requests.put(upload, data=b"hello", headers={"Content-Type": "text/plain"}
                        ).status_code == 200
    download = canned(f"{base}/uploads/{name}", private, key["keyPairId"])
    got = requests.get(download)
    assert got.status_code == 200 and got.content == b"hello"
    assert requests.get(f"{base}/uploads/{name}").status_code == 403
    assert requests.put(f"{base}/uploads/{name}?cfsign-upload=1", data=b"x",
                        headers={"Content-Type": "text/plain"}).status_code == 403

    stack = detail["RecordOutputs"]
    stack_arn = next(o["OutputValue"] for o in stack if o["OutputKey"] == "CloudformationStackARN")
    assert no_key_material(endpoint, stack_arn)
    logged = capfd.readouterr()
    assert "PRIVATE KEY" not in logged.out + logged.err

    # Terminated, the stack goes with its team-owned headers policies; the secret (and so the
    # key) stays for the recovery window teardown gives it.
    client(endpoint, "s3").delete_objects(Bucket=card["BucketName"], Delete={"Objects": [
        {"Key": v["Key"], "VersionId": v["VersionId"]} for v in client(endpoint, "s3")
        .list_object_versions(Bucket=card["BucketName"]).get("Versions", [])]})
    record = sc.terminate_provisioned_product(ProvisionedProductName=f"cfsign-{team}-stack",
                                              TerminateToken=str(uuid.uuid4()))
    assert wait(sc, record["RecordDetail"]["RecordId"])[0]["RecordDetail"]["Status"] == \
        "SUCCEEDED"
    names = [p["ResponseHeadersPolicy"]["ResponseHeadersPolicyConfig"]["Name"] for p in
             client(endpoint, "cloudfront").list_response_headers_policies(Type="custom")[
                 "ResponseHeadersPolicyList"].get("Items", [])]
    assert f"cfsign-uploads-team-{team}" not in names
    assert client(endpoint, "secretsmanager").describe_secret(SecretId=card["SecretArn"])
