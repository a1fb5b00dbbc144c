"""CloudFront operations moto 5.2.5 lacks or gets wrong, per the CloudFront API reference, each
refusing what cloudfront_account.py's rules refuse:

- GetPublicKey, GetKeyGroup of an unknown id: NoSuchPublicKey, NoSuchResource (moto: a 500).
- UpdatePublicKey (PUT /2020-05-31/public-key/{Id}/config): only the comment changes.
- DeletePublicKey: If-Match; a key in a key group is PublicKeyInUse.
- UpdateKeyGroup (PUT /2020-05-31/key-group/{Id}): replaces the name and items; If-Match must be
  the group's current ETag (PreconditionFailed otherwise), and a new ETag is issued.
- DeleteKeyGroup: If-Match as above; a group a distribution trusts is ResourceInUse.
- Response headers policies (moto has none): Create, Get, List, Delete (If-Match;
  ResponseHeadersPolicyInUse), ListDistributionsByResponseHeadersPolicyId.

cfsign's recipes make none of the writes (the products' stacks own these resources,
docs/design.md §3); they exist so tests can show what happens when someone edits around them.
"""
import time

from moto.cloudfront import urls
from moto.cloudfront.responses import CloudFrontResponse
from moto.core.responses import ActionResult, EmptyResult

import cloudfront_account as account

urls.url_paths.update({
    "{0}/2020-05-31/public-key/(?P<key_name>[^/]+)/config$": CloudFrontResponse.dispatch,
    "{0}/2020-05-31/response-headers-policy$": CloudFrontResponse.dispatch,
    "{0}/2020-05-31/response-headers-policy/(?P<policy_id>[^/]+)$": CloudFrontResponse.dispatch,
    "{0}/2020-05-31/distributionsByResponseHeadersPolicyId/(?P<policy_id>[^/]+)$":
        CloudFrontResponse.dispatch,
})


def _check_if_match(resource, if_match):
    if not if_match:
        account.refuse("InvalidIfMatchVersion",
                       "The If-Match version is missing or not valid for the resource.")
    if if_match != resource.etag:
        account.refuse("PreconditionFailed",
                       "The If-Match version does not match the current version.")


def get_key_group(self):
    group = account.get_key_group(self.backend, self._get_param("Id"))
    return ActionResult({"KeyGroup": group, "ETag": group.etag})


def update_key_group(self):
    group = account.get_key_group(self.backend, self._get_param("Id"))
    _check_if_match(group, self._get_param("IfMatch"))
    account.update_key_group(self.backend, group.id, self._get_param("KeyGroupConfig.Name"),
                             self._get_param("KeyGroupConfig.Items", []))
    return ActionResult({"KeyGroup": group, "ETag": group.etag})


def delete_key_group(self):
    group = account.get_key_group(self.backend, self._get_param("Id"))
    _check_if_match(group, self._get_param("IfMatch"))
    account.delete_key_group(self.backend, group.id)
    return EmptyResult()


def get_public_key(self):
    key = account.get_public_key(self.backend, self._get_param("Id"))
    return ActionResult({"PublicKey": key, "ETag": key.etag})


def update_public_key(self):
    key = account.get_public_key(self.backend, self._get_param("Id"))
    _check_if_match(key, self._get_param("IfMatch"))
    account.update_public_key(self.backend, key.id, self._get_param("PublicKeyConfig"))
    return ActionResult({"PublicKey": key, "ETag": key.etag})


def delete_public_key(self):
    key = account.get_public_key(self.backend, self._get_param("Id"))
    _check_if_match(key, self._get_param("IfMatch"))
    self.backend.delete_public_key(key.id)
    return EmptyResult()


def _with_quantities(value):
    """A policy config in the API's shape: every list of Items has its Quantity."""
    if isinstance(value, dict):
        shaped = {k: _with_quantities(v) for k, v in value.items()}
        if "Items" in shaped:
            shaped["Quantity"] = len(shaped["Items"] or [])
        return shaped
    if isinstance(value, list):
        return [_with_quantities(v) for v in value]
    return value


def _policy_result(policy):
    return {"Id": policy.id, "LastModifiedTime": time.strftime(
        "%Y-%m-%dT%H:%M:%SZ", time.gmtime(policy.last_modified)),
        "ResponseHeadersPolicyConfig": _with_quantities(policy.config)}


def create_response_headers_policy(self):
    policy = account.create_response_headers_policy(
        self.backend, self._get_param("ResponseHeadersPolicyConfig"))
    return ActionResult({"ResponseHeadersPolicy": _policy_result(policy), "ETag": policy.etag,
                         "Location": "https://cloudfront.amazonaws.com/2020-05-31/"
                                     f"response-headers-policy/{policy.id}"})


def get_response_headers_policy(self):
    policy = account.get_response_headers_policy(self.backend, self._get_param("Id"))
    return ActionResult({"ResponseHeadersPolicy": _policy_result(policy), "ETag": policy.etag})


def list_response_headers_policies(self):
    """Custom policies only (cfsign names no managed one); one page, as the account's quota
    keeps the list within MaxItems' default of 100."""
    kind = self._get_param("Type")
    policies = [] if kind == "managed" else list(
        account.response_headers_policies(self.backend).values())
    return ActionResult({"ResponseHeadersPolicyList": {
        "MaxItems": 100, "Quantity": len(policies),
        "Items": [{"Type": "custom", "ResponseHeadersPolicy": _policy_result(p)}
                  for p in policies]}})


def delete_response_headers_policy(self):
    policy = account.get_response_headers_policy(self.backend, self._get_param("Id"))
    _check_if_match(policy, self._get_param("IfMatch"))
    account.delete_response_headers_policy(self.backend, policy.id)
    return EmptyResult()


def list_distributions_by_response_headers_policy_id(self):
    policy_id = self._get_param("ResponseHeadersPolicyId")
    account.get_response_headers_policy(self.backend, policy_id)
    ids = account.distributions_using_policy(self.backend, policy_id)
    return ActionResult({"DistributionIdList": {
        "Marker": "", "MaxItems": 100, "IsTruncated": False, "Quantity": len(ids),
        "Items": ids}})


for _operation in (get_key_group, update_key_group, delete_key_group, get_public_key,
                   update_public_key, delete_public_key, create_response_headers_policy,
                   get_response_headers_policy, list_response_headers_policies,
                   delete_response_headers_policy,
                   list_distributions_by_response_headers_policy_id):
    setattr(CloudFrontResponse, _operation.__name__, _operation)
