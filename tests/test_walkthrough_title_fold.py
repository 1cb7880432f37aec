"""The step prompts fold the alternatives' titles through a cache; it must fold exactly like `fold_label`."""

from __future__ import annotations

from content import LANGUAGES, library
from handlers.walkthrough import _folded_title, fold_label


def test_every_situation_title_folds_through_the_cache_as_fold_label_folds_it() -> None:
    lib = library()
    titles = [situation.text(lang).title for situation in lib.situations.values() for lang in LANGUAGES]
    assert len(titles) >= 3 * 10
    assert [_folded_title(t) for t in titles] == [fold_label(t) for t in titles]
    assert [_folded_title(t) for t in titles] == [fold_label(t) for t in titles]  # the cached answers too
