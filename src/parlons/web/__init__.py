"""The shared workspace: ``parlons serve``, a Django application over parlons' public API.

Install with ``pip install 'parlons[web]'``. Layout (``docs/architecture.md``): ``settings/``,
one app per concern (``accounts``, ``workspaces``, ``imports``, ``audits``, ``dialogue``,
``plans``), Jinja2 templates translated by parlons' catalogs, ``server.py`` for ``parlons serve``.
"""
