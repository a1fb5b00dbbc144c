"""Who reaches what in Service Catalog: portfolio principals (the launch paths a caller has) and
the access levels (user, role, account) of provisioned products and their records.

Sources:
- AssociatePrincipalWithPortfolio (API reference): IAM principals are fully defined user, role
  or group ARNs, which must exist; IAM_PATTERN principals are IAM ARNs without an account id,
  arn:PARTITION:iam:::{user,group,role}/RESOURCE-ID, with "*" (any characters, "/" too) and "?"
  (zero or one character) only in the resource id; at most 10 IAM_PATTERN principals per
  portfolio (LimitExceededException). DisassociatePrincipalFromPortfolio names the type too.
- ListLaunchPaths / ProvisionProduct: a path is a portfolio holding the product that the caller
  is a principal of; without one AWS answers ResourceNotFoundException "No launch paths found
  for resource: prod-..." even to administrators (aws-cdk#8404, terraform-aws-control_tower_
  account_factory#33); with several, a PathId is needed ("More than one launch path ids exist.
  Please specify the launch path id", idealo/terraform-provider-controltower#48).
- Access levels (Administrator Guide, "Example policies for managing provisioned products"):
  servicecatalog:accountLevel, :roleLevel, :userLevel = "self"; hierarchical (account covers
  role and user, role covers user); a policy without such a condition grants account level.
  The Service Authorization Reference lists the keys on DescribeProvisionedProduct,
  DescribeRecord, SearchProvisionedProducts, ScanProvisionedProducts, UpdateProvisionedProduct,
  TerminateProvisionedProduct and ListRecordHistory. SearchProvisionedProducts' and
  ScanProvisionedProducts' AccessLevelFilter (Account, Role, User; default Account resp. User)
  is the level asked for; for the others the level is the provisioned product's relation to
  the caller: launched by the caller's own session or user (user), by another session of the
  caller's role (role), by anyone else in the account (account).

Not modelled: the account root is no principal (principals are users, groups and roles), yet
reaches every portfolio and provisioned product here, as it is exempt from IAM in the emulator.
"""
import re

from moto.iam.models import iam_backends
from moto.utilities.utils import get_partition

import iam_state
import wire

from .state import CatalogError, invalid

PATTERN = re.compile(r"^arn:(aws[a-z-]*):iam:::(user|group|role)/(.+)$")
FULL_ARN = re.compile(r"^arn:(aws[a-z-]*):iam::(\d{12}):(user|group|role)/(.+)$")
MAX_PATTERNS = 10
LEVEL_KEYS = {"Account": "servicecatalog:accountlevel", "Role": "servicecatalog:rolelevel",
              "User": "servicecatalog:userlevel"}
LEVEL_ACTIONS = {"DescribeProvisionedProduct", "DescribeRecord", "SearchProvisionedProducts",
                 "ScanProvisionedProducts", "UpdateProvisionedProduct",
                 "TerminateProvisionedProduct", "ListRecordHistory"}
FILTER_DEFAULTS = {"SearchProvisionedProducts": "Account", "ScanProvisionedProducts": "User"}


def caller(response):
    """The Principal that signed a request moto hands to the Service Catalog responses."""
    found = wire.CREDENTIAL.search(response.headers.get("Authorization", ""))
    return iam_state.caller(found.group(1).split("/")[0] if found else "")


def owner(principal):
    """UserArn and UserArnSession as a provisioned product records its launcher."""
    return {"UserArn": principal.principal_arn or principal.arn, "UserArnSession": principal.arn}


# --- principals --------------------------------------------------------------------------------

def _iam(account):
    return iam_backends[account][get_partition("us-east-1")]


def _exists(account, kind, name_with_path):
    name = name_with_path.rsplit("/", 1)[-1]
    backend = _iam(account)
    entities = {"role": backend.roles.values(), "user": backend.users.values(),
                "group": backend.groups.values()}[kind]
    return any(e.name == name for e in entities)


def check_new_principal(portfolio, arn, kind, account):
    """Refuses an association AWS refuses."""
    if kind == "IAM_PATTERN":
        if not PATTERN.match(arn):
            raise invalid(f"PrincipalARN {arn} is not an IAM_PATTERN: give an IAM ARN without "
                          "an account id, arn:aws:iam:::role/NAME-OR-PATTERN (or user/, group/).")
        patterns = [p for p in portfolio["Principals"] if p["PrincipalType"] == "IAM_PATTERN"]
        if len(patterns) >= MAX_PATTERNS and arn not in [p["PrincipalARN"] for p in patterns]:
            raise CatalogError("LimitExceededException", "A portfolio can have at most "
                               f"{MAX_PATTERNS} principals of type IAM_PATTERN.")
        return
    found = FULL_ARN.match(arn)
    if not found:
        raise invalid(f"PrincipalARN {arn} is not a fully defined IAM ARN: principals of type "
                      "IAM name a user, group or role with its account id.")
    if found.group(2) == account and not _exists(account, found.group(3), found.group(4)):
        raise invalid(f"Principal {arn} does not exist.")


def _pattern_regex(resource):
    parts = (".*" if c == "*" else ".?" if c == "?" else re.escape(c) for c in resource)
    return re.compile("^" + "".join(parts) + "$")


def _identities(principal):
    """(partition, "role/path/name" or "user/path/name", groups ARNs) the caller matches as."""
    arn = principal.principal_arn or principal.arn
    found = FULL_ARN.match(arn)
    if not found:
        return None
    partition, account, kind, rest = found.groups()
    groups = []
    if kind == "user":
        backend = _iam(account)
        groups = [g.arn for g in backend.get_groups_for_user(rest.rsplit("/", 1)[-1])]
    return partition, arn, f"{kind}/{rest}", groups


def is_principal(portfolio, principal):
    """Whether the caller is one of the portfolio's principals (root reaches every portfolio)."""
    if principal.is_root:
        return True
    identity = _identities(principal)
    if identity is None:
        return False
    partition, arn, resource, groups = identity
    for entry in portfolio["Principals"]:
        if entry["PrincipalType"] == "IAM" and entry["PrincipalARN"] in [arn, *groups]:
            return True
        found = PATTERN.match(entry["PrincipalARN"])
        if entry["PrincipalType"] == "IAM_PATTERN" and found and found.group(1) == partition \
                and _pattern_regex(f"{found.group(2)}/{found.group(3)}").match(resource):
            return True
    return False


def path_id(portfolio):
    return "lpv3-" + portfolio["Id"].split("-", 1)[1]


def launch_paths(catalog, principal, product_id):
    """The portfolios through which the caller reaches the product."""
    return [p for p in catalog.portfolios.values()
            if product_id in p["Products"] and is_principal(p, principal)]


def choose_path(catalog, principal, product_id, params):
    """The launch path a request names (PathId or PathName), or the caller's only one."""
    paths = launch_paths(catalog, principal, product_id)
    if not paths:
        raise CatalogError("ResourceNotFoundException",
                           f"No launch paths found for resource: {product_id}")
    wanted_id, wanted_name = params.get("PathId"), params.get("PathName")
    if wanted_id and wanted_name:
        raise invalid("Give PathId or PathName, not both.")
    if wanted_id or wanted_name:
        for p in paths:
            if path_id(p) == wanted_id or p["DisplayName"] == wanted_name:
                return p
        raise CatalogError("ResourceNotFoundException",
                           f"No launch path {wanted_id or wanted_name} for resource: "
                           f"{product_id}")
    if len(paths) > 1:
        raise invalid("More than one launch path ids exist. Please specify the launch path id")
    return paths[0]


# --- access levels -----------------------------------------------------------------------------

def covering_levels(principal, launcher):
    """The access levels that cover a provisioned product launched by `launcher` (its owner
    dict) for this caller, broadest first."""
    levels = ["Account"]
    if launcher and (principal.principal_arn or principal.arn) == launcher["UserArn"]:
        levels.append("Role")
        if principal.arn == launcher["UserArnSession"]:
            levels.append("User")
    return levels


def within_level(principal, launcher, level):
    return level in covering_levels(principal, launcher)


def requested_level(operation, params):
    found = params.get("AccessLevelFilter") or {}
    return found.get("Key") or FILTER_DEFAULTS[operation]


def _target_launcher(catalog, parsed):
    """The owner of the provisioned product a request is about, or None when there is none."""
    params = parsed.params
    if parsed.operation == "DescribeRecord":
        record = catalog.records.get(params.get("Id"))
        return record["Owner"] if record else None
    pp = catalog.find_provisioned(params.get("Id") or params.get("ProvisionedProductId"),
                                  params.get("Name") or params.get("ProvisionedProductName"))
    return pp["Owner"] if pp else None


def level_contexts(principal, parsed, action, catalog):
    """The condition keys a Service Catalog request may carry, one dict per alternative: the
    request is allowed when any alternative is. None: the action has no access levels."""
    if parsed.operation not in LEVEL_ACTIONS or action != f"servicecatalog:{parsed.operation}":
        return None
    if parsed.operation in FILTER_DEFAULTS:
        level = requested_level(parsed.operation, parsed.params)
        value = (parsed.params.get("AccessLevelFilter") or {}).get("Value", "self")
        return [{LEVEL_KEYS.get(level, ""): value}]
    if (launcher := _target_launcher(catalog, parsed)) is None:
        # Nothing to protect: the service answers that it does not exist.
        return [{key: "self"} for key in LEVEL_KEYS.values()]
    return [{LEVEL_KEYS[level]: "self"} for level in covering_levels(principal, launcher)]
