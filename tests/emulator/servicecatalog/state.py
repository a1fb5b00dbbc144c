"""One account and region's Service Catalog: what is stored (portfolios, products, constraints,
provisioned products, records, idempotency tokens, the Organizations access status), how it is
looked up, and the errors lookups raise. Kept on moto's backend, so a moto reset clears it.

Errors as the Service Catalog API reference names them for each operation
(servicecatalog/latest/dg/CommonErrors.html and the operations' "Errors" sections): a JSON
`{"__type", "message"}` body, HTTP 400.
"""
import threading
import uuid

from moto.core.exceptions import ServiceException
from moto.servicecatalog.models import servicecatalog_backends
from moto.utilities.utils import get_partition

# One lock for the whole catalog: recipes provision many teams at once, and moto's
# CloudFormation is not written for concurrent stack operations.
LOCK = threading.RLock()


class CatalogError(ServiceException):
    """A Service Catalog error, serialized by moto with the code's HTTP status."""


def not_found(what, key):
    return CatalogError("ResourceNotFoundException", f"{what} {key} not found.")


def invalid(message):
    return CatalogError("InvalidParametersException", message)


def new_id(prefix):
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
        self.done = {}  # (operation, idempotency token) -> what the first call made
        self.organizations_access = "DISABLED"

    def arn(self, kind, resource_id):
        return f"arn:{self.partition}:catalog:{self.region}:{self.account_id}:{kind}/{resource_id}"

    def once(self, operation, token, make):
        """What an earlier call of `operation` with this idempotency token made, else what
        `make()` makes now, remembered for the token (the API reference's IdempotencyToken,
        ProvisionToken, UpdateToken, TerminateToken: "If multiple requests differ only by the
        idempotency token, the same response is returned for each repeated request")."""
        if not token:
            return make()
        key = (operation, token)
        if key not in self.done:
            self.done[key] = make()
        return self.done[key]

    def portfolio(self, portfolio_id):
        if portfolio_id not in self.portfolios:
            raise not_found("Portfolio", portfolio_id)
        return self.portfolios[portfolio_id]

    def product(self, product_id=None, name=None):
        if product_id:
            if product_id not in self.products:
                raise not_found("Product", product_id)
            return self.products[product_id]
        for product in self.products.values():
            if product["Name"] == name:
                return product
        raise not_found("Product", name)

    def constraint(self, constraint_id):
        if constraint_id not in self.constraints:
            raise not_found("Constraint", constraint_id)
        return self.constraints[constraint_id]

    def constraints_of(self, portfolio_id, product_id, kind=None):
        return [c for c in self.constraints.values()
                if (c["PortfolioId"], c["ProductId"]) == (portfolio_id, product_id)
                and kind in (None, c["Type"])]

    def provisioned_product(self, pp_id=None, name=None):
        found = self.find_provisioned(pp_id, name)
        if found is None:
            raise not_found("Provisioned product", pp_id or name)
        return found

    def find_provisioned(self, pp_id=None, name=None):
        """The provisioned product with this id or name (or ARN, which ends in the id)."""
        for pp in self.provisioned.values():
            if pp["Id"] == pp_id or (name and name in (pp["Name"], pp["Arn"])):
                return pp
        return None

    def record(self, record_id):
        if record_id not in self.records:
            raise not_found("Record", record_id)
        return self.records[record_id]


def catalog_of(account_id, region):
    backend = servicecatalog_backends[account_id][region]
    if not hasattr(backend, "cfsign_catalog"):
        backend.cfsign_catalog = Catalog(account_id, region)
    return backend.cfsign_catalog
