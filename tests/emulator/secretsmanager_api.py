"""Secrets Manager fixes for the emulator, per the Secrets Manager API reference.

- ListSecretVersionIds reports each version's CreatedDate (when it was written); moto 5.2.5
  reported the time of the call, so a key's age could not be told (rotation schedules on it).
"""
import json
import time

from moto.secretsmanager.models import SecretsManagerBackend


def list_secret_version_ids(self, secret_id):
    secret = self.secrets[secret_id]
    versions = [{"CreatedDate": version.get("createdate", int(time.time())),
                 "VersionId": version_id, "VersionStages": version["version_stages"]}
                for version_id, version in secret.versions.items()]
    return json.dumps({"ARN": secret.arn, "Name": secret.name, "NextToken": "",
                       "Versions": versions})


SecretsManagerBackend.list_secret_version_ids = list_secret_version_ids
