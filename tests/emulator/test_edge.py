"""The edge (edge.py): a team's distribution served at /_edge/<id>/, enforcing signed URLs with
its own verifier and forwarding only what the bucket policy grants. The URLs here are signed
by this test with `cryptography`, the way CloudFront's documentation describes."""
import base64
import json
import time
import uuid

import pytest
import requests
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding

from emulator_testing import client, cloudfront_settings, ec_key, public_pem, rsa_key, team_stack


def cf_b64(data):
    return base64.b64encode(data).decode().replace("+", "-").replace("=", "_").replace("/", "~")


def sign(key, message, hash_name="SHA1"):
    algorithm = hashes.SHA256() if hash_name == "SHA256" else hashes.SHA1()
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(message, ec.ECDSA(algorithm))
    return key.sign(message, padding.PKCS1v15(), algorithm)


def canned(url, key, key_id, expires=None, hash_name=None):
    expires = expires or int(time.time()) + 300
    policy = ('{"Statement":[{"Resource":"%s","Condition":{"DateLessThan":{"AWS:EpochTime":%d}}}]}'
              % (url, expires))
    query = {"Expires": str(expires),
             "Signature": cf_b64(sign(key, policy.encode(), hash_name or "SHA1")),
             "Key-Pair-Id": key_id}
    if hash_name:
        query["Hash-Algorithm"] = hash_name
    return url + ("&" if "?" in url else "?") + "&".join(f"{k}={v}" for k, v in query.items())


def custom_policy(resource, key, not_after=None, ip=None, not_before=None):
    condition = {"DateLessThan": {"AWS:EpochTime": not_after or int(time.time()) + 300}}
    if ip:
        condition["IpAddress"] = {"AWS:SourceIp": ip}
    if not_before:
        condition["DateGreaterThan"] = {"AWS:EpochTime": not_before}
    policy = json.dumps({"Statement": [{"Resource": resource, "Condition": condition}]},
                        separators=(",", ":")).encode()
    return {"Policy": cf_b64(policy), "Signature": cf_b64(sign(key, policy))}


@pytest.fixture(scope="module")
def team(endpoint):
    key = rsa_key()
    outputs = team_stack(endpoint, "edgeteam", public_pem(key))
    base = f"{endpoint}/_edge/{outputs['DistributionId']}"
    s3 = client(endpoint, "s3")
    s3.put_object(Bucket=outputs["BucketName"], Key="docs/hello.txt", Body=b"hello")
    return {"key": key, "key_id": outputs["KeySlotAPublicKeyId"], "base": base,
            "bucket": outputs["BucketName"], "outputs": outputs}


def test_a_signed_get_is_served_from_the_bucket(team):
    response = requests.get(canned(team["base"] + "/docs/hello.txt", team["key"], team["key_id"]))
    assert response.status_code == 200, response.text
    assert response.content == b"hello"


def test_sha256_and_query_strings_are_covered(team):
    url = canned(team["base"] + "/docs/hello.txt?v=1", team["key"], team["key_id"],
                 hash_name="SHA256")
    assert requests.get(url).status_code == 200
    tampered_query = url.replace("v=1", "v=2")
    assert requests.get(tampered_query).status_code == 403


def test_a_signed_put_uploads_under_uploads(endpoint, team):
    name = f"uploads/{uuid.uuid4().hex}.txt"
    url = canned(f"{team['base']}/{name}?cfsign-upload=1", team["key"], team["key_id"])
    response = requests.put(url, data=b"uploaded")
    assert response.status_code == 200, response.text
    stored = client(endpoint, "s3").get_object(Bucket=team["bucket"], Key=name)
    assert stored["Body"].read() == b"uploaded"


@pytest.mark.parametrize("case", ["unsigned", "expired", "tampered", "other path",
                                  "unknown key", "not yet valid"])
def test_bad_signatures_are_refused(team, case):
    url = team["base"] + "/docs/hello.txt"
    if case == "unsigned":
        signed, code = url, "MissingKey"
    elif case == "expired":
        signed, code = canned(url, team["key"], team["key_id"],
                              expires=int(time.time()) - 1), "AccessDenied"
    elif case == "tampered":
        good = canned(url, team["key"], team["key_id"])
        start = good.index("Signature=") + len("Signature=")
        flipped = "A" if good[start] != "A" else "B"
        signed, code = good[:start] + flipped + good[start + 1:], "AccessDenied"
    elif case == "other path":
        other = canned(team["base"] + "/docs/other.txt", team["key"], team["key_id"])
        signed, code = url + other[other.index("?"):], "AccessDenied"
    elif case == "unknown key":
        stranger = rsa_key()
        signed, code = canned(url, stranger, team["key_id"]), "AccessDenied"
    else:
        policy = custom_policy(url, team["key"], not_before=int(time.time()) + 600)
        signed, code = url + f"?Policy={policy['Policy']}&Signature={policy['Signature']}" \
            f"&Key-Pair-Id={team['key_id']}", "AccessDenied"
    response = requests.get(signed)
    assert response.status_code == 403
    assert f"<Code>{code}</Code>" in response.text
    assert response.headers["X-Cache"] == "Error from CloudFront"


def test_a_key_outside_the_key_group_is_refused(endpoint, team):
    cloudfront = client(endpoint, "cloudfront")
    outsider = ec_key()
    key_id = cloudfront.create_public_key(PublicKeyConfig={
        "CallerReference": "outsider", "Name": "outsider",
        "EncodedKey": public_pem(outsider)})["PublicKey"]["Id"]
    response = requests.get(canned(team["base"] + "/docs/hello.txt", outsider, key_id))
    assert response.status_code == 403
    assert "<Code>InvalidKey</Code>" in response.text


def test_a_custom_policy_with_a_wildcard_and_address_admits_matching_requests(team):
    policy = custom_policy(team["base"] + "/docs/*", team["key"], ip="127.0.0.0/8")
    query = f"?Policy={policy['Policy']}&Signature={policy['Signature']}" \
            f"&Key-Pair-Id={team['key_id']}"
    assert requests.get(team["base"] + "/docs/hello.txt" + query).status_code == 200
    assert requests.get(team["base"] + "/other/hello.txt" + query).status_code == 403
    elsewhere = custom_policy(team["base"] + "/docs/*", team["key"], ip="10.0.0.0/8")
    query = f"?Policy={elsewhere['Policy']}&Signature={elsewhere['Signature']}" \
            f"&Key-Pair-Id={team['key_id']}"
    assert requests.get(team["base"] + "/docs/hello.txt" + query).status_code == 403


def test_signed_cookies_are_accepted(team):
    policy = custom_policy(team["base"] + "/docs/*", team["key"])
    cookies = {"CloudFront-Policy": policy["Policy"], "CloudFront-Signature": policy["Signature"],
               "CloudFront-Key-Pair-Id": team["key_id"]}
    assert requests.get(team["base"] + "/docs/hello.txt", cookies=cookies).status_code == 200


def test_an_ecdsa_key_signs_too(endpoint):
    key = ec_key()
    outputs = team_stack(endpoint, "ecteam", public_pem(key))
    base = f"{endpoint}/_edge/{outputs['DistributionId']}"
    client(endpoint, "s3").put_object(Bucket=outputs["BucketName"], Key="a.txt", Body=b"ec")
    url = canned(base + "/a.txt", key, outputs["KeySlotAPublicKeyId"], hash_name="SHA256")
    response = requests.get(url)
    assert response.status_code == 200 and response.content == b"ec"


def test_put_outside_uploads_is_a_method_the_default_behavior_refuses(team):
    url = canned(team["base"] + "/docs/new.txt", team["key"], team["key_id"])
    response = requests.put(url, data=b"x")
    assert response.status_code == 403
    assert "<Code>MethodNotAllowed</Code>" in response.text
    assert "<RequestId>" not in response.text and "x-amz-request-id" not in response.headers


def test_a_validly_signed_delete_is_refused_at_the_edge(endpoint, team):
    name = "uploads/keep.txt"
    client(endpoint, "s3").put_object(Bucket=team["bucket"], Key=name, Body=b"keep")
    for url in (f"{team['base']}/{name}", f"{team['base']}/{name}?cfsign-upload=1"):
        response = requests.delete(canned(url, team["key"], team["key_id"]))
        assert response.status_code == 403
        assert response.headers["X-Cache"] == "FunctionGeneratedResponse from cloudfront"
    assert client(endpoint, "s3").get_object(Bucket=team["bucket"], Key=name)["Body"].read() \
        == b"keep"


def test_an_address_by_the_distributions_domain_name_reaches_it_too(team):
    domain = team["outputs"]["DistributionDomainName"]
    base = team["base"].rsplit("/", 1)[0] + "/" + domain
    response = requests.get(canned(base + "/docs/hello.txt", team["key"], team["key_id"]))
    assert response.status_code == 200 and response.content == b"hello"


def test_key_group_changes_reach_the_edge_after_the_propagation_delay(endpoint):
    key, added = rsa_key(), ec_key()
    outputs = team_stack(endpoint, "propteam", public_pem(key))
    base = f"{endpoint}/_edge/{outputs['DistributionId']}"
    client(endpoint, "s3").put_object(Bucket=outputs["BucketName"], Key="p.txt", Body=b"p")
    cloudfront = client(endpoint, "cloudfront")
    added_id = cloudfront.create_public_key(PublicKeyConfig={
        "CallerReference": f"prop-{uuid.uuid4().hex}", "Name": f"prop-{uuid.uuid4().hex[:8]}",
        "EncodedKey": public_pem(added)})["PublicKey"]["Id"]
    group = cloudfront.get_key_group(Id=outputs["KeyGroupId"])
    name = group["KeyGroup"]["KeyGroupConfig"]["Name"]
    with cloudfront_settings(endpoint, propagation_seconds=1.5):
        time.sleep(1.6)  # the group's first version has arrived everywhere
        cloudfront.update_key_group(Id=outputs["KeyGroupId"], IfMatch=group["ETag"],
                                    KeyGroupConfig={"Name": name, "Items": [added_id]})
        new_url = canned(base + "/p.txt", added, added_id, hash_name="SHA256")
        old_url = canned(base + "/p.txt", key, outputs["KeySlotAPublicKeyId"])
        assert requests.get(new_url).status_code == 403  # not arrived yet
        assert requests.get(old_url).status_code == 200  # its removal neither
        time.sleep(1.6)
        assert requests.get(new_url).status_code == 200
        assert requests.get(old_url).status_code == 403


def test_nothing_reaches_the_bucket_before_its_policy_admits_the_distribution(endpoint):
    key = rsa_key()
    outputs = team_stack(endpoint, "lateteam", public_pem(key))
    from emulator_testing import product_stack
    product_stack(endpoint, "lateteam-bucket", "s3-bucket", {"TeamName": "lateteam"})
    base = f"{endpoint}/_edge/{outputs['DistributionId']}"
    client(endpoint, "s3").put_object(Bucket=outputs["BucketName"], Key="a.txt", Body=b"a")
    response = requests.get(canned(base + "/a.txt", key, outputs["KeySlotAPublicKeyId"]))
    assert response.status_code == 403
    assert response.headers["X-Cache"] == "Error from S3"
    # S3's error shape, with its request id; CloudFront's own refusals have none.
    assert response.headers["x-amz-request-id"] in response.text
    assert "<RequestId>" in response.text


def test_an_unknown_distribution_is_not_found(endpoint):
    assert requests.get(f"{endpoint}/_edge/ENOPE/x").status_code == 404
