"""CloudFront as an account holds it: what one account may have, what must be unique, what may
not change or go while something uses it, and how long a key-group change takes to reach the
edge. Every create, update and delete of moto's CloudFront backend goes through these rules, so
the API and the CloudFormation resource types (cloudfront_resources.py) refuse alike.

Sources (cited per rule in FIDELITY.md):
- Quotas: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html
  (public keys per account 10 [field-level encryption section], key groups per account 10,
  public keys per key group 5, key groups per cache behavior 4, custom response headers
  policies 20, origin access controls 100, functions 100, function size 10 KB, distributions
  500).
- Error codes and statuses: botocore's CloudFront model (each operation's `errors`).
- Public keys: UpdatePublicKey "the only value you can change is the comment"
  (CannotChangeImmutablePublicKeyFields); CallerReference "can't be replayed"; a name already
  used by another key is refused ("The name that you are using to create a CloudFront public
  key is associated with another public key in your account", medplum/medplum#5272).
- Names of key groups, response headers policies, functions and origin access controls are
  unique in the account (the model's *AlreadyExists errors; "An origin access control with the
  same name already exists", winglang/wing#3748).

Control, for tests (JSON on the emulator's port, like /_faults):
  GET  /_cloudfront                        {"quotas": {...}, "propagation_seconds": N}
  POST /_cloudfront {"quotas": {"public_keys": 3}, "propagation_seconds": 2}   (merged)
  POST /_cloudfront {"reset": true}        the defaults again
Environment: EMULATOR_CLOUDFRONT_QUOTAS (JSON object) and EMULATOR_KEY_GROUP_PROPAGATION_SECONDS
set them at start.
"""
import json
import os
import threading
import time
import uuid

from moto.cloudfront.exceptions import CloudFrontException
from moto.cloudfront.models import CloudFrontBackend, random_id
from werkzeug.wrappers import Request, Response

CONTROL = "/_cloudfront"
DEFAULT_QUOTAS = {
    "public_keys": 10,
    "key_groups": 10,
    "public_keys_per_key_group": 5,
    "key_groups_per_cache_behavior": 4,
    "response_headers_policies": 20,
    "origin_access_controls": 100,
    "functions": 100,
    "function_size_bytes": 10 * 1024,
    "distributions": 500,
}
_lock = threading.Lock()
_state = {}


def _reset():
    quotas = dict(DEFAULT_QUOTAS)
    quotas.update(json.loads(os.environ.get("EMULATOR_CLOUDFRONT_QUOTAS") or "{}"))
    _state.update(quotas=quotas, propagation_seconds=float(
        os.environ.get("EMULATOR_KEY_GROUP_PROPAGATION_SECONDS") or 0))


_reset()


def quota(name):
    with _lock:
        return _state["quotas"][name]


def propagation_seconds():
    with _lock:
        return _state["propagation_seconds"]


def control(request):
    """The /_cloudfront endpoint."""
    if request.method == "POST":
        settings = json.loads(request.get_data() or b"{}")
        with _lock:
            if settings.get("reset"):
                _reset()
            unknown = set(settings.get("quotas", {})) - set(DEFAULT_QUOTAS)
            if unknown:
                return Response(json.dumps({"error": f"unknown quotas {sorted(unknown)}"}),
                                status=400, content_type="application/json")
            _state["quotas"].update({k: int(v) for k, v in settings.get("quotas", {}).items()})
            if "propagation_seconds" in settings:
                _state["propagation_seconds"] = float(settings["propagation_seconds"])
    with _lock:
        body = {"quotas": dict(_state["quotas"]),
                "propagation_seconds": _state["propagation_seconds"]}
    return Response(json.dumps(body), content_type="application/json")


class ControlApplication:
    """WSGI middleware: /_cloudfront here, everything else on."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "") == CONTROL:
            return control(Request(environ))(environ, start_response)
        return self.app(environ, start_response)


def refuse(code, message):
    raise CloudFrontException(code, message)


def require_headroom(count, name, code, what):
    if count >= quota(name):
        refuse(code, f"Processing your request will cause you to exceed the maximum number of "
                     f"{what} allowed ({quota(name)}).")


def require_unique_name(existing, name, code, what):
    if name in existing:
        refuse(code, f"{what} with the name {name} already exists in this account.")


# --- public keys ----------------------------------------------------------------------------

def _used_references(backend):
    if not hasattr(backend, "public_key_references"):
        backend.public_key_references = set()
    return backend.public_key_references


def _key_groups_holding(backend, key_id):
    return [g.id for g in backend.key_groups.values() if key_id in g.items]


_moto_create_public_key = CloudFrontBackend.create_public_key


def _create_public_key(self, caller_ref, name, encoded_key):
    require_headroom(len(self.public_keys), "public_keys", "TooManyPublicKeys",
                     "CloudFront public keys")
    if name in {k.name for k in self.public_keys.values()}:
        refuse("PublicKeyAlreadyExists", "The name that you are using to create a CloudFront "
                                         "public key is associated with another public key "
                                         "in your account.")
    if caller_ref in _used_references(self):
        refuse("PublicKeyAlreadyExists", f"The caller reference {caller_ref} was already used "
                                         "to create a public key: it cannot be replayed.")
    _used_references(self).add(caller_ref)
    return _moto_create_public_key(self, caller_ref=caller_ref, name=name,
                                   encoded_key=encoded_key)


def get_public_key(backend, key_id):
    key = backend.public_keys.get(key_id)
    if key is None:
        refuse("NoSuchPublicKey", f"The public key {key_id} does not exist.")
    return key


def update_public_key(backend, key_id, config):
    """Only the comment of a public key changes (UpdatePublicKey)."""
    key = get_public_key(backend, key_id)
    if config["EncodedKey"].strip() != key.encoded_key.strip():
        refuse("CannotChangeImmutablePublicKeyFields", "You can't change the value of a "
                                                       "public key.")
    if config["Name"] != key.name or config["CallerReference"] != key.caller_ref:
        refuse("IllegalUpdate", "The update contains modifications that are not allowed: only "
                                "the comment of a public key can change.")
    key.comment = config.get("Comment", "")
    return key


def _delete_public_key(self, key_id):
    get_public_key(self, key_id)
    holding = _key_groups_holding(self, key_id)
    if holding:
        refuse("PublicKeyInUse", f"The public key {key_id} is in key group {holding[0]}.")
    del self.public_keys[key_id]


# --- key groups, and what the edge sees of them --------------------------------------------

def _check_key_group(backend, name, items, group_id=None):
    others = {g.name for g in backend.key_groups.values() if g.id != group_id}
    require_unique_name(others, name, "KeyGroupAlreadyExists", "A key group")
    if not items:
        refuse("InvalidArgument", "A key group must contain at least one public key.")
    if len(items) > quota("public_keys_per_key_group"):
        refuse("TooManyPublicKeysInKeyGroup", "The number of public keys in this key group is "
                                              "more than the maximum allowed "
                                              f"({quota('public_keys_per_key_group')}).")
    unknown = [key for key in items if key not in backend.public_keys]
    if unknown:
        refuse("InvalidArgument", f"The public key {unknown[0]} does not exist.")


def _record(backend, group, items):
    """A key group's versions over time, each with its public keys as they were: the edge
    serves each version once the propagation delay has passed since it was made."""
    if not hasattr(group, "versions"):
        group.versions = []
    group.versions.append((time.time(), {key: backend.public_keys[key].encoded_key
                                         for key in items}))


_moto_create_key_group = CloudFrontBackend.create_key_group


def _create_key_group(self, name, items):
    require_headroom(len(self.key_groups), "key_groups", "TooManyKeyGroups", "key groups")
    _check_key_group(self, name, items)
    group = _moto_create_key_group(self, name=name, items=list(items))
    _record(self, group, items)
    return group


def get_key_group(backend, group_id):
    group = backend.key_groups.get(group_id)
    if group is None:
        refuse("NoSuchResource", f"The key group {group_id} does not exist.")
    return group


def update_key_group(backend, group_id, name, items):
    group = get_key_group(backend, group_id)
    _check_key_group(backend, name, items, group_id)
    group.name, group.items, group.etag = name, list(items), random_id(length=14)
    _record(backend, group, items)
    return group


def keys_at_the_edge(group, now=None):
    """The public keys the edge trusts for `group` now, {key id: PEM}: the group's newest
    version that has had the propagation delay to arrive (none while the group itself has
    not arrived). A key removed from the group keeps working until its removal arrives."""
    now = time.time() if now is None else now
    arrived = [keys for at, keys in getattr(group, "versions", [])
               if at + propagation_seconds() <= now]
    return arrived[-1] if arrived else {}


def delete_key_group(backend, group_id):
    get_key_group(backend, group_id)
    in_use = [d.id for d in backend.distributions.values()
              if group_id in trusted_key_groups(d)]
    if in_use:
        refuse("ResourceInUse", f"The key group is trusted by distribution {in_use[0]}.")
    del backend.key_groups[group_id]


# --- what distributions refer to -------------------------------------------------------------

def behaviors(distribution):
    config = distribution.distribution_config
    return [config.DefaultCacheBehavior] + list((config.CacheBehaviors or {}).get("Items") or [])


def trusted_key_groups(distribution):
    return {g for b in behaviors(distribution) for g in b.trusted_key_groups.items}


def _config_behaviors(config):
    return [config["DefaultCacheBehavior"]] + list(
        (config.get("CacheBehaviors") or {}).get("Items") or [])


def check_distribution_config(backend, config):
    """What a distribution's behaviors refer to exists (CreateDistribution, UpdateDistribution):
    trusted key groups (TrustedKeyGroupDoesNotExist, at most 4 per behavior), response headers
    policies (NoSuchResponseHeadersPolicy) and LIVE functions (InvalidFunctionAssociation)."""
    for behavior in _config_behaviors(config):
        groups = (behavior.get("TrustedKeyGroups") or {}).get("Items") or []
        if len(groups) > quota("key_groups_per_cache_behavior"):
            refuse("TooManyKeyGroupsAssociatedToDistribution",
                   "The number of key groups referenced by this distribution is more than the "
                   f"maximum allowed ({quota('key_groups_per_cache_behavior')} per behavior).")
        for group_id in groups:
            if group_id not in backend.key_groups:
                refuse("TrustedKeyGroupDoesNotExist", f"The key group {group_id} does not exist.")
        policy_id = behavior.get("ResponseHeadersPolicyId")
        if policy_id and policy_id not in response_headers_policies(backend):
            refuse("NoSuchResponseHeadersPolicy",
                   f"The response headers policy {policy_id} does not exist.")
        for association in (behavior.get("FunctionAssociations") or {}).get("Items") or []:
            function = next((f for f in backend.functions.values()
                             if f.arn == association["FunctionARN"]), None)
            if function is None or function.stage != "LIVE":
                refuse("InvalidFunctionAssociation", "A CloudFront function association is "
                       f"invalid: {association['FunctionARN']} is not a published function.")


_moto_create_distribution = CloudFrontBackend.create_distribution_with_tags
_moto_update_distribution = CloudFrontBackend.update_distribution


def _create_distribution(self, distribution_config, tags):
    require_headroom(len(self.distributions), "distributions", "TooManyDistributions",
                     "distributions")
    check_distribution_config(self, distribution_config)
    return _moto_create_distribution(self, distribution_config, tags)


def _update_distribution(self, dist_config, _id, if_match):
    check_distribution_config(self, dist_config)
    return _moto_update_distribution(self, dist_config, _id, if_match)


# --- response headers policies (moto has no model of them) -----------------------------------

class ResponseHeadersPolicy:
    """A custom response headers policy: its id, ETag and ResponseHeadersPolicyConfig."""

    def __init__(self, config):
        self.id = str(uuid.uuid4())
        self.config = config
        self.etag = random_id(length=14)
        self.last_modified = time.time()


def response_headers_policies(backend):
    if not hasattr(backend, "response_headers_policies"):
        backend.response_headers_policies = {}
    return backend.response_headers_policies


def _check_policy_name(backend, config, policy_id=None):
    others = {p.config["Name"] for p in response_headers_policies(backend).values()
              if p.id != policy_id}
    require_unique_name(others, config["Name"], "ResponseHeadersPolicyAlreadyExists",
                        "A response headers policy")


def create_response_headers_policy(backend, config):
    require_headroom(len(response_headers_policies(backend)), "response_headers_policies",
                     "TooManyResponseHeadersPolicies", "response headers policies")
    _check_policy_name(backend, config)
    policy = ResponseHeadersPolicy(config)
    response_headers_policies(backend)[policy.id] = policy
    return policy


def get_response_headers_policy(backend, policy_id):
    policy = response_headers_policies(backend).get(policy_id)
    if policy is None:
        refuse("NoSuchResponseHeadersPolicy", "The response headers policy does not exist.")
    return policy


def update_response_headers_policy(backend, policy_id, config):
    policy = get_response_headers_policy(backend, policy_id)
    _check_policy_name(backend, config, policy_id)
    policy.config, policy.etag, policy.last_modified = config, random_id(length=14), time.time()
    return policy


def distributions_using_policy(backend, policy_id):
    return [d.id for d in backend.distributions.values()
            if any(b.response_headers_policy_id == policy_id for b in behaviors(d))]


def delete_response_headers_policy(backend, policy_id):
    get_response_headers_policy(backend, policy_id)
    in_use = distributions_using_policy(backend, policy_id)
    if in_use:
        refuse("ResponseHeadersPolicyInUse", "Cannot delete the response headers policy because "
               f"it is attached to a cache behavior of distribution {in_use[0]}.")
    del response_headers_policies(backend)[policy_id]


# --- origin access controls and functions ---------------------------------------------------

_moto_create_oac = CloudFrontBackend.create_origin_access_control


def _create_origin_access_control(self, config_dict):
    require_headroom(len(self.origin_access_controls), "origin_access_controls",
                     "TooManyOriginAccessControls", "origin access controls")
    require_unique_name({c.name for c in self.origin_access_controls.values()},
                        config_dict.get("Name"), "OriginAccessControlAlreadyExists",
                        "An origin access control")
    return _moto_create_oac(self, config_dict)


def _delete_origin_access_control(self, control_id):
    self.get_origin_access_control(control_id)
    in_use = [d.id for d in self.distributions.values()
              if any(getattr(o, "origin_access_control_id", "") == control_id
                     for o in d.distribution_config.Origins["Items"])]
    if in_use:
        refuse("OriginAccessControlInUse", "Cannot delete the origin access control because "
                                           f"it's in use by distribution {in_use[0]}.")
    self.origin_access_controls.pop(control_id)


_moto_create_function = CloudFrontBackend.create_function


def _create_function(self, name, function_config, function_code, tags):
    require_headroom(len(self.functions), "functions", "TooManyFunctions",
                     "CloudFront functions")
    code = function_code.encode() if isinstance(function_code, str) else function_code
    if len(code) > quota("function_size_bytes"):
        refuse("FunctionSizeLimitExceeded", f"The function is {len(code)} bytes; the maximum "
                                            f"is {quota('function_size_bytes')}.")
    return _moto_create_function(self, name, function_config, code, tags)


def _delete_function(self, name, if_match):
    function = self.describe_function(name)
    in_use = [d.id for d in self.distributions.values() if any(
        a["FunctionARN"] == function.arn
        for b in behaviors(d) for a in getattr(b, "function_items", []))]
    if in_use:
        refuse("FunctionInUse", f"Cannot delete the function because it's attached to a cache "
                                f"behavior of distribution {in_use[0]}.")
    _moto_delete_function(self, name, if_match)


_moto_delete_function = CloudFrontBackend.delete_function

CloudFrontBackend.create_public_key = _create_public_key
CloudFrontBackend.delete_public_key = _delete_public_key
CloudFrontBackend.create_key_group = _create_key_group
CloudFrontBackend.create_distribution_with_tags = _create_distribution
CloudFrontBackend.update_distribution = _update_distribution
CloudFrontBackend.create_origin_access_control = _create_origin_access_control
CloudFrontBackend.delete_origin_access_control = _delete_origin_access_control
CloudFrontBackend.create_function = _create_function
CloudFrontBackend.delete_function = _delete_function
