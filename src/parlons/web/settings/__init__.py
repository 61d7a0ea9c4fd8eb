"""Django settings of the workspace: ``base`` (shared), ``local`` (``parlons serve`` on this
machine, plain HTTP on a loopback address), ``production`` (behind an HTTPS reverse proxy,
``docs/deploy.md``) and ``test``."""
