"""AWS Service Catalog for the emulator, per the Service Catalog API reference: portfolios,
products, provisioning artifacts, associations, constraints, shares, and provisioned products
that run their template through moto's CloudFormation, with records and outputs.

moto 5.2.5 covers only portfolios and products, and provisions nothing, so every operation
below replaces moto's (one consistent model, kept on moto's backend so a moto reset clears it).

Faithful where cfsign's recipes depend on it:
- A provisioning artifact copies its template when it is created (LoadTemplateFromURL is read
  from the emulator's S3 then, as Service Catalog copies it into its own bucket).
- ProvisionProduct / UpdateProvisionedProduct / TerminateProvisionedProduct return a record at
  once; the record is IN_PROGRESS for RECORD_SECONDS, then SUCCEEDED or FAILED with its
  RecordErrors, and the provisioned product is UNDER_CHANGE meanwhile (changing it then is
  InvalidStateException). Tokens make each call idempotent.
- A provisioned product's stack is SC-<account>-<id>, created with the launch constraint's
  role; outputs come from the stack.
- Inactive artifacts cannot be launched or updated to, deprecated ones only updated to; a product must be in a portfolio (a
  launch path) to be provisioned; a second launch constraint is DuplicateResourceException;
  a launch constraint's role must exist in IAM.

Not modelled: template constraint rules are kept but not evaluated; access is not checked
against the portfolio's principals; TagOptions, budgets, service actions and StackSets.
"""
import json
import os
import threading
import time
import uuid
from urllib.parse import unquote, urlparse

from moto.cloudformation.models import cloudformation_backends
from moto.core.exceptions import ServiceException
from moto.iam.models import iam_backends
from moto.s3.models import s3_backends
from moto.servicecatalog.models import servicecatalog_backends
from moto.servicecatalog.responses import ServiceCatalogResponse
from moto.utilities.utils import get_partition

#: How long a record stays IN_PROGRESS, so clients really wait (seconds).
RECORD_SECONDS = float(os.environ.get("EMULATOR_RECORD_SECONDS", "0.2"))
PAGE_SIZE = 20
# One lock for the whole catalog: recipes provision many teams at once, and moto's
# CloudFormation is not written for concurrent stack operations.
_LOCK = threading.RLock()


class CatalogError(ServiceException):
    """A Service Catalog error, serialized by moto with the code's HTTP status."""


def _not_found(what, key):
    return CatalogError("ResourceNotFoundException", f"{what} {key} not found.")


def _invalid(message):
    return CatalogError("InvalidParametersException", message)


def _new_id(prefix):
    return prefix + uuid.uuid4().hex[:13]


class Catalog:
    """One account and region's Service Catalog state."""

    def __init__(self, account_id, region):
        self.account_id = account_id
        self.region = region
        self.partition = get_partition(region)
        self.portfolios = {}
        self.products = {}
        self.constraints = {}
        self.provisioned = {}
        self.records = {}
        self.tokens = {}

    def arn(self, kind, resource_id):
        return f"arn:{self.partition}:catalog:{self.region}:{self.account_id}:{kind}/{resource_id}"

    def portfolio(self, portfolio_id):
        if portfolio_id not in self.portfolios:
            raise _not_found("Portfolio", portfolio_id)
        return self.portfolios[portfolio_id]

    def product(self, product_id=None, name=None):
        if product_id:
            if product_id not in self.products:
                raise _not_found("Product", product_id)
            return self.products[product_id]
        for product in self.products.values():
            if product["Name"] == name:
                return product
        raise _not_found("Product", name)

    def constraint(self, constraint_id):
        if constraint_id not in self.constraints:
            raise _not_found("Constraint", constraint_id)
        return self.constraints[constraint_id]

    def provisioned_product(self, pp_id=None, name=None):
        for pp in self.provisioned.values():
            if pp["Id"] == pp_id or (name and pp["Name"] == name):
                return pp
        raise _not_found("Provisioned product", pp_id or name)

    def record(self, record_id):
        if record_id not in self.records:
            raise _not_found("Record", record_id)
        return self.records[record_id]

    def launch_constraint(self, portfolio_id, product_id):
        for c in self.constraints.values():
            if (c["PortfolioId"], c["ProductId"], c["Type"]) == (portfolio_id, product_id,
                                                                 "LAUNCH"):
                return c
        return None


def _catalog(response):
    backend = servicecatalog_backends[response.current_account][response.region]
    if not hasattr(backend, "cfsign_catalog"):
        backend.cfsign_catalog = Catalog(response.current_account, response.region)
    return backend.cfsign_catalog


def _page(items, params):
    """Pages a list by PageToken (an offset) and PageSize, as the API does."""
    start = int(params.get("PageToken") or 0)
    size = int(params.get("PageSize") or PAGE_SIZE)
    page = items[start:start + size]
    token = str(start + size) if start + size < len(items) else None
    return page, token


def _tags(params, key="Tags"):
    return [{"Key": t["Key"], "Value": t["Value"]} for t in params.get(key) or []]


def _retag(tags, params):
    removed = set(params.get("RemoveTags") or [])
    kept = {t["Key"]: t["Value"] for t in tags if t["Key"] not in removed}
    kept.update({t["Key"]: t["Value"] for t in params.get("AddTags") or []})
    return [{"Key": k, "Value": v} for k, v in kept.items()]


# --- templates --------------------------------------------------------------------------------

def _bucket_and_key(url):
    """The bucket and key of an S3 object URL: virtual-hosted (bucket.s3[.region].amazonaws.com)
    or path-style (s3[.region].amazonaws.com/bucket/key, or the emulator's own endpoint)."""
    parsed = urlparse(url)
    host = parsed.hostname or ""
    path = unquote(parsed.path.lstrip("/"))
    if ".s3." in f".{host}" and not host.startswith("s3."):
        return host.split(".s3.")[0], path
    bucket, _, key = path.partition("/")
    return bucket, key


def _load_template(response, info):
    url = (info or {}).get("LoadTemplateFromURL")
    if not url:
        raise _invalid("Info must contain LoadTemplateFromURL.")
    bucket, key = _bucket_and_key(url)
    backend = s3_backends[response.current_account][get_partition(response.region)]
    try:
        body = backend.get_object(bucket, key).value.decode()
    except Exception:
        raise _invalid(f"Unable to read the template at {url}.")
    if "Resources" not in body:
        raise _invalid(f"The template at {url} has no Resources section.")
    return url, body


# --- views ------------------------------------------------------------------------------------

def _portfolio_detail(p):
    return {k: p[k] for k in ("Id", "ARN", "DisplayName", "Description", "CreatedTime",
                              "ProviderName")}


def _product_view(product):
    summary = {k: product[k] for k in ("Name", "Owner", "Distributor", "SupportEmail",
                                       "SupportDescription", "SupportUrl")}
    summary.update({"Id": product["ViewId"], "ProductId": product["Id"],
                    "ShortDescription": product["Description"], "Type": product["Type"],
                    "HasDefaultPath": False})
    return {"ProductViewSummary": summary, "Status": "AVAILABLE",
            "ProductARN": product["ARN"], "CreatedTime": product["CreatedTime"]}


def _artifact_detail(artifact):
    return {k: artifact[k] for k in ("Id", "Name", "Description", "Type", "CreatedTime",
                                     "Active", "Guidance")}


def _provisioned_detail(pp):
    _settle(pp)
    return {k: pp[k] for k in ("Name", "Arn", "Type", "Id", "Status", "StatusMessage",
                               "CreatedTime", "IdempotencyToken", "LastRecordId",
                               "LastProvisioningRecordId",
                               "LastSuccessfulProvisioningRecordId", "ProductId",
                               "ProvisioningArtifactId", "LaunchRoleArn")}


def _record_detail(record):
    _settle_record(record)
    return {k: record[k] for k in ("RecordId", "ProvisionedProductName", "Status",
                                   "CreatedTime", "UpdatedTime", "ProvisionedProductType",
                                   "RecordType", "ProvisionedProductId", "ProductId",
                                   "ProvisioningArtifactId", "PathId", "RecordErrors",
                                   "RecordTags", "LaunchRoleArn")}


# --- records ----------------------------------------------------------------------------------

def _settle_record(record):
    if record["Status"] == "IN_PROGRESS" and time.time() >= record["DoneAt"]:
        record["Status"] = record["FinalStatus"]
        record["UpdatedTime"] = time.time()


def _settle(pp):
    """Applies the outcome of the provisioned product's last record once it is done."""
    record = pp["Catalog"].records.get(pp["LastRecordId"])
    if record is None or pp["Status"] != "UNDER_CHANGE":
        return
    _settle_record(record)
    if record["Status"] == "IN_PROGRESS":
        return
    failed = record["Status"] == "FAILED"
    message = "; ".join(e["Description"] for e in record["RecordErrors"])
    if record["RecordType"] == "TERMINATE_PROVISIONED_PRODUCT" and not failed:
        pp["Catalog"].provisioned.pop(pp["Id"], None)
        pp["Status"] = "TERMINATED"
    elif record["RecordType"] == "PROVISION_PRODUCT":
        pp["Status"] = "ERROR" if failed else "AVAILABLE"
    else:
        pp["Status"] = "TAINTED" if failed else "AVAILABLE"
    pp["StatusMessage"] = message
    if not failed and record["RecordType"] != "TERMINATE_PROVISIONED_PRODUCT":
        pp["LastSuccessfulProvisioningRecordId"] = record["RecordId"]
        pp["ProductId"] = record["ProductId"]
        pp["ProvisioningArtifactId"] = record["ProvisioningArtifactId"]


def _new_record(catalog, pp, record_type, product_id, artifact_id, path_id, error):
    now = time.time()
    record = {
        "RecordId": _new_id("rec-"), "ProvisionedProductName": pp["Name"],
        "Status": "IN_PROGRESS", "CreatedTime": now, "UpdatedTime": now,
        "ProvisionedProductType": "CFN_STACK", "RecordType": record_type,
        "ProvisionedProductId": pp["Id"], "ProductId": product_id,
        "ProvisioningArtifactId": artifact_id, "PathId": path_id,
        "RecordErrors": [] if error is None else [{"Code": "FAILED", "Description": error}],
        "RecordTags": pp["Tags"], "LaunchRoleArn": pp["LaunchRoleArn"],
        "FinalStatus": "FAILED" if error else "SUCCEEDED", "DoneAt": now + RECORD_SECONDS,
    }
    catalog.records[record["RecordId"]] = record
    pp["LastRecordId"] = record["RecordId"]
    if record_type != "TERMINATE_PROVISIONED_PRODUCT":
        pp["LastProvisioningRecordId"] = record["RecordId"]
    pp["Status"] = "UNDER_CHANGE"
    return record


def _idempotent(catalog, token):
    """The record an earlier call with this token made, if any."""
    record_id = catalog.tokens.get(token) if token else None
    return catalog.records.get(record_id) if record_id else None


def _remember(catalog, token, record):
    """Makes a retried call with the same token return this record."""
    if token:
        catalog.tokens[token] = record["RecordId"]


def _changeable(catalog, params):
    """The provisioned product a request names, unless a change to it is still running."""
    pp = catalog.provisioned_product(params.get("ProvisionedProductId"),
                                     params.get("ProvisionedProductName"))
    _settle(pp)
    if pp["Status"] == "UNDER_CHANGE":
        raise CatalogError("InvalidStateException",
                           f"Provisioned product {pp['Name']} is under change.")
    return pp


def _stack_error(err):
    return getattr(err, "message", None) or str(err) or type(err).__name__


def _stack_failure(stack):
    """Why a stack operation rolled back (its failed resource and reason), or None."""
    if "ROLLBACK" not in stack.status and not stack.status.endswith("FAILED"):
        return None
    for event in reversed(stack.events):
        if event.resource_status.endswith("_FAILED"):
            return (f"{event.logical_resource_id} ({event.resource_type}): "
                    f"{event.resource_status_reason}")
    return f"the stack ended {stack.status}"


# --- launch paths and artifacts ---------------------------------------------------------------

def _launch_paths(catalog, product_id):
    return [p for p in catalog.portfolios.values() if product_id in p["Products"]]


def _path_id(portfolio):
    return "lpv3-" + portfolio["Id"].split("-", 1)[1]


def _choose_path(catalog, product, path_id):
    paths = _launch_paths(catalog, product["Id"])
    if not paths:
        raise _not_found("Launch path for product", product["Id"])
    if path_id:
        for p in paths:
            if _path_id(p) == path_id:
                return p
        raise _not_found("Launch path", path_id)
    if len(paths) > 1:
        raise _invalid("The product is in more than one portfolio: give a PathId.")
    return paths[0]


def _artifact(product, artifact_id=None, name=None):
    for a in product["Artifacts"]:
        if (artifact_id and a["Id"] == artifact_id) or (not artifact_id and a["Name"] == name):
            return a
    raise _not_found("Provisioning artifact", artifact_id or name)


def _usable_artifact(product, params, launching):
    """The artifact asked for, if it may be used: an inactive one never, a DEPRECATED one
    only to update products already provisioned (UpdateProvisioningArtifact, Guidance)."""
    artifact = _artifact(product, params.get("ProvisioningArtifactId"),
                         params.get("ProvisioningArtifactName"))
    if not artifact["Active"]:
        raise _invalid(f"Provisioning artifact {artifact['Id']} is not active.")
    if launching and artifact["Guidance"] == "DEPRECATED":
        raise _invalid(f"Provisioning artifact {artifact['Id']} is deprecated: launch a newer "
                       "version.")
    return artifact


def _stack_parameters(params):
    return [{"ParameterKey": p["Key"], "UsePreviousValue": True} if p.get("UsePreviousValue")
            else {"ParameterKey": p["Key"], "ParameterValue": p.get("Value", "")}
            for p in params.get("ProvisioningParameters") or []]


def _new_artifact(response, parameters):
    url, template = _load_template(response, parameters.get("Info"))
    return {
        "Id": _new_id("pa-"), "Name": parameters.get("Name", ""),
        "Description": parameters.get("Description", ""),
        "Type": parameters.get("Type", "CLOUD_FORMATION_TEMPLATE"),
        "CreatedTime": time.time(), "Active": True, "Guidance": "DEFAULT",
        "TemplateUrl": url, "Template": template,
    }


# --- the API ----------------------------------------------------------------------------------

class ServiceCatalogApi:
    """Methods copied onto moto's ServiceCatalogResponse: moto dispatches each JSON action to
    the method of the same snake_case name."""

    def _params(self):
        return json.loads(self.body or "{}")

    def _reply(self, result):
        return json.dumps(result)

    # portfolios

    def create_portfolio(self):
        params, catalog = self._params(), _catalog(self)
        with _LOCK:
            existing = _idempotent_portfolio(catalog, params.get("IdempotencyToken"))
            if existing:
                return self._reply({"PortfolioDetail": _portfolio_detail(existing),
                                    "Tags": existing["Tags"]})
            portfolio_id = _new_id("port-")
            portfolio = {
                "Id": portfolio_id, "ARN": catalog.arn("portfolio", portfolio_id),
                "DisplayName": params["DisplayName"],
                "Description": params.get("Description", ""),
                "ProviderName": params["ProviderName"], "CreatedTime": time.time(),
                "Tags": _tags(params), "Products": [], "Principals": [], "Shares": [],
                "Token": params.get("IdempotencyToken"),
            }
            catalog.portfolios[portfolio_id] = portfolio
        return self._reply({"PortfolioDetail": _portfolio_detail(portfolio),
                            "Tags": portfolio["Tags"]})

    def update_portfolio(self):
        params, catalog = self._params(), _catalog(self)
        with _LOCK:
            portfolio = catalog.portfolio(params["Id"])
            for key in ("DisplayName", "Description", "ProviderName"):
                if key in params:
                    portfolio[key] = params[key]
            portfolio["Tags"] = _retag(portfolio["Tags"], params)
        return self._reply({"PortfolioDetail": _portfolio_detail(portfolio),
                            "Tags": portfolio["Tags"]})

    def describe_portfolio(self):
        portfolio = _catalog(self).portfolio(self._params()["Id"])
        return self._reply({"PortfolioDetail": _portfolio_detail(portfolio),
                            "Tags": portfolio["Tags"], "TagOptions": [], "Budgets": []})

    def list_portfolios(self):
        params = self._params()
        details = [_portfolio_detail(p) for p in _catalog(self).portfolios.values()]
        page, token = _page(details, params)
        return self._reply({"PortfolioDetails": page, "NextPageToken": token})

    def list_portfolios_for_product(self):
        params, catalog = self._params(), _catalog(self)
        catalog.product(params["ProductId"])
        details = [_portfolio_detail(p) for p in _launch_paths(catalog, params["ProductId"])]
        page, token = _page(details, params)
        return self._reply({"PortfolioDetails": page, "NextPageToken": token})

    def delete_portfolio(self):
        catalog = _catalog(self)
        with _LOCK:
            portfolio = catalog.portfolio(self._params()["Id"])
            if portfolio["Products"] or portfolio["Principals"] or portfolio["Shares"]:
                raise CatalogError("ResourceInUseException",
                                   "Disassociate the portfolio's products, principals and "
                                   "shares first.")
            del catalog.portfolios[portfolio["Id"]]
        return self._reply({})

    # shares

    def create_portfolio_share(self):
        params, catalog = self._params(), _catalog(self)
        with _LOCK:
            portfolio = catalog.portfolio(params["PortfolioId"])
            share = _share_of(params)
            if share["PrincipalId"] == catalog.account_id:
                raise _invalid("A portfolio cannot be shared with its own account.")
            if share not in [{k: s[k] for k in ("Type", "PrincipalId")}
                             for s in portfolio["Shares"]]:
                portfolio["Shares"].append(dict(share, Accepted=False, ShareTagOptions=False,
                                                SharePrincipals=bool(
                                                    params.get("SharePrincipals"))))
        token = None if share["Type"] == "ACCOUNT" and "AccountId" in params else \
            _new_id("share-")
        return self._reply({"PortfolioShareToken": token} if token else {})

    def describe_portfolio_shares(self):
        params = self._params()
        portfolio = _catalog(self).portfolio(params["PortfolioId"])
        wanted = params["Type"]
        if wanted == "ORGANIZATION_MEMBER_ACCOUNT":
            wanted = "ACCOUNT"
        shares = [{k: s[k] for k in ("PrincipalId", "Type", "Accepted", "ShareTagOptions",
                                     "SharePrincipals")}
                  for s in portfolio["Shares"] if s["Type"] == wanted]
        page, token = _page(shares, params)
        return self._reply({"PortfolioShareDetails": page, "NextPageToken": token})

    def delete_portfolio_share(self):
        params, catalog = self._params(), _catalog(self)
        with _LOCK:
            portfolio = catalog.portfolio(params["PortfolioId"])
            share = _share_of(params)
            portfolio["Shares"] = [s for s in portfolio["Shares"]
                                   if {k: s[k] for k in ("Type", "PrincipalId")} != share]
        return self._reply({})

    def list_portfolio_access(self):
        params = self._params()
        portfolio = _catalog(self).portfolio(params["PortfolioId"])
        accounts = [s["PrincipalId"] for s in portfolio["Shares"] if s["Type"] == "ACCOUNT"]
        page, token = _page(accounts, params)
        return self._reply({"AccountIds": page, "NextPageToken": token})

    # products and artifacts

    def create_product(self):
        params, catalog = self._params(), _catalog(self)
        with _LOCK:
            for product in catalog.products.values():
                token = params.get("IdempotencyToken")
                if token and product["Token"] == token:
                    return self._reply(_product_reply(product, product["Artifacts"][0]))
            artifact = _new_artifact(self, params.get("ProvisioningArtifactParameters") or {})
            product_id = _new_id("prod-")
            product = {
                "Id": product_id, "ViewId": _new_id("prodview-"),
                "ARN": catalog.arn("product", product_id), "Name": params["Name"],
                "Owner": params["Owner"], "Description": params.get("Description", ""),
                "Distributor": params.get("Distributor", ""),
                "SupportDescription": params.get("SupportDescription", ""),
                "SupportEmail": params.get("SupportEmail", ""),
                "SupportUrl": params.get("SupportUrl", ""),
                "Type": params.get("ProductType", "CLOUD_FORMATION_TEMPLATE"),
                "CreatedTime": time.time(), "Tags": _tags(params), "Artifacts": [artifact],
                "Token": params.get("IdempotencyToken"),
            }
            catalog.products[product_id] = product
        return self._reply(_product_reply(product, artifact))

    def update_product(self):
        params, catalog = self._params(), _catalog(self)
        with _LOCK:
            product = catalog.product(params["Id"])
            renames = {"Name": "Name", "Owner": "Owner", "Description": "Description",
                       "Distributor": "Distributor", "SupportEmail": "SupportEmail",
                       "SupportDescription": "SupportDescription", "SupportUrl": "SupportUrl"}
            for key, field in renames.items():
                if key in params:
                    product[field] = params[key]
            product["Tags"] = _retag(product["Tags"], params)
        return self._reply({"ProductViewDetail": _product_view(product),
                            "Tags": product["Tags"]})

    def describe_product_as_admin(self):
        params = self._params()
        product = _catalog(self).product(params.get("Id"), params.get("Name"))
        summaries = [{"Id": a["Id"], "Name": a["Name"], "Description": a["Description"],
                      "CreatedTime": a["CreatedTime"]} for a in product["Artifacts"]]
        return self._reply({"ProductViewDetail": _product_view(product),
                            "ProvisioningArtifactSummaries": summaries,
                            "Tags": product["Tags"], "TagOptions": [], "Budgets": []})

    def describe_product(self):
        params = self._params()
        product = _catalog(self).product(params.get("Id"), params.get("Name"))
        artifacts = [{"Id": a["Id"], "Name": a["Name"], "Description": a["Description"],
                      "CreatedTime": a["CreatedTime"], "Guidance": a["Guidance"]}
                     for a in product["Artifacts"] if a["Active"]]
        paths = [{"Id": _path_id(p), "Name": p["DisplayName"]}
                 for p in _launch_paths(_catalog(self), product["Id"])]
        return self._reply({"ProductViewSummary": _product_view(product)["ProductViewSummary"],
                            "ProvisioningArtifacts": artifacts, "Budgets": [],
                            "LaunchPaths": paths})

    def search_products_as_admin(self):
        params, catalog = self._params(), _catalog(self)
        products = list(catalog.products.values())
        if params.get("PortfolioId"):
            wanted = catalog.portfolio(params["PortfolioId"])["Products"]
            products = [p for p in products if p["Id"] in wanted]
        for text in (params.get("Filters") or {}).get("FullTextSearch", []):
            products = [p for p in products
                        if text.lower() in (p["Name"] + " " + p["Description"]).lower()]
        page, token = _page([_product_view(p) for p in products], params)
        return self._reply({"ProductViewDetails": page, "NextPageToken": token})

    def delete_product(self):
        catalog = _catalog(self)
        with _LOCK:
            product = catalog.product(self._params()["Id"])
            if _launch_paths(catalog, product["Id"]):
                raise CatalogError("ResourceInUseException",
                                   "Disassociate the product from its portfolios first.")
            del catalog.products[product["Id"]]
        return self._reply({})

    def create_provisioning_artifact(self):
        params, catalog = self._params(), _catalog(self)
        with _LOCK:
            product = catalog.product(params["ProductId"])
            artifact = _new_artifact(self, params["Parameters"])
            product["Artifacts"].append(artifact)
        return self._reply({"ProvisioningArtifactDetail": _artifact_detail(artifact),
                            "Info": {"TemplateUrl": artifact["TemplateUrl"]},
                            "Status": "AVAILABLE"})

    def list_provisioning_artifacts(self):
        product = _catalog(self).product(self._params()["ProductId"])
        return self._reply({"ProvisioningArtifactDetails":
                            [_artifact_detail(a) for a in product["Artifacts"]]})

    def describe_provisioning_artifact(self):
        params = self._params()
        product = _catalog(self).product(params.get("ProductId"), params.get("ProductName"))
        artifact = _artifact(product, params.get("ProvisioningArtifactId"),
                             params.get("ProvisioningArtifactName"))
        return self._reply({"ProvisioningArtifactDetail": _artifact_detail(artifact),
                            "Info": {"TemplateUrl": artifact["TemplateUrl"]},
                            "Status": "AVAILABLE"})

    def update_provisioning_artifact(self):
        params, catalog = self._params(), _catalog(self)
        with _LOCK:
            product = catalog.product(params["ProductId"])
            artifact = _artifact(product, params["ProvisioningArtifactId"])
            for key in ("Name", "Description", "Active", "Guidance"):
                if key in params:
                    artifact[key] = params[key]
        return self._reply({"ProvisioningArtifactDetail": _artifact_detail(artifact),
                            "Info": {"TemplateUrl": artifact["TemplateUrl"]},
                            "Status": "AVAILABLE"})

    def delete_provisioning_artifact(self):
        params, catalog = self._params(), _catalog(self)
        with _LOCK:
            product = catalog.product(params["ProductId"])
            artifact = _artifact(product, params["ProvisioningArtifactId"])
            if len(product["Artifacts"]) == 1:
                raise _invalid("A product's only provisioning artifact cannot be deleted.")
            if any(pp["ProvisioningArtifactId"] == artifact["Id"]
                   for pp in catalog.provisioned.values()):
                raise CatalogError("ResourceInUseException",
                                   "Provisioned products use this artifact.")
            product["Artifacts"].remove(artifact)
        return self._reply({})

    # associations

    def associate_product_with_portfolio(self):
        params, catalog = self._params(), _catalog(self)
        with _LOCK:
            product = catalog.product(params["ProductId"])
            portfolio = catalog.portfolio(params["PortfolioId"])
            if product["Id"] not in portfolio["Products"]:
                portfolio["Products"].append(product["Id"])
        return self._reply({})

    def disassociate_product_from_portfolio(self):
        params, catalog = self._params(), _catalog(self)
        with _LOCK:
            portfolio = catalog.portfolio(params["PortfolioId"])
            if any(c["PortfolioId"] == portfolio["Id"] and c["ProductId"] == params["ProductId"]
                   for c in catalog.constraints.values()):
                raise CatalogError("ResourceInUseException",
                                   "Delete the product's constraints in this portfolio first.")
            if params["ProductId"] not in portfolio["Products"]:
                raise _not_found("Product association", params["ProductId"])
            portfolio["Products"].remove(params["ProductId"])
        return self._reply({})

    def associate_principal_with_portfolio(self):
        params, catalog = self._params(), _catalog(self)
        principal = {"PrincipalARN": params["PrincipalARN"],
                     "PrincipalType": params["PrincipalType"]}
        if principal["PrincipalType"] not in ("IAM", "IAM_PATTERN"):
            raise _invalid("PrincipalType must be IAM or IAM_PATTERN.")
        with _LOCK:
            portfolio = catalog.portfolio(params["PortfolioId"])
            if principal not in portfolio["Principals"]:
                portfolio["Principals"].append(principal)
        return self._reply({})

    def disassociate_principal_from_portfolio(self):
        params, catalog = self._params(), _catalog(self)
        with _LOCK:
            portfolio = catalog.portfolio(params["PortfolioId"])
            portfolio["Principals"] = [p for p in portfolio["Principals"]
                                       if p["PrincipalARN"] != params["PrincipalARN"]]
        return self._reply({})

    def list_principals_for_portfolio(self):
        params = self._params()
        portfolio = _catalog(self).portfolio(params["PortfolioId"])
        page, token = _page(portfolio["Principals"], params)
        return self._reply({"Principals": page, "NextPageToken": token})

    def list_launch_paths(self):
        params, catalog = self._params(), _catalog(self)
        catalog.product(params["ProductId"])
        paths = []
        for p in _launch_paths(catalog, params["ProductId"]):
            constraints = [{"Type": c["Type"], "Description": c["Description"]}
                           for c in catalog.constraints.values()
                           if c["PortfolioId"] == p["Id"]
                           and c["ProductId"] == params["ProductId"]]
            paths.append({"Id": _path_id(p), "Name": p["DisplayName"], "Tags": p["Tags"],
                          "ConstraintSummaries": constraints})
        return self._reply({"LaunchPathSummaries": paths})

    # constraints

    def create_constraint(self):
        params, catalog = self._params(), _catalog(self)
        with _LOCK:
            portfolio = catalog.portfolio(params["PortfolioId"])
            if params["ProductId"] not in portfolio["Products"]:
                raise _not_found("Product in portfolio", params["ProductId"])
            kind = params["Type"]
            if kind == "LAUNCH":
                if catalog.launch_constraint(portfolio["Id"], params["ProductId"]):
                    raise CatalogError("DuplicateResourceException",
                                       "The product already has a launch constraint in this "
                                       "portfolio.")
                _check_launch_role(self, params["Parameters"])
            elif kind == "TEMPLATE":
                _parse_parameters(params["Parameters"])
            constraint = {
                "ConstraintId": _new_id("cons-"), "Type": kind,
                "Description": params.get("Description", ""), "Owner": catalog.account_id,
                "ProductId": params["ProductId"], "PortfolioId": portfolio["Id"],
                "Parameters": params["Parameters"],
            }
            catalog.constraints[constraint["ConstraintId"]] = constraint
        return self._reply(_constraint_reply(constraint))

    def describe_constraint(self):
        return self._reply(_constraint_reply(_catalog(self).constraint(self._params()["Id"])))

    def update_constraint(self):
        params, catalog = self._params(), _catalog(self)
        with _LOCK:
            constraint = catalog.constraint(params["Id"])
            if "Parameters" in params:
                if constraint["Type"] == "LAUNCH":
                    _check_launch_role(self, params["Parameters"])
                constraint["Parameters"] = params["Parameters"]
            if "Description" in params:
                constraint["Description"] = params["Description"]
        return self._reply(_constraint_reply(constraint))

    def delete_constraint(self):
        catalog = _catalog(self)
        with _LOCK:
            constraint = catalog.constraint(self._params()["Id"])
            del catalog.constraints[constraint["ConstraintId"]]
        return self._reply({})

    def list_constraints_for_portfolio(self):
        params, catalog = self._params(), _catalog(self)
        catalog.portfolio(params["PortfolioId"])
        details = [_constraint_detail(c) for c in catalog.constraints.values()
                   if c["PortfolioId"] == params["PortfolioId"]
                   and params.get("ProductId") in (None, c["ProductId"])]
        page, token = _page(details, params)
        return self._reply({"ConstraintDetails": page, "NextPageToken": token})

    # provisioned products

    def provision_product(self):
        params, catalog = self._params(), _catalog(self)
        with _LOCK:
            earlier = _idempotent(catalog, params.get("ProvisionToken"))
            if earlier:
                return self._reply({"RecordDetail": _record_detail(earlier)})
            name = params["ProvisionedProductName"]
            for pp in list(catalog.provisioned.values()):
                _settle(pp)  # a finished termination frees its name
            if any(pp["Name"] == name for pp in catalog.provisioned.values()):
                raise CatalogError("DuplicateResourceException",
                                   f"A provisioned product named {name} already exists.")
            product = catalog.product(params.get("ProductId"), params.get("ProductName"))
            artifact = _usable_artifact(product, params, launching=True)
            portfolio = _choose_path(catalog, product, params.get("PathId"))
            launch = catalog.launch_constraint(portfolio["Id"], product["Id"])
            pp_id = _new_id("pp-")
            pp = {
                "Catalog": catalog, "Name": name, "Id": pp_id, "Type": "CFN_STACK",
                "Arn": f"arn:{catalog.partition}:servicecatalog:{catalog.region}:"
                       f"{catalog.account_id}:stack/{name}/{pp_id}",
                "Status": "UNDER_CHANGE", "StatusMessage": "", "CreatedTime": time.time(),
                "IdempotencyToken": params.get("ProvisionToken", ""), "LastRecordId": None,
                "LastProvisioningRecordId": None, "LastSuccessfulProvisioningRecordId": None,
                "ProductId": product["Id"], "ProvisioningArtifactId": artifact["Id"],
                "PathId": _path_id(portfolio), "Tags": _tags(params),
                "LaunchRoleArn": _role_arn(launch),
                "StackName": f"SC-{catalog.account_id}-{pp_id}",
            }
            error = None
            try:
                parameters = {p["ParameterKey"]: p.get("ParameterValue", "")
                              for p in _stack_parameters(params)}
                stack = _cloudformation(self).create_stack(
                    name=pp["StackName"], template=artifact["Template"], parameters=parameters,
                    tags={t["Key"]: t["Value"] for t in pp["Tags"]},
                    role_arn=pp["LaunchRoleArn"])
                error = _stack_failure(stack)
            except Exception as err:  # the template failed: the record says why
                error = _stack_error(err)
            catalog.provisioned[pp_id] = pp
            record = _new_record(catalog, pp, "PROVISION_PRODUCT", product["Id"],
                                 artifact["Id"], pp["PathId"], error)
            _remember(catalog, params.get("ProvisionToken"), record)
        return self._reply({"RecordDetail": _record_detail(record)})

    def update_provisioned_product(self):
        params, catalog = self._params(), _catalog(self)
        with _LOCK:
            earlier = _idempotent(catalog, params.get("UpdateToken"))
            if earlier:
                return self._reply({"RecordDetail": _record_detail(earlier)})
            pp = _changeable(catalog, params)
            product = catalog.product(params.get("ProductId") or pp["ProductId"],
                                      params.get("ProductName"))
            if not (params.get("ProvisioningArtifactId")
                    or params.get("ProvisioningArtifactName")):
                params["ProvisioningArtifactId"] = pp["ProvisioningArtifactId"]
            artifact = _usable_artifact(product, params, launching=False)
            error = None
            try:
                stack = _cloudformation(self).update_stack(
                    name=pp["StackName"], template=artifact["Template"],
                    role_arn=pp["LaunchRoleArn"], parameters=_stack_parameters(params),
                    tags=None)
                error = _stack_failure(stack)
            except Exception as err:
                message = _stack_error(err)
                if "No updates are to be performed" not in message:
                    error = message
            record = _new_record(catalog, pp, "UPDATE_PROVISIONED_PRODUCT", product["Id"],
                                 artifact["Id"], params.get("PathId") or pp["PathId"], error)
            _remember(catalog, params.get("UpdateToken"), record)
        return self._reply({"RecordDetail": _record_detail(record)})

    def terminate_provisioned_product(self):
        params, catalog = self._params(), _catalog(self)
        with _LOCK:
            earlier = _idempotent(catalog, params.get("TerminateToken"))
            if earlier:
                return self._reply({"RecordDetail": _record_detail(earlier)})
            pp = _changeable(catalog, params)
            error = None
            try:
                _cloudformation(self).delete_stack(pp["StackName"])
            except Exception as err:
                if not params.get("IgnoreErrors"):
                    error = _stack_error(err)
            record = _new_record(catalog, pp, "TERMINATE_PROVISIONED_PRODUCT",
                                 pp["ProductId"], pp["ProvisioningArtifactId"], pp["PathId"],
                                 error)
            _remember(catalog, params.get("TerminateToken"), record)
        return self._reply({"RecordDetail": _record_detail(record)})

    def describe_record(self):
        catalog = _catalog(self)
        with _LOCK:
            record = catalog.record(self._params()["Id"])
            pp = catalog.provisioned.get(record["ProvisionedProductId"])
            if pp is not None:
                _settle(pp)
            detail = _record_detail(record)
            outputs = []
            if record["Status"] == "SUCCEEDED" and pp is not None:
                outputs = _stack_outputs(self, pp)
        return self._reply({"RecordDetail": detail, "RecordOutputs": outputs})

    def describe_provisioned_product(self):
        params, catalog = self._params(), _catalog(self)
        with _LOCK:
            pp = catalog.provisioned_product(params.get("Id"), params.get("Name"))
            detail = _provisioned_detail(pp)
        return self._reply({"ProvisionedProductDetail": detail, "CloudWatchDashboards": []})

    def get_provisioned_product_outputs(self):
        params, catalog = self._params(), _catalog(self)
        with _LOCK:
            pp = catalog.provisioned_product(params.get("ProvisionedProductId"),
                                             params.get("ProvisionedProductName"))
            outputs = _stack_outputs(self, pp)
        keys = params.get("OutputKeys")
        if keys:
            outputs = [o for o in outputs if o["OutputKey"] in keys]
        page, token = _page(outputs, params)
        return self._reply({"Outputs": page, "NextPageToken": token})

    def search_provisioned_products(self):
        params, catalog = self._params(), _catalog(self)
        with _LOCK:
            products = list(catalog.provisioned.values())
            for pp in products:
                _settle(pp)
            products = [pp for pp in catalog.provisioned.values()
                        if _matches(pp, (params.get("Filters") or {}).get("SearchQuery", []))]
            attributes = [_provisioned_attributes(catalog, pp) for pp in products]
        page, token = _page(attributes, params)
        return self._reply({"ProvisionedProducts": page, "TotalResultsCount": len(attributes),
                            "NextPageToken": token})


def _idempotent_portfolio(catalog, token):
    if not token:
        return None
    return next((p for p in catalog.portfolios.values() if p["Token"] == token), None)


def _share_of(params):
    if params.get("AccountId"):
        return {"Type": "ACCOUNT", "PrincipalId": params["AccountId"]}
    node = params.get("OrganizationNode")
    if not node:
        raise _invalid("Give AccountId or OrganizationNode.")
    return {"Type": node["Type"], "PrincipalId": node["Value"]}


def _product_reply(product, artifact):
    return {"ProductViewDetail": _product_view(product),
            "ProvisioningArtifactDetail": _artifact_detail(artifact), "Tags": product["Tags"]}


def _constraint_detail(c):
    return {k: c[k] for k in ("ConstraintId", "Type", "Description", "Owner", "ProductId",
                              "PortfolioId")}


def _constraint_reply(c):
    return {"ConstraintDetail": _constraint_detail(c), "ConstraintParameters": c["Parameters"],
            "Status": "AVAILABLE"}


def _parse_parameters(text):
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        raise _invalid("Constraint Parameters must be a JSON object.")


def _check_launch_role(response, text):
    parameters = _parse_parameters(text)
    arn = parameters.get("RoleArn")
    if not arn and not parameters.get("LocalRoleName"):
        raise _invalid("A launch constraint needs RoleArn or LocalRoleName.")
    name = parameters.get("LocalRoleName") or arn.rsplit("/", 1)[-1]
    roles = iam_backends[response.current_account][get_partition(response.region)].roles
    if not any(role.name == name for role in roles.values()):
        raise _invalid(f"The launch role {arn or name} does not exist.")


def _role_arn(constraint):
    if constraint is None:
        return None
    return json.loads(constraint["Parameters"]).get("RoleArn")


def _cloudformation(response):
    return cloudformation_backends[response.current_account][response.region]


def _stack_outputs(response, pp):
    try:
        stack = _cloudformation(response).get_stack(pp["StackName"])
    except Exception:
        return []
    return [{"OutputKey": o.key, "OutputValue": o.value, "Description": o.description or ""}
            for o in stack.output_map.values() if o]  # a false Condition leaves None


def _matches(pp, queries):
    """SearchQuery terms: field:value (name, id, productId, provisioningArtifactId, status)
    match exactly; bare words match part of the name."""
    fields = {"name": pp["Name"], "id": pp["Id"], "productId": pp["ProductId"],
              "provisioningArtifactId": pp["ProvisioningArtifactId"], "status": pp["Status"]}
    for query in queries:
        key, sep, value = query.partition(":")
        if sep and key in fields:
            if fields[key] != value:
                return False
        elif query.lower() not in pp["Name"].lower():
            return False
    return True


def _provisioned_attributes(catalog, pp):
    product = catalog.products.get(pp["ProductId"])
    artifact = next((a for a in (product or {}).get("Artifacts", [])
                     if a["Id"] == pp["ProvisioningArtifactId"]), None)
    attributes = {k: pp[k] for k in ("Name", "Arn", "Type", "Id", "Status", "StatusMessage",
                                     "CreatedTime", "IdempotencyToken", "LastRecordId",
                                     "LastProvisioningRecordId",
                                     "LastSuccessfulProvisioningRecordId", "Tags",
                                     "ProductId", "ProvisioningArtifactId")}
    attributes["PhysicalId"] = pp["StackName"]
    attributes["ProductName"] = product["Name"] if product else ""
    attributes["ProvisioningArtifactName"] = artifact["Name"] if artifact else ""
    attributes["UserArn"] = f"arn:{catalog.partition}:iam::{catalog.account_id}:root"
    return attributes


for _name, _method in vars(ServiceCatalogApi).items():
    if callable(_method) and not _name.startswith("__"):
        setattr(ServiceCatalogResponse, _name, _method)
