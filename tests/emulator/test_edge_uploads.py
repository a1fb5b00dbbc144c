"""The distribution product's /uploads/* behavior at the edge: its CloudFront Function admits a
write only with an upload URL (canned policy, cfsign-upload=1 in the signed URL) of an allowed
content type, and of the one type the URL binds (cfsign-content-type) when it binds one; its response headers policy serves uploads as sandboxed attachments; the
bucket's CORS rules (the team's origins) answer the browser's preflight."""
import time
import uuid

import pytest
import requests

from emulator_testing import client, rsa_key, public_pem, team_stack
from test_edge import canned, custom_policy

ORIGIN = "https://app.uptypes.example.com"


@pytest.fixture(scope="module")
def team(endpoint):
    key = rsa_key()
    outputs = team_stack(endpoint, "uptypes", public_pem(key), origins=ORIGIN,
                         upload_types="image/png,text/*")
    return {"key": key, "key_id": outputs["KeySlotAPublicKeyId"], "outputs": outputs,
            "base": f"{endpoint}/_edge/{outputs['DistributionId']}"}


def upload_url(team, name):
    return canned(f"{team['base']}/uploads/{name}?cfsign-upload=1", team["key"], team["key_id"])


def test_an_upload_url_uploads_an_allowed_type_and_reads_it_back(team):
    url = upload_url(team, f"{uuid.uuid4().hex}.png")
    assert requests.put(url, data=b"png", headers={"Content-Type": "image/png"}).status_code == 200
    got = requests.get(url)
    assert got.status_code == 200 and got.content == b"png"
    assert got.headers["Content-Type"] == "image/png"


def test_uploads_are_served_as_sandboxed_attachments(team):
    url = upload_url(team, f"{uuid.uuid4().hex}.html")
    requests.put(url, data=b"<script>alert(1)</script>",
                 headers={"Content-Type": "text/html; charset=utf-8"}).raise_for_status()
    got = requests.get(url)
    assert got.headers["Content-Disposition"] == "attachment"
    assert got.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert got.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("content_type", ["application/pdf", "image/svg+xml", None])
def test_a_type_the_team_does_not_allow_is_refused(team, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    response = requests.put(upload_url(team, f"{uuid.uuid4().hex}.bin"), data=b"x",
                            headers=headers)
    assert response.status_code == 415


def test_an_upload_url_that_binds_a_type_writes_only_that_type(team):
    url = canned(f"{team['base']}/uploads/{uuid.uuid4().hex}.png?cfsign-upload=1"
                 "&cfsign-content-type=image%2Fpng", team["key"], team["key_id"])
    # text/plain is one of the team's types, but not the one this URL binds.
    assert requests.put(url, data=b"t", headers={"Content-Type": "text/plain"}).status_code == 415
    assert requests.put(url, data=b"png",
                        headers={"Content-Type": "image/PNG; x=1"}).status_code == 200


def test_a_malformed_bound_type_is_refused_not_a_failure(team):
    url = canned(f"{team['base']}/uploads/{uuid.uuid4().hex}.png?cfsign-upload=1"
                 "&cfsign-content-type=%E0%A4", team["key"], team["key_id"])
    assert requests.put(url, data=b"x", headers={"Content-Type": "image/png"}).status_code == 415


def test_a_download_url_cannot_upload(team):
    url = canned(f"{team['base']}/uploads/{uuid.uuid4().hex}.png", team["key"], team["key_id"])
    response = requests.put(url, data=b"x", headers={"Content-Type": "image/png"})
    assert response.status_code == 403
    assert response.headers["X-Cache"] == "FunctionGeneratedResponse from cloudfront"


def test_the_upload_marker_cannot_be_added_to_a_download_url(team):
    url = canned(f"{team['base']}/uploads/{uuid.uuid4().hex}.png", team["key"], team["key_id"])
    response = requests.put(url + "&cfsign-upload=1", data=b"x",
                            headers={"Content-Type": "image/png"})
    assert response.status_code == 403
    assert response.headers["X-Cache"] == "Error from CloudFront"  # the signature


def test_cookies_and_custom_policies_cannot_upload(team):
    policy = custom_policy(f"{team['base']}/*", team["key"])
    cookies = {"CloudFront-Policy": policy["Policy"], "CloudFront-Signature": policy["Signature"],
               "CloudFront-Key-Pair-Id": team["key_id"]}
    target = f"{team['base']}/uploads/{uuid.uuid4().hex}.png?cfsign-upload=1"
    headers = {"Content-Type": "image/png"}
    assert requests.put(target, data=b"x", cookies=cookies, headers=headers).status_code == 403
    wildcard = custom_policy(f"{team['base']}/uploads/*", team["key"])
    query = f"&Policy={wildcard['Policy']}&Signature={wildcard['Signature']}" \
            f"&Key-Pair-Id={team['key_id']}"
    assert requests.put(target + query, data=b"x", headers=headers).status_code == 403
    # ...while the same cookies still read (a gallery's downloads).
    client_get = requests.get(f"{team['base']}/uploads/none.png", cookies=cookies)
    assert client_get.status_code == 404


def test_the_browsers_preflight_is_answered_for_the_teams_origin_only(team):
    url = upload_url(team, f"{uuid.uuid4().hex}.png")
    preflight = {"Origin": ORIGIN, "Access-Control-Request-Method": "PUT",
                 "Access-Control-Request-Headers": "content-type"}
    answer = requests.options(url, headers=preflight)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Access-Control-Allow-Origin"] == ORIGIN
    refused = requests.options(url, headers={**preflight, "Origin": "https://evil.example.com"})
    assert refused.status_code == 403
    put = requests.put(url, data=b"png", headers={"Content-Type": "image/png", "Origin": ORIGIN})
    assert put.status_code == 200 and put.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_a_download_from_the_teams_origin_gets_its_cors_headers(endpoint, team):
    bucket = team["outputs"]["BucketName"]
    client(endpoint, "s3").put_object(Bucket=bucket, Key="docs/d.txt", Body=b"d")
    url = canned(f"{team['base']}/docs/d.txt", team["key"], team["key_id"])
    got = requests.get(url, headers={"Origin": ORIGIN})
    assert got.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert got.headers["Strict-Transport-Security"].startswith("max-age=63072000")
    assert "Content-Disposition" not in got.headers


def test_teams_with_the_same_origins_share_response_headers_policies(endpoint, team):
    again = team_stack(endpoint, "uptypes2", public_pem(rsa_key()), origins=ORIGIN)
    other = team_stack(endpoint, "uptypes3", public_pem(rsa_key()))
    outputs = team["outputs"]
    assert again["DownloadsHeadersPolicyId"] == outputs["DownloadsHeadersPolicyId"]
    assert other["DownloadsHeadersPolicyId"] != outputs["DownloadsHeadersPolicyId"]
    assert {again["UploadsHeadersPolicyId"], other["UploadsHeadersPolicyId"]} == \
        {outputs["UploadsHeadersPolicyId"]}


def test_a_team_without_origins_refuses_preflights(endpoint):
    key = rsa_key()
    outputs = team_stack(endpoint, "noorigins", public_pem(key))
    url = canned(f"{endpoint}/_edge/{outputs['DistributionId']}/uploads/a.png?cfsign-upload=1",
                 key, outputs["KeySlotAPublicKeyId"], expires=int(time.time()) + 60)
    answer = requests.options(url, headers={"Origin": ORIGIN,
                                            "Access-Control-Request-Method": "PUT"})
    assert answer.status_code == 403
    assert "CORS is not enabled for this bucket" in answer.text
