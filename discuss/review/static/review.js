/* Keyboard shortcuts for the review queue. Everything also works without them.
 *   j / k   next / previous item        a   approve the current item
 *   r       reject it (with the reason chosen in its list)
 *   x       select it for a bulk action e   open it (edit, ban, history)
 * Keys are ignored while typing in a field, and with Ctrl, Alt or Meta held.
 */
(function () {
  "use strict";
  var items = Array.prototype.slice.call(document.querySelectorAll("article.item"));
  if (!items.length) return;
  var index = -1;
  var KEY = "discuss-review-position";

  function focusItem(next) {
    if (next < 0 || next >= items.length) return;
    if (index >= 0) items[index].classList.remove("current");
    index = next;
    var item = items[index];
    item.classList.add("current");
    item.focus({ preventScroll: true });
    item.scrollIntoView({ block: "nearest" });
  }

  function current() { return index >= 0 ? items[index] : null; }

  function submit(selector) {
    var item = current();
    if (!item) return;
    var form = item.querySelector(selector);
    if (!form) return;
    var button = form.querySelector("button[name=action]");
    // After the page reloads, the item now at this position becomes current,
    // so a run of decisions is just a run of key presses.
    try { sessionStorage.setItem(KEY, String(index)); } catch (e) { /* private mode */ }
    if (form.requestSubmit) form.requestSubmit(button); else button.click();
  }

  // Clicking into an item makes it the current one, so mouse and keys mix.
  items.forEach(function (item, i) {
    item.addEventListener("focusin", function () {
      if (index !== i) { if (index >= 0) items[index].classList.remove("current"); index = i; item.classList.add("current"); }
    });
  });

  try {
    var saved = sessionStorage.getItem(KEY);
    sessionStorage.removeItem(KEY);
    if (saved !== null) focusItem(Math.min(parseInt(saved, 10) || 0, items.length - 1));
  } catch (e) { /* private mode */ }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey) return;
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.target.isContentEditable) return;
    switch (event.key) {
      case "j": focusItem(index < 0 ? 0 : index + 1); break;
      case "k": focusItem(index < 0 ? 0 : index - 1); break;
      case "a": submit("form.approve"); break;
      case "r": submit("form.reject"); break;
      case "x": {
        var box = current() && current().querySelector("input.select");
        if (box) box.checked = !box.checked;
        break;
      }
      case "e": {
        var link = current() && current().querySelector("a.more");
        if (link) window.location.href = link.href;
        break;
      }
      default: return;
    }
    event.preventDefault();
  });
})();
