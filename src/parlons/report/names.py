"""Names a reader knows for the codes of the data: platforms and importers.

The store and ``--json`` keep the codes (``x``, ``mastodon-archive``); the report writes
"X (Twitter)", "Mastodon archive" / « archive Mastodon ». A code this module does not know (a new
importer) is shown as it is.
"""

from __future__ import annotations

import gettext

from ..i18n import N_

__all__ = ["IMPORTERS", "PLACES", "PLATFORMS", "account_on", "importer_name", "platform_name", "platforms_named"]

PLATFORMS = {"x": "X (Twitter)", "mastodon": "Mastodon", "bluesky": "Bluesky", "facebook": "Facebook",
             "instagram": "Instagram", "threads": "Threads", "linkedin": "LinkedIn", "blog": N_("Blog"),
             "generic": N_("Other source")}
PLACES = {"blog": N_("the blog"), "generic": N_("another source")}
"""Where an account is, for the platforms whose name alone does not read after "on" ("on the blog")."""
IMPORTERS = {
    "x-archive": N_("X archive"), "x-grailbird": N_("X archive before 2019"),
    "mastodon-archive": N_("Mastodon archive"), "bluesky": N_("Bluesky export"),
    "facebook": N_("Facebook export"), "instagram": N_("Instagram export"), "linkedin": N_("LinkedIn export"),
    "wordpress-wxr": N_("WordPress export"), "feed": N_("RSS, Atom or JSON feed"),
    "twcs": N_("customer-support CSV (twcs)"), "twitter-api": N_("Twitter API capture (twarc)"),
    "generic-jsonl": N_("JSON lines file"), "generic-csv": N_("CSV file"),
    "twarc-csv": N_("Twitter API capture as CSV (twarc-csv)"),
    "mastodon-api": N_("collected live from Mastodon"), "bluesky-api": N_("collected live from Bluesky"),
}


def platform_name(t: gettext.NullTranslations, code: str) -> str:
    """The platform's name (a brand is not translated)."""
    name = PLATFORMS.get(code.strip())
    return t.gettext(name) if name else code


def account_on(t: gettext.NullTranslations, account: str, code: str) -> str:
    """An account and where it is, in words: "MediasKerbrat on X (Twitter)", « … sur le blog ». A
    platform's name may hold brackets ("X (Twitter)"), so the account is never followed by it in brackets."""
    place = t.gettext(PLACES[code.strip()]) if code.strip() in PLACES else platform_name(t, code)
    return t.gettext("%(account)s on %(platform)s") % {"account": account, "platform": place}


def platforms_named(t: gettext.NullTranslations, codes: str) -> str:
    """Several platforms written as the audit joins them (``blog, mastodon, x``), by their names."""
    return ", ".join(platform_name(t, c) for c in codes.split(",") if c.strip())


def importer_name(t: gettext.NullTranslations, code: str) -> str:
    """What an importer reads, in the reader's language."""
    name = IMPORTERS.get(code)
    return t.gettext(name) if name else code
