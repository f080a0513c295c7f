"""The web editor: Decap CMS at ``/admin/``, configured from the content model.

* :mod:`kennisbank.cms.widgets` and :mod:`kennisbank.cms.config` turn the models and registries
  into Decap's ``config.yml`` (labels in :mod:`kennisbank.cms.labels`);
* :mod:`kennisbank.cms.admin` stages ``/admin/`` into the built site (a build stage);
* :mod:`kennisbank.cms.proxy` runs Decap's local backend (npm ``decap-server``) for
  ``kennisbank serve --cms``.
"""

from kennisbank.cms.admin import stage_admin

__all__ = ["stage_admin"]
