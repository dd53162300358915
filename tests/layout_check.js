// Injected into a rendered page by tests/test_book_browser.py: measures every table
// against the text column and lists every figure with its number and caption, then
// writes the result as JSON into a pre element with the id layout-report.
window.addEventListener("load", function () {
  var article = document.querySelector("article.bd-article") || document.querySelector("main");
  var column = article.getBoundingClientRect();
  var report = {column: {left: column.left, right: column.right, width: column.width},
                tables: [], figures: []};
  article.querySelectorAll("table").forEach(function (table, i) {
    var box = table.getBoundingClientRect();
    var caption = table.querySelector("caption");
    report.tables.push({
      index: i, id: table.id || "", width: Math.round(table.scrollWidth),
      right: Math.round(box.right),
      caption: caption ? caption.textContent.trim() : "",
      wide: table.classList.contains("ecg-wide"),
      scrolls: (function () {
        var c = table.closest(".pst-scrollable-table-container");
        return !!c && ["auto", "scroll"].indexOf(getComputedStyle(c).overflowX) >= 0;
      })(),
      overflow: box.right > column.right + 1 || box.left < column.left - 1
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
      width: Math.round(img.getBoundingClientRect().width)
    });
  });
  var pre = document.createElement("pre");
  pre.id = "layout-report";
  pre.textContent = JSON.stringify(report);
  document.body.appendChild(pre);
});
