"""The Service Catalog operations the emulator serves: those cfsign calls
(src/aws/servicecatalog/; test_servicecatalog_coverage.py fails when cfsign calls one that is
missing here), plus SETUP_OPERATIONS that tests use to arrange an account. Each is
a function of a Call (the request's parameters, the account's catalog, the caller), wrapped by
@operation, which does the prologue every operation shares: read the JSON body, find the
catalog, take the lock, answer JSON. Errors are CatalogError (state.py)."""
import functools
import json
import time

from botocore import xform_name

import wire

from . import access, paging, provisioning, records, search, shares, views
from .state import LOCK, CatalogError, catalog_of, invalid, new_id, not_found

#: AWS operation name -> the method moto dispatches it to.
OPERATIONS = {}
#: Operations no binding calls, served so tests can arrange what a real account would have.
SETUP_OPERATIONS = {"EnableAWSOrganizationsAccess"}
#: Operations no binding calls that the real-account suite's cleanup does
#: (tests/aws-account/cleanup.py), served so its dry run and its tests run here.
CLEANUP_OPERATIONS = {"DeleteConstraint", "DisassociateProductFromPortfolio", "DeletePortfolio",
                      "DeleteProduct", "DescribeProductAsAdmin"}
_NAMES = {xform_name(name): name
          for name in wire.service_model("servicecatalog").operation_names}


class Call:
    """One request: its parameters, the account's catalog, and (when asked) the caller."""

    def __init__(self, response, params):
        self.response = response
        self.params = params
        self.catalog = catalog_of(response.current_account, response.region)

    @functools.cached_property
    def principal(self):
        return access.caller(self.response)


def operation(fn):
    """Makes `fn(call) -> dict` the moto response method for the operation of its name."""
    name = _NAMES[fn.__name__]

    @functools.wraps(fn)
    def method(self):
        call = Call(self, json.loads(self.body or "{}"))
        with LOCK:
            return json.dumps(fn(call))

    OPERATIONS[name] = method
    return method


def _tags(params, key="Tags"):
    return [{"Key": t["Key"], "Value": t["Value"]} for t in params.get(key) or []]


def _retag(tags, params):
    removed = set(params.get("RemoveTags") or [])
    kept = {t["Key"]: t["Value"] for t in tags if t["Key"] not in removed}
    kept.update({t["Key"]: t["Value"] for t in params.get("AddTags") or []})
    return [{"Key": k, "Value": v} for k, v in kept.items()]


def _paged(items, params, key):
    page, token = paging.page(items, params)
    return {key: page, "NextPageToken": token}


# --- portfolios --------------------------------------------------------------------------------

@operation
def create_portfolio(call):
    params, catalog = call.params, call.catalog

    def make():
        portfolio_id = new_id("port-")
        portfolio = {
            "Id": portfolio_id, "ARN": catalog.arn("portfolio", portfolio_id),
            "DisplayName": params["DisplayName"], "Description": params.get("Description", ""),
            "ProviderName": params["ProviderName"], "CreatedTime": time.time(),
            "Tags": _tags(params), "Products": [], "Principals": [], "Shares": [],
        }
        catalog.portfolios[portfolio_id] = portfolio
        return portfolio

    return views.portfolio_reply(catalog.once("CreatePortfolio", params.get("IdempotencyToken"),
                                              make))


@operation
def update_portfolio(call):
    portfolio = call.catalog.portfolio(call.params["Id"])
    for key in ("DisplayName", "Description", "ProviderName"):
        if key in call.params:
            portfolio[key] = call.params[key]
    portfolio["Tags"] = _retag(portfolio["Tags"], call.params)
    return views.portfolio_reply(portfolio)


@operation
def describe_portfolio(call):
    portfolio = call.catalog.portfolio(call.params["Id"])
    return {**views.portfolio_reply(portfolio), "TagOptions": [], "Budgets": []}


@operation
def list_portfolios(call):
    details = [views.portfolio(p) for p in call.catalog.portfolios.values()]
    return _paged(details, call.params, "PortfolioDetails")


# --- products and artifacts --------------------------------------------------------------------

def _load_template(call, info):
    """The template a LoadTemplateFromURL names, copied now as Service Catalog copies it."""
    url = (info or {}).get("LoadTemplateFromURL")
    if not url:
        raise invalid("Info must contain LoadTemplateFromURL.")
    body = provisioning.copy_template(call.catalog, url)
    if body is None:
        raise invalid(f"Unable to read the template at {url}.")
    if "Resources" not in body:
        raise invalid(f"The template at {url} has no Resources section.")
    return url, body


def _new_artifact(call, parameters):
    url, template = _load_template(call, parameters.get("Info"))
    return {
        "Id": new_id("pa-"), "Name": parameters.get("Name", ""),
        "Description": parameters.get("Description", ""),
        "Type": parameters.get("Type", "CLOUD_FORMATION_TEMPLATE"),
        "CreatedTime": time.time(), "Active": True, "Guidance": "DEFAULT",
        "TemplateUrl": url, "Template": template,
    }


def _product_reply(product, artifact):
    return {"ProductViewDetail": views.product(product),
            "ProvisioningArtifactDetail": views.artifact(artifact), "Tags": product["Tags"]}


@operation
def create_product(call):
    params, catalog = call.params, call.catalog

    def make():
        artifact = _new_artifact(call, params.get("ProvisioningArtifactParameters") or {})
        product_id = new_id("prod-")
        product = {
            "Id": product_id, "ViewId": new_id("prodview-"),
            "ARN": catalog.arn("product", product_id), "Name": params["Name"],
            "Owner": params["Owner"], "Description": params.get("Description", ""),
            "Distributor": params.get("Distributor", ""),
            "SupportDescription": params.get("SupportDescription", ""),
            "SupportEmail": params.get("SupportEmail", ""),
            "SupportUrl": params.get("SupportUrl", ""),
            "Type": params.get("ProductType", "CLOUD_FORMATION_TEMPLATE"),
            "CreatedTime": time.time(), "Tags": _tags(params), "Artifacts": [artifact],
        }
        catalog.products[product_id] = product
        return product

    product = catalog.once("CreateProduct", params.get("IdempotencyToken"), make)
    return _product_reply(product, product["Artifacts"][0])


@operation
def update_product(call):
    product = call.catalog.product(call.params["Id"])
    for key in ("Name", "Owner", "Description", "Distributor", "SupportEmail",
                "SupportDescription", "SupportUrl"):
        if key in call.params:
            product[key] = call.params[key]
    product["Tags"] = _retag(product["Tags"], call.params)
    return {"ProductViewDetail": views.product(product), "Tags": product["Tags"]}


@operation
def describe_product_as_admin(call):
    """The administrator's view of a product, by Id or Name, with its tags."""
    product = call.catalog.product(call.params.get("Id"), call.params.get("Name"))
    summaries = [{k: a[k] for k in ("Id", "Name", "Description", "CreatedTime") if k in a}
                 for a in product["Artifacts"]]
    return {"ProductViewDetail": views.product(product),
            "ProvisioningArtifactSummaries": summaries, "Tags": product["Tags"],
            "TagOptions": [], "Budgets": []}


@operation
def delete_product(call):
    """Refused while a portfolio holds the product (API reference, DeleteProduct: "You cannot
    delete a product if it was shared with you or is associated with a portfolio"):
    ResourceInUseException. Its provisioning artifacts go with it."""
    catalog = call.catalog
    product = catalog.product(call.params["Id"])
    holding = [p["Id"] for p in catalog.portfolios.values() if product["Id"] in p["Products"]]
    if holding:
        raise CatalogError("ResourceInUseException", f"Product {product['Id']} is associated "
                           f"with portfolio(s) {', '.join(holding)}.")
    del catalog.products[product["Id"]]
    return {}


@operation
def search_products_as_admin(call):
    params, catalog = call.params, call.catalog
    products = list(catalog.products.values())
    if params.get("PortfolioId"):
        wanted = catalog.portfolio(params["PortfolioId"])["Products"]
        products = [p for p in products if p["Id"] in wanted]
    texts = (params.get("Filters") or {}).get("FullTextSearch")
    if texts:
        products = [p for p in products if search.product_matches(p, texts)]
    return _paged([views.product(p) for p in products], params, "ProductViewDetails")


@operation
def describe_product(call):
    """The end-user view: only through the caller's launch paths (ResourceNotFoundException
    otherwise), with the active artifacts."""
    params, catalog = call.params, call.catalog
    product = catalog.product(params.get("Id"), params.get("Name"))
    paths = access.launch_paths(catalog, call.principal, product["Id"])
    if not paths:
        raise not_found("Product", params.get("Id") or params.get("Name"))
    artifacts = [{"Id": a["Id"], "Name": a["Name"], "Description": a["Description"],
                  "CreatedTime": a["CreatedTime"], "Guidance": a["Guidance"]}
                 for a in product["Artifacts"] if a["Active"]]
    return {"ProductViewSummary": views.product(product)["ProductViewSummary"],
            "ProvisioningArtifacts": artifacts, "Budgets": [],
            "LaunchPaths": [{"Id": access.path_id(p), "Name": p["DisplayName"]}
                            for p in paths]}


@operation
def create_provisioning_artifact(call):
    product = call.catalog.product(call.params["ProductId"])

    def make():
        artifact = _new_artifact(call, call.params["Parameters"])
        product["Artifacts"].append(artifact)
        return artifact

    return views.artifact_reply(call.catalog.once(
        "CreateProvisioningArtifact", call.params.get("IdempotencyToken"), make))


@operation
def list_provisioning_artifacts(call):
    product = call.catalog.product(call.params["ProductId"])
    return {"ProvisioningArtifactDetails": [views.artifact(a) for a in product["Artifacts"]]}


@operation
def update_provisioning_artifact(call):
    product = call.catalog.product(call.params["ProductId"])
    artifact = next((a for a in product["Artifacts"]
                     if a["Id"] == call.params["ProvisioningArtifactId"]), None)
    if artifact is None:
        raise not_found("Provisioning artifact", call.params["ProvisioningArtifactId"])
    for key in ("Name", "Description", "Active", "Guidance"):
        if key in call.params:
            artifact[key] = call.params[key]
    return views.artifact_reply(artifact)


# --- associations ------------------------------------------------------------------------------

@operation
def associate_product_with_portfolio(call):
    product = call.catalog.product(call.params["ProductId"])
    portfolio = call.catalog.portfolio(call.params["PortfolioId"])
    if product["Id"] not in portfolio["Products"]:
        portfolio["Products"].append(product["Id"])
    return {}


@operation
def associate_principal_with_portfolio(call):
    params = call.params
    portfolio = call.catalog.portfolio(params["PortfolioId"])
    principal = {"PrincipalARN": params["PrincipalARN"], "PrincipalType": params["PrincipalType"]}
    access.check_new_principal(portfolio, principal["PrincipalARN"], principal["PrincipalType"],
                               call.catalog.account_id)
    if principal not in portfolio["Principals"]:
        portfolio["Principals"].append(principal)
    return {}


@operation
def disassociate_principal_from_portfolio(call):
    params = call.params
    portfolio = call.catalog.portfolio(params["PortfolioId"])
    principal = {"PrincipalARN": params["PrincipalARN"],
                 "PrincipalType": params.get("PrincipalType", "IAM")}
    if principal not in portfolio["Principals"]:
        raise not_found("Principal", f"{principal['PrincipalType']} "
                                     f"{principal['PrincipalARN']} of the portfolio")
    portfolio["Principals"].remove(principal)
    return {}


@operation
def disassociate_product_from_portfolio(call):
    product = call.catalog.product(call.params["ProductId"])
    portfolio = call.catalog.portfolio(call.params["PortfolioId"])
    if product["Id"] not in portfolio["Products"]:
        raise not_found("Product in portfolio", product["Id"])
    portfolio["Products"].remove(product["Id"])
    return {}


@operation
def delete_portfolio(call):
    """Refused while anything still hangs on the portfolio (API reference, DeletePortfolio: "You
    cannot delete a portfolio if it was shared with you or if it has associated products, users,
    constraints, or shared accounts"): ResourceInUseException."""
    catalog = call.catalog
    portfolio = catalog.portfolio(call.params["Id"])
    constraints = [c for c in catalog.constraints.values() if c["PortfolioId"] == portfolio["Id"]]
    held = [what for what, items in (("products", portfolio["Products"]),
                                     ("principals", portfolio["Principals"]),
                                     ("constraints", constraints),
                                     ("shares", portfolio["Shares"])) if items]
    if held:
        raise CatalogError("ResourceInUseException",
                           f"Portfolio {portfolio['Id']} still has associated {', '.join(held)}.")
    del catalog.portfolios[portfolio["Id"]]
    return {}


@operation
def list_principals_for_portfolio(call):
    portfolio = call.catalog.portfolio(call.params["PortfolioId"])
    return _paged(portfolio["Principals"], call.params, "Principals")


# --- constraints -------------------------------------------------------------------------------

def _constraint_parameters(catalog, kind, text):
    try:
        parameters = json.loads(text)
    except (TypeError, ValueError):
        raise invalid("Constraint Parameters must be a JSON object.")
    if kind == "LAUNCH":
        _check_launch_parameters(catalog, parameters)
    elif kind == "TEMPLATE" and not isinstance(parameters.get("Rules"), dict):
        raise invalid("A TEMPLATE constraint needs Rules.")
    return parameters


def _check_launch_parameters(catalog, parameters):
    """RoleArn or LocalRoleName, not both, naming a role of this account when local."""
    arn, local = parameters.get("RoleArn"), parameters.get("LocalRoleName")
    if bool(arn) == bool(local):
        raise invalid("A launch constraint needs RoleArn or LocalRoleName, not both.")
    name = local or arn.rsplit("/", 1)[-1]
    if (local or f":{catalog.account_id}:" in arn) and \
            not provisioning.role_exists(catalog, name):
        raise invalid(f"The launch role {arn or name} does not exist.")


@operation
def create_constraint(call):
    params, catalog = call.params, call.catalog
    portfolio = catalog.portfolio(params["PortfolioId"])
    if params["ProductId"] not in portfolio["Products"]:
        raise not_found("Product in portfolio", params["ProductId"])

    def make():
        kind = params["Type"]
        _constraint_parameters(catalog, kind, params["Parameters"])
        if kind == "LAUNCH" and catalog.constraints_of(portfolio["Id"], params["ProductId"],
                                                       "LAUNCH"):
            raise CatalogError("DuplicateResourceException", "The product already has a "
                               "launch constraint in this portfolio.")
        constraint = {
            "ConstraintId": new_id("cons-"), "Type": kind,
            "Description": params.get("Description", ""), "Owner": catalog.account_id,
            "ProductId": params["ProductId"], "PortfolioId": portfolio["Id"],
            "Parameters": params["Parameters"],
        }
        catalog.constraints[constraint["ConstraintId"]] = constraint
        return constraint

    return views.constraint_reply(catalog.once("CreateConstraint",
                                               params.get("IdempotencyToken"), make))


@operation
def describe_constraint(call):
    return views.constraint_reply(call.catalog.constraint(call.params["Id"]))


@operation
def update_constraint(call):
    constraint = call.catalog.constraint(call.params["Id"])
    if "Parameters" in call.params:
        _constraint_parameters(call.catalog, constraint["Type"], call.params["Parameters"])
        constraint["Parameters"] = call.params["Parameters"]
    if "Description" in call.params:
        constraint["Description"] = call.params["Description"]
    return views.constraint_reply(constraint)


@operation
def delete_constraint(call):
    constraint = call.catalog.constraint(call.params["Id"])
    del call.catalog.constraints[constraint["ConstraintId"]]
    return {}


@operation
def list_constraints_for_portfolio(call):
    params, catalog = call.params, call.catalog
    catalog.portfolio(params["PortfolioId"])
    details = [views.constraint(c) for c in catalog.constraints.values()
               if c["PortfolioId"] == params["PortfolioId"]
               and params.get("ProductId") in (None, c["ProductId"])]
    return _paged(details, params, "ConstraintDetails")


# --- shares ------------------------------------------------------------------------------------

def _share_token(wanted):
    return {} if wanted["Type"] == "ACCOUNT" else {"PortfolioShareToken": new_id("share-")}


@operation
def create_portfolio_share(call):
    portfolio = call.catalog.portfolio(call.params["PortfolioId"])
    wanted = shares.target(call.catalog, call.params)
    shares.create(portfolio, wanted, call.params)
    return _share_token(wanted)


@operation
def update_portfolio_share(call):
    portfolio = call.catalog.portfolio(call.params["PortfolioId"])
    wanted = shares.target(call.catalog, call.params)
    shares.update(portfolio, wanted, call.params)
    return {**_share_token(wanted), "Status": "COMPLETED"}


@operation
def delete_portfolio_share(call):
    portfolio = call.catalog.portfolio(call.params["PortfolioId"])
    wanted = shares.target(call.catalog, call.params)
    shares.delete(portfolio, wanted)
    return _share_token(wanted)


@operation
def describe_portfolio_shares(call):
    portfolio = call.catalog.portfolio(call.params["PortfolioId"])
    listed = [views.share(s) for s in portfolio["Shares"] if s["Type"] == call.params["Type"]]
    return _paged(listed, call.params, "PortfolioShareDetails")


@operation
def get_aws_organizations_access_status(call):
    return {"AccessStatus": shares.access_status(call.catalog)}


@operation
def enable_aws_organizations_access(call):
    shares.enable_access(call.catalog)
    return {}


# --- provisioned products ----------------------------------------------------------------------

@operation
def provision_product(call):
    record = call.catalog.once("ProvisionProduct", call.params.get("ProvisionToken"),
                               lambda: provisioning.launch(call.catalog, call.principal,
                                                           call.params))
    return {"RecordDetail": _settled_record(call.catalog, record)}


@operation
def update_provisioned_product(call):
    record = call.catalog.once("UpdateProvisionedProduct", call.params.get("UpdateToken"),
                               lambda: provisioning.update(call.catalog, call.principal,
                                                           call.params))
    return {"RecordDetail": _settled_record(call.catalog, record)}


@operation
def terminate_provisioned_product(call):
    record = call.catalog.once("TerminateProvisionedProduct",
                               call.params.get("TerminateToken"),
                               lambda: provisioning.terminate(call.catalog, call.params))
    return {"RecordDetail": _settled_record(call.catalog, record)}


def _settled_record(catalog, record):
    pp = catalog.provisioned.get(record["ProvisionedProductId"])
    if pp is not None:
        records.settle(catalog, pp)
    records.settle_record(record)
    return views.record(record)


@operation
def describe_record(call):
    catalog = call.catalog
    record = catalog.record(call.params["Id"])
    detail = _settled_record(catalog, record)
    pp = catalog.provisioned.get(record["ProvisionedProductId"])
    listed = []
    if record["Status"] == "SUCCEEDED" and pp is not None and \
            record["RecordType"] != records.TERMINATE:
        listed = provisioning.outputs(catalog, pp)
    page, token = paging.page(listed, call.params)
    return {"RecordDetail": detail, "RecordOutputs": page, "NextPageToken": token}


@operation
def describe_provisioned_product(call):
    pp = call.catalog.provisioned_product(call.params.get("Id"), call.params.get("Name"))
    records.settle(call.catalog, pp)
    return {"ProvisionedProductDetail": views.provisioned(pp), "CloudWatchDashboards": []}


@operation
def get_provisioned_product_outputs(call):
    params, catalog = call.params, call.catalog
    pp = catalog.provisioned_product(params.get("ProvisionedProductId"),
                                     params.get("ProvisionedProductName"))
    listed = provisioning.outputs(catalog, pp)
    if params.get("OutputKeys"):
        listed = [o for o in listed if o["OutputKey"] in params["OutputKeys"]]
    return _paged(listed, params, "Outputs")


def _searchable(attributes):
    """The SearchQuery fields of a provisioned product (search.py)."""
    fields = {key[0].lower() + key[1:]: value for key, value in attributes.items()
              if key != "Tags"}
    fields["tags"] = " ".join(f"{t['Key']} {t['Value']}" for t in attributes["Tags"])
    return fields


@operation
def search_provisioned_products(call):
    """Those within the requested access level (IAM allowed that level: iam_enforce), matching
    every SearchQuery term, in search.py's order."""
    params, catalog, principal = call.params, call.catalog, call.principal
    records.settle_all(catalog)
    level = access.requested_level("SearchProvisionedProducts", params)
    terms = (params.get("Filters") or {}).get("SearchQuery") or []
    found = [views.provisioned_attributes(catalog, pp) for pp in catalog.provisioned.values()
             if principal.is_root or access.within_level(principal, pp["Owner"], level)]
    found = [a for a in found if search.matches_all(terms, _searchable(a))]
    page, token = paging.page(search.ordered(found, params), params)
    return {"ProvisionedProducts": page, "TotalResultsCount": len(found),
            "NextPageToken": token}
