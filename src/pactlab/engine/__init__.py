"""The deal engine: pure functions of arrays shaped (paths, years); no files, no printing."""
