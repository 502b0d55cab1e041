// MathJax 3's settings for the site: pymdownx.arithmatex (generic mode) wraps every formula of
// the Markdown pages in an element of class "arithmatex" as \( … \) or \[ … \]; the notebooks'
// Markdown and LaTeX outputs (rendered by mkdocs-jupyter) keep Jupyter's $ … $ and $$ … $$.
// Nothing else on a page is searched for formulas, so a dollar sign in prose stays one.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"], ["$", "$"]],
    displayMath: [["\\[", "\\]"], ["$$", "$$"]],
    processEscapes: true,
    processEnvironments: true,
  },
  options: {
    // An element with a class is skipped unless it is one of those below; an element without
    // one inherits its parent's choice (".*|" would skip the paragraphs of notebook cells).
    ignoreHtmlClass: ".+",
    processHtmlClass: "arithmatex|jp-RenderedMarkdown|jp-RenderedLatex|jp-MarkdownOutput",
  },
};
