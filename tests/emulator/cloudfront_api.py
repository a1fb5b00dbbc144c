"""CloudFront key-group and public-key operations moto 5.2.5 lacks or gets wrong, per the
CloudFront API reference:

- UpdateKeyGroup (PUT /2020-05-31/key-group/{Id}): replaces the name and items; If-Match must
  be the group's current ETag (PreconditionFailed otherwise), and a new ETag is issued.
- DeleteKeyGroup (DELETE /2020-05-31/key-group/{Id}): If-Match as above; a group a
  distribution trusts is ResourceInUse.
- GetKeyGroup / GetPublicKey of an unknown id: NoSuchResource (moto answered 500).

cfsign's recipes never call the writes (the key-pair stack owns the group, docs/design.md §3); they
exist so tests can show what happens when someone edits the group around the stack.
"""
from moto.cloudfront.exceptions import CloudFrontException
from moto.cloudfront.models import random_id
from moto.cloudfront.responses import CloudFrontResponse
from moto.core.responses import ActionResult, EmptyResult


def _key_group(backend, group_id):
    group = backend.key_groups.get(group_id)
    if group is None:
        raise CloudFrontException("NoSuchResource", f"The key group {group_id} does not exist.")
    return group


def _check_if_match(resource, if_match):
    if not if_match:
        raise CloudFrontException("InvalidIfMatchVersion",
                                  "The If-Match version is missing or not valid for the resource.")
    if if_match != resource.etag:
        raise CloudFrontException("PreconditionFailed",
                                  "The If-Match version does not match the current version.")


def _trusting_distributions(backend, group_id):
    for distribution in backend.distributions.values():
        config = distribution.distribution_config
        behaviors = [config.DefaultCacheBehavior]
        behaviors += config.CacheBehaviors.get("Items", []) if config.CacheBehaviors else []
        if any(group_id in b.trusted_key_groups.items for b in behaviors):
            yield distribution.id


def get_key_group(self):
    group = _key_group(self.backend, self._get_param("Id"))
    return ActionResult({"KeyGroup": group, "ETag": group.etag})


def update_key_group(self):
    group = _key_group(self.backend, self._get_param("Id"))
    _check_if_match(group, self._get_param("IfMatch"))
    items = self._get_param("KeyGroupConfig.Items", [])
    unknown = [key for key in items if key not in self.backend.public_keys]
    if unknown:
        raise CloudFrontException("NoSuchPublicKey",
                                  f"The public key {unknown[0]} does not exist.")
    group.name = self._get_param("KeyGroupConfig.Name")
    group.items = list(items)
    group.etag = random_id(length=14)
    return ActionResult({"KeyGroup": group, "ETag": group.etag})


def delete_key_group(self):
    group_id = self._get_param("Id")
    group = _key_group(self.backend, group_id)
    _check_if_match(group, self._get_param("IfMatch"))
    in_use = list(_trusting_distributions(self.backend, group_id))
    if in_use:
        raise CloudFrontException("ResourceInUse",
                                  f"The key group is trusted by distribution {in_use[0]}.")
    del self.backend.key_groups[group_id]
    return EmptyResult()


def get_public_key(self):
    key_id = self._get_param("Id")
    key = self.backend.public_keys.get(key_id)
    if key is None:
        raise CloudFrontException("NoSuchPublicKey", f"The public key {key_id} does not exist.")
    return ActionResult({"PublicKey": key, "ETag": key.etag})


for _operation in (get_key_group, update_key_group, delete_key_group, get_public_key):
    setattr(CloudFrontResponse, _operation.__name__, _operation)
