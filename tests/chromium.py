"""Where the headless Chromium of the report's browser test and benchmark is, and its flags.

Debian's ``chromium`` package (`.ci/run` installs it when missing), driven by Playwright
through ``executable_path``: no browser is downloaded. ``DEDUP_CHROMIUM`` names another
binary. No pytest here: ``benchmarks/report_scale.py`` loads this file by path.
"""

from __future__ import annotations

import os
import shutil

#: The Chromium binary to drive.
CHROMIUM = os.environ.get("DEDUP_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"

#: The flags a root, offline sandbox needs: no sandbox (root), no background traffic to
#: Google's hosts (the network is closed), no GPU.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
