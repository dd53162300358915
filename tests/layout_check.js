// Injected into a rendered page by tests/test_book_browser.py. Measures every table and
// figure against the text column, lists every figure with its number and caption, every
// bare text output of a code cell, unresolved references, and the text a reader sees
// (prose, tables, captions and cell outputs; code blocks and cell inputs left out), then
// writes the result as JSON
// into a pre element with the id layout-report.
window.addEventListener("load", function () {
  var article = document.querySelector("article.bd-article") || document.querySelector("main");
  // the text column: the article's content box (its padding is not for text)
  var box = article.getBoundingClientRect();
  var style = getComputedStyle(article);
  var column = {left: box.left + parseFloat(style.paddingLeft),
                right: box.right - parseFloat(style.paddingRight)};
  column.width = column.right - column.left;
  var report = {column: {left: column.left, right: column.right, width: column.width},
                tables: [], figures: [], bare_outputs: [], text: "", prose: "",
                output_text: "", cells: []};

  // wider than the column, or wider than its own box (clipped or scrolled inside it)
  function overflows(element) {
    var box = element.getBoundingClientRect();
    var scroller = element.closest(".pst-scrollable-table-container, .cell_output, figure");
    var scrolled = scroller && scroller.scrollWidth > scroller.clientWidth + 1;
    return box.right > column.right + 1 || box.left < column.left - 1 ||
      element.scrollWidth > element.clientWidth + 1 || !!scrolled;
  }

  article.querySelectorAll("table").forEach(function (table, i) {
    var caption = table.querySelector("caption");
    report.tables.push({
      index: i, id: table.id || "", width: Math.round(table.scrollWidth),
      right: Math.round(table.getBoundingClientRect().right),
      caption: caption ? caption.textContent.trim().replace(/\s+/g, " ") : "",
      overflow: overflows(table)
    });
    table.querySelectorAll("td, th").forEach(function (cell) {
      report.cells.push(cell.textContent.trim());
    });
  });

  article.querySelectorAll("img").forEach(function (img) {
    var figure = img.closest("figure");
    var number = figure ? figure.querySelector(".caption-number") : null;
    var text = figure ? figure.querySelector(".caption-text") : null;
    report.figures.push({
      src: img.getAttribute("src") || "",
      numbered: !!number, number: number ? number.textContent.trim() : "",
      caption: text ? text.textContent.trim() : "",
      width: Math.round(img.getBoundingClientRect().width),
      overflow: overflows(img) || (figure ? overflows(figure) : false)
    });
  });

  // myst-nb renders an output that has nothing richer than text/plain (the repr of a
  // cell's last expression) as div.output.text_plain
  article.querySelectorAll(".cell_output .output.text_plain").forEach(function (out) {
    var shown = out.querySelector("pre") || out;
    report.bare_outputs.push(shown.textContent.trim().slice(0, 120));
  });

  // a cross-reference Sphinx could not resolve stays a span.xref outside any link
  report.unresolved = [];
  article.querySelectorAll(".xref").forEach(function (ref) {
    if (!ref.closest("a")) report.unresolved.push(ref.textContent.trim().slice(0, 80));
  });

  // the visible text, without code blocks and cell inputs
  function visibleText(root, skip) {
    var parts = [];
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
      acceptNode: function (node) {
        var parent = node.parentElement;
        if (!parent || parent.closest(skip)) return NodeFilter.FILTER_REJECT;
        return NodeFilter.FILTER_ACCEPT;
      }
    });
    while (walker.nextNode()) parts.push(walker.currentNode.nodeValue);
    return parts.join(" ").replace(/\s+/g, " ");
  }
  var hidden = "pre, .highlight, .cell_input, script, style, .headerlink, #layout-report";
  report.text = visibleText(article, hidden);
  // the prose alone: no inline code, where `None` or `lead(s)` may be meant literally, and
  // no tables, whose cells are listed one by one (joined, '1' and 'leads' of two
  // neighbouring cells would read as '1 leads')
  report.prose = visibleText(article, hidden + ", code, table");
  article.querySelectorAll(".cell_output").forEach(function (out) {
    report.output_text += " " + visibleText(out, "script, style");
  });

  var pre = document.createElement("pre");
  pre.id = "layout-report";
  pre.textContent = JSON.stringify(report);
  document.body.appendChild(pre);
});
