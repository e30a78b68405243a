"""Sphinx extension of "LeNet-5, annotated": accessible citation markup in the HTML book.

docutils 0.21 writes the bibliography as ``<div role="list" class="citation-list">`` holding
``<div class="citation" role="doc-biblioentry">`` entries. DPUB-ARIA 1.1 deprecates the role
``doc-biblioentry``, and a ``role="list"`` must hold ``role="listitem"`` children, so accessibility
checkers (axe-core's aria-deprecated-role and aria-required-children) reject the references list.
This keeps docutils' markup and gives each entry the role ``listitem``. (sphinxcontrib-bibtex's
``:list: bullet`` avoids the citation nodes altogether, but then citations from other pages no
longer resolve.)
"""


def _accessible_citations(base):
    class Translator(base):
        def visit_citation(self, node):
            if not isinstance(node.previous_sibling(), type(node)):  # as docutils: open the list
                self.body.append('<div role="list" class="citation-list">\n')
            self.body.append(self.starttag(node, "div", classes=[node.tagname], role="listitem"))

    Translator.__name__ = base.__name__
    return Translator


def _wrap_translator(app):
    # After the theme (pydata-sphinx-theme adds its Bootstrap mixin on builder-inited, priority
    # 500): wrap whatever translator the HTML builder ends up with.
    if app.builder.format == "html":
        base = app.builder.get_translator_class()
        app.set_translator(app.builder.name, _accessible_citations(base), override=True)


def setup(app):
    app.connect("builder-inited", _wrap_translator, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
