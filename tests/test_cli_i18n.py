"""The command line in French and English: help, messages, errors, numbers and dates.

The language is ``--lang`` where the command has it, else the environment (``LANG`` here), else
French; the expected French texts are written out, with their non-breaking spaces.
"""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from rich.console import Console

from parlons.audit import run_audit
from parlons.audit.result import AuditResult, Figure, Responsiveness
from parlons.cli import cli, main
from parlons.cli_i18n import help_messages, lang_in_args, language
from parlons.i18n import translator
from parlons.plan import EXAMPLES
from parlons.plan.cli import plan_group
from parlons.store import Store
from parlons.summary import print_summary

from .conftest import FIXTURES
from .test_audit_responsiveness import SCENARIO, build

ARCHIVE = FIXTURES / "x_archive"
FR, EN = "fr_FR.UTF-8", "en_US.UTF-8"
NB = "\u00a0"
UNSET = {"LANGUAGE": None, "LC_ALL": None, "LC_MESSAGES": None}


def run(lang: str | None, *args: str) -> Result:
    runner = CliRunner(env={**UNSET, "LANG": lang})
    return runner.invoke(cli, list(args), prog_name="parlons", catch_exceptions=False)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("cli-i18n") / "s.duckdb")
    assert run(EN, "import", str(ARCHIVE), "--store", path, "-q").exit_code == 0
    return path


def test_group_help_in_french_and_english() -> None:
    french, english = run(FR, "--help").output, run(EN, "--help").output
    assert french.startswith(f"Utilisation{NB}: parlons [OPTIONS] COMMAND [ARGS]...")
    assert "Vérifier si une organisation converse ou ne fait que diffuser" in french
    assert f"Commandes{NB}:" in french and "Afficher ce message et quitter." in french
    assert "  import    Importer des exports" in french
    assert english.startswith("Usage: parlons [OPTIONS] COMMAND [ARGS]...")
    assert "Audit whether an organization converses or only broadcasts" in english
    assert "Commands:" in english and "Show this message and exit." in english
    assert "  import    Import exports (files, folders, zip or tar archives)" in english


def test_command_help_translated_with_examples_kept() -> None:
    french = run(FR, "report", "--help").output
    assert f"Écrire l’audit en rapport pour un client{NB}: HTML" in french
    assert f"Exemple{NB}:\n    parlons report MairieDeBrest --vs VilleDeQuimper -o rapport.html" in french
    assert "Un pair ou un concurrent (répétable)." in french
    assert "[obligatoire]" in french and f"[par défaut{NB}: 5; x>=1]" in french
    english = run(EN, "report", "--help").output
    assert "Write the audit as a report a client reads" in english
    assert "Example:\n    parlons report MairieDeBrest" in english
    assert "A peer or competitor (repeatable)." in english and "[required]" in english


def _own() -> list[str]:
    """The commands of ``parlons.cli`` and of the modules it loads when a command runs, plan and collect aside."""
    with cli.make_context("parlons", ["--help"], resilient_parsing=True) as ctx:
        commands = {name: cli.get_command(ctx, name) for name in cli.list_commands(ctx)}
    return sorted(name for name, c in commands.items()
                  if c is not None and c.callback and c.callback.__module__ in ("parlons.cli", "parlons.cli_audit"))


OWN = _own()


@pytest.mark.parametrize("command", OWN)
def test_every_help_text_is_translated(command: str) -> None:
    """Each paragraph of the help and each option's text comes out in French, none left in English."""
    french = "".join(run(FR, command, "--help").output.split())  # wrapping may cut at a hyphen
    fr = translator("fr")
    cmd = cli.commands[command]  # loaded by _own()
    texts = help_messages(cmd.help or "") + [p.help for p in cmd.params if isinstance(p, click.Option) and p.help]
    for text in texts:
        assert fr.gettext(text) != text, text
        assert "".join(fr.gettext(text).split()) in french, text


def test_plan_help_in_french_and_english() -> None:
    french, english = run(FR, "plan", "--help").output, run(EN, "plan", "--help").output
    assert french.startswith(f"Utilisation{NB}: parlons plan [OPTIONS] COMMAND [ARGS]...")
    assert "Construire un plan pour les médias sociaux en dialoguant" in french
    assert f"Exemple{NB}:\n    parlons plan new plan.yaml --lang fr" in french
    assert f"Commandes{NB}:" in french and "  check     Chercher les erreurs classiques dans un plan" in french
    assert english.startswith("Usage: parlons plan [OPTIONS] COMMAND [ARGS]...")
    assert "Build a social-media plan in dialogue" in english
    assert "Commands:" in english and "  check     Check a plan for the classic mistakes" in english
    assert "  plan      Construire un plan" in run(FR, "--help").output


def test_plan_check_help_in_french_and_english() -> None:
    french = run(FR, "plan", "check", "--help").output
    assert french.startswith(f"Utilisation{NB}: parlons plan check [OPTIONS] PLAN")
    assert f"Chercher les erreurs classiques dans un plan{NB}; code de sortie 1" in french
    assert f"Exemple{NB}:\n    parlons plan check plan.yaml\n" in french
    assert f"Langue des messages (par défaut{NB}: celle du plan)." in french
    assert "Afficher les constats en tableau JSON." in french
    english = run(EN, "plan", "check", "--help").output
    assert english.startswith("Usage: parlons plan check [OPTIONS] PLAN")
    assert "Check a plan for the classic mistakes; exit 1 when there are errors" in english
    assert "Example:\n    parlons plan check plan.yaml\n" in english
    assert "Language of the messages (default: the plan's)." in english
    assert run(FR, "plan", "check", "--lang", "en", "--help").output.startswith("Usage: parlons plan check")
    assert f"Erreur{NB}: Il manque l’argument 'PLAN'." in run(FR, "plan", "check").output


@pytest.mark.parametrize("command", [None, *sorted(plan_group.commands)])
def test_every_plan_help_text_is_translated(command: str | None) -> None:
    """As for the other commands: the group's help and each plan command's, paragraphs and options."""
    args = ["plan"] if command is None else ["plan", command]
    french = "".join(run(FR, *args, "--help").output.split())
    fr = translator("fr")
    cmd = plan_group if command is None else plan_group.commands[command]
    texts = help_messages(cmd.help or "") + [p.help for p in cmd.params if isinstance(p, click.Option) and p.help]
    for text in texts:
        assert fr.gettext(text) != text, text
        assert "".join(fr.gettext(text).split()) in french, text


def test_plan_fit_table_follows_the_language() -> None:
    plan = str(EXAMPLES / "industrie-b2b.yaml")
    french = run(EN, "plan", "fit", plan).output  # the plan is in French
    assert all(word in french.splitlines()[1] for word in ("plateforme", "recommandée", "choisie", "raisons"))
    assert "oui" in french
    english = run(FR, "plan", "fit", plan, "--lang", "en").output
    assert all(word in english.splitlines()[1] for word in ("platform", "recommended", "chosen", "reasons"))


def test_lang_option_overrides_the_environment() -> None:
    assert run(FR, "report", "--lang", "en", "--help").output.startswith("Usage: parlons report")
    assert run(EN, "demo", "--lang=fr", "-h").output.startswith(f"Utilisation{NB}: parlons demo")
    assert run(None, "formats", "--help").output.startswith(f"Utilisation{NB}:")  # no language: French
    assert lang_in_args(["report", "x", "--lang", "en"]) == "en"
    assert lang_in_args(["report", "--lang=fr"]) == "fr"
    assert lang_in_args(["report", "--lang", "de"]) is None
    assert lang_in_args(["report", "--", "--lang", "en"]) is None


def test_language_without_context_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in UNSET:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", EN)
    assert language() == "en"
    monkeypatch.setenv("LC_ALL", "fr_CA.UTF-8")
    assert language() == "fr"


def test_import_report_in_both_languages(tmp_path: Path) -> None:
    french = run(FR, "import", str(ARCHIVE), "--store", str(tmp_path / "a.duckdb")).output
    assert f"{ARCHIVE}{NB}: 4 messages en x-archive" in french
    assert f"  connus, sans messages{NB}: data/account.js, data/manifest.js, data/profile.js" in french
    assert f"  non reconnus, ignorés{NB}: data/notes.txt" in french
    assert (f"4 nouveaux messages dans {tmp_path / 'a.duckdb'}{NB}; 0 déjà présent, "
            "0 répété dans l’entrée (le premier est gardé).") in french
    english = run(EN, "import", str(ARCHIVE), "--store", str(tmp_path / "a.duckdb")).output
    assert f"{ARCHIVE}: 4 posts as x-archive" in english
    assert "  not recognised, skipped: data/notes.txt" in english
    assert f"0 new posts in {tmp_path / 'a.duckdb'}; 4 already there, 0 repeated in the input" in english


def test_accounts_table_headers_and_dates(store: str) -> None:
    french = run(FR, "accounts", "--store", store).output
    assert all(word in french for word in ("plateforme", "propriétaire", "commentaires", "oui", "11 sept. 2023"))
    english = run(EN, "accounts", "--store", store).output
    assert all(word in english for word in ("platform", "owner", "comments", "yes", "Sep 11, 2023", "Sep 13, 2023"))


def test_formats_table_headers() -> None:
    assert "exemple" in run(FR, "formats").output.splitlines()[1]
    assert "example" in run(EN, "formats").output.splitlines()[1]


def test_audit_summary_in_both_languages(store: str) -> None:
    french = run(FR, "audit", "MairieDeBrest", "--store", store).output
    assert "Audit du 11 sept. 2023 au 13 sept. 2023" in french
    assert all(s in french for s in ("Demandes (question ou problème)", "inconnu", "trop peu (n = 4)",
                                     "Maturité"))
    # four posts and no request known: no verdict, and what data would be needed
    assert "incertain" not in french
    assert (f"MairieDeBrest — pas de verdict, les données sont trop minces{NB}; il faudrait{NB}:\n"
            f"  • Au moins 5 messages du compte sur la période (les données en ont 4){NB}: importez") in french
    english = run(EN, "audit", "MairieDeBrest", "--store", store).output
    assert "Audit Sep 11, 2023 – Sep 13, 2023" in english
    assert all(s in english for s in ("Requests that ask", "unknown", "too few (n = 4)", "Maturity"))
    assert "MairieDeBrest — no verdict, the evidence is too thin; would be needed:" in english
    assert "  • Posts addressed to the account (mentions, comments, support messages)" in english


def _audit(tmp_path: Path) -> AuditResult:
    """A real audit whose figures are then set to values that show each format."""
    with Store(tmp_path / "summary.duckdb") as store:
        build(store, SCENARIO, tmp_path)
        audit = run_audit(store.con, ["org"], platform="x")[0]
    audit.account = "Org [bold]x[/bold]"
    audit.period.since, audit.period.until = "2024-01-01T00:00:00Z", "2024-12-31T23:59:59Z"
    r = audit.responsiveness
    assert isinstance(r, Responsiveness)
    r.requests, r.pending = 12345, 3
    r.answered_share = Figure(value=0.6281, n=1234, status="ok", min_n=5)
    r.median_first_response_s = Figure(value=24360.0, n=1234, status="ok", min_n=5)
    r.p90_first_response_s = Figure(value=3 * 86400, n=1234, status="ok", min_n=5)
    r.answered_within_24h_share = Figure(value=None, n=2, status="too few", min_n=5)
    audit.conversation.posts = 2500
    audit.maturity.level = 4
    audit.maturity.next_step = "Answer every request, not only some: go through the unanswered list every working day."
    return audit


@pytest.mark.parametrize(("lang", "expected"), [
    ("fr", ["12\u202f345", f"63{NB}% (n = 1\u202f234)", "6 h 46 (n = 1\u202f234)", "3 jours",
            "trop peu (n = 2)", "2\u202f500", "1er janv. 2024", f"prochaine étape{NB}: Répondez à toutes les demandes",
            "Niveau 4 sur 5"]),
    ("en", ["12,345", "63% (n = 1,234)", "6.8 h (n = 1,234)", "3 days", "too few (n = 2)", "2,500", "Jan 1, 2024",
            "next step: Answer every request", "Level 4 of 5"]),
])
def test_summary_numbers_follow_the_locale(lang: str, expected: list[str], tmp_path: Path) -> None:
    console = Console(record=True, width=200)
    print_summary(console, [_audit(tmp_path)], lang)
    text = console.export_text()
    for fragment in expected:
        assert fragment in text, fragment
    assert "Org [bold]x[/bold]" in text  # a name is never read as markup
    header = text.splitlines()[3]  # the title, the top rule, the accounts, then below them their platforms
    assert header.split()[-3:] == ["X", "(Twitter)", "┃"] and "(x)" not in text


@pytest.mark.parametrize(("lang", "platforms"), [("fr", "Blog, Autre source, Mastodon, X (Twitter)"),
                                                 ("en", "Blog, Other source, Mastodon, X (Twitter)")])
def test_summary_names_platforms_as_the_report_does(lang: str, platforms: str, tmp_path: Path) -> None:
    audit = _audit(tmp_path)
    audit.platform = "blog,generic,mastodon,x"
    console = Console(record=True, width=200)
    print_summary(console, [audit], lang)
    lines = console.export_text().splitlines()
    assert lines[2].strip(" ┃").endswith("Org [bold]x[/bold]")
    assert lines[3].strip(" ┃").endswith(platforms)
    assert "generic" not in "\n".join(lines) and "mastodon" not in "\n".join(lines)


def test_usage_errors_in_both_languages() -> None:
    french = run(FR, "audit")
    assert french.exit_code == 2
    assert f"Essayez «{NB}parlons audit --help{NB}» pour l’aide." in french.output
    assert f"Erreur{NB}: Il manque l’argument 'ACCOUNT'." in french.output
    assert f"Erreur{NB}: Il manque l’option '-o' / '--output'." in run(EN, "report", "x", "--lang", "fr").output
    assert f"Commande inconnue 'audti'. Vouliez-vous dire 'audit'{NB}?" in run(FR, "audti").output
    english = run(EN, "audit", "x", "--nope")
    assert english.exit_code == 2
    assert "Try 'parlons audit --help' for help." in english.output
    assert "Error: No such option '--nope'." in english.output
    assert f"Valeur incorrecte pour '--lang'{NB}: " in run(FR, "report", "x", "--lang", "de", "-o", "r.html").output


@pytest.mark.parametrize(("lang", "framing"), [(FR, f"erreur{NB}: there is no store"),
                                               (EN, "error: there is no store")])
def test_parlons_errors_are_framed_in_the_language(lang: str, framing: str, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """Library messages stay in English; the framing around them follows the language."""
    for variable in UNSET:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", lang)
    with pytest.raises(SystemExit) as exited:
        main(["accounts", "--store", str(tmp_path / "none.duckdb")])
    assert exited.value.code == 3
    assert capsys.readouterr().err.startswith(framing)


def test_report_lang_option_frames_its_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("LANG", FR)
    with pytest.raises(SystemExit):
        main(["report", "x", "--lang", "en", "--store", str(tmp_path / "none.duckdb"), "-o", str(tmp_path / "r.html")])
    assert capsys.readouterr().err.startswith("error: ")


def test_summary_images_unknown_when_no_file_describes_media(tmp_path: Path) -> None:
    """As in the report: a twcs CSV does not say which posts carry images, so the share is unknown, not 'too few'."""
    audit = _audit(tmp_path)
    audit.content.posts, audit.content.media_known_posts = 70, 0
    audit.content.images_share = Figure(value=None, n=0, status="too few", min_n=5)
    console = Console(record=True, width=200)
    print_summary(console, [audit], "en")
    row = next(line for line in console.export_text().splitlines() if "Posts with images" in line)
    assert row.split("│")[2].strip() == "unknown"
