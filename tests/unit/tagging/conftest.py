import pytest

from services.tagging.domain import Catalogue, Tagger, load_catalogue


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="session")
def tagger(catalogue: Catalogue) -> Tagger:
    # Building a Tagger loads jieba's dictionary (~1 s): once per session.
    return Tagger(catalogue)
