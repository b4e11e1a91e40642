"""aidetl: news articles in, a DuckDB warehouse of figures out.

Stages, each a module, data moving down the list:
config → discover → fetch → parse → extract → warehouse → report.
The shared nouns live in models, the failures in errors.
"""

__version__ = "0.1.0"
