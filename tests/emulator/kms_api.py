"""KMS key states for the emulator, per the AWS KMS Developer Guide, "Key states of AWS KMS keys"
(kms/latest/developerguide/key-state.html): a key pending deletion cannot be used, and its
deletion cannot be scheduled again; a disabled key cannot be used. moto 5.2.5 signed with both.

- Sign, Verify and GetPublicKey on a key pending deletion: KMSInvalidStateException; on a
  disabled key: DisabledException.
- ScheduleKeyDeletion on a key pending deletion: KMSInvalidStateException. Its KeyId may be a
  key ARN (ScheduleKeyDeletion, Request Parameters: "key ID or key ARN"); moto 5.2.5 failed
  with an internal error on one.
"""
from moto.core.exceptions import JsonRESTError
from moto.kms.models import KmsBackend


class KMSInvalidStateException(JsonRESTError):
    code = 400

    def __init__(self, message):
        super().__init__("KMSInvalidStateException", message)


class DisabledException(JsonRESTError):
    code = 400

    def __init__(self, message):
        super().__init__("DisabledException", message)


def _refuse_unless_usable(backend, key_id):
    key = backend.describe_key(key_id)
    if key.key_state == "PendingDeletion":
        raise KMSInvalidStateException(f"{key.arn} is pending deletion.")
    if key.key_state == "Disabled" or not key.enabled:
        raise DisabledException(f"{key.arn} is disabled.")


def _usable_only(original):
    def checked(self, key_id, *args, **kwargs):
        _refuse_unless_usable(self, key_id)
        return original(self, key_id, *args, **kwargs)
    return checked


for _name in ("sign", "verify", "get_public_key"):
    setattr(KmsBackend, _name, _usable_only(getattr(KmsBackend, _name)))

_schedule_key_deletion = KmsBackend.schedule_key_deletion


def schedule_key_deletion(self, key_id, pending_window_in_days):
    key = self.describe_key(key_id)
    if key.key_state == "PendingDeletion":
        raise KMSInvalidStateException(f"{key.arn} is pending deletion.")
    return _schedule_key_deletion(self, key.id, pending_window_in_days)


KmsBackend.schedule_key_deletion = schedule_key_deletion
