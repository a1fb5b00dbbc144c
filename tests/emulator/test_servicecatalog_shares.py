"""Portfolio shares (servicecatalog/shares.py): accounts and organization nodes, the
Organizations access organization shares need, and changing a share, each refused and
accepted. Runs in order: the first tests need the account outside any organization."""
import pytest

from emulator_testing import ACCOUNT, client, refused, unique

OTHER = "210987654321"


@pytest.fixture(scope="module")
def sc(endpoint):
    return client(endpoint, "servicecatalog")


@pytest.fixture()
def portfolio_id(sc):
    return sc.create_portfolio(DisplayName=unique("sc-share"),
                               ProviderName="p")["PortfolioDetail"]["Id"]


def shares_of(sc, portfolio_id, kind):
    return sc.describe_portfolio_shares(PortfolioId=portfolio_id,
                                        Type=kind)["PortfolioShareDetails"]


def test_an_account_share_names_another_account_and_shares_no_principals(sc, portfolio_id):
    assert refused(sc.create_portfolio_share, PortfolioId=portfolio_id, AccountId=ACCOUNT)[
        "Error"]["Code"] == "InvalidParametersException"
    assert refused(sc.create_portfolio_share, PortfolioId=portfolio_id, AccountId=OTHER,
                   SharePrincipals=True)["Error"]["Code"] == "InvalidParametersException"
    for _ in range(2):  # sharing again has no effect
        assert "PortfolioShareToken" not in sc.create_portfolio_share(
            PortfolioId=portfolio_id, AccountId=OTHER)
    assert shares_of(sc, portfolio_id, "ACCOUNT") == [
        {"PrincipalId": OTHER, "Type": "ACCOUNT", "Accepted": False, "ShareTagOptions": False,
         "SharePrincipals": False}]
    sc.delete_portfolio_share(PortfolioId=portfolio_id, AccountId=OTHER)
    assert shares_of(sc, portfolio_id, "ACCOUNT") == []
    assert refused(sc.delete_portfolio_share, PortfolioId=portfolio_id, AccountId=OTHER)[
        "Error"]["Code"] == "ResourceNotFoundException"


def test_an_organization_share_needs_the_management_account(sc, portfolio_id):
    response = refused(sc.create_portfolio_share, PortfolioId=portfolio_id,
                       OrganizationNode={"Type": "ORGANIZATION", "Value": "o-abcdefghij"})
    assert response["Error"]["Code"] == "OperationNotSupportedException"
    assert refused(sc.get_aws_organizations_access_status)["Error"]["Code"] == \
        "OperationNotSupportedException"


def test_an_organization_root_is_no_organization_node(sc, portfolio_id):
    response = refused(sc.create_portfolio_share, PortfolioId=portfolio_id,
                       OrganizationNode={"Type": "ORGANIZATIONAL_UNIT", "Value": "r-ab12"})
    assert response["Error"]["Code"] == "ValidationException"
    assert "organizationNode.value" in response["Error"]["Message"]


@pytest.fixture(scope="module")
def organization(endpoint):
    orgs = client(endpoint, "organizations")
    org = orgs.create_organization(FeatureSet="ALL")["Organization"]
    root = orgs.list_roots()["Roots"][0]["Id"]
    unit = orgs.create_organizational_unit(ParentId=root, Name="apps")["OrganizationalUnit"]
    return {"id": org["Id"], "root": root, "unit": unit["Id"]}


def test_an_organization_share_needs_organizations_access_enabled(sc, portfolio_id,
                                                                  organization):
    assert sc.get_aws_organizations_access_status()["AccessStatus"] == "DISABLED"
    node = {"Type": "ORGANIZATIONAL_UNIT", "Value": organization["unit"]}
    response = refused(sc.create_portfolio_share, PortfolioId=portfolio_id,
                       OrganizationNode=node)
    assert response["Error"]["Code"] == "InvalidStateException"
    sc.enable_aws_organizations_access()
    assert sc.get_aws_organizations_access_status()["AccessStatus"] == "ENABLED"
    assert sc.create_portfolio_share(PortfolioId=portfolio_id, OrganizationNode=node,
                                     SharePrincipals=True)["PortfolioShareToken"]
    assert shares_of(sc, portfolio_id, "ORGANIZATIONAL_UNIT") == [
        {"PrincipalId": organization["unit"], "Type": "ORGANIZATIONAL_UNIT", "Accepted": True,
         "ShareTagOptions": False, "SharePrincipals": True}]


def test_the_node_must_be_in_the_organization(sc, portfolio_id, organization):
    for node in ({"Type": "ORGANIZATION", "Value": "o-zzzzzzzzzz"},
                 {"Type": "ORGANIZATIONAL_UNIT", "Value": "ou-zzzz-zzzzzzzz"}):
        assert refused(sc.create_portfolio_share, PortfolioId=portfolio_id,
                       OrganizationNode=node)["Error"]["Code"] == "ResourceNotFoundException"
    assert sc.create_portfolio_share(
        PortfolioId=portfolio_id,
        OrganizationNode={"Type": "ORGANIZATION", "Value": organization["id"]})
    response = refused(sc.create_portfolio_share, PortfolioId=portfolio_id, SharePrincipals=True,
                       OrganizationNode={"Type": "ACCOUNT", "Value": ACCOUNT})
    assert response["Error"]["Code"] == "InvalidParametersException"


def test_an_existing_share_changes_only_through_update_portfolio_share(sc, portfolio_id,
                                                                       organization):
    node = {"Type": "ORGANIZATIONAL_UNIT", "Value": organization["unit"]}
    sc.create_portfolio_share(PortfolioId=portfolio_id, OrganizationNode=node)
    sc.create_portfolio_share(PortfolioId=portfolio_id, OrganizationNode=node,
                              SharePrincipals=True)
    assert shares_of(sc, portfolio_id, "ORGANIZATIONAL_UNIT")[0]["SharePrincipals"] is False
    sc.update_portfolio_share(PortfolioId=portfolio_id, OrganizationNode=node,
                              SharePrincipals=True)
    assert shares_of(sc, portfolio_id, "ORGANIZATIONAL_UNIT")[0]["SharePrincipals"] is True
    sc.update_portfolio_share(PortfolioId=portfolio_id, OrganizationNode=node,
                              ShareTagOptions=True)
    assert shares_of(sc, portfolio_id, "ORGANIZATIONAL_UNIT")[0]["SharePrincipals"] is True
    response = refused(sc.update_portfolio_share, PortfolioId=portfolio_id, AccountId=OTHER)
    assert response["Error"]["Code"] == "ResourceNotFoundException"
    sc.delete_portfolio_share(PortfolioId=portfolio_id, OrganizationNode=node)
    assert shares_of(sc, portfolio_id, "ORGANIZATIONAL_UNIT") == []
