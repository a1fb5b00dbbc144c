"""Portfolio shares and the Organizations access they need.

Sources (Service Catalog API reference):
- CreatePortfolioShare: to an account (AccountId) or an organization node (OrganizationNode:
  ORGANIZATION, ORGANIZATIONAL_UNIT or ACCOUNT, its value matching the model's
  OrganizationNodeValue pattern, so an organization root `r-...` is no value: validation.py
  refuses it); "Shares to an organization node can only be created by the management account
  of an organization or by a delegated administrator"; "AWSOrganizationsAccess must be enabled
  in order to create a portfolio share to an organization node"; "If the portfolio share with
  the specified account or organization node already exists, this action will have no effect
  and will not return an error. To update an existing share, you must use the
  UpdatePortfolioShare API instead"; SharePrincipals "is only supported for portfolios with an
  OrganizationalNode Type of ORGANIZATION or ORGANIZATIONAL_UNIT"; an organization node share
  returns a PortfolioShareToken.
- UpdatePortfolioShare changes ShareTagOptions and SharePrincipals of an existing share (left
  as they are when not given); DeletePortfolioShare removes one.
- DescribePortfolioShares: Accepted "If the recipient is in an organization node, the share is
  automatically imported, and the field is always set to true"; ACCOUNT lists account-to-
  account shares, ORGANIZATION_MEMBER_ACCOUNT accounts shared as organization nodes.
- EnableAWSOrganizationsAccess "can only be called by the management account in the
  organization" (Service Catalog then calls organizations:EnableAWSServiceAccess);
  GetAWSOrganizationsAccessStatus by the management account (or a delegated admin).
Error codes are the ones each operation documents; where AWS publishes no message, the
message says what was refused.

Not modelled: delegated administrators; share acceptance by a recipient account (account
shares stay Accepted: false); the asynchronous share status (DescribePortfolioShareStatus).
"""
from moto.organizations.models import organizations_backends

from .state import CatalogError, invalid


def organization(account):
    """The organization whose management account is `account`, or None."""
    return organizations_backends[account]["aws"].org


def _management_only(account, operation):
    org = organization(account)
    if org is None:
        raise CatalogError("OperationNotSupportedException",
                           f"{operation} can only be called by the management account of an "
                           "organization (or a delegated administrator).")
    return org


def enable_access(catalog):
    _management_only(catalog.account_id, "EnableAWSOrganizationsAccess")
    backend = organizations_backends[catalog.account_id]["aws"]
    backend.enable_aws_service_access(ServicePrincipal="servicecatalog.amazonaws.com")
    catalog.organizations_access = "ENABLED"


def access_status(catalog):
    _management_only(catalog.account_id, "GetAWSOrganizationsAccessStatus")
    return catalog.organizations_access


def _node_exists(account, node):
    backend = organizations_backends[account]["aws"]
    value = node["Value"].rsplit("/", 1)[-1]
    if node["Type"] == "ORGANIZATION":
        return value == backend.org.id
    if node["Type"] == "ORGANIZATIONAL_UNIT":
        return any(ou.id == value for ou in backend.ou if not ou.id.startswith("r-"))
    return any(a.id == value for a in backend.accounts)


def target(catalog, params):
    """{"Type", "PrincipalId"} of the share a request names, refused as AWS refuses it."""
    account, node = params.get("AccountId"), params.get("OrganizationNode")
    if bool(account) == bool(node):
        raise invalid("Give AccountId or OrganizationNode, not both.")
    if account:
        if account == catalog.account_id:
            raise invalid("A portfolio cannot be shared with its own account.")
        if params.get("SharePrincipals"):
            raise invalid("SharePrincipals is only supported for portfolios shared with an "
                          "OrganizationNode of type ORGANIZATION or ORGANIZATIONAL_UNIT.")
        return {"Type": "ACCOUNT", "PrincipalId": account}
    if node["Type"] == "ACCOUNT" and params.get("SharePrincipals"):
        raise invalid("SharePrincipals is only supported for portfolios shared with an "
                      "OrganizationNode of type ORGANIZATION or ORGANIZATIONAL_UNIT.")
    _management_only(catalog.account_id, "A portfolio share to an organization node")
    if catalog.organizations_access != "ENABLED":
        raise CatalogError("InvalidStateException",
                           "AWSOrganizationsAccess must be enabled in order to create a "
                           "portfolio share to an organization node: call "
                           "EnableAWSOrganizationsAccess from the management account.")
    if not _node_exists(catalog.account_id, node):
        raise CatalogError("ResourceNotFoundException",
                           f"Organization node {node['Value']} is not in the organization.")
    kind = "ORGANIZATION_MEMBER_ACCOUNT" if node["Type"] == "ACCOUNT" else node["Type"]
    return {"Type": kind, "PrincipalId": node["Value"]}


def find(portfolio, wanted):
    return next((s for s in portfolio["Shares"]
                 if (s["Type"], s["PrincipalId"]) == (wanted["Type"], wanted["PrincipalId"])),
                None)


def create(portfolio, wanted, params):
    if find(portfolio, wanted) is None:
        portfolio["Shares"].append(dict(
            wanted, Accepted=wanted["Type"] != "ACCOUNT",
            ShareTagOptions=bool(params.get("ShareTagOptions")),
            SharePrincipals=bool(params.get("SharePrincipals"))))


def update(portfolio, wanted, params):
    share = find(portfolio, wanted)
    if share is None:
        raise CatalogError("ResourceNotFoundException",
                           f"Portfolio {portfolio['Id']} is not shared with "
                           f"{wanted['PrincipalId']}.")
    for key in ("ShareTagOptions", "SharePrincipals"):
        if params.get(key) is not None:
            share[key] = params[key]


def delete(portfolio, wanted):
    share = find(portfolio, wanted)
    if share is None:
        raise CatalogError("ResourceNotFoundException",
                           f"Portfolio {portfolio['Id']} is not shared with "
                           f"{wanted['PrincipalId']}.")
    portfolio["Shares"].remove(share)
