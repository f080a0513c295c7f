"""The content model: every later stage (site, feeds, newsletter, search) reads only this.

Readers turn files into :class:`~kennisbank.content.items.Item` objects; nothing outside this
package parses front matter.
"""

from kennisbank.content.items import Item
from kennisbank.content.repository import Repository, load_repository
from kennisbank.content.types import CONTENT_TYPES, ContentType, content_type

__all__ = ["CONTENT_TYPES", "ContentType", "Item", "Repository", "content_type", "load_repository"]
