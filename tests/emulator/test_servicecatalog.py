"""Service Catalog as the extension models it (servicecatalog.py): the publish and provision
flows cfsign's recipes use, and the errors they must handle."""
import json
import time
import uuid

import pytest

from emulator_testing import ACCOUNT, PRODUCTS, client, product_stack

TEMPLATE = {
    "Parameters": {"Greeting": {"Type": "String"}},
    "Resources": {"Topic": {"Type": "AWS::SNS::Topic",
                            "Properties": {"TopicName": {"Fn::Sub": "sc-${Greeting}"}}}},
    "Outputs": {"TopicName": {"Value": {"Fn::GetAtt": ["Topic", "TopicName"]},
                              "Description": "the topic"},
                "Greeting": {"Value": {"Ref": "Greeting"}}},
}


@pytest.fixture(scope="module")
def catalog(endpoint):
    """A portfolio with one product (one artifact) and a launch constraint."""
    s3 = client(endpoint, "s3")
    s3.create_bucket(Bucket="sc-artifacts")
    s3.put_object(Bucket="sc-artifacts", Key="topic/v1.json", Body=json.dumps(TEMPLATE))
    launch = product_stack(endpoint, "sc-launch-role", "launch-role",
                           {"ArtifactBucketName": "sc-artifacts", "RoleName": "sc-launch"})
    sc = client(endpoint, "servicecatalog")
    portfolio = sc.create_portfolio(DisplayName="sc-test", ProviderName="platform",
                                    Description="test portfolio")["PortfolioDetail"]
    product = sc.create_product(
        Name="sc-topic", Owner="platform", ProductType="CLOUD_FORMATION_TEMPLATE",
        ProvisioningArtifactParameters={
            "Name": "v1", "Type": "CLOUD_FORMATION_TEMPLATE",
            "Info": {"LoadTemplateFromURL": f"{endpoint}/sc-artifacts/topic/v1.json"}})
    product_id = product["ProductViewDetail"]["ProductViewSummary"]["ProductId"]
    sc.associate_product_with_portfolio(ProductId=product_id, PortfolioId=portfolio["Id"])
    sc.create_constraint(PortfolioId=portfolio["Id"], ProductId=product_id, Type="LAUNCH",
                         Parameters=json.dumps({"RoleArn": launch["RoleArn"]}))
    return {"sc": sc, "portfolio": portfolio, "product_id": product_id,
            "artifact_id": product["ProvisioningArtifactDetail"]["Id"],
            "launch_role": launch["RoleArn"]}


def product_in_portfolio(endpoint, catalog, name, key, body):
    """Uploads `body` as a template, makes it the product `name` and adds it to the portfolio;
    returns (product id, artifact id)."""
    client(endpoint, "s3").put_object(Bucket="sc-artifacts", Key=key, Body=body)
    product = catalog["sc"].create_product(
        Name=name, Owner="platform", ProductType="CLOUD_FORMATION_TEMPLATE",
        ProvisioningArtifactParameters={
            "Name": "v1", "Type": "CLOUD_FORMATION_TEMPLATE",
            "Info": {"LoadTemplateFromURL": f"{endpoint}/sc-artifacts/{key}"}})
    product_id = product["ProductViewDetail"]["ProductViewSummary"]["ProductId"]
    catalog["sc"].associate_product_with_portfolio(ProductId=product_id,
                                                   PortfolioId=catalog["portfolio"]["Id"])
    return product_id, product["ProvisioningArtifactDetail"]["Id"]


def wait(sc, record_id):
    statuses = []
    while True:
        detail = sc.describe_record(Id=record_id)
        status = detail["RecordDetail"]["Status"]
        statuses.append(status)
        if status not in ("CREATED", "IN_PROGRESS", "IN_PROGRESS_IN_ERROR"):
            return detail, statuses
        time.sleep(0.05)


def provision(catalog, name, greeting, **extra):
    record = catalog["sc"].provision_product(
        ProductId=catalog["product_id"], ProvisioningArtifactId=catalog["artifact_id"],
        ProvisionedProductName=name, ProvisionToken=extra.pop("token", str(uuid.uuid4())),
        ProvisioningParameters=[{"Key": "Greeting", "Value": greeting}], **extra)
    return record["RecordDetail"]


def test_portfolios_are_found_updated_and_paged(catalog):
    sc = catalog["sc"]
    for n in range(22):
        sc.create_portfolio(DisplayName=f"sc-page-{n}", ProviderName="platform")
    first = sc.list_portfolios()
    assert len(first["PortfolioDetails"]) == 20 and first["NextPageToken"]
    rest = sc.list_portfolios(PageToken=first["NextPageToken"])["PortfolioDetails"]
    names = [p["DisplayName"] for p in first["PortfolioDetails"] + rest]
    assert "sc-test" in names and "sc-page-21" in names
    sc.update_portfolio(Id=catalog["portfolio"]["Id"], Description="updated",
                        AddTags=[{"Key": "team", "Value": "platform"}])
    described = sc.describe_portfolio(Id=catalog["portfolio"]["Id"])
    assert described["PortfolioDetail"]["Description"] == "updated"
    assert described["Tags"] == [{"Key": "team", "Value": "platform"}]


def test_products_are_searchable_by_portfolio_and_name(catalog):
    sc = catalog["sc"]
    in_portfolio = sc.search_products_as_admin(PortfolioId=catalog["portfolio"]["Id"])
    assert [p["ProductViewSummary"]["Name"] for p in in_portfolio["ProductViewDetails"]] == \
        ["sc-topic"]
    found = sc.search_products_as_admin(Filters={"FullTextSearch": ["sc-topic"]})
    assert found["ProductViewDetails"][0]["ProductViewSummary"]["ProductId"] == \
        catalog["product_id"]
    admin = sc.describe_product_as_admin(Id=catalog["product_id"])
    assert [a["Name"] for a in admin["ProvisioningArtifactSummaries"]][0] == "v1"


def test_an_unreadable_template_url_is_refused(endpoint, catalog):
    with pytest.raises(catalog["sc"].exceptions.InvalidParametersException):
        catalog["sc"].create_provisioning_artifact(
            ProductId=catalog["product_id"],
            Parameters={"Name": "missing", "Type": "CLOUD_FORMATION_TEMPLATE",
                        "Info": {"LoadTemplateFromURL":
                                 "https://sc-artifacts.s3.amazonaws.com/nope.json"}})


def test_a_launch_constraint_needs_an_existing_role_and_is_unique(catalog):
    sc = catalog["sc"]
    with pytest.raises(sc.exceptions.DuplicateResourceException):
        sc.create_constraint(PortfolioId=catalog["portfolio"]["Id"],
                             ProductId=catalog["product_id"], Type="LAUNCH",
                             Parameters=json.dumps({"RoleArn": catalog["launch_role"]}))
    other = sc.create_portfolio(DisplayName="sc-other", ProviderName="p")["PortfolioDetail"]
    sc.associate_product_with_portfolio(ProductId=catalog["product_id"],
                                        PortfolioId=other["Id"])
    with pytest.raises(sc.exceptions.InvalidParametersException):
        sc.create_constraint(PortfolioId=other["Id"], ProductId=catalog["product_id"],
                             Type="LAUNCH", Parameters=json.dumps(
                                 {"RoleArn": f"arn:aws:iam::{ACCOUNT}:role/nobody"}))
    sc.disassociate_product_from_portfolio(ProductId=catalog["product_id"],
                                           PortfolioId=other["Id"])
    constraints = sc.list_constraints_for_portfolio(PortfolioId=catalog["portfolio"]["Id"])
    launch = constraints["ConstraintDetails"][0]
    assert launch["Type"] == "LAUNCH"
    described = sc.describe_constraint(Id=launch["ConstraintId"])
    assert json.loads(described["ConstraintParameters"])["RoleArn"] == catalog["launch_role"]


def test_principals_and_shares_are_kept_once(catalog):
    sc = catalog["sc"]
    portfolio_id = catalog["portfolio"]["Id"]
    for _ in range(2):
        sc.associate_principal_with_portfolio(
            PortfolioId=portfolio_id, PrincipalType="IAM_PATTERN",
            PrincipalARN="arn:aws:iam:::role/app-*")
        sc.create_portfolio_share(PortfolioId=portfolio_id, AccountId="210987654321")
    assert sc.list_principals_for_portfolio(PortfolioId=portfolio_id)["Principals"] == [
        {"PrincipalARN": "arn:aws:iam:::role/app-*", "PrincipalType": "IAM_PATTERN"}]
    shares = sc.describe_portfolio_shares(PortfolioId=portfolio_id, Type="ACCOUNT")
    assert [s["PrincipalId"] for s in shares["PortfolioShareDetails"]] == ["210987654321"]
    token = sc.create_portfolio_share(
        PortfolioId=portfolio_id,
        OrganizationNode={"Type": "ORGANIZATIONAL_UNIT", "Value": "ou-ab12-cdef3456"})
    assert token["PortfolioShareToken"]
    units = sc.describe_portfolio_shares(PortfolioId=portfolio_id, Type="ORGANIZATIONAL_UNIT")
    assert units["PortfolioShareDetails"][0]["PrincipalId"] == "ou-ab12-cdef3456"
    with pytest.raises(sc.exceptions.InvalidParametersException):
        sc.create_portfolio_share(PortfolioId=portfolio_id, AccountId=ACCOUNT)


def test_provisioning_runs_the_template_and_reports_outputs(endpoint, catalog):
    sc = catalog["sc"]
    record = provision(catalog, "sc-hello", "hello")
    assert record["Status"] == "IN_PROGRESS"
    assert sc.describe_provisioned_product(Name="sc-hello")["ProvisionedProductDetail"][
        "Status"] == "UNDER_CHANGE"
    detail, statuses = wait(sc, record["RecordId"])
    assert statuses[-1] == "SUCCEEDED" and "IN_PROGRESS" in statuses
    assert detail["RecordOutputs"][0] == \
        {"OutputKey": "TopicName", "OutputValue": "sc-hello", "Description": "the topic"}
    pp = sc.describe_provisioned_product(Name="sc-hello")["ProvisionedProductDetail"]
    assert pp["Status"] == "AVAILABLE"
    assert pp["LaunchRoleArn"] == catalog["launch_role"]
    outputs = sc.get_provisioned_product_outputs(ProvisionedProductName="sc-hello")["Outputs"]
    assert outputs[0]["OutputValue"] == "sc-hello"
    stack = client(endpoint, "cloudformation").describe_stacks(
        StackName=f"SC-{ACCOUNT}-{pp['Id']}")["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    found = sc.search_provisioned_products(Filters={"SearchQuery": ["name:sc-hello"]})
    assert [p["Id"] for p in found["ProvisionedProducts"]] == [pp["Id"]]
    assert found["ProvisionedProducts"][0]["ProductName"] == "sc-topic"


def test_a_token_makes_provisioning_idempotent_and_names_are_unique(catalog):
    sc = catalog["sc"]
    first = provision(catalog, "sc-token", "token", token="same-token")
    again = provision(catalog, "sc-token", "token", token="same-token")
    assert again["RecordId"] == first["RecordId"]
    wait(sc, first["RecordId"])
    with pytest.raises(sc.exceptions.DuplicateResourceException):
        provision(catalog, "sc-token", "token")


def test_a_change_while_under_change_is_refused(catalog):
    sc = catalog["sc"]
    record = provision(catalog, "sc-busy", "busy")
    with pytest.raises(sc.exceptions.InvalidStateException):
        sc.update_provisioned_product(ProvisionedProductName="sc-busy",
                                      ProvisioningParameters=[{"Key": "Greeting",
                                                               "UsePreviousValue": True}])
    wait(sc, record["RecordId"])


def test_a_failing_template_fails_the_record_with_its_reason(catalog):
    sc = catalog["sc"]
    record = catalog["sc"].provision_product(
        ProductId=catalog["product_id"], ProvisioningArtifactId=catalog["artifact_id"],
        ProvisionedProductName="sc-broken", ProvisionToken=str(uuid.uuid4()))
    detail, _ = wait(sc, record["RecordDetail"]["RecordId"])
    assert detail["RecordDetail"]["Status"] == "FAILED"
    assert "Greeting" in detail["RecordDetail"]["RecordErrors"][0]["Description"]
    assert sc.describe_provisioned_product(Name="sc-broken")["ProvisionedProductDetail"][
        "Status"] == "ERROR"


def test_updates_change_parameters_and_artifacts_and_retired_ones_are_refused(endpoint,
                                                                              catalog):
    sc = catalog["sc"]
    wait(sc, provision(catalog, "sc-update", "before")["RecordId"])
    record = sc.update_provisioned_product(
        ProvisionedProductName="sc-update", UpdateToken=str(uuid.uuid4()),
        ProvisioningParameters=[{"Key": "Greeting", "Value": "after"}])["RecordDetail"]
    detail, _ = wait(sc, record["RecordId"])
    assert detail["RecordDetail"]["Status"] == "SUCCEEDED"
    outputs = {o["OutputKey"]: o["OutputValue"] for o in detail["RecordOutputs"]}
    assert outputs["Greeting"] == "after"

    v2 = dict(TEMPLATE, Description="v2")
    client(endpoint, "s3").put_object(Bucket="sc-artifacts", Key="topic/v2.json",
                                      Body=json.dumps(v2))
    artifact = sc.create_provisioning_artifact(
        ProductId=catalog["product_id"],
        Parameters={"Name": "v2", "Type": "CLOUD_FORMATION_TEMPLATE",
                    "Info": {"LoadTemplateFromURL":
                             "https://sc-artifacts.s3.us-east-1.amazonaws.com/topic/v2.json"}}
    )["ProvisioningArtifactDetail"]
    sc.update_provisioning_artifact(ProductId=catalog["product_id"],
                                    ProvisioningArtifactId=catalog["artifact_id"],
                                    Guidance="DEPRECATED")
    listed = sc.list_provisioning_artifacts(ProductId=catalog["product_id"])
    states = {a["Name"]: (a["Active"], a["Guidance"])
              for a in listed["ProvisioningArtifactDetails"]}
    assert states["v1"] == (True, "DEPRECATED") and states["v2"] == (True, "DEFAULT")
    with pytest.raises(sc.exceptions.InvalidParametersException):
        provision(catalog, "sc-old", "old")  # deprecated: no new launches
    record = sc.update_provisioned_product(  # but products on it still update
        ProvisionedProductName="sc-update", ProvisioningArtifactId=catalog["artifact_id"],
        ProvisioningParameters=[{"Key": "Greeting", "Value": "still"}])["RecordDetail"]
    assert wait(sc, record["RecordId"])[0]["RecordDetail"]["Status"] == "SUCCEEDED"
    sc.update_provisioning_artifact(ProductId=catalog["product_id"],
                                    ProvisioningArtifactId=catalog["artifact_id"], Active=False)
    with pytest.raises(sc.exceptions.InvalidParametersException):
        sc.update_provisioned_product(ProvisionedProductName="sc-update",
                                      ProvisioningArtifactId=catalog["artifact_id"])
    record = sc.update_provisioned_product(
        ProvisionedProductName="sc-update", ProvisioningArtifactId=artifact["Id"],
        ProvisioningParameters=[{"Key": "Greeting", "UsePreviousValue": True}])["RecordDetail"]
    wait(sc, record["RecordId"])
    pp = sc.describe_provisioned_product(Name="sc-update")["ProvisionedProductDetail"]
    assert pp["ProvisioningArtifactId"] == artifact["Id"]
    sc.update_provisioning_artifact(ProductId=catalog["product_id"],
                                    ProvisioningArtifactId=catalog["artifact_id"], Active=True,
                                    Guidance="DEFAULT")


def test_terminating_deletes_the_stack_and_frees_the_name(endpoint, catalog):
    sc = catalog["sc"]
    wait(sc, provision(catalog, "sc-gone", "gone")["RecordId"])
    stack_name = f"SC-{ACCOUNT}-" + sc.describe_provisioned_product(
        Name="sc-gone")["ProvisionedProductDetail"]["Id"]
    record = sc.terminate_provisioned_product(ProvisionedProductName="sc-gone",
                                              TerminateToken=str(uuid.uuid4()))["RecordDetail"]
    detail, _ = wait(sc, record["RecordId"])
    assert detail["RecordDetail"]["Status"] == "SUCCEEDED"
    with pytest.raises(sc.exceptions.ResourceNotFoundException):
        sc.describe_provisioned_product(Name="sc-gone")
    cfn = client(endpoint, "cloudformation")
    assert stack_name not in [s["StackName"] for s in cfn.list_stacks(
        StackStatusFilter=["CREATE_COMPLETE"])["StackSummaries"]]
    wait(sc, provision(catalog, "sc-gone", "again")["RecordId"])


def test_a_product_outside_every_portfolio_cannot_be_launched(endpoint, catalog):
    sc = catalog["sc"]
    lonely = sc.create_product(
        Name="sc-lonely", Owner="platform", ProductType="CLOUD_FORMATION_TEMPLATE",
        ProvisioningArtifactParameters={
            "Name": "v1", "Type": "CLOUD_FORMATION_TEMPLATE",
            "Info": {"LoadTemplateFromURL": f"{endpoint}/sc-artifacts/topic/v1.json"}})
    with pytest.raises(sc.exceptions.ResourceNotFoundException):
        sc.provision_product(
            ProductId=lonely["ProductViewDetail"]["ProductViewSummary"]["ProductId"],
            ProvisioningArtifactId=lonely["ProvisioningArtifactDetail"]["Id"],
            ProvisionedProductName="sc-lonely", ProvisionToken="t")


def test_the_real_products_provision_through_the_catalog(endpoint, catalog):
    sc = catalog["sc"]
    product_id, artifact_id = product_in_portfolio(
        endpoint, catalog, "sc-secret", "secret.yaml",
        (PRODUCTS / "private-key-secret/template.yaml").read_bytes())
    record = sc.provision_product(
        ProductId=product_id, ProvisioningArtifactId=artifact_id,
        ProvisionedProductName="sc-secret-team", ProvisionToken=str(uuid.uuid4()),
        ProvisioningParameters=[
            {"Key": "TeamName", "Value": "scteam"},
            {"Key": "AutomationRoleArn", "Value": f"arn:aws:iam::{ACCOUNT}:role/automation"}])
    detail, _ = wait(sc, record["RecordDetail"]["RecordId"])
    outputs = {o["OutputKey"]: o["OutputValue"] for o in detail["RecordOutputs"]}
    assert outputs["SecretName"] == "cfsign/scteam/signing-key"


def test_a_resource_failure_fails_the_record_naming_the_resource(endpoint, catalog):
    sc = catalog["sc"]
    broken = {"Resources": {"Broken": {"Type": "AWS::CloudFront::Distribution", "Properties": {
        "DistributionConfig": {"Enabled": True,
                               "Origins": [{"Id": "o", "DomainName": "example.com",
                                            "S3OriginConfig": {"OriginAccessIdentity": ""}}],
                               "DefaultCacheBehavior": {"TargetOriginId": "o",
                                                        "ViewerProtocolPolicy": "https-only"}}}}}}
    product_id, artifact_id = product_in_portfolio(endpoint, catalog, "sc-broken-product",
                                                   "broken.json", json.dumps(broken))
    record = sc.provision_product(
        ProductId=product_id, ProvisioningArtifactId=artifact_id,
        ProvisionedProductName="sc-rolled-back", ProvisionToken=str(uuid.uuid4()))
    detail, _ = wait(sc, record["RecordDetail"]["RecordId"])
    assert detail["RecordDetail"]["Status"] == "FAILED"
    reason = detail["RecordDetail"]["RecordErrors"][0]["Description"]
    assert reason.startswith("Broken (AWS::CloudFront::Distribution): ")
