"""Fault injection (faults.py): injected errors are retried by the SDKs, and turn off."""
import json

import boto3
import requests
from botocore.config import Config

from emulator_testing import client


def set_faults(endpoint, rate, seed=1):
    return requests.post(f"{endpoint}/_faults", data=json.dumps({"rate": rate, "seed": seed}))


def test_injected_faults_are_retried_and_counted(endpoint):
    set_faults(endpoint, 0.3)
    try:
        patient = Config(retries={"max_attempts": 10, "mode": "standard"})
        sm = boto3.client("secretsmanager", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing", config=patient)
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing", config=patient)
        s3.create_bucket(Bucket="faulty")
        for n in range(10):
            sm.create_secret(Name=f"faulty/{n}", SecretString="x")
            s3.put_object(Bucket="faulty", Key=str(n), Body=b"x")
        assert len(sm.list_secrets(Filters=[{"Key": "name", "Values": ["faulty/"]}])[
            "SecretList"]) == 10
        injected = requests.get(f"{endpoint}/_faults").json()["injected"]
        assert injected > 0
    finally:
        set_faults(endpoint, 0)
    before = requests.get(f"{endpoint}/_faults").json()["injected"]
    for n in range(10):
        client(endpoint, "s3").head_object(Bucket="faulty", Key=str(n))
    assert requests.get(f"{endpoint}/_faults").json()["injected"] == before
