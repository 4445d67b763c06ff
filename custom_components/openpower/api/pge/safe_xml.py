"""The one way PG&E's whole XML answers are read: defusedxml, no DTD, no entity, no external.

Usage feeds stream through `espi/reader.py`; everything read whole (Authorization, service
status, notifications, customer feeds) goes through `read_xml`.
"""

from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
import defusedxml.ElementTree as DefusedET

from ..errors import ApiResponseError


def read_xml(body: bytes, what: str) -> Element:
    """Return the root of `body`; ApiResponseError when it is not safe, well-formed XML."""
    try:
        root: Element = DefusedET.fromstring(
            body, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as err:
        raise ApiResponseError(f"{what}: DTDs and entities are refused") from err
    except (ParseError, ValueError) as err:
        raise ApiResponseError(f"{what}: not well-formed XML") from err
    return root
