"""Account names as a person types them: exact per platform, case ignored where the platform ignores it, @ optional,
and a suggestion for a misspelled name."""

from __future__ import annotations

from pathlib import Path

import pytest

from parlons.audit.scope import Target, resolve
from parlons.errors import UsageError
from parlons.store import Store

from .test_audit_responsiveness import build, post

ROWS = [
    post("1", "MairieDeBrest", 0, "Le marché ouvre samedi"),
    post("2", "MairieDeBrest", 1, "Travaux rue de Siam"),
    post("ig1", "mairiedebrest", 2, "Les illuminations", platform="instagram"),
    post("fb1", "Mairie de Brest", 3, "Le marché ouvre samedi", platform="facebook"),
    post("m1", "@theatre@mastodon.example", 4, "Ce soir : relâche", platform="mastodon"),
    post("3", "jeanne_b", 5, "@MairieDeBrest merci", mentions=["MairieDeBrest"]),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    folder = tmp_path_factory.mktemp("names")
    return build(Store(folder / "store.duckdb"), ROWS, folder)


@pytest.mark.parametrize(("typed", "platform", "expected"), [
    ("MairieDeBrest", None, Target("x", "MairieDeBrest")),  # exact on X; the Instagram handle differs in case only
    ("mairiedebrest", None, Target("instagram", "mairiedebrest")),
    ("@MairieDeBrest", None, Target("x", "MairieDeBrest")),
    ("MAIRIEDEBREST", None, Target("x", "MairieDeBrest")),  # X and Instagram ignore case: two platforms, see below
    ("mairiedebrest", "x", Target("x", "MairieDeBrest")),
    ("x:mairiedebrest", None, Target("x", "MairieDeBrest")),
    ("Mairie de Brest", None, Target("facebook", "Mairie de Brest")),
    ("theatre@mastodon.example", None, Target("mastodon", "@theatre@mastodon.example")),
    ("@Theatre@Mastodon.example", None, Target("mastodon", "@theatre@mastodon.example")),
])
def test_names_resolve_exactly_then_ignoring_case_where_the_platform_does(store: Store, typed: str,
                                                                          platform: str | None,
                                                                          expected: Target) -> None:
    if typed == "MAIRIEDEBREST":
        with pytest.raises(UsageError) as error:
            resolve(store.con, typed, platform)
        assert str(error.value) == ("'MAIRIEDEBREST' is on several platforms: x (2 posts), instagram (1 posts); "
                                    "choose one with --platform")
        return
    assert resolve(store.con, typed, platform) == expected


def test_a_facebook_name_is_compared_exactly_and_a_misspelled_name_gets_suggestions(store: Store) -> None:
    with pytest.raises(UsageError) as lower:
        resolve(store.con, "mairie de brest", None)
    assert str(lower.value) == (
        "no posts by 'mairie de brest' in the store; did you mean Mairie de Brest (facebook, 1 posts) or MairieDeBrest "
        "(x, 2 posts) or mairiedebrest (instagram, 1 posts)? `parlons accounts` lists the accounts")
    with pytest.raises(UsageError) as typo:
        resolve(store.con, "MairieDeBrets", "x")
    assert str(typo.value) == ("no posts by 'MairieDeBrets' on x in the store; did you mean MairieDeBrest (x, 2 posts)"
                               "? `parlons accounts` lists the accounts")
    with pytest.raises(UsageError) as nothing:
        resolve(store.con, "VilleDeQuimper", None)
    assert str(nothing.value) == "no posts by 'VilleDeQuimper' in the store; `parlons accounts` lists the accounts"


def test_the_audit_command_takes_a_mastodon_address_without_its_at(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from parlons.cli import cli

    with Store(tmp_path / "store.duckdb") as store:
        build(store, ROWS, tmp_path)
    result = CliRunner().invoke(cli, ["audit", "theatre@mastodon.example", "--store", str(tmp_path / "store.duckdb"),
                                      "--json"])
    assert result.exit_code == 0, result.output
    assert '"account": "@theatre@mastodon.example"' in result.output


def test_names_with_a_final_capital_sigma_or_a_turkish_capital_i_resolve(tmp_path: Path) -> None:
    """Python's lower() writes a final capital sigma as 'ς' and 'İ' as 'i̇', DuckDB's as 'σ' and 'i': a blog
    author named 'ΔΗΜΟΣ ΑΘΗΝΑΙΩΝ' or 'İzmir Büyükşehir' was 'no posts by ...; did you mean ΔΗΜΟΣ ΑΘΗΝΑΙΩΝ',
    for the name itself (and `parlons audit --all-accounts` stopped on it). Both sides are lowered by DuckDB."""
    rows = [post("b1", "ΔΗΜΟΣ ΑΘΗΝΑΙΩΝ", 0, "Νέα", platform="blog"),
            post("b2", "İzmir Büyükşehir", 1, "Haber", platform="blog")]
    store = build(Store(tmp_path / "store.duckdb"), rows, tmp_path)
    assert resolve(store.con, "ΔΗΜΟΣ ΑΘΗΝΑΙΩΝ", None) == Target("blog", "ΔΗΜΟΣ ΑΘΗΝΑΙΩΝ")
    assert resolve(store.con, "blog:δημοσ αθηναιων", None) == Target("blog", "ΔΗΜΟΣ ΑΘΗΝΑΙΩΝ")
    assert resolve(store.con, "İzmir Büyükşehir", None) == Target("blog", "İzmir Büyükşehir")
    assert resolve(store.con, "izmir büyükşehir", "blog") == Target("blog", "İzmir Büyükşehir")
    store.close()
