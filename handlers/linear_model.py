"""Shipped text classifiers: TF-IDF weights of linear models, scored in plain Python.

Training (scikit-learn, offline: `bot.train_triage`) writes a model with `write_model`; run time only
reads it back with `read_model` and scores with `LinearModel.vector` and `LinearModel.decide`, so
Parley needs no numpy or scikit-learn. A file holds one vocabulary (features from
`handlers.text_features`: triage's `features`, /check's `check_features`) and one or more named
linear heads over it, e.g. triage's "situation" and "language".

File layout (little-endian): ``MAGIC``; a uint32 length and a JSON header (``heads``: the head names
in file order, and for each head its labels, quantisation scale and biases; plus whatever the
trainer records: temperature, threshold, how it was trained); a uint32 length and the vocabulary as
UTF-8 lines (features of the analyzer the header names in ``features``, `DEFAULT_ANALYZER` when it names
none); ``n`` float32 idf weights; then for each head, for each of its labels, ``n`` int16
weights (class-major, so one label's weights are one contiguous array).
"""

from __future__ import annotations

import json
import math
import os
import struct
import sys
from array import array
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter, mul
from pathlib import Path
from typing import Any

from handlers.text_features import ANALYZERS, DEFAULT_ANALYZER

MAGIC = b"PARLEY-LINEAR\x01"
#: int16 weights: the largest absolute weight of a head maps to this.
QUANT = 32767

#: What a trainer hands `write_model` per head: (labels, float weights per label, bias per label).
HeadWeights = tuple[Sequence[str], Sequence[Sequence[float]], Sequence[float]]


class ModelFileError(ValueError):
    """The model file is missing, truncated or of another format."""


@dataclass(frozen=True, slots=True)
class Head:
    """One linear classifier: label ``k`` scores ``scale * weights[k] · x + bias[k]``."""

    labels: tuple[str, ...]
    weights: tuple[array[int], ...]  # one int16 array of length n per label
    scale: float
    bias: tuple[float, ...]

    def decide(self, idx: Sequence[int], vals: Sequence[float]) -> list[float]:
        """Decision values, one per label, for a sparse vector from `LinearModel.vector` (bias alone when empty)."""
        if not idx:
            return list(self.bias)
        if len(idx) == 1:
            i, v = idx[0], vals[0]
            return [self.scale * w[i] * v + b for w, b in zip(self.weights, self.bias, strict=True)]
        pick = itemgetter(*idx)  # C-speed gather; one label costs one sum over the message's features
        return [self.scale * sum(map(mul, pick(w), vals)) + b for w, b in zip(self.weights, self.bias, strict=True)]


class LinearModel:
    """A vocabulary with idf weights and the named heads that score over it."""

    def __init__(self, header: dict[str, Any], vocab: dict[str, int], idf: array[float], heads: dict[str, Head]) -> None:
        """Raises `ModelFileError` when the header names features `ANALYZERS` does not know."""
        self.header = header
        self.vocab = vocab
        self.idf = idf
        self.heads = heads
        name = header.get("features", DEFAULT_ANALYZER)
        if name not in ANALYZERS:
            raise ModelFileError(f"the model was trained on features this version does not have: {name!r}")
        self.features = ANALYZERS[name]

    def vector(self, text: str) -> tuple[list[int], list[float]]:
        """The message as sparse TF-IDF: feature indexes and l2-normalised values (sublinear tf).

        Features the vocabulary does not know are dropped, as scikit-learn's vectorizer does.
        """
        # C-speed lookups and counting (no Python frame per feature); unknown features count under None,
        # dropped after: the known ones keep their first-seen order, so the sums below are unchanged
        counts = Counter(map(self.vocab.get, self.features(text)))
        counts.pop(None, None)
        idx: list[int] = list(counts)  # type: ignore[arg-type]
        idf = self.idf
        log = math.log
        vals = [(1.0 + log(c)) * idf[i] for i, c in counts.items()]  # type: ignore[index]
        norm = math.sqrt(sum(map(mul, vals, vals)))
        if norm:
            vals = [v / norm for v in vals]
        return idx, vals

    def words(self, idx: Sequence[int]) -> list[str]:
        """The feature names of indexes (for explanations; builds a reverse map, so not for hot paths)."""
        wanted = set(idx)
        names = {i: f for f, i in self.vocab.items() if i in wanted}
        return [names[i] for i in idx]


def softmax(values: Sequence[float], temperature: float = 1.0) -> list[float]:
    """Probabilities from decision values; a temperature below 1 sharpens, above 1 flattens."""
    top = max(values)
    exps = [math.exp((v - top) / temperature) for v in values]
    total = sum(exps)
    return [e / total for e in exps]


def _typed(code: str, raw: bytes) -> array[Any]:
    out = array(code)
    out.frombytes(raw)
    if sys.byteorder != "little":
        out.byteswap()
    return out


def read_model(data: bytes) -> LinearModel:
    """A model from the bytes `write_model` produced; `ModelFileError` if they are not one."""
    if not data.startswith(MAGIC):
        raise ModelFileError("not a Parley linear model")
    try:
        pos = len(MAGIC)
        (size,) = struct.unpack_from("<I", data, pos)
        header = json.loads(data[pos + 4:pos + 4 + size])
        pos += 4 + size
        (size,) = struct.unpack_from("<I", data, pos)
        words = data[pos + 4:pos + 4 + size].decode("utf-8").split("\n")
        pos += 4 + size
        n = int(header["n"])
        if len(words) != n:
            raise ModelFileError("vocabulary size does not match the header")
        idf = _typed("f", data[pos:pos + 4 * n])
        pos += 4 * n
        heads: dict[str, Head] = {}
        for name in header["heads"]:
            spec = header[name]
            labels = tuple(spec["labels"])
            weights = []
            for _ in labels:
                weights.append(_typed("h", data[pos:pos + 2 * n]))
                pos += 2 * n
            heads[name] = Head(labels, tuple(weights), float(spec["scale"]), tuple(map(float, spec["bias"])))
        if len(idf) != n or any(len(w) != n for h in heads.values() for w in h.weights):
            raise ModelFileError("the file is truncated")
        if pos != len(data):
            raise ModelFileError("trailing bytes after the weights")
    except ModelFileError:
        raise
    except (KeyError, TypeError, ValueError, struct.error, UnicodeDecodeError) as exc:
        raise ModelFileError(f"unreadable model: {exc}") from exc
    return LinearModel(header, dict(zip(words, range(n), strict=True)), idf, heads)


def write_model(path: Path, header: Mapping[str, Any], vocab: Sequence[str], idf: Sequence[float],
                heads: Mapping[str, HeadWeights]) -> None:
    """Writes a model file for `read_model`.

    Weights are quantised to int16 with one scale per head (its largest absolute weight maps to
    `QUANT`; the rounding error is at most half a step, far below what changes a ranking); idf is
    stored as float32. ``header`` is copied into the file with the head specs added.
    Raises `ValueError` when a feature contains a newline (the vocabulary is newline-separated).
    """
    if any("\n" in v for v in vocab):
        raise ValueError("a feature contains a newline")
    if set(heads) & {"n", "heads"}:
        raise ValueError("a head may not be named 'n' or 'heads': the header uses those names")
    meta = dict(header, n=len(vocab), heads=list(heads))
    blobs: list[bytes] = []
    for name, (labels, weights, bias) in heads.items():
        top = max((abs(w) for row in weights for w in row), default=0.0) or 1.0
        scale = top / QUANT
        meta[name] = {"labels": list(labels), "scale": scale, "bias": [float(b) for b in bias]}
        for row in weights:
            q = array("h", (round(w / scale) for w in row))
            if sys.byteorder != "little":
                q.byteswap()
            blobs.append(q.tobytes())
    idf32 = array("f", idf)
    if sys.byteorder != "little":
        idf32.byteswap()
    head = json.dumps(meta, ensure_ascii=False, sort_keys=True).encode("utf-8")
    words = "\n".join(vocab).encode("utf-8")
    # written beside the target and renamed over it, so a failed run never leaves a broken shipped model
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as out:
        out.write(MAGIC)
        out.write(struct.pack("<I", len(head)))
        out.write(head)
        out.write(struct.pack("<I", len(words)))
        out.write(words)
        out.write(idf32.tobytes())
        for blob in blobs:
            out.write(blob)
    os.replace(partial, path)
