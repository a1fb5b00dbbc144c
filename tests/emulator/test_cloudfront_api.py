"""The CloudFront key-group operations the extension adds (cloudfront_api.py)."""
import pytest

from emulator_testing import client, public_key_pem, team_stack


def new_key(cloudfront, name):
    return cloudfront.create_public_key(PublicKeyConfig={
        "CallerReference": name, "Name": name, "EncodedKey": public_key_pem()})["PublicKey"]["Id"]


def test_update_key_group_replaces_items_and_needs_the_current_etag(endpoint):
    cloudfront = client(endpoint, "cloudfront")
    first, second = new_key(cloudfront, "api-first"), new_key(cloudfront, "api-second")
    created = cloudfront.create_key_group(KeyGroupConfig={"Name": "api-group", "Items": [first]})
    group_id, etag = created["KeyGroup"]["Id"], created["ETag"]

    with pytest.raises(cloudfront.exceptions.PreconditionFailed):
        cloudfront.update_key_group(Id=group_id, IfMatch="stale",
                                    KeyGroupConfig={"Name": "api-group", "Items": [second]})
    updated = cloudfront.update_key_group(
        Id=group_id, IfMatch=etag, KeyGroupConfig={"Name": "api-group", "Items": [first, second]})
    assert updated["ETag"] != etag
    read = cloudfront.get_key_group(Id=group_id)
    assert read["KeyGroup"]["KeyGroupConfig"]["Items"] == [first, second]
    assert read["ETag"] == updated["ETag"]

    # UpdateKeyGroup's errors have no NoSuchPublicKey: an unknown key is an InvalidArgument.
    with pytest.raises(cloudfront.exceptions.InvalidArgument):
        cloudfront.update_key_group(Id=group_id, IfMatch=updated["ETag"],
                                    KeyGroupConfig={"Name": "api-group", "Items": ["KNOPE"]})


def test_delete_key_group_refuses_a_group_in_use_and_deletes_an_unused_one(endpoint):
    cloudfront = client(endpoint, "cloudfront")
    outputs = team_stack(endpoint, "apiteam", public_key_pem())
    used = cloudfront.get_key_group(Id=outputs["KeyGroupId"])
    with pytest.raises(cloudfront.exceptions.ResourceInUse):
        cloudfront.delete_key_group(Id=outputs["KeyGroupId"], IfMatch=used["ETag"])

    spare = cloudfront.create_key_group(
        KeyGroupConfig={"Name": "api-spare", "Items": [new_key(cloudfront, "api-spare")]})
    cloudfront.delete_key_group(Id=spare["KeyGroup"]["Id"], IfMatch=spare["ETag"])
    with pytest.raises(cloudfront.exceptions.NoSuchResource):
        cloudfront.get_key_group(Id=spare["KeyGroup"]["Id"])


def test_unknown_public_key_is_no_such_public_key(endpoint):
    cloudfront = client(endpoint, "cloudfront")
    with pytest.raises(cloudfront.exceptions.NoSuchPublicKey):
        cloudfront.get_public_key(Id="KUNKNOWN")
