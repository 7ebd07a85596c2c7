"""S3-compatible object storage, when OBJECT_STORE_URL names a bucket: what lets a second app server see the first's
files. Transactions go under `<prefix>/transactions/`, attachments under `<prefix>/media/` (django-storages).

Without OBJECT_STORE_URL everything stays in local folders (TRANSACTION_STORE, MEDIA_ROOT), the embedded default.
Any S3 API works: AWS S3, SeaweedFS, MinIO, Ceph; the tests run against SeaweedFS started by the test run.
"""

import datetime as dt
import os
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

_local = threading.local()


@dataclass(frozen=True)
class Location:
    bucket: str
    prefix: str  # without slashes at either end; may be empty

    def key(self, *parts: str) -> str:
        return "/".join(part.strip("/") for part in (self.prefix, *parts) if part.strip("/"))


def parse_url(url: str) -> Location:
    """s3://bucket/optional/prefix; anything else is refused naming what to write."""
    if not url.startswith("s3://") or not url.removeprefix("s3://").split("/", 1)[0]:
        raise ValueError(f"{url!r} is not an object store address; write s3://bucket or s3://bucket/prefix.")
    bucket, _slash, prefix = url.removeprefix("s3://").partition("/")
    return Location(bucket, prefix.strip("/"))


def enabled() -> bool:
    return bool(settings.OBJECT_STORE_URL)


def location() -> Location:
    return parse_url(settings.OBJECT_STORE_URL)


def client() -> Any:
    """One boto3 client a thread and settings (clients are cheap to keep and costly to make)."""
    import boto3
    from botocore.config import Config

    options = settings.OBJECT_STORE_OPTIONS
    marker = tuple(sorted(options.items()))
    cached = getattr(_local, "client", None)
    if cached is None or cached[0] != marker:
        made = boto3.client(
            "s3",
            endpoint_url=options["endpoint_url"] or None,
            region_name=options["region_name"],
            aws_access_key_id=options["access_key"] or None,
            aws_secret_access_key=options["secret_key"] or None,
            config=Config(retries={"max_attempts": 5, "mode": "standard"}, s3={"addressing_style": "path"}),
        )
        _local.client = cached = (marker, made)
    return cached[1]


def check_reachable() -> None:
    client().head_bucket(Bucket=location().bucket)


def upload(path: Path, key: str) -> None:
    client().upload_file(str(path), location().bucket, key)


def download(key: str, path: Path) -> None:
    """Fetch an object to `path`, whole or not at all: a reader in another process never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{uuid.uuid4().hex}.part")
    try:
        client().download_file(location().bucket, key, str(partial))
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def delete(key: str) -> None:
    client().delete_object(Bucket=location().bucket, Key=key)


def listing(prefix: str) -> Iterator[tuple[str, dt.datetime]]:
    """(key, last modified) of every object under `prefix`."""
    pages = client().get_paginator("list_objects_v2").paginate(Bucket=location().bucket, Prefix=prefix)
    for page in pages:
        for item in page.get("Contents", ()):
            yield item["Key"], item["LastModified"]
