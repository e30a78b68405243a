"""Sphinx extension of "LeNet-5, annotated": accessible citation markup in the HTML book, and
every figure a notebook draws opening at full size.

docutils 0.21 writes the bibliography as ``<div role="list" class="citation-list">`` holding
``<div class="citation" role="doc-biblioentry">`` entries. DPUB-ARIA 1.1 deprecates the role
``doc-biblioentry``, and a ``role="list"`` must hold ``role="listitem"`` children, so accessibility
checkers (axe-core's aria-deprecated-role and aria-required-children) reject the references list.
This keeps docutils' markup and gives each entry the role ``listitem``. (sphinxcontrib-bibtex's
``:list: bullet`` avoids the citation nodes altogether, but then citations from other pages no
longer resolve.)

The figures are drawn for the 688-pixel column of a desktop page; on a phone's 358-pixel column
the page shows them at half that and their text at 3 to 7 pixels. Each figure in a cell's output
is therefore a link to its own image file, which the browser shows at full size, text at 9
pixels or more (tests/test_figure_text.py), to pan and zoom, also from file://.
"""

from docutils import nodes

FULL_SIZE_TITLE = "Open the figure at full size"


def _in_cell_output(node) -> bool:
    if isinstance(node.parent, nodes.reference):
        return False
    while node is not None:
        if isinstance(node, nodes.container) and "cell_output" in node.get("classes", ()):
            return True
        node = node.parent
    return False


def _book_translator(base):
    class Translator(base):
        def visit_citation(self, node):
            if not isinstance(node.previous_sibling(), type(node)):  # as docutils: open the list
                self.body.append('<div role="list" class="citation-list">\n')
            self.body.append(self.starttag(node, "div", classes=[node.tagname], role="listitem"))

        def visit_image(self, node):
            start = len(self.body)
            super().visit_image(node)  # which points node["uri"] at the copy in _images/
            if _in_cell_output(node):
                link = (
                    f'<a class="reference internal image-reference full-size" href="{node["uri"]}"'
                )
                self.body.insert(start, link + f' title="{FULL_SIZE_TITLE}">')

        def depart_image(self, node):
            super().depart_image(node)
            if _in_cell_output(node):
                self.body.append("</a>")

    Translator.__name__ = base.__name__
    return Translator


def _wrap_translator(app):
    # After the theme (pydata-sphinx-theme adds its Bootstrap mixin on builder-inited, priority
    # 500): wrap whatever translator the HTML builder ends up with.
    if app.builder.format == "html":
        base = app.builder.get_translator_class()
        app.set_translator(app.builder.name, _book_translator(base), override=True)


def setup(app):
    app.connect("builder-inited", _wrap_translator, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
