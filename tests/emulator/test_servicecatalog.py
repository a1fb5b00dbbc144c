"""Service Catalog as the extension models it (servicecatalog/): publishing, provisioning,
records and their statuses, outputs, template constraints, idempotency and paging, each rule
refused and accepted (the caller is the account root; access.py's rules are in
test_servicecatalog_access.py)."""
import json
import uuid

import pytest

from emulator_testing import ACCOUNT, PRODUCTS, client, make_role, refused, unique
from servicecatalog_testing import (TEMPLATE, new_catalog, new_product, outputs_of, provision,
                                    provisioned, template_url, wait)


@pytest.fixture(scope="module")
def catalog(endpoint):
    return new_catalog(endpoint)


def product_in_portfolio(endpoint, catalog, key, body):
    """A new product from `body`, in the catalog's portfolio and launched as its launch role."""
    sc = catalog["sc"]
    product_id, artifact_id = new_product(sc, endpoint, unique("sc-product"), key=key, body=body)
    portfolio_id = catalog["portfolio"]["Id"]
    sc.associate_product_with_portfolio(ProductId=product_id, PortfolioId=portfolio_id)
    sc.create_constraint(PortfolioId=portfolio_id, ProductId=product_id, Type="LAUNCH",
                         Parameters=json.dumps({"RoleArn": catalog["launch_role"]}))
    return product_id, artifact_id


def launch(catalog, product_id, artifact_id, name, parameters=()):
    record = catalog["sc"].provision_product(
        ProductId=product_id, ProvisioningArtifactId=artifact_id, ProvisionedProductName=name,
        ProvisionToken=str(uuid.uuid4()), ProvisioningParameters=list(parameters))
    return wait(catalog["sc"], record["RecordDetail"]["RecordId"])[0]


def status_of(sc, name):
    return sc.describe_provisioned_product(Name=name)["ProvisionedProductDetail"]["Status"]


# --- publishing --------------------------------------------------------------------------------

def test_portfolios_are_listed_a_page_at_a_time_and_updated(catalog):
    sc = catalog["sc"]
    for n in range(22):
        sc.create_portfolio(DisplayName=f"sc-page-{n}", ProviderName="platform")
    first = sc.list_portfolios()
    assert len(first["PortfolioDetails"]) == 20 and first["NextPageToken"]
    rest = sc.list_portfolios(PageToken=first["NextPageToken"])
    names = [p["DisplayName"] for p in first["PortfolioDetails"] + rest["PortfolioDetails"]]
    assert catalog["portfolio"]["DisplayName"] in names and "sc-page-21" in names
    assert len(sc.list_portfolios(PageSize=3)["PortfolioDetails"]) == 3
    updated = sc.update_portfolio(Id=catalog["portfolio"]["Id"], Description="updated",
                                  AddTags=[{"Key": "team", "Value": "platform"}])
    assert updated["PortfolioDetail"]["Description"] == "updated"
    assert updated["Tags"] == [{"Key": "team", "Value": "platform"}]


def test_a_portfolio_is_described_with_its_tags(catalog):
    sc = catalog["sc"]
    portfolio = sc.create_portfolio(DisplayName=unique("sc-described"), ProviderName="platform",
                                    Tags=[{"Key": "cfsign:team", "Value": "alpha"}])
    described = sc.describe_portfolio(Id=portfolio["PortfolioDetail"]["Id"])
    assert described["PortfolioDetail"] == portfolio["PortfolioDetail"]
    assert described["Tags"] == [{"Key": "cfsign:team", "Value": "alpha"}]
    assert refused(sc.describe_portfolio, Id="port-nothere00000")["Error"]["Code"] == \
        "ResourceNotFoundException"


def test_a_page_token_the_service_did_not_give_is_refused(catalog):
    response = refused(catalog["sc"].list_portfolios, PageToken="not-a-token")
    assert response["Error"]["Code"] == "InvalidParametersException"


def test_products_are_searched_by_portfolio_and_by_words(endpoint, catalog):
    sc = catalog["sc"]
    in_portfolio = sc.search_products_as_admin(PortfolioId=catalog["portfolio"]["Id"])
    ids = [p["ProductViewSummary"]["ProductId"] for p in in_portfolio["ProductViewDetails"]]
    assert catalog["product_id"] in ids
    name = next(p["ProductViewSummary"]["Name"] for p in in_portfolio["ProductViewDetails"]
                if p["ProductViewSummary"]["ProductId"] == catalog["product_id"])
    other, _ = new_product(sc, endpoint, unique("sc-topic"))  # shares the words sc, topic
    found = sc.search_products_as_admin(Filters={"FullTextSearch": [name]})
    found_ids = [p["ProductViewSummary"]["ProductId"] for p in found["ProductViewDetails"]]
    assert catalog["product_id"] in found_ids and other in found_ids


def test_an_unreadable_template_url_is_refused(catalog):
    response = refused(catalog["sc"].create_provisioning_artifact,
                       ProductId=catalog["product_id"],
                       Parameters={"Name": "missing", "Type": "CLOUD_FORMATION_TEMPLATE",
                                   "Info": {"LoadTemplateFromURL":
                                            "https://sc-artifacts.s3.amazonaws.com/nope.json"}})
    assert response["Error"]["Code"] == "InvalidParametersException"


def test_a_launch_constraint_names_one_existing_role_and_is_unique(endpoint, catalog):
    sc, role = catalog["sc"], catalog["launch_role"]
    portfolio_id = catalog["portfolio"]["Id"]
    duplicate = refused(sc.create_constraint, PortfolioId=portfolio_id,
                        ProductId=catalog["product_id"], Type="LAUNCH",
                        Parameters=json.dumps({"RoleArn": role}))
    assert duplicate["Error"]["Code"] == "DuplicateResourceException"
    other = sc.create_portfolio(DisplayName=unique("sc-other"), ProviderName="p")
    other_id = other["PortfolioDetail"]["Id"]
    product_id, _ = new_product(sc, endpoint, unique("sc-constrained"))
    sc.associate_product_with_portfolio(ProductId=product_id, PortfolioId=other_id)
    for parameters in ({"RoleArn": f"arn:aws:iam::{ACCOUNT}:role/nobody"},
                       {"LocalRoleName": "nobody"}, {},
                       {"RoleArn": role, "LocalRoleName": role.rsplit("/", 1)[-1]}):
        response = refused(sc.create_constraint, PortfolioId=other_id,
                           ProductId=product_id, Type="LAUNCH", Parameters=json.dumps(parameters))
        assert response["Error"]["Code"] == "InvalidParametersException", parameters
    local = sc.create_constraint(PortfolioId=other_id, ProductId=product_id,
                                 Type="LAUNCH",
                                 Parameters=json.dumps({"LocalRoleName": "cfsign-sc-launch"}))
    listed = sc.list_constraints_for_portfolio(PortfolioId=other_id)["ConstraintDetails"]
    assert [c["ConstraintId"] for c in listed] == [local["ConstraintDetail"]["ConstraintId"]]
    described = sc.describe_constraint(Id=local["ConstraintDetail"]["ConstraintId"])
    assert json.loads(described["ConstraintParameters"]) == {"LocalRoleName": "cfsign-sc-launch"}


def test_a_portfolio_and_its_products_are_deleted_only_once_nothing_holds_them(endpoint,
                                                                                catalog):
    sc = catalog["sc"]
    portfolio_id = sc.create_portfolio(DisplayName=unique("sc-gone"),
                                       ProviderName="p")["PortfolioDetail"]["Id"]
    product_id, _ = new_product(sc, endpoint, unique("sc-gone"))
    sc.associate_product_with_portfolio(ProductId=product_id, PortfolioId=portfolio_id)
    constraint = sc.create_constraint(PortfolioId=portfolio_id, ProductId=product_id,
                                      Type="LAUNCH",
                                      Parameters=json.dumps({"RoleArn": catalog["launch_role"]}))
    principal = make_role(endpoint)
    sc.associate_principal_with_portfolio(PortfolioId=portfolio_id, PrincipalARN=principal,
                                          PrincipalType="IAM")
    held = refused(sc.delete_portfolio, Id=portfolio_id)["Error"]
    assert held["Code"] == "ResourceInUseException"
    assert "products, principals, constraints" in held["Message"]
    assert refused(sc.delete_product, Id=product_id)["Error"]["Code"] == "ResourceInUseException"

    sc.delete_constraint(Id=constraint["ConstraintDetail"]["ConstraintId"])
    sc.disassociate_product_from_portfolio(ProductId=product_id, PortfolioId=portfolio_id)
    gone = refused(sc.disassociate_product_from_portfolio, ProductId=product_id,
                   PortfolioId=portfolio_id)
    assert gone["Error"]["Code"] == "ResourceNotFoundException"
    assert "principals" in refused(sc.delete_portfolio, Id=portfolio_id)["Error"]["Message"]
    sc.disassociate_principal_from_portfolio(PortfolioId=portfolio_id, PrincipalARN=principal)
    sc.delete_portfolio(Id=portfolio_id)
    described = sc.describe_product_as_admin(Id=product_id)
    assert described["ProductViewDetail"]["ProductViewSummary"]["ProductId"] == product_id
    assert described["Tags"] == [] and len(described["ProvisioningArtifactSummaries"]) == 1
    sc.delete_product(Id=product_id)
    for call, key in ((sc.describe_portfolio, portfolio_id), (sc.delete_product, product_id),
                      (sc.delete_constraint, constraint["ConstraintDetail"]["ConstraintId"])):
        assert refused(call, Id=key)["Error"]["Code"] == "ResourceNotFoundException"


def test_a_local_role_name_launches_as_that_role_of_the_launching_account(endpoint, catalog):
    sc = catalog["sc"]
    portfolio = sc.create_portfolio(DisplayName=unique("sc-local"), ProviderName="p")
    portfolio_id = portfolio["PortfolioDetail"]["Id"]
    product_id, artifact_id = new_product(sc, endpoint, unique("sc-local"))
    sc.associate_product_with_portfolio(ProductId=product_id, PortfolioId=portfolio_id)
    sc.create_constraint(PortfolioId=portfolio_id, ProductId=product_id, Type="LAUNCH",
                         Parameters=json.dumps({"LocalRoleName": "cfsign-sc-launch"}))
    launch(catalog, product_id, artifact_id, unique("sc-local"),
           [{"Key": "Greeting", "Value": unique("local")}])
    found = sc.search_provisioned_products(Filters={"SearchQuery": [f"productId:{product_id}"]})
    pp_id = found["ProvisionedProducts"][0]["Id"]
    assert sc.describe_provisioned_product(Id=pp_id)["ProvisionedProductDetail"][
        "LaunchRoleArn"] == catalog["launch_role"]


def test_every_create_with_an_idempotency_token_answers_a_retry_with_the_first_result(
        endpoint, catalog):
    sc, token = catalog["sc"], "retry-token"
    portfolios = [sc.create_portfolio(DisplayName=unique("sc-once"), ProviderName="p",
                                      IdempotencyToken=token) for _ in range(2)]
    assert portfolios[0]["PortfolioDetail"] == portfolios[1]["PortfolioDetail"]
    url = template_url(endpoint, "topic/v1.json", json.dumps(TEMPLATE))
    artifact = {"Name": "v1", "Type": "CLOUD_FORMATION_TEMPLATE",
                "Info": {"LoadTemplateFromURL": url}}
    products = [sc.create_product(Name=unique("sc-once"), Owner="p",
                                  ProductType="CLOUD_FORMATION_TEMPLATE", IdempotencyToken=token,
                                  ProvisioningArtifactParameters=artifact) for _ in range(2)]
    assert products[0]["ProductViewDetail"] == products[1]["ProductViewDetail"]
    artifacts = [sc.create_provisioning_artifact(ProductId=catalog["product_id"],
                                                 Parameters=artifact, IdempotencyToken=token)
                 for _ in range(2)]
    assert artifacts[0]["ProvisioningArtifactDetail"]["Id"] == \
        artifacts[1]["ProvisioningArtifactDetail"]["Id"]
    sc.update_provisioning_artifact(ProductId=catalog["product_id"], Active=False,
                                    ProvisioningArtifactId=artifacts[0][
                                        "ProvisioningArtifactDetail"]["Id"])
    name = unique("sc-token")
    first = provision(catalog, name, "token", token=token)
    again = provision(catalog, name, "token", token=token)
    assert again["RecordId"] == first["RecordId"]
    wait(sc, first["RecordId"])
    assert refused(provision, catalog, name, "token")["Error"]["Code"] == \
        "DuplicateResourceException"


# --- provisioning and records ------------------------------------------------------------------

def test_provisioning_runs_the_template_and_reports_outputs_and_the_stack(endpoint, catalog):
    sc, name = catalog["sc"], unique("sc-hello")
    record = provision(catalog, name, name)
    assert record["Status"] == "IN_PROGRESS"
    assert status_of(sc, name) == "UNDER_CHANGE"
    detail, statuses = wait(sc, record["RecordId"])
    assert statuses[-1] == "SUCCEEDED" and "IN_PROGRESS" in statuses
    assert detail["RecordOutputs"][0] == \
        {"OutputKey": "TopicName", "OutputValue": f"sc-{name}", "Description": "the topic"}
    pp = sc.describe_provisioned_product(Name=name)["ProvisionedProductDetail"]
    assert pp["Status"] == "AVAILABLE" and pp["LaunchRoleArn"] == catalog["launch_role"]
    stack = client(endpoint, "cloudformation").describe_stacks(
        StackName=f"SC-{ACCOUNT}-{pp['Id']}")["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    outputs = sc.get_provisioned_product_outputs(ProvisionedProductName=name)["Outputs"]
    assert {o["OutputKey"]: o["OutputValue"] for o in outputs}["CloudformationStackARN"] == \
        stack["StackId"]
    assert outputs_of(detail)["CloudformationStackARN"] == stack["StackId"]
    only = sc.get_provisioned_product_outputs(ProvisionedProductId=pp["Id"],
                                              OutputKeys=["Greeting"])["Outputs"]
    assert [o["OutputValue"] for o in only] == [name]


def test_outputs_come_a_page_at_a_time(endpoint, catalog):
    many = dict(TEMPLATE, Outputs={f"Out{n:02}": {"Value": f"v{n}"} for n in range(25)})
    product_id, artifact_id = product_in_portfolio(endpoint, catalog, "many.json",
                                                   json.dumps(many))
    name = unique("sc-many")
    detail = launch(catalog, product_id, artifact_id, name,
                    [{"Key": "Greeting", "Value": name}])
    sc = catalog["sc"]
    assert len(detail["RecordOutputs"]) == 20 and detail["NextPageToken"]
    rest = sc.describe_record(Id=detail["RecordDetail"]["RecordId"],
                              PageToken=detail["NextPageToken"])
    assert len(rest["RecordOutputs"]) == 6 and not rest.get("NextPageToken")  # and the stack
    first = sc.get_provisioned_product_outputs(ProvisionedProductName=name)
    assert len(first["Outputs"]) == 20
    second = sc.get_provisioned_product_outputs(ProvisionedProductName=name,
                                                PageToken=first["NextPageToken"])
    keys = {o["OutputKey"] for o in first["Outputs"] + second["Outputs"]}
    assert len(keys) == 26 and "Out24" in keys and "CloudformationStackARN" in keys
    response = refused(sc.get_provisioned_product_outputs, ProvisionedProductName=name,
                       PageSize=100)
    assert response["Error"]["Code"] == "ValidationException"


def test_a_change_while_under_change_is_refused(catalog):
    sc, name = catalog["sc"], unique("sc-busy")
    record = provision(catalog, name, name)
    response = refused(sc.update_provisioned_product, ProvisionedProductName=name,
                       ProvisioningParameters=[{"Key": "Greeting", "UsePreviousValue": True}])
    assert response["Error"]["Code"] == "InvalidStateException"
    wait(sc, record["RecordId"])


def test_a_failed_launch_leaves_the_product_in_error(catalog):
    sc, name = catalog["sc"], unique("sc-broken")
    record = sc.provision_product(
        ProductId=catalog["product_id"], ProvisioningArtifactId=catalog["artifact_id"],
        ProvisionedProductName=name, ProvisionToken=str(uuid.uuid4()))
    detail, _ = wait(sc, record["RecordDetail"]["RecordId"])
    assert detail["RecordDetail"]["Status"] == "FAILED"
    assert "Greeting" in detail["RecordDetail"]["RecordErrors"][0]["Description"]
    pp = sc.describe_provisioned_product(Name=name)["ProvisionedProductDetail"]
    assert pp["Status"] == "ERROR" and "Greeting" in pp["StatusMessage"]
    assert pp.get("LastSuccessfulProvisioningRecordId") is None


def test_a_failed_update_leaves_a_running_product_tainted_until_an_update_succeeds(endpoint,
                                                                                  catalog):
    failing = {"Parameters": TEMPLATE["Parameters"], "Resources": {
        "Broken": {"Type": "AWS::CloudFront::Distribution", "Properties": {"DistributionConfig": {
            "Enabled": True, "DefaultCacheBehavior": {"TargetOriginId": "o",
                                                      "ViewerProtocolPolicy": "https-only"},
            "Origins": [{"Id": "o", "DomainName": "example.com",
                         "S3OriginConfig": {"OriginAccessIdentity": ""}}]}}}}}
    sc, name = catalog["sc"], unique("sc-tainted")
    first = provisioned(catalog, name, name)
    url = template_url(endpoint, "failing.json", json.dumps(failing))
    bad = sc.create_provisioning_artifact(ProductId=catalog["product_id"], Parameters={
        "Name": unique("bad"), "Type": "CLOUD_FORMATION_TEMPLATE",
        "Info": {"LoadTemplateFromURL": url}})["ProvisioningArtifactDetail"]["Id"]
    record = sc.update_provisioned_product(ProvisionedProductName=name,
                                           ProvisioningArtifactId=bad)["RecordDetail"]
    assert wait(sc, record["RecordId"])[0]["RecordDetail"]["Status"] == "FAILED"
    pp = sc.describe_provisioned_product(Name=name)["ProvisionedProductDetail"]
    assert pp["Status"] == "TAINTED" and pp["ProvisioningArtifactId"] == catalog["artifact_id"]
    assert pp["LastSuccessfulProvisioningRecordId"] == first["RecordDetail"]["RecordId"]
    sc.update_provisioning_artifact(ProductId=catalog["product_id"],
                                    ProvisioningArtifactId=bad, Active=False)
    record = sc.update_provisioned_product(ProvisionedProductName=name, ProvisioningParameters=[
        {"Key": "Greeting", "UsePreviousValue": True}])["RecordDetail"]
    wait(sc, record["RecordId"])
    assert status_of(sc, name) == "AVAILABLE"


def test_updates_change_parameters_and_artifacts_and_retired_ones_are_refused(endpoint,
                                                                              catalog):
    sc, name = catalog["sc"], unique("sc-update")
    provisioned(catalog, name, name)
    record = sc.update_provisioned_product(
        ProvisionedProductName=name, UpdateToken=str(uuid.uuid4()),
        ProvisioningParameters=[{"Key": "Greeting", "Value": f"{name}-after"}])["RecordDetail"]
    detail, _ = wait(sc, record["RecordId"])
    assert outputs_of(detail)["Greeting"] == f"{name}-after"
    product_id, v1 = new_product(sc, endpoint, unique("sc-versions"))
    sc.associate_product_with_portfolio(ProductId=product_id,
                                        PortfolioId=catalog["portfolio"]["Id"])
    url = template_url(endpoint, "topic/v2.json", json.dumps(dict(TEMPLATE, Description="v2")))
    v2 = sc.create_provisioning_artifact(ProductId=product_id, Parameters={
        "Name": "v2", "Type": "CLOUD_FORMATION_TEMPLATE",
        "Info": {"LoadTemplateFromURL": url}})["ProvisioningArtifactDetail"]["Id"]
    versioned = unique("sc-versioned")
    launch(catalog, product_id, v1, versioned, [{"Key": "Greeting", "Value": versioned}])
    sc.update_provisioning_artifact(ProductId=product_id, ProvisioningArtifactId=v1,
                                    Guidance="DEPRECATED")
    listed = sc.list_provisioning_artifacts(ProductId=product_id)
    assert {a["Name"]: (a["Active"], a["Guidance"])
            for a in listed["ProvisioningArtifactDetails"]} == \
        {"v1": (True, "DEPRECATED"), "v2": (True, "DEFAULT")}
    deprecated = refused(launch, catalog, product_id, v1, unique("sc-old"))
    assert deprecated["Error"]["Code"] == "InvalidParametersException"
    record = sc.update_provisioned_product(  # products on it still update
        ProvisionedProductName=versioned, ProvisioningArtifactId=v1,
        ProvisioningParameters=[{"Key": "Greeting", "UsePreviousValue": True}])["RecordDetail"]
    assert wait(sc, record["RecordId"])[0]["RecordDetail"]["Status"] == "SUCCEEDED"
    sc.update_provisioning_artifact(ProductId=product_id, ProvisioningArtifactId=v1,
                                    Active=False)
    inactive = refused(sc.update_provisioned_product, ProvisionedProductName=versioned,
                       ProvisioningArtifactId=v1)
    assert inactive["Error"]["Code"] == "InvalidParametersException"
    record = sc.update_provisioned_product(
        ProvisionedProductName=versioned, ProvisioningArtifactId=v2,
        ProvisioningParameters=[{"Key": "Greeting", "UsePreviousValue": True}])["RecordDetail"]
    wait(sc, record["RecordId"])
    assert sc.describe_provisioned_product(Name=versioned)["ProvisionedProductDetail"][
        "ProvisioningArtifactId"] == v2


def test_terminating_deletes_the_stack_and_frees_the_name(endpoint, catalog):
    sc, name = catalog["sc"], unique("sc-gone")
    provisioned(catalog, name, name)
    stack_name = f"SC-{ACCOUNT}-" + sc.describe_provisioned_product(
        Name=name)["ProvisionedProductDetail"]["Id"]
    record = sc.terminate_provisioned_product(ProvisionedProductName=name,
                                              TerminateToken=str(uuid.uuid4()))["RecordDetail"]
    detail, _ = wait(sc, record["RecordId"])
    assert detail["RecordDetail"]["Status"] == "SUCCEEDED"
    assert refused(sc.describe_provisioned_product, Name=name)["Error"]["Code"] == \
        "ResourceNotFoundException"
    cfn = client(endpoint, "cloudformation")
    assert stack_name not in [s["StackName"] for s in cfn.list_stacks(
        StackStatusFilter=["CREATE_COMPLETE"])["StackSummaries"]]
    provisioned(catalog, name, f"{name}-again")


def test_a_product_outside_every_portfolio_has_no_launch_path(endpoint, catalog):
    product_id, artifact_id = new_product(catalog["sc"], endpoint, unique("sc-lonely"))
    response = refused(catalog["sc"].provision_product, ProductId=product_id,
                       ProvisioningArtifactId=artifact_id, ProvisionedProductName="sc-lonely",
                       ProvisionToken="t")
    assert response["Error"] == {"Code": "ResourceNotFoundException",
                                 "Message": f"No launch paths found for resource: {product_id}"}


def test_the_real_products_provision_through_the_catalog(endpoint, catalog):
    body = (PRODUCTS / "private-key-secret/template.yaml").read_bytes()
    product_id, artifact_id = product_in_portfolio(endpoint, catalog, "secret.yaml", body)
    team = f"t{uuid.uuid4().hex[:8]}"
    detail = launch(catalog, product_id, artifact_id, unique("sc-secret"), [
        {"Key": "TeamName", "Value": team},
        {"Key": "AutomationRoleArn", "Value": f"arn:aws:iam::{ACCOUNT}:role/automation"}])
    assert outputs_of(detail)["SecretName"] == f"cfsign/{team}/signing-key"


def test_a_resource_failure_fails_the_record_naming_the_resource(endpoint, catalog):
    broken = {"Resources": {"Broken": {"Type": "AWS::CloudFront::Distribution", "Properties": {
        "DistributionConfig": {"Enabled": True,
                               "Origins": [{"Id": "o", "DomainName": "example.com",
                                            "S3OriginConfig": {"OriginAccessIdentity": ""}}],
                               "DefaultCacheBehavior": {"TargetOriginId": "o",
                                                        "ViewerProtocolPolicy": "https-only"}}}}}}
    product_id, artifact_id = product_in_portfolio(endpoint, catalog, "broken.json",
                                                   json.dumps(broken))
    detail = launch(catalog, product_id, artifact_id, unique("sc-rolled-back"))
    assert detail["RecordDetail"]["Status"] == "FAILED"
    reason = detail["RecordDetail"]["RecordErrors"][0]["Description"]
    assert reason.startswith("Broken (AWS::CloudFront::Distribution): ")


# --- template constraints ----------------------------------------------------------------------

def pin_team(catalog, team):
    rules = {"TeamIsPinned": {"Assertions": [{
        "Assert": {"Fn::Contains": [[team], {"Ref": "Team"}]},
        "AssertDescription": f"Team must be {team} in this portfolio"}]}}
    return catalog["sc"].create_constraint(
        PortfolioId=catalog["portfolio"]["Id"], ProductId=catalog["product_id"],
        Type="TEMPLATE", Parameters=json.dumps({"Rules": rules}))["ConstraintDetail"]


def test_template_constraints_refuse_launches_and_updates_whose_parameters_break_them(
        endpoint):
    catalog = new_catalog(endpoint)
    sc = catalog["sc"]
    constraint = pin_team(catalog, "alpha")
    refused_launch = provisioned(catalog, unique("sc-beta"), unique("b"),
                                 parameters=[{"Key": "Team", "Value": "beta"}])
    assert refused_launch["RecordDetail"]["Status"] == "FAILED"
    assert refused_launch["RecordDetail"]["RecordErrors"][0]["Description"] == \
        "Team must be alpha in this portfolio"
    defaulted = provisioned(catalog, unique("sc-default"), unique("d"))  # Team: platform
    assert defaulted["RecordDetail"]["Status"] == "FAILED"
    name = unique("sc-alpha")
    accepted = provisioned(catalog, name, name, parameters=[{"Key": "Team", "Value": "alpha"}])
    assert accepted["RecordDetail"]["Status"] == "SUCCEEDED"
    record = sc.update_provisioned_product(ProvisionedProductName=name, ProvisioningParameters=[
        {"Key": "Greeting", "UsePreviousValue": True},
        {"Key": "Team", "Value": "beta"}])["RecordDetail"]
    assert wait(sc, record["RecordId"])[0]["RecordDetail"]["Status"] == "FAILED"
    assert status_of(sc, name) == "TAINTED"
    record = sc.update_provisioned_product(ProvisionedProductName=name, ProvisioningParameters=[
        {"Key": "Greeting", "Value": f"{name}-2"}, {"Key": "Team", "UsePreviousValue": True}])
    assert wait(sc, record["RecordDetail"]["RecordId"])[0]["RecordDetail"]["Status"] == \
        "SUCCEEDED"
    bad = refused(sc.update_constraint, Id=constraint["ConstraintId"],
                  Parameters=json.dumps({"NoRules": {}}))
    assert bad["Error"]["Code"] == "InvalidParametersException"


def test_a_role_a_launch_constraint_names_must_exist_when_launching(endpoint):
    catalog = new_catalog(endpoint)
    sc = catalog["sc"]
    name = unique("cfsign-gone-launch")
    make_role(endpoint, name=name)
    portfolio = sc.create_portfolio(DisplayName=unique("sc-gone"), ProviderName="p")
    portfolio_id = portfolio["PortfolioDetail"]["Id"]
    product_id, artifact_id = new_product(sc, endpoint, unique("sc-gone"))
    sc.associate_product_with_portfolio(ProductId=product_id, PortfolioId=portfolio_id)
    sc.create_constraint(PortfolioId=portfolio_id, ProductId=product_id, Type="LAUNCH",
                         Parameters=json.dumps({"LocalRoleName": name}))
    client(endpoint, "iam").delete_role(RoleName=name)
    response = refused(sc.provision_product, ProductId=product_id,
                       ProvisioningArtifactId=artifact_id, ProvisionToken="gone",
                       ProvisionedProductName=unique("sc-gone"))
    assert response["Error"]["Code"] == "InvalidParametersException"


def test_an_update_keeps_the_previous_value_of_a_comma_delimited_list(endpoint):
    """UsePreviousValue on a CommaDelimitedList keeps its text (a platform update that keeps
    every other parameter, such as a rotation of the one-click stack, sends it so)."""
    body = dict(TEMPLATE, Parameters={**TEMPLATE["Parameters"],
                                      "Origins": {"Type": "CommaDelimitedList", "Default": ""}},
                Outputs={**TEMPLATE["Outputs"],
                         "Origins": {"Value": {"Fn::Join": ["+", {"Ref": "Origins"}]}}})
    catalog = new_catalog(endpoint, key="lists/v1.json", body=json.dumps(body))
    name = unique("lists")
    detail = provisioned(catalog, name, "lists", parameters=[
        {"Key": "Origins", "Value": "https://a.example,https://b.example"}])
    assert detail["RecordDetail"]["Status"] == "SUCCEEDED", detail
    record = catalog["sc"].update_provisioned_product(
        ProvisionedProductName=name, UpdateToken=str(uuid.uuid4()), ProvisioningParameters=[
            {"Key": "Greeting", "Value": "lists-again"}, {"Key": "Origins", "UsePreviousValue": True}])
    detail = wait(catalog["sc"], record["RecordDetail"]["RecordId"])[0]
    assert detail["RecordDetail"]["Status"] == "SUCCEEDED", detail["RecordDetail"]
    assert outputs_of(detail)["Origins"] == "https://a.example+https://b.example"
