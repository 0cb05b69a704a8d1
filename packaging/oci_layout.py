#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Writes an OCI image-layout tar of one layer, without a registry or a container
engine (`ctr -n k8s.io images import OUT.tar`). As a program: the layer holds the
files named by --file; as a module: image() takes the layer's entries (see
tests/cri/busybox-image)."""

import argparse
import hashlib
import io
import json
import os
import sys
import tarfile


def add(tar, name, data=None, **attrs):
    """One entry: a directory (no data), a regular file (data), or what `type` says."""
    info = tarfile.TarInfo(name)
    info.mode = attrs.get("mode", 0o755)
    info.type = attrs.get("type", tarfile.DIRTYPE if data is None else tarfile.REGTYPE)
    info.linkname = attrs.get("linkname", "")
    if data is not None:
        info.size = len(data)
    tar.addfile(info, io.BytesIO(data) if data is not None else None)


def tar_bytes(fill):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        fill(tar)
    return buf.getvalue()


def descriptor(media_type, data):
    return {"mediaType": media_type, "digest": "sha256:" + hashlib.sha256(data).hexdigest(),
            "size": len(data)}


def image(name, fill_layer, entrypoint):
    """The layout tar of image `name`: one layer that fill_layer(tar) fills, run as
    `entrypoint` (a list)."""
    layer = tar_bytes(fill_layer)
    config = json.dumps({
        "architecture": "amd64", "os": "linux",
        "config": {"Entrypoint": entrypoint, "WorkingDir": "/"},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(layer).hexdigest()]},
    }).encode()
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": descriptor("application/vnd.oci.image.config.v1+json", config),
        "layers": [descriptor("application/vnd.oci.image.layer.v1.tar", layer)],
    }).encode()
    tag = name.rsplit(":", 1)[1] if ":" in name.rsplit("/", 1)[-1] else "latest"
    index = json.dumps({
        "schemaVersion": 2,
        "manifests": [dict(descriptor("application/vnd.oci.image.manifest.v1+json", manifest),
                           annotations={"io.containerd.image.name": name,
                                        "org.opencontainers.image.ref.name": tag})],
    }).encode()

    def fill(tar):
        add(tar, "oci-layout", json.dumps({"imageLayoutVersion": "1.0.0"}).encode(), mode=0o644)
        add(tar, "index.json", index, mode=0o644)
        for d in ("blobs", "blobs/sha256"):
            add(tar, d)
        for blob in (layer, config, manifest):
            add(tar, "blobs/sha256/" + hashlib.sha256(blob).hexdigest(), blob, mode=0o644)
    return tar_bytes(fill)


def write(out, data):
    """To `out` (- for stdout) by rename, so that a reader never sees a part."""
    if out == "-":
        sys.stdout.buffer.write(data)
        return
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, out)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("out", help="the tar to write (- for stdout)")
    p.add_argument("--name", required=True, help="the image's name, e.g. localhost/NAME:TAG")
    p.add_argument("--entrypoint", required=True, help="the program the image runs")
    p.add_argument("--file", action="append", default=[], metavar="PATH=SOURCE",
                   help="the executable SOURCE at PATH in the image (its directories made)")
    args = p.parse_args()
    files = []
    for f in args.file:
        path, sep, source = f.partition("=")
        if not sep or not path.startswith("/"):
            sys.exit(f"oci_layout.py: --file {f}: not PATH=SOURCE with an absolute PATH")
        with open(source, "rb") as s:
            files.append((path.lstrip("/"), s.read()))

    def fill(tar):
        dirs = sorted({"/".join(p.split("/")[:i]) for p, _ in files
                       for i in range(1, p.count("/") + 1)})
        for d in dirs:
            add(tar, d)
        for path, data in files:
            add(tar, path, data)
    write(args.out, image(args.name, fill, [args.entrypoint]))


if __name__ == "__main__":
    main()
