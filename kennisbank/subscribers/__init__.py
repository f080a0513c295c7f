"""Newsletter subscribers: sign-up with double opt-in, one-click unsubscribe, the subscriber store.

Modules: :mod:`.config` (settings and the secret), :mod:`.store` (SQLAlchemy Core tables,
migrations, every read and write), :mod:`.tokens` (signed, expiring links; nothing about a link is
stored), :mod:`.signup` (validating a sign-up), :mod:`.limits` (per-IP rate limit),
:mod:`.mail` (the confirmation e-mail and the outbox that sends it), :mod:`.pages` (the Dutch
result pages), :mod:`.api` (the Starlette app mounted at ``/api/subscriptions``),
:mod:`.source` (the newsletter's recipients from the store), :mod:`.admin` (``kennisbank
subscribers ...``).
"""
