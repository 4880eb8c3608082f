"""The web front end: Gradio tabs over plain, server-free functions (answer view, source cards, document
viewer, mentions search, export, feedback, answer modes, login). `app.py` at the repository root wires
the tabs into one app and launches it."""
