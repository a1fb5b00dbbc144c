"""AWS Service Catalog for the emulator, as the Service Catalog API reference and Administrator
Guide describe it, limited to the operations cfsign calls (api.py). moto 5.2.5 covers only
portfolios and products and provisions nothing, so every operation here replaces moto's, and
moto's other Service Catalog operations are removed: a request for one answers that it is not
implemented instead of reading a second, unrelated state.

By concern:
- state:        the account's catalog, lookups, errors, the one idempotency mechanism
- api:          the operations (the @operation prologue: body, catalog, lock, JSON answer)
- access:       portfolio principals and launch paths; access levels (user, role, account)
- provisioning: launches, updates and terminations running CloudFormation stacks; outputs
- records:      records and the provisioned product statuses their outcomes leave
- rules:        template constraint rules
- shares:       portfolio shares and Organizations access
- search:       full-text search and its (un)ordering
- paging:       PageSize and page tokens
- views:        the answer shapes

Installing it also registers the access levels with the IAM middleware (iam_enforce), which
evaluates servicecatalog:accountLevel/roleLevel/userLevel for the provisioned product a
request is about.
"""
from moto.servicecatalog.responses import ServiceCatalogResponse

import iam_enforce

from . import access
from .api import OPERATIONS
from .state import catalog_of


def _install():
    for name in [n for n in vars(ServiceCatalogResponse) if not n.startswith("_")]:
        if callable(getattr(ServiceCatalogResponse, name)):
            delattr(ServiceCatalogResponse, name)
    for method in OPERATIONS.values():
        setattr(ServiceCatalogResponse, method.__name__, method)
    iam_enforce.CONTEXT_PROVIDERS["servicecatalog"] = _level_contexts


def _level_contexts(principal, parsed, action):
    catalog = catalog_of(principal.account, parsed.region)
    return access.level_contexts(principal, parsed, action, catalog)


_install()
