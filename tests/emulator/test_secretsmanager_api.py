"""Secrets Manager fixes (secretsmanager_api.py)."""
import time

from emulator_testing import client


def test_versions_keep_the_date_they_were_written(endpoint):
    sm = client(endpoint, "secretsmanager")
    sm.create_secret(Name="ext/dated", SecretString="one")
    time.sleep(1.1)
    sm.put_secret_value(SecretId="ext/dated", SecretString="two")
    time.sleep(1.1)
    versions = sm.list_secret_version_ids(SecretId="ext/dated")["Versions"]
    by_stage = {v["VersionStages"][0]: v["CreatedDate"] for v in versions}
    assert by_stage["AWSPREVIOUS"] < by_stage["AWSCURRENT"]
    assert (time.time() - by_stage["AWSCURRENT"].timestamp()) >= 1
