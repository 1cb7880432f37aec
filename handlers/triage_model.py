"""The shipped triage model: TF-IDF weights of a linear classifier, scored in plain Python.

`bot.train_triage` fits the model offline with scikit-learn and writes it with `write_model`; run
time only reads it back with `load_model` and scores with `TriageModel.scores`, so Parley needs no
numpy or scikit-learn. The file holds two linear heads over the same features: the fourteen
situations and the three languages.

File layout (little-endian): ``MAGIC``; a uint32 length and a JSON header (labels, languages,
per-head quantisation scale and biases, softmax temperature, the "not sure" threshold and how the
model was trained); a uint32 length and the vocabulary as UTF-8 lines; ``n`` float32 idf weights;
then for each label of both heads, ``n`` int16 weights (class-major, so one class's weights are one
contiguous array).
"""

from __future__ import annotations

import json
import math
import struct
import sys
from array import array
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from operator import itemgetter, mul
from pathlib import Path
from typing import Any

from handlers.triage_features import features

MAGIC = b"PARLEY-TRIAGE\x01"
#: int16 weights: the largest absolute weight of a head maps to this.
QUANT = 32767


class ModelFileError(ValueError):
    """The model file is missing, truncated or of another format."""


@dataclass(frozen=True, slots=True)
class Head:
    """One linear classifier: ``labels[k]`` scores ``scale * weights[k] · x + bias[k]``."""

    labels: tuple[str, ...]
    weights: tuple[array, ...]  # one int16 array of length n per label
    scale: float
    bias: tuple[float, ...]


class TriageModel:
    """Scores a message against the situations and languages it was trained on."""

    def __init__(self, header: dict[str, Any], vocab: dict[str, int], idf: array, situation: Head,
                 language: Head) -> None:
        self.header = header
        self.vocab = vocab
        self.idf = idf
        self.situation = situation
        self.language = language
        #: Softmax temperature fitted on cross-validation, so `probabilities` are calibrated.
        self.temperature: float = float(header["temperature"])
        #: Below this top probability the caller should offer a menu instead of one card.
        self.threshold: float = float(header["threshold"])

    def vector(self, text: str) -> tuple[list[int], list[float]]:
        """The message as sparse TF-IDF: feature indexes and l2-normalised values (sublinear tf)."""
        counts = Counter(i for f in features(text) if (i := self.vocab.get(f)) is not None)
        idx = list(counts)
        idf = self.idf
        vals = [(1.0 + math.log(c)) * idf[i] for i, c in counts.items()]
        norm = math.sqrt(sum(v * v for v in vals))
        if norm:
            vals = [v / norm for v in vals]
        return idx, vals

    @staticmethod
    def decide(head: Head, idx: Sequence[int], vals: Sequence[float]) -> list[float]:
        """One head's decision values for a sparse vector from `vector` (bias alone when it is empty)."""
        if not idx:
            return list(head.bias)
        if len(idx) == 1:
            i, v = idx[0], vals[0]
            return [head.scale * w[i] * v + b for w, b in zip(head.weights, head.bias, strict=True)]
        pick = itemgetter(*idx)
        return [head.scale * sum(map(mul, pick(w), vals)) + b for w, b in zip(head.weights, head.bias, strict=True)]

    def scores(self, text: str) -> tuple[list[float], list[float]]:
        """Raw decision values: (one per situation label, one per language), same order as the heads."""
        idx, vals = self.vector(text)
        return self.decide(self.situation, idx, vals), self.decide(self.language, idx, vals)

    def probabilities(self, decision: Sequence[float]) -> list[float]:
        """Calibrated probabilities from situation decision values (softmax at the fitted temperature)."""
        return softmax(decision, self.temperature)


def softmax(values: Sequence[float], temperature: float = 1.0) -> list[float]:
    top = max(values)
    exps = [math.exp((v - top) / temperature) for v in values]
    total = sum(exps)
    return [e / total for e in exps]


def _int16(raw: bytes) -> array:
    out = array("h")
    out.frombytes(raw)
    if sys.byteorder != "little":
        out.byteswap()
    return out


def read_model(data: bytes) -> TriageModel:
    """A model from the bytes `write_model` produced; `ModelFileError` if they are not one."""
    try:
        if not data.startswith(MAGIC):
            raise ModelFileError("not a Parley triage model")
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
        idf = array("f")
        idf.frombytes(data[pos:pos + 4 * n])
        if sys.byteorder != "little":
            idf.byteswap()
        pos += 4 * n
        heads = []
        for name in ("situation", "language"):
            spec = header[name]
            labels = tuple(spec["labels"])
            weights = []
            for _ in labels:
                weights.append(_int16(data[pos:pos + 2 * n]))
                pos += 2 * n
            if any(len(w) != n for w in weights):
                raise ModelFileError("the file is truncated")
            heads.append(Head(labels, tuple(weights), float(spec["scale"]), tuple(map(float, spec["bias"]))))
        if pos != len(data):
            raise ModelFileError("trailing bytes after the weights")
    except (KeyError, TypeError, ValueError, struct.error, UnicodeDecodeError) as exc:
        if isinstance(exc, ModelFileError):
            raise
        raise ModelFileError(f"unreadable triage model: {exc}") from exc
    return TriageModel(header, dict(zip(words, range(n), strict=True)), idf, heads[0], heads[1])


def write_model(path: Path, header: dict[str, Any], vocab: Sequence[str], idf: Sequence[float],
                heads: Mapping[str, tuple[Sequence[str], Sequence[Sequence[float]], Sequence[float]]]) -> None:
    """Writes a model: ``heads`` maps "situation"/"language" to (labels, float weights per label, biases).

    Weights are quantised to int16 with one scale per head (its largest absolute weight maps to
    `QUANT`); idf is stored as float32. The header records the scales; the caller's header adds
    temperature, threshold and training facts.
    """
    if any("\n" in v for v in vocab):
        raise ValueError("a feature contains a newline")
    header = dict(header, n=len(vocab))
    blobs: list[bytes] = []
    for name in ("situation", "language"):
        labels, weights, bias = heads[name]
        top = max((abs(w) for row in weights for w in row), default=0.0) or 1.0
        scale = top / QUANT
        header[name] = {"labels": list(labels), "scale": scale, "bias": [float(b) for b in bias]}
        for row in weights:
            q = array("h", (round(w / scale) for w in row))
            if sys.byteorder != "little":
                q.byteswap()
            blobs.append(q.tobytes())
    idf32 = array("f", idf)
    if sys.byteorder != "little":
        idf32.byteswap()
    head = json.dumps(header, ensure_ascii=False, sort_keys=True).encode("utf-8")
    words = "\n".join(vocab).encode("utf-8")
    with open(path, "wb") as out:
        out.write(MAGIC)
        out.write(struct.pack("<I", len(head)))
        out.write(head)
        out.write(struct.pack("<I", len(words)))
        out.write(words)
        out.write(idf32.tobytes())
        for blob in blobs:
            out.write(blob)


MODEL_FILE = "model.bin"


@cache
def load_model() -> TriageModel:
    """The model shipped as package data (``content/triage/model.bin``), read once per process.

    Raises `ModelFileError` when the file is missing or unreadable: a broken install, not a user error.
    """
    try:
        data = resources.files("content").joinpath("triage", MODEL_FILE).read_bytes()
    except OSError as exc:
        raise ModelFileError(f"the triage model is missing: {exc}") from exc
    return read_model(data)
