"""PHOTO_REFERENCE (Safe Harbor Q): the file name of a photograph or comparable image, in photo context.

A full-face photograph is an identifier in its own right; in a prompt log it
shows up as a file name ("on file as jdoe_frontal_2024.jpg"). An image name
alone is often a screenshot or an icon, so a photo word must sit nearby.
"""

from __future__ import annotations

import re

from audit.scanner.recognizers.base import RegexRecognizer, Rule

_IMAGE = r"(?:jpe?g|png|heic|heif|tiff?|bmp|gif|webp|dcm|raw|cr2|nef)"


class PhotoReferenceRecognizer(RegexRecognizer):
    """Image file names with a photo, face or portrait word within the window."""

    ENTITY = "PHOTO_REFERENCE"
    RULES = (
        Rule(
            "image-file", rf"(?i)(?<![\w.\-/\\])[\w][\w.\-]{{0,120}}\.{_IMAGE}(?![\w\-]|\.\w)", 0.6, needs_context=True
        ),
    )
    CONTEXT = re.compile(
        r"\b(?:photo(?:graph)?s?|picture|pic|headshot|selfie|portrait|mugshot|face|facial|full-face|"
        r"frontal|profile\s{1,3}image|id\s{1,3}image|image\s{1,3}of)\b",
        re.I,
    )
    WINDOW = (60, 30)


RECOGNIZERS = [PhotoReferenceRecognizer]
