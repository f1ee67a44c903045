"""Sphinx configuration of the documentation site (MyST Markdown pages, furo theme).

Build it with ``python -m sphinx -W --keep-going -n -b html docs docs/_build/html``
(``tests/test_docs_site.py`` does, with warnings as errors). The pages stay plain Markdown
that GitHub renders as well; nothing here fetches anything from the network.
"""

from __future__ import annotations

import dedup

project = "dedup"
author = "dedup developers"
copyright = "dedup developers"
version = release = dedup.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

# MyST: GitHub-style heading anchors, so links such as ``dups.md#the-threshold`` work both on
# GitHub and in the site; definition lists and ::: fences for directives.
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# Google-style docstrings (STYLE.md section 5).
napoleon_google_docstring = True
napoleon_numpy_docstring = False
autodoc_member_order = "bysource"
autodoc_typehints = "description"

# -n (nitpicky) checks every cross-reference. Types from the standard library, numpy and Dask
# would resolve through intersphinx, which fetches inventories over the network: the build
# stays offline, so those names are left unlinked on purpose. Names of dedup itself resolve.
nitpick_ignore_regex = [
    ("py:class", r"(collections|collections\.abc|os|pathlib|typing)\.\w+"),
    ("py:class", r"(np|numpy|numpy\.typing|pd|pandas|dd|dask)\..*"),
    # string annotations in dedup's own signatures, documented on the API page
    ("py:class", r"DuplicateStats|SignatureScheme|ShingleParams|Keep"),
]

html_theme = "furo"
html_title = f"dedup {release}"
html_static_path: list[str] = []

# No intersphinx and no remote images: the build needs no network.
