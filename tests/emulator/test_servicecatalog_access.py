"""Who reaches what (servicecatalog/access.py): portfolio principals and their IAM_PATTERN rules,
launch paths, and the access levels of provisioned products, each refused and accepted."""
import json
import uuid

import boto3
import pytest

from emulator_testing import ACCOUNT, REGION, allow, as_role, client, make_role, refused, unique
from servicecatalog_testing import new_catalog, new_product, provision, provisioned, wait

END_USER = ["servicecatalog:DescribeProduct", "servicecatalog:ProvisionProduct",
            "servicecatalog:DescribeRecord"]
MANAGE = ["servicecatalog:DescribeProvisionedProduct", "servicecatalog:UpdateProvisionedProduct",
          "servicecatalog:TerminateProvisionedProduct",
          "servicecatalog:SearchProvisionedProducts"]


@pytest.fixture(scope="module")
def catalog(endpoint):
    return new_catalog(endpoint)


def associate(catalog, arn, kind="IAM", portfolio_id=None):
    catalog["sc"].associate_principal_with_portfolio(
        PortfolioId=portfolio_id or catalog["portfolio"]["Id"], PrincipalARN=arn,
        PrincipalType=kind)


def end_user(endpoint, level=None, path="/"):
    """A role allowed the end-user actions, managing provisioned products at `level` (None:
    no condition, which is account level)."""
    condition = {"Condition": {"StringEquals": {f"servicecatalog:{level}Level": "self"}}} \
        if level else {}
    return make_role(endpoint, allow(END_USER), allow(MANAGE, **condition), path=path)


# --- principals ----------------------------------------------------------------------------------

def test_an_iam_pattern_has_no_account_id_and_wildcards_only_in_the_resource_id(catalog):
    sc, portfolio_id = catalog["sc"], catalog["portfolio"]["Id"]
    for arn in (f"arn:aws:iam::{ACCOUNT}:role/app-*", "arn:aws:iam:::*/app",
                "arn:aws:iam:::policy/app-*", "arn:aws:s3:::role/app"):
        response = refused(sc.associate_principal_with_portfolio, PortfolioId=portfolio_id,
                           PrincipalARN=arn, PrincipalType="IAM_PATTERN")
        assert response["Error"]["Code"] == "InvalidParametersException", arn
    for _ in range(2):  # associating again changes nothing
        associate(catalog, "arn:aws:iam:::role/app-*", "IAM_PATTERN")
    listed = sc.list_principals_for_portfolio(PortfolioId=portfolio_id)["Principals"]
    assert listed.count({"PrincipalARN": "arn:aws:iam:::role/app-*",
                         "PrincipalType": "IAM_PATTERN"}) == 1
    sc.disassociate_principal_from_portfolio(PortfolioId=portfolio_id, PrincipalType="IAM_PATTERN",
                                             PrincipalARN="arn:aws:iam:::role/app-*")


def test_a_portfolio_has_at_most_ten_iam_patterns(endpoint):
    catalog = new_catalog(endpoint)
    for n in range(10):
        associate(catalog, f"arn:aws:iam:::role/team-{n}-*", "IAM_PATTERN")
    response = refused(associate, catalog, "arn:aws:iam:::role/team-10-*", "IAM_PATTERN")
    assert response["Error"]["Code"] == "LimitExceededException"


def test_an_iam_principal_is_a_full_arn_of_an_existing_user_group_or_role(endpoint, catalog):
    for arn in ("arn:aws:iam:::role/anyone", f"arn:aws:iam::{ACCOUNT}:role/nobody-here"):
        assert refused(associate, catalog, arn)["Error"]["Code"] == \
            "InvalidParametersException", arn
    associate(catalog, make_role(endpoint))
    group = client(endpoint, "iam").create_group(GroupName=unique("sc-group"))["Group"]["Arn"]
    associate(catalog, group)


def test_disassociating_names_the_type_it_was_associated_with(endpoint, catalog):
    role = make_role(endpoint)
    associate(catalog, role)
    response = refused(catalog["sc"].disassociate_principal_from_portfolio,
                       PortfolioId=catalog["portfolio"]["Id"], PrincipalARN=role,
                       PrincipalType="IAM_PATTERN")
    assert response["Error"]["Code"] == "ResourceNotFoundException"
    catalog["sc"].disassociate_principal_from_portfolio(
        PortfolioId=catalog["portfolio"]["Id"], PrincipalARN=role, PrincipalType="IAM")


# --- launch paths ----------------------------------------------------------------------------------

def test_only_portfolio_principals_reach_products_even_with_iam_permissions(endpoint, catalog):
    role = end_user(endpoint)
    sc = as_role(endpoint, role, "servicecatalog")
    hidden = refused(sc.describe_product, Id=catalog["product_id"])
    assert hidden["Error"]["Code"] == "ResourceNotFoundException"
    response = refused(provision, catalog, unique("sc-outsider"), "x", sc=sc)
    assert response["Error"]["Message"] == \
        f"No launch paths found for resource: {catalog['product_id']}"
    associate(catalog, role)
    assert sc.describe_product(Id=catalog["product_id"])["LaunchPaths"][0]["Name"] == \
        catalog["portfolio"]["DisplayName"]
    assert provisioned(catalog, unique("sc-insider"), unique("in"), sc=sc)[
        "RecordDetail"]["Status"] == "SUCCEEDED"


def test_an_iam_pattern_matches_role_paths_and_names_in_the_account(endpoint, catalog):
    inside = end_user(endpoint, path="/teams/alpha/")
    outside = end_user(endpoint, path="/other/")
    associate(catalog, "arn:aws:iam:::role/teams/*", "IAM_PATTERN")
    assert as_role(endpoint, inside, "servicecatalog").describe_product(
        Id=catalog["product_id"])
    refused(as_role(endpoint, outside, "servicecatalog").describe_product,
            Id=catalog["product_id"])


def test_a_user_reaches_a_portfolio_through_its_group(endpoint, catalog):
    iam = client(endpoint, "iam")
    group, user = unique("sc-group"), unique("sc-user")
    group_arn = iam.create_group(GroupName=group)["Group"]["Arn"]
    iam.create_user(UserName=user)
    iam.add_user_to_group(GroupName=group, UserName=user)
    iam.put_user_policy(UserName=user, PolicyName="sc", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [allow(END_USER)]}))
    key = iam.create_access_key(UserName=user)["AccessKey"]
    user_sc = boto3.client("servicecatalog", endpoint_url=endpoint, region_name=REGION,
                           aws_access_key_id=key["AccessKeyId"],
                           aws_secret_access_key=key["SecretAccessKey"])
    refused(user_sc.describe_product, Id=catalog["product_id"])
    associate(catalog, group_arn)
    assert user_sc.describe_product(Id=catalog["product_id"])


def test_several_launch_paths_need_a_path_id_or_name(endpoint, catalog):
    sc = catalog["sc"]
    product_id, artifact_id = new_product(sc, endpoint, unique("sc-two-paths"))
    names = []
    for _ in range(2):
        portfolio = sc.create_portfolio(DisplayName=unique("sc-path"), ProviderName="p")
        sc.associate_product_with_portfolio(ProductId=product_id,
                                            PortfolioId=portfolio["PortfolioDetail"]["Id"])
        sc.create_constraint(PortfolioId=portfolio["PortfolioDetail"]["Id"],
                             ProductId=product_id, Type="LAUNCH",
                             Parameters=json.dumps({"RoleArn": catalog["launch_role"]}))
        names.append(portfolio["PortfolioDetail"]["DisplayName"])
    request = {"ProductId": product_id, "ProvisioningArtifactId": artifact_id,
               "ProvisioningParameters": [{"Key": "Greeting", "Value": unique("two")}]}
    response = refused(sc.provision_product, ProvisionedProductName=unique("sc-which"),
                       ProvisionToken=str(uuid.uuid4()), **request)
    assert "More than one launch path" in response["Error"]["Message"]
    paths = sc.describe_product(Id=product_id)["LaunchPaths"]
    assert sorted(p["Name"] for p in paths) == sorted(names)
    record = sc.provision_product(ProvisionedProductName=unique("sc-which"), PathName=names[1],
                                  ProvisionToken=str(uuid.uuid4()), **request)["RecordDetail"]
    assert record["PathId"] == next(p["Id"] for p in paths if p["Name"] == names[1])
    wait(sc, record["RecordId"])


def test_a_template_constraint_binds_only_its_own_portfolios_launch_path(endpoint, catalog):
    """Two portfolios hold the product, each pinning Team to its own team: a principal of the
    beta portfolio cannot launch as alpha, though alpha's portfolio would accept it."""
    sc = catalog["sc"]
    role = end_user(endpoint)
    paths = {}
    for team in ("alpha", "beta"):
        portfolio = sc.create_portfolio(DisplayName=unique(f"sc-{team}"), ProviderName="p")
        portfolio_id = portfolio["PortfolioDetail"]["Id"]
        sc.associate_product_with_portfolio(ProductId=catalog["product_id"],
                                            PortfolioId=portfolio_id)
        sc.create_constraint(PortfolioId=portfolio_id, ProductId=catalog["product_id"],
                             Type="LAUNCH",
                             Parameters=json.dumps({"RoleArn": catalog["launch_role"]}))
        sc.create_constraint(PortfolioId=portfolio_id, ProductId=catalog["product_id"],
                             Type="TEMPLATE", Parameters=json.dumps({"Rules": {"Pinned": {
                                 "Assertions": [{
                                     "Assert": {"Fn::Contains": [[team], {"Ref": "Team"}]},
                                     "AssertDescription": f"Team must be {team}"}]}}}))
        paths[team] = portfolio["PortfolioDetail"]["DisplayName"]
    associate(catalog, role, portfolio_id=portfolio_id)  # beta's
    beta = as_role(endpoint, role, "servicecatalog")
    assert [p["Name"] for p in beta.describe_product(Id=catalog["product_id"])["LaunchPaths"]] \
        == [paths["beta"]]
    assert refused(provision, catalog, unique("sc-steal"), unique("s"), sc=beta,
                   PathName=paths["alpha"])["Error"]["Code"] == "ResourceNotFoundException"
    theft = provisioned(catalog, unique("sc-steal"), unique("s"), sc=beta,
                        parameters=[{"Key": "Team", "Value": "alpha"}])
    assert theft["RecordDetail"]["Status"] == "FAILED"
    assert theft["RecordDetail"]["RecordErrors"][0]["Description"] == "Team must be beta"
    own = provisioned(catalog, unique("sc-own"), unique("o"), sc=beta,
                      parameters=[{"Key": "Team", "Value": "beta"}])
    assert own["RecordDetail"]["Status"] == "SUCCEEDED"
    as_alpha = provisioned(catalog, unique("sc-alpha"), unique("a"), PathName=paths["alpha"],
                           parameters=[{"Key": "Team", "Value": "alpha"}])
    assert as_alpha["RecordDetail"]["Status"] == "SUCCEEDED"


# --- access levels -----------------------------------------------------------------------------

def launched_by(endpoint, catalog, role, session="first"):
    """A provisioned product launched by a session of `role`; its name."""
    sc = as_role(endpoint, role, "servicecatalog", session=session)
    name = unique("sc-owned")
    assert provisioned(catalog, name, name, sc=sc)["RecordDetail"]["Status"] == "SUCCEEDED"
    return name


def update_greeting(sc, name):
    return sc.update_provisioned_product(ProvisionedProductName=name, ProvisioningParameters=[
        {"Key": "Greeting", "Value": unique("changed")}])


def test_user_level_reaches_only_what_the_same_session_launched(endpoint, catalog):
    role = end_user(endpoint, "user")
    associate(catalog, role)
    name = launched_by(endpoint, catalog, role)
    other_session = as_role(endpoint, role, "servicecatalog", session="second")
    response = refused(update_greeting, other_session, name)
    assert response["Error"]["Code"] == "AccessDeniedException"
    assert "servicecatalog:UpdateProvisionedProduct" in response["Error"]["Message"]
    refused(other_session.describe_provisioned_product, Name=name)
    same = as_role(endpoint, role, "servicecatalog", session="first")
    wait(same, update_greeting(same, name)["RecordDetail"]["RecordId"])


def test_role_level_reaches_what_any_session_of_the_role_launched_and_nothing_else(endpoint,
                                                                                   catalog):
    team, other_team = end_user(endpoint, "role"), end_user(endpoint, "role")
    for role in (team, other_team):
        associate(catalog, role)
    name = launched_by(endpoint, catalog, team)
    second = as_role(endpoint, team, "servicecatalog", session="second")
    wait(second, update_greeting(second, name)["RecordDetail"]["RecordId"])
    other = as_role(endpoint, other_team, "servicecatalog")
    for call in (lambda: update_greeting(other, name),
                 lambda: other.terminate_provisioned_product(ProvisionedProductName=name),
                 lambda: other.describe_provisioned_product(Name=name)):
        assert refused(call)["Error"]["Code"] == "AccessDeniedException"
    assert refused(other.describe_provisioned_product, Name="sc-nothing-by-this-name")[
        "Error"]["Code"] == "ResourceNotFoundException"


def test_a_policy_without_a_level_condition_grants_account_level(endpoint, catalog):
    owner, admin = end_user(endpoint, "role"), end_user(endpoint)
    for role in (owner, admin):
        associate(catalog, role)
    name = launched_by(endpoint, catalog, owner)
    sc = as_role(endpoint, admin, "servicecatalog")
    assert sc.describe_provisioned_product(Name=name)
    wait(sc, update_greeting(sc, name)["RecordDetail"]["RecordId"])


def test_search_asks_for_an_access_level_default_account(endpoint, catalog):
    team, other_team = end_user(endpoint, "role"), end_user(endpoint, "role")
    for role in (team, other_team):
        associate(catalog, role)
    mine, theirs = launched_by(endpoint, catalog, team), launched_by(endpoint, catalog, other_team)
    sc = as_role(endpoint, team, "servicecatalog")
    response = refused(sc.search_provisioned_products)
    assert response["Error"]["Code"] == "AccessDeniedException"
    found = sc.search_provisioned_products(AccessLevelFilter={"Key": "Role", "Value": "self"},
                                           PageSize=100)
    names = [p["Name"] for p in found["ProvisionedProducts"]]
    assert mine in names and theirs not in names
    everyone = client(endpoint, "servicecatalog").search_provisioned_products(PageSize=100)
    assert {mine, theirs} <= {p["Name"] for p in everyone["ProvisionedProducts"]}
