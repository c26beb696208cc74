import hashlib
import os

import boto3

BUCKET = os.environ.get("REGISTRY_BUCKET", "registry-artifacts")


def store_artifact(project, version, payload, uploaded_by):
    digest = hashlib.sha256(payload).hexdigest()
    key = f"{project}/{version}/{digest}"
    boto3.client("s3").put_object(
        Bucket=BUCKET, Key=key, Body=payload, Metadata={"uploaded-by": uploaded_by or ""}
    )
    return key
