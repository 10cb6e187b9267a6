"""Scanner: Presidio + spaCy detection with our validated recognizers and false-positive filters."""
