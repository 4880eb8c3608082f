"""The HTML panels the chat and find tabs share: a clickable list of sources (source cards, mentions)
and the document viewer a click opens at the passage."""

import gradio as gr

from policyqa.web.assets import read_asset
from policyqa.web.library import Library


def sources_panel(value: str, elem_id: str) -> gr.HTML:
    """Cards or mentions; a click (or Enter) on one sends its file and span to the server."""
    return gr.HTML(value, js_on_load=read_asset("cards.js"), elem_id=elem_id)


def viewer_panel(elem_id: str) -> gr.HTML:
    """The document viewer, hidden until a source is clicked; it scrolls to the cited span."""
    return gr.HTML("", js_on_load=read_asset("viewer.js"), elem_id=elem_id, visible=False)


def open_viewer_on_click(lib: Library, sources: gr.HTML, viewer: gr.HTML) -> None:
    """Clicking a source in `sources` shows `viewer` at that passage."""

    def open_viewer(evt: gr.EventData):
        try:
            file, start, end = str(evt.file), int(evt.start), int(evt.end)
        except (AttributeError, TypeError, ValueError):
            return gr.skip()
        return gr.update(value=lib.viewer(file, start, end), visible=True)

    sources.click(open_viewer, None, viewer, api_visibility="private")
