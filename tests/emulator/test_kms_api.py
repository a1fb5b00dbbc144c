"""KMS key states (kms_api.py)."""
import pytest
from botocore.exceptions import ClientError

from emulator_testing import client


def _error(call):
    with pytest.raises(ClientError) as raised:
        call()
    return raised.value.response["Error"]


def test_a_key_pending_deletion_cannot_sign_or_give_its_public_key(endpoint):
    kms = client(endpoint, "kms")
    key = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["Arn"]
    sign = lambda: kms.sign(KeyId=key, Message=b"policy", MessageType="RAW",  # noqa: E731
                            SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256")
    assert sign()["Signature"]
    kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
    for call in (sign, lambda: kms.get_public_key(KeyId=key)):
        error = _error(call)
        assert error["Code"] == "KMSInvalidStateException"
        assert error["Message"] == f"{key} is pending deletion."
    again = _error(lambda: kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7))
    assert again["Code"] == "KMSInvalidStateException"
    assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "PendingDeletion"


def test_a_disabled_key_cannot_sign(endpoint):
    kms = client(endpoint, "kms")
    key = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    kms.disable_key(KeyId=key)
    error = _error(lambda: kms.sign(KeyId=key, Message=b"policy", MessageType="RAW",
                                    SigningAlgorithm="ECDSA_SHA_256"))
    assert error["Code"] == "DisabledException"
    kms.enable_key(KeyId=key)
    assert kms.get_public_key(KeyId=key)["PublicKey"]
