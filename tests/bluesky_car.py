"""Build small Bluesky repository CARs and firehose events for tests, with libipld's encoder.

A repository CAR holds a signed commit (here with a dummy signature), a Merkle search tree built
as the atproto spec lays it out (a key's layer is the number of leading zero bit pairs of its
SHA-256) and the records. ``python -m tests.bluesky_car <folder>`` writes the demo example (the same records, less the
undated draft).
"""

from __future__ import annotations

import base64
import hashlib
import sys
from pathlib import Path
from typing import Any

import libipld

DAG_CBOR = 0x71
RAW = 0x55

ORG = "did:plc:ressourcerieport2lori"
LEA = "did:plc:leamarchand4quimperxyz"
MAIRIE = "did:plc:mairie2lorient7villexx"
HANDLE = "ressourcerie.example"


def cid(data: bytes, codec: int = DAG_CBOR) -> bytes:
    """A CID v1 (SHA-256) as bytes: libipld encodes such bytes as a link."""
    return bytes([1, codec, 0x12, 0x20]) + hashlib.sha256(data).digest()


def varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def car(root: bytes, blocks: dict[bytes, bytes]) -> bytes:
    header = libipld.encode_dag_cbor({"version": 1, "roots": [root]})
    parts = [varint(len(header)), header]
    for key, data in blocks.items():
        parts += [varint(len(key) + len(data)), key, data]
    return b"".join(parts)


def _layer(key: bytes) -> int:
    digest, zeros = hashlib.sha256(key).digest(), 0
    for byte in digest:
        if byte:
            return (zeros + 8 - byte.bit_length()) // 2
        zeros += 8
    return zeros // 2


def _node(keys: list[bytes], values: dict[bytes, bytes], layer: int, blocks: dict[bytes, bytes]) -> bytes | None:
    if not keys:
        return None
    here = [k for k in keys if _layer(k) == layer]
    node: dict[str, Any] = {"e": [], "l": None}
    cuts = [keys.index(k) for k in here]
    node["l"] = _node(keys[: cuts[0]] if cuts else keys, values, layer - 1, blocks)
    previous = b""
    for n, key in enumerate(here):
        rest = keys[cuts[n] + 1: cuts[n + 1] if n + 1 < len(cuts) else len(keys)]
        shared = next((i for i, (a, b) in enumerate(zip(previous, key, strict=False)) if a != b),
                      min(len(previous), len(key)))
        node["e"].append({"p": shared, "k": key[shared:], "v": values[key],
                          "t": _node(rest, values, layer - 1, blocks)})
        previous = key
    data = libipld.encode_dag_cbor(node)
    blocks[cid(data)] = data
    return cid(data)


def repo(did: str, records: dict[str, dict[str, Any]]) -> bytes:
    """A repository CAR holding ``records`` (keyed ``collection/rkey``)."""
    blocks: dict[bytes, bytes] = {}
    values = {}
    for path, record in records.items():
        data = libipld.encode_dag_cbor(record)
        blocks[cid(data)] = data
        values[path.encode()] = cid(data)
    keys = sorted(values)
    top = max(_layer(k) for k in keys)
    root = _node(keys, values, top, blocks)
    commit = libipld.encode_dag_cbor({"did": did, "version": 3, "data": root, "rev": "3lab9zzzzzz2z",
                                      "prev": None, "sig": b"\x00" * 64})
    return car(cid(commit), {cid(commit): commit, **blocks})


def firehose_event(did: str, seq: int, time: str, ops: list[tuple[str, str, dict[str, Any] | None]]) -> dict[str, Any]:
    """A ``#commit`` event in DAG-JSON: ops (action, path, record) and the records as a CAR slice."""
    blocks, listed = {}, []
    for action, path, record in ops:
        op: dict[str, Any] = {"action": action, "path": path, "cid": None}
        if record is not None:
            data = libipld.encode_dag_cbor(record)
            blocks[cid(data)] = data
            op["cid"] = {"$link": libipld.encode_cid(cid(data))}
        listed.append(op)
    commit = libipld.encode_dag_cbor({"did": did, "version": 3, "data": None, "rev": "x", "sig": b"\x00"})
    raw = car(cid(commit), {cid(commit): commit, **blocks})
    return {"blobs": [], "blocks": {"$bytes": base64.b64encode(raw).decode().rstrip("=")},
            "commit": {"$link": libipld.encode_cid(cid(commit))}, "ops": listed, "rebase": False,
            "repo": did, "rev": "x", "seq": seq, "since": None, "time": time, "tooBig": False}


def span(text: str, fragment: str) -> dict[str, int]:
    """A facet's byte range for ``fragment`` in ``text``."""
    start = len(text[: text.index(fragment)].encode())
    return {"byteStart": start, "byteEnd": start + len(fragment.encode())}


def _image(n: int) -> dict[str, Any]:
    return {"alt": f"photo {n}", "image": {"$type": "blob", "ref": cid(bytes([n]), RAW),
                                            "mimeType": "image/jpeg", "size": 1000 + n},
            "aspectRatio": {"width": 4, "height": 3}}


def _post(text: str, created: str | None, **extra: Any) -> dict[str, Any]:
    record = {"$type": "app.bsky.feed.post", "text": text, "langs": ["fr"], **extra}
    if created:
        record["createdAt"] = created
    return record


def records() -> dict[str, dict[str, Any]]:
    """The handwritten records of the test repository (a French second-hand shop's account)."""
    first = "Grande braderie samedi au Port ! Tout à 1 € #réemploi programme : ressourcerie.example/agenda"
    reply = "@lea.example Oui, les dépôts sont ouverts jusqu'à 17 h."
    own = f"at://{ORG}/app.bsky.feed.post/3lab2aaaaaa2a"
    lea = f"at://{LEA}/app.bsky.feed.post/3laa9zzzzzz2z"
    mairie = f"at://{MAIRIE}/app.bsky.feed.post/3lab1mmmmmm2m"
    return {
        "app.bsky.actor.profile/self": {"$type": "app.bsky.actor.profile", "displayName": "La Ressourcerie du Port",
                                        "description": "Réemploi & ateliers, Lorient.",
                                        "createdAt": "2024-11-20T10:00:00.000Z"},
        "app.bsky.feed.post/3lab2aaaaaa2a": _post(first, "2025-03-01T09:00:00.000Z", facets=[
            {"index": span(first, "#réemploi"),
             "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "réemploi"}]},
            {"index": span(first, "ressourcerie.example/agenda"), "features": [
                {"$type": "app.bsky.richtext.facet#link", "uri": "https://ressourcerie.example/agenda?src=bsky"}]}],
            embed={"$type": "app.bsky.embed.images", "images": [_image(1), _image(2)]}),
        "app.bsky.feed.post/3lab2bbbbbb2b": _post(reply, "2025-03-01T10:30:00.000Z",
            reply={"root": {"uri": lea, "cid": "bafyreilea"}, "parent": {"uri": lea, "cid": "bafyreilea"}},
            facets=[{"index": span(reply, "@lea.example"),
                     "features": [{"$type": "app.bsky.richtext.facet#mention", "did": LEA}]}]),
        "app.bsky.feed.post/3lab2cccccc2c": _post("Plus d'infos sur les horaires demain.", "2025-03-01T11:00:00Z",
            reply={"root": {"uri": own, "cid": "bafyreiown"}, "parent": {"uri": own, "cid": "bafyreiown"}}),
        "app.bsky.feed.post/3lab3dddddd2d": _post("La mairie en parle 👇", "2025-03-02T08:00:00.000Z",
            embed={"$type": "app.bsky.embed.record", "record": {"uri": mairie, "cid": "bafyreimairie"}}),
        "app.bsky.feed.post/3lab3eeeeee2e": _post("Our volunteers in action", "2025-03-02T09:00:00.000+01:00",
            langs=["en"], embed={"$type": "app.bsky.embed.recordWithMedia",
                                 "record": {"$type": "app.bsky.embed.record", "record": {"uri": mairie, "cid": "x"}},
                                 "media": {"$type": "app.bsky.embed.video", "video": _image(3)["image"]}}),
        "app.bsky.feed.post/3lab4ffffff2f": _post("Notre rapport annuel", "2025-03-03T12:00:00.000Z", tags=["bilan"],
            embed={"$type": "app.bsky.embed.external", "external": {
                "uri": "https://ressourcerie.example/rapport-2024.pdf", "title": "Rapport", "description": ""}}),
        "app.bsky.feed.post/3lab4gggggg2g": _post("Le fil des sorties de la ville", "2025-03-03T13:00:00.000Z",
            embed={"$type": "app.bsky.embed.record",
                   "record": {"uri": f"at://{MAIRIE}/app.bsky.feed.generator/agenda", "cid": "y"}}),
        "app.bsky.feed.post/3lab4hhhhhh2h": _post("brouillon sans date", None),
        "app.bsky.feed.repost/3lab5rrrrrr2r": {"$type": "app.bsky.feed.repost", "createdAt": "2025-03-02T07:00:00.000Z",
                                               "subject": {"uri": mairie, "cid": "bafyreimairie"}},
        "app.bsky.feed.like/3lab5llllll2l": {"$type": "app.bsky.feed.like", "createdAt": "2025-03-02T07:01:00.000Z",
                                             "subject": {"uri": lea, "cid": "bafyreilea"}},
        "app.bsky.graph.follow/3lab5ffffff2f": {"$type": "app.bsky.graph.follow", "subject": LEA,
                                                "createdAt": "2025-03-02T07:02:00.000Z"},
    }


def main(folder: str) -> None:
    target = Path(folder) / f"{HANDLE}.20250304120000.car"
    dated = {path: record for path, record in records().items() if path != "app.bsky.feed.post/3lab4hhhhhh2h"}
    target.write_bytes(repo(ORG, dated))
    print(target)


if __name__ == "__main__":
    main(sys.argv[1])
