"""The explorer: scenarios side by side in the browser, for readers who do not program.

``python -m experiments.explore [results/NAME] [--port 8765] [--host 127.0.0.1]`` serves a local
Solara app (offline: its front-end comes from the installed ``solara-assets``).  Pages: Compare
(a baseline and up to four policies, the report's tables and figures), Levers (change a policy's
levers, see the paired effect), Live run (Mesa's SolaraViz of one run).  Everything it shows is read
from, or computed into, the one store it was given; every input goes through the model's door.

Modules: ``data`` (what a page shows, pure Python), ``worker`` (missing runs, in a background thread),
``text`` (the explorer's own words, English and Chinese), ``app`` (the pages), ``live`` (the live run),
``serve`` (the server), ``__main__`` (the command).
"""
