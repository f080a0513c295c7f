"""The OPML subscription list: every feed, grouped as on the "Volg ons" page.

Each feed appears once, as its RSS URL (an OPML import subscribes to every outline, so listing
the Atom twin too would subscribe readers twice); the Atom twin sits next to it at
``<name>.atom.xml`` and is listed on the "Volg ons" page.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from email.utils import format_datetime

from kennisbank.config import Settings
from kennisbank.feeds.catalog import Feed
from kennisbank.feeds.writer import moment

OPML_PATH = "/feeds/feeds.opml"


def opml_bytes(feeds: list[Feed], settings: Settings) -> bytes:
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = f"Feeds van {settings.site_name}"
    newest = max((feed.updated for feed in feeds), default=None)
    if newest is not None:
        ET.SubElement(head, "dateModified").text = format_datetime(moment(newest))
    ET.SubElement(head, "ownerName").text = settings.site_name
    ET.SubElement(head, "docs").text = "http://opml.org/spec2.opml"
    body = ET.SubElement(root, "body")
    groups: dict[str, ET.Element] = {}
    for feed in feeds:
        group = groups.get(feed.group)
        if group is None:
            group = groups[feed.group] = ET.SubElement(body, "outline", text=feed.group, title=feed.group)
        ET.SubElement(group, "outline", type="rss", version="RSS2", language="nl", text=feed.title,
                      title=feed.title, description=feed.description,
                      xmlUrl=settings.absolute(feed.rss_url), htmlUrl=settings.absolute(feed.page_url))
    ET.indent(root)
    xml: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + xml + b"\n"
