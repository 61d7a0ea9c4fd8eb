"""``parlons serve`` on this machine: plain HTTP on a loopback address, so cookies cannot be
``Secure`` (a browser would drop them); everything else as in production."""

from .base import *  # noqa: F403
