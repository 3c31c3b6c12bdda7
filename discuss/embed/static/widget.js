/*! discuss embed widget: threaded comments for a council page. See docs/embedding.md. */
(function () {
  "use strict";

  // Served at /embed.js or /embed.v<hash>.js; the service may sit under a path prefix.
  var me = document.currentScript || document.querySelector("script[src*='/embed.']");
  var BASE = me ? me.src.replace(/\/embed(\.v\w+)?\.js([?#].*)?$/, "") : "";
  // The server puts discuss.css here when it serves the file (see discuss/embed/assets.py).
  var CSS = "/*CSS*/";
  var FIELDS = ["author_name", "author_email", "body"];
  var HELD = "Thanks, your comment is awaiting moderation.";
  var seq = 0;

  // Build an element. Text only ever goes in through textContent: author names,
  // titles and messages can hold markup and must show as text.
  function h(tag, props, kids) {
    var el = document.createElement(tag);
    Object.keys(props || {}).forEach(function (k) {
      var v = props[k];
      if (v == null || v === false) return;
      if (k === "text") el.textContent = v;
      else if (k.slice(0, 2) === "on") el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? "" : v);
    });
    (kids || []).forEach(function (kid) {
      if (kid != null && kid !== false) el.append(kid);
    });
    return el;
  }

  function path(key) {
    return key.split("/").map(encodeURIComponent).join("/");
  }

  function plural(n) {
    return n + (n === 1 ? " Comment" : " Comments");
  }

  function when(iso) {
    var d = new Date(iso);
    if (isNaN(d)) return iso;
    try {
      return d.toLocaleString(document.documentElement.lang || "en-GB", {
        day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit"
      });
    } catch (e) {
      return d.toISOString();
    }
  }

  // Drafts survive a reload or a failed post; storage can be unavailable
  // (private modes, sandboxed frames), and then drafts are simply not kept.
  function store(key, value) {
    try {
      if (value === undefined) return JSON.parse(localStorage.getItem(key) || "null");
      if (value === null) localStorage.removeItem(key);
      else localStorage.setItem(key, JSON.stringify(value));
    } catch (e) {
      return null;
    }
  }

  // A constructed stylesheet is shared by every widget on the page and, unlike a
  // <style> element, is not blocked by a page's Content-Security-Policy.
  var sheet = null;
  function adopt(root) {
    try {
      if (!sheet) {
        sheet = new CSSStyleSheet();
        sheet.replaceSync(CSS);
      }
      root.adoptedStyleSheets = [sheet];
    } catch (e) {
      root.append(h("style", { text: CSS }));
    }
  }

  function Widget(host) {
    this.host = host;
    this.site = host.getAttribute("data-discuss-site");
    this.key = host.getAttribute("data-discuss-thread") || location.pathname;
    this.level = Math.min(Math.max(parseInt(host.getAttribute("data-discuss-heading-level"), 10) || 2, 1), 5);
    // The key as a URL path, "" for the home page; the server normalises it further.
    this.keyPath = this.key.replace(/^\/+|\/+$/g, "");
    this.keyPath = this.keyPath && "/" + path(this.keyPath);
    this.api = BASE + "/api/v1/sites/" + encodeURIComponent(this.site) + "/threads";
    this.draftKey = "discuss-draft:" + BASE + "|" + this.site + "|" + this.key;
    this.parentId = null;
    this.id = "d" + (++seq) + "-";
    this.root = host.attachShadow({ mode: "open" });
    this.render();
    this.load(null);
  }

  Widget.prototype.heading = function (offset, props, text) {
    return h("h" + Math.min(this.level + offset, 6), props, [text]);
  };

  Widget.prototype.render = function () {
    var self = this, id = this.id;
    var noJs = BASE + "/embed/" + encodeURIComponent(this.site) + (this.keyPath || "/");
    var feed = BASE + "/feeds/" + encodeURIComponent(this.site) + this.keyPath + ".atom";

    this.count = h("span", { "class": "count", text: "" });
    this.list = h("ol", { "class": "comments" });
    this.more = h("button", { type: "button", "class": "more", hidden: true, onclick: function () { self.load(self.cursor); } }, ["Show more comments"]);
    this.status = h("p", { "class": "status", role: "status", "aria-live": "polite", tabindex: "-1" });
    this.loading = h("p", { "class": "loading", text: "Loading comments…" });

    var field = function (name, label, control, hint) {
      var err = h("span", { "class": "error", id: id + name + "-error" });
      control.id = id + name;
      control.name = name;
      control.setAttribute("aria-describedby", (hint ? id + name + "-hint " : "") + err.id);
      control.addEventListener("input", function () { self.saveDraft(); });
      return h("p", { "class": "field" }, [
        h("label", { "for": control.id }, label),
        hint ? h("span", { "class": "hint", id: id + name + "-hint", text: hint }) : null,
        err, control
      ]);
    };
    this.inputs = {
      author_name: h("input", { type: "text", autocomplete: "name", required: true, maxlength: "80" }),
      author_email: h("input", { type: "email", autocomplete: "email", spellcheck: "false" }),
      body: h("textarea", { rows: "6", required: true })
    };
    this.honeypot = h("input", { type: "text", id: id + "website", name: "website", tabindex: "-1", autocomplete: "off" });
    this.replying = h("p", { "class": "replying", hidden: true });
    this.parentError = h("span", { "class": "error", id: id + "parent_id-error" });
    this.submit = h("button", { type: "submit", "class": "submit" }, ["Post Comment"]);
    this.form = h("form", { "class": "reply-form", novalidate: true, "aria-labelledby": id + "reply-title", onsubmit: function (ev) { ev.preventDefault(); self.send(); } }, [
      this.heading(1, { id: id + "reply-title", "class": "reply-title" }, "Leave a Reply"),
      this.replying, this.parentError,
      field("author_name", ["Name ", h("span", { "class": "req", text: "(required)" })], this.inputs.author_name),
      field("author_email", ["Email ", h("span", { "class": "req", text: "(optional, never published)" })], this.inputs.author_email),
      field("body", ["Comment ", h("span", { "class": "req", text: "(required)" })], this.inputs.body,
        "Plain text or a little Markdown: *italic*, **bold**, [a link](https://…), > quote, - list."),
      // A trap for bots that fill every field: hidden from people and from assistive technology.
      h("div", { "class": "hp", "aria-hidden": "true" }, [h("label", { "for": this.honeypot.id, text: "Leave this empty" }), this.honeypot]),
      h("p", { "class": "actions" }, [this.submit]),
      this.notice = h("p", { "class": "privacy-notice" })
    ]);
    var section = h("section", { "class": "discuss", "aria-labelledby": id + "title" }, [
      this.heading(0, { id: id + "title", "class": "title" }, "Join the discussion"),
      h("p", { "class": "links" }, [
        h("a", { href: feed, type: "application/atom+xml", text: "Comments feed (Atom)" }), " · ",
        h("a", { href: noJs, text: "Open on its own page" })
      ]),
      this.heading(1, { "class": "count-heading" }, this.count),
      this.loading, this.list, this.more, this.status, this.form
    ]);
    adopt(this.root);
    this.root.append(section);
    this.restoreDraft();
  };

  Widget.prototype.load = function (cursor) {
    var self = this;
    var url = this.api + (this.keyPath || "/") + (cursor ? "?cursor=" + encodeURIComponent(cursor) : "");
    this.more.disabled = true;
    // Revalidate every time (a 304 when nothing changed): a reader who just
    // posted must not get a cached copy without their comment on reload.
    fetch(url, { credentials: "omit", cache: "no-cache", headers: { Accept: "application/json" } })
      .then(function (res) {
        if (!res.ok) throw new Error(res.status);
        return res.json();
      })
      .then(function (data) {
        self.loading.remove();
        self.total = data.thread.comment_count;
        self.closed = data.thread.closed;
        self.notice.textContent = data.thread.privacy_notice || "";
        self.count.textContent = plural(self.total);
        data.comments.forEach(function (c) { self.list.append(self.comment(c)); });
        if (self.closed && self.form.isConnected) {
          self.form.replaceWith(h("p", { "class": "closed", text: "This discussion is closed to new comments." }));
        }
        self.cursor = data.next_cursor;
        self.more.hidden = !self.cursor;
        self.more.disabled = false;
        self.restoreReply();
      })
      .catch(function () {
        self.loading.textContent = "The comments could not be loaded. Please try again later, or use the link to the discussion's own page.";
        self.more.disabled = false;
      });
  };

  Widget.prototype.comment = function (c) {
    var self = this;
    var li = h("li", { "class": "comment", "data-id": c.id });
    var replies = h("ol", { "class": "replies" });
    if (c.removed) {
      li.append(h("p", { "class": "removed", text: "This comment was removed." }));
    } else {
      var author = h("span", { "class": "author", id: this.id + "c" + c.id, text: c.author_name });
      var body = h("div", { "class": "body" });
      // The one place HTML goes in: the API's body_html, sanitised on the server
      // with an allow-list (discuss/render.py) when the comment was written.
      body.innerHTML = c.body_html;
      var reply = h("button", { type: "button", "class": "reply-button" }, [
        "Reply", h("span", { "class": "visually-hidden", text: " to " + c.author_name })
      ]);
      reply.addEventListener("click", function () { self.replyTo(c.id, c.author_name, li, reply, true); });
      li.append(h("article", { "class": "comment-body", tabindex: "-1", "aria-labelledby": author.id }, [
        h("p", { "class": "meta" }, [author, " says: ", h("time", { datetime: c.created_at, text: when(c.created_at) })]),
        body, h("p", { "class": "actions" }, [reply])
      ]));
    }
    if (this.closed && reply) reply.remove();
    (c.replies || []).forEach(function (r) { replies.append(self.comment(r)); });
    li.append(replies);
    return li;
  };

  // One form: "Reply" moves it under the comment; "Cancel reply" puts it back.
  Widget.prototype.replyTo = function (id, name, li, button, focus) {
    var self = this;
    this.parentId = id;
    this.replyButton = button;
    this.replying.textContent = "";
    this.replying.append("Replying to ", h("span", { "class": "author", text: name }), " ",
      h("button", { type: "button", "class": "cancel", onclick: function () { self.cancelReply(true); } }, ["Cancel reply"]));
    this.replying.hidden = false;
    li.insertBefore(this.form, li.querySelector(".replies"));
    if (focus) {
      this.saveDraft();
      this.inputs.body.focus();
    }
  };

  Widget.prototype.cancelReply = function (refocus) {
    var button = this.replyButton;
    this.parentId = null;
    this.replyButton = null;
    this.replying.hidden = true;
    this.parentError.textContent = "";
    this.status.after(this.form);
    this.saveDraft();
    if (refocus && button) button.focus();
  };

  Widget.prototype.saveDraft = function () {
    var draft = { parent_id: this.parentId };
    FIELDS.forEach(function (f) { draft[f] = this.inputs[f].value; }, this);
    store(this.draftKey, draft);
  };

  Widget.prototype.restoreDraft = function () {
    var draft = store(this.draftKey);
    if (!draft) return;
    FIELDS.forEach(function (f) { if (draft[f]) this.inputs[f].value = draft[f]; }, this);
    this.pendingParent = draft.parent_id;
  };

  Widget.prototype.restoreReply = function () {
    var li = this.pendingParent && this.list.querySelector("li[data-id='" + Number(this.pendingParent) + "']");
    if (!li || !li.querySelector(".author") || this.closed) return;
    this.pendingParent = null;
    this.replyTo(Number(li.getAttribute("data-id")), li.querySelector(".author").textContent, li,
      li.querySelector(".reply-button"), false);
  };

  // Show each message beside its field and move focus to the first problem;
  // messages about no field go to the status line, which then takes focus.
  Widget.prototype.showErrors = function (errors, fallback) {
    var general = [];
    Object.keys(errors).forEach(function (name) {
      var text = [].concat(errors[name]).join(" ");
      if (this.inputs[name]) {
        this.inputs[name].setAttribute("aria-invalid", "true");
        this.root.getElementById(this.id + name + "-error").textContent = text;
      } else if (name === "parent_id") {
        this.parentError.textContent = "You cannot reply to that comment: " + text;
      } else {
        general.push(text);
      }
    }, this);
    var first = FIELDS.map(function (f) { return this.inputs[f]; }, this)
      .filter(function (input) { return input.hasAttribute("aria-invalid"); })[0];
    if (this.parentError.textContent && !first) general.push(this.parentError.textContent);
    this.say(general.join(" ") || (first ? "" : fallback), "error", !first);
    if (first) first.focus();
  };

  Widget.prototype.clearErrors = function () {
    FIELDS.forEach(function (f) {
      this.inputs[f].removeAttribute("aria-invalid");
      this.root.getElementById(this.id + f + "-error").textContent = "";
    }, this);
    this.parentError.textContent = "";
  };

  Widget.prototype.say = function (text, kind, focus) {
    this.status.textContent = text;
    this.status.className = "status " + (kind || "");
    if (focus) this.status.focus();
  };

  Widget.prototype.send = function () {
    var self = this, data = {}, missing = {};
    this.clearErrors();
    FIELDS.forEach(function (f) { data[f] = this.inputs[f].value.trim(); }, this);
    if (!data.author_name) missing.author_name = "Please enter your name.";
    if (!data.body) missing.body = "Please write your comment.";
    if (Object.keys(missing).length) return this.showErrors(missing);
    if (!data.author_email) delete data.author_email;
    data.website = this.honeypot.value;
    if (this.parentId) data.parent_id = this.parentId;
    if (/^https?:$/.test(location.protocol)) data.page_url = location.href.split("#")[0].slice(0, 1000);
    data.page_title = document.title.slice(0, 300);
    this.submit.disabled = true;
    this.say("Sending your comment…");
    // The home page's thread (key "/") posts to .../threads/comments.
    fetch(this.api + this.keyPath + "/comments", {
      method: "POST", credentials: "omit",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(data)
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (json) { self.done(res.status, json); });
    }).catch(function () {
      self.say("We could not reach the comment service. Your comment is kept here; please try again.", "error", true);
    }).then(function () {
      self.submit.disabled = false;
    });
  };

  Widget.prototype.done = function (status, json) {
    if (status === 201 || status === 202) {
      var parentId = this.parentId;
      this.inputs.body.value = "";
      if (this.parentId) this.cancelReply(false);
      store(this.draftKey, { author_name: this.inputs.author_name.value, author_email: this.inputs.author_email.value });
      if (status === 202) return this.say(json.message || HELD, "held", true);
      var c = json.comment;
      var li = this.comment({ id: c.id, parent_id: c.parent_id, author_name: c.author_name, body_html: c.body_html, created_at: c.created_at, replies: [] });
      var parent = parentId && this.list.querySelector("li[data-id='" + Number(parentId) + "'] > .replies");
      (parent || this.list).append(li);
      this.total = (this.total || 0) + 1;
      this.count.textContent = plural(this.total);
      this.say("Your comment is published.", "ok", false);
      li.querySelector("article").focus();
      return;
    }
    var errors = (json && json.errors) || {};
    var message = (json && json.message) || "Your comment could not be posted (error " + status + ").";
    if (status === 429) message = "You are posting too often. Please wait a minute and try again; your comment is kept.";
    this.showErrors(status === 422 ? errors : {}, message);
  };

  function mountAll() {
    var hosts = document.querySelectorAll("[data-discuss-site]");
    for (var i = 0; i < hosts.length; i++) {
      if (!hosts[i].shadowRoot && hosts[i].attachShadow) new Widget(hosts[i]);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
  else mountAll();
})();
