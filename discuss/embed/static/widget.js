/*! discuss embed widget: threaded comments for a council page. See docs/embedding.md. */
(function () {
  "use strict";

  // Served at /embed.js or /embed.v<hash>.js; the service may sit under a path prefix.
  var me = document.currentScript || document.querySelector("script[src*='/embed.']");
  var BASE = me ? me.src.replace(/\/embed(\.v\w+)?\.js([?#].*)?$/, "") : "";
  // The server puts discuss.css here when it serves the file (see discuss/embed/assets.py).
  var CSS = "/*CSS*/";
  var FIELDS = ["author_name", "author_email", "body"];
  var seq = 0;
  // The widget's words come from the service, one language at a time (/embed/i18n/<lang>.json,
  // see discuss/embed/strings.py); one request per language and site, shared by every widget on the page.
  var wordsFor = {};
  function words(lang, site) {
    var url = BASE + "/embed/i18n/" + encodeURIComponent(lang || "-") + ".json?site=" + encodeURIComponent(site || "");
    if (!wordsFor[url]) {
      wordsFor[url] = fetch(url, { credentials: "omit", headers: { Accept: "application/json" } }).then(function (res) {
        if (!res.ok) throw new Error(res.status);
        return res.json();
      });
    }
    return wordsFor[url];
  }

  // "%(name)s" and "%(num)d" placeholders, as in the gettext catalogues.
  function fill(text, values) {
    return String(text).replace(/%\((\w+)\)[sd]/g, function (all, name) {
      return values && values[name] != null ? values[name] : all;
    });
  }

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

  function two(n) {
    return (n < 10 ? "0" : "") + n;
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
    // The language: the embed's own, else the page's; the service falls back to the site's default.
    var asked = host.getAttribute("data-discuss-lang") || document.documentElement.lang || "";
    var self = this;
    // The words and the first page are fetched at once. The thread is asked for in the same
    // language as the words ("*": none, so the service takes the site's default for both).
    // (Only letters, digits and hyphens: any other character would make the request need a CORS preflight.)
    var first = this.fetchPage(null, asked.replace(/[^A-Za-z0-9-]/g, "-").slice(0, 35) || "*");
    first.catch(function () {});  // handled in load(); here only so a failure is not reported twice
    words(asked, this.site).then(function (w) {
      self.words = w;
      self.lang = w.lang;
      self.render();
      self.load(null, first);
    }).catch(function () {
      // Without the service's words there is nothing to show but the way to the discussion's own page.
      adopt(self.root);
      self.root.append(h("p", { "class": "loading", lang: "en" }, [
        "The comments could not be loaded. ",
        h("a", { href: BASE + "/embed/" + encodeURIComponent(self.site) + (self.keyPath || "/") }, ["Open the discussion"])
      ]));
    });
  }

  // A message in the widget's language.
  Widget.prototype.t = function (name, values) {
    return fill(this.words.strings[name], values);
  };

  // A plural message ("2 Comments", "2 sylw"): the category by the language's plural rules
  // (Intl.PluralRules), the text from the service (filled from the catalogue by Babel's rules).
  Widget.prototype.plural = function (name, n) {
    var forms = this.words.plurals[name], category = "other";
    try {
      category = new Intl.PluralRules(this.lang).select(n);
    } catch (e) {
      category = n === 1 ? "one" : "other";
    }
    return fill(forms[category] || forms.other, { num: n });
  };

  // "5 January 2026 at 09:30", "5 Ionawr 2026 am 09:30", in the reader's time zone.
  Widget.prototype.when = function (iso) {
    var d = new Date(iso);
    if (isNaN(d)) return iso;
    return this.t("date_time", {
      date: d.getDate() + " " + this.words.months[d.getMonth()] + " " + d.getFullYear(),
      time: two(d.getHours()) + ":" + two(d.getMinutes())
    });
  };

  Widget.prototype.heading = function (offset, props, text) {
    return h("h" + Math.min(this.level + offset, 6), props, [text]);
  };

  Widget.prototype.render = function () {
    var self = this, id = this.id;
    var noJs = BASE + "/embed/" + encodeURIComponent(this.site) + (this.keyPath || "/");
    var feed = BASE + "/feeds/" + encodeURIComponent(this.site) + this.keyPath + ".atom";

    this.count = h("span", { "class": "count", text: "" });
    this.list = h("ol", { "class": "comments" });
    this.more = h("button", { type: "button", "class": "more", hidden: true, onclick: function () { self.load(self.cursor); } }, [this.t("more")]);
    this.status = h("p", { "class": "status", role: "status", "aria-live": "polite", tabindex: "-1" });
    this.loading = h("p", { "class": "loading", text: this.t("loading") });

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
    // Reply notifications: shown once the thread says the service sends mail (thread.reply_mail).
    this.notify = h("input", { type: "checkbox", id: id + "notify_replies", name: "notify_replies",
                               "aria-describedby": id + "notify_replies-hint" });
    this.notifyField = h("p", { "class": "field notify", hidden: true }, [
      this.notify, h("label", { "for": this.notify.id, text: this.t("notify") }),
      h("span", { "class": "hint", id: id + "notify_replies-hint", text: this.t("notify_hint") })
    ]);
    this.honeypot = h("input", { type: "text", id: id + "website", name: "website", tabindex: "-1", autocomplete: "off" });
    this.replying = h("p", { "class": "replying", hidden: true });
    this.parentError = h("span", { "class": "error", id: id + "parent_id-error" });
    this.submit = h("button", { type: "submit", "class": "submit" }, [this.t("post")]);
    this.form = h("form", { "class": "reply-form", novalidate: true, "aria-labelledby": id + "reply-title", onsubmit: function (ev) { ev.preventDefault(); self.send(); } }, [
      this.heading(1, { id: id + "reply-title", "class": "reply-title" }, this.t("leave_reply")),
      this.replying, this.parentError,
      field("author_name", [this.t("name") + " ", h("span", { "class": "req", text: this.t("required") })], this.inputs.author_name),
      field("author_email", [this.t("email") + " ", h("span", { "class": "req", text: this.t("optional") })], this.inputs.author_email),
      field("body", [this.t("comment") + " ", h("span", { "class": "req", text: this.t("required") })], this.inputs.body,
        this.t("hint")),
      this.notifyField,
      // A trap for bots that fill every field: hidden from people and from assistive technology.
      h("div", { "class": "hp", "aria-hidden": "true" }, [h("label", { "for": this.honeypot.id, text: this.t("honeypot") }), this.honeypot]),
      h("p", { "class": "actions" }, [this.submit]),
      this.notice = h("p", { "class": "privacy-notice" })
    ]);
    var query = "?lang=" + encodeURIComponent(this.lang);
    var section = h("section", { "class": "discuss", lang: this.lang, "aria-labelledby": id + "title" }, [
      this.heading(0, { id: id + "title", "class": "title" }, this.t("title")),
      h("p", { "class": "links" }, [
        h("a", { href: feed + query, type: "application/atom+xml", text: this.t("feed") }), " · ",
        h("a", { href: noJs + query, text: this.t("own_page") })
      ]),
      this.heading(1, { "class": "count-heading" }, this.count),
      this.loading, this.list, this.more, this.status, this.form
    ]);
    adopt(this.root);
    this.root.append(section);
    this.restoreDraft();
  };

  // One page of the thread, in ``lang`` (the default privacy notice is the only text in it).
  Widget.prototype.fetchPage = function (cursor, lang) {
    var url = this.api + (this.keyPath || "/") + (cursor ? "?cursor=" + encodeURIComponent(cursor) : "");
    // Revalidate every time (a 304 when nothing changed): a reader who just
    // posted must not get a cached copy without their comment on reload.
    return fetch(url, { credentials: "omit", cache: "no-cache", headers: { Accept: "application/json", "Accept-Language": lang } })
      .then(function (res) {
        if (!res.ok) throw new Error(res.status);
        return res.json();
      });
  };

  // Show a page: ``pending``, the first page already on its way, else fetched now.
  Widget.prototype.load = function (cursor, pending) {
    var self = this;
    this.more.disabled = true;
    (pending || this.fetchPage(cursor, this.lang))
      .then(function (data) {
        self.loading.remove();
        self.total = data.thread.comment_count;
        self.closed = data.thread.closed;
        self.notice.textContent = data.thread.privacy_notice || "";
        self.notifyField.hidden = !data.thread.reply_mail;
        self.count.textContent = self.plural("comments", self.total);
        data.comments.forEach(function (c) { self.list.append(self.comment(c)); });
        if (self.closed && self.form.isConnected) {
          self.form.replaceWith(h("p", { "class": "closed", text: self.t("closed") }));
        }
        self.cursor = data.next_cursor;
        self.more.hidden = !self.cursor;
        self.more.disabled = false;
        self.restoreReply();
      })
      .catch(function () {
        self.loading.textContent = self.t("load_failed");
        self.more.disabled = false;
      });
  };

  Widget.prototype.comment = function (c) {
    var self = this;
    var li = h("li", { "class": "comment", "data-id": c.id });
    var replies = h("ol", { "class": "replies" });
    if (c.removed) {
      li.append(h("p", { "class": "removed", text: this.t("removed") }));
    } else {
      var author = h("span", { "class": "author", id: this.id + "c" + c.id, text: c.author_name });
      var body = h("div", { "class": "body" });
      // The one place HTML goes in: the API's body_html, sanitised on the server
      // with an allow-list (discuss/render.py) when the comment was written.
      body.innerHTML = c.body_html;
      var reply = h("button", { type: "button", "class": "reply-button" }, [
        this.t("reply"), h("span", { "class": "visually-hidden", text: " " + this.t("reply_to", { name: c.author_name }) })
      ]);
      reply.addEventListener("click", function () { self.replyTo(c.id, c.author_name, li, reply, true); });
      var report = h("button", { type: "button", "class": "report-button", "aria-expanded": "false" }, [
        this.t("report"), h("span", { "class": "visually-hidden", text: " " + this.t("report_comment_by", { name: c.author_name }) })
      ]);
      report.addEventListener("click", function () { self.openReport(c.id, report); });
      li.append(h("article", { "class": "comment-body", tabindex: "-1", "aria-labelledby": author.id }, [
        h("p", { "class": "meta" }, [author, " " + this.t("says") + " ", h("time", { datetime: c.created_at, text: this.when(c.created_at) })]),
        body, h("p", { "class": "actions" }, [reply, " ", report])
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
    this.replying.append(this.t("replying_to") + " ", h("span", { "class": "author", text: name }), " ",
      h("button", { type: "button", "class": "cancel", onclick: function () { self.cancelReply(true); } }, [this.t("cancel_reply")]));
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
    var draft = { parent_id: this.parentId, attempt: this.attempt };
    FIELDS.forEach(function (f) { draft[f] = this.inputs[f].value; }, this);
    store(this.draftKey, draft);
  };

  Widget.prototype.restoreDraft = function () {
    var draft = store(this.draftKey);
    if (!draft) return;
    if (draft.attempt && typeof draft.attempt.key === "string") this.attempt = draft.attempt;
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
        this.parentError.textContent = this.t("cannot_reply", { reason: text });
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
    if (!data.author_name) missing.author_name = this.t("need_name");
    if (!data.body) missing.body = this.t("need_body");
    if (Object.keys(missing).length) return this.showErrors(missing);
    if (!data.author_email) delete data.author_email;
    data.website = this.honeypot.value;
    if (this.parentId) data.parent_id = this.parentId;
    if (!this.notifyField.hidden && this.notify.checked) data.notify_replies = true;
    if (/^https?:$/.test(location.protocol)) data.page_url = location.href.split("#")[0].slice(0, 1000);
    data.page_title = document.title.slice(0, 300);
    this.submit.disabled = true;
    this.say(this.t("sending"));
    // One idempotency key per reply, kept with the draft: sending the same reply again
    // (a retry after the network failed, even after a reload) reuses it, so the service
    // answers the first outcome instead of storing a second copy. Other words, a new key.
    var payload = JSON.stringify(data);
    if (!this.attempt || this.attempt.payload !== payload) this.attempt = { key: newKey(), payload: payload };
    this.saveDraft();
    // The home page's thread (key "/") posts to .../threads/comments.
    fetch(this.api + this.keyPath + "/comments", {
      method: "POST", credentials: "omit",
      // The answer's messages (a moderation plugin's reason, field errors) in the widget's language.
      headers: { "Content-Type": "application/json", Accept: "application/json", "Accept-Language": this.lang,
                 "Idempotency-Key": this.attempt.key },
      body: payload
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (json) { self.done(res.status, json); });
    }).catch(function () {
      self.say(self.t("unreachable"), "error", true);
    }).then(function () {
      self.submit.disabled = false;
    });
  };

  Widget.prototype.done = function (status, json) {
    if (status === 201 || status === 202) {
      var parentId = this.parentId;
      this.inputs.body.value = "";
      this.attempt = null;
      if (this.parentId) this.cancelReply(false);
      store(this.draftKey, { author_name: this.inputs.author_name.value, author_email: this.inputs.author_email.value });
      if (status === 202) return this.say(json.message || this.t("held"), "held", true);
      var c = json.comment;
      var li = this.comment({ id: c.id, parent_id: c.parent_id, author_name: c.author_name, body_html: c.body_html, created_at: c.created_at, replies: [] });
      var parent = parentId && this.list.querySelector("li[data-id='" + Number(parentId) + "'] > .replies");
      (parent || this.list).append(li);
      this.total = (this.total || 0) + 1;
      this.count.textContent = this.plural("comments", this.total);
      this.say(this.t("published"), "ok", false);
      li.querySelector("article").focus();
      return;
    }
    var errors = (json && json.errors) || {};
    var message = (json && json.message) || this.t("failed", { status: status });
    if (status === 429) message = this.t("too_often");
    this.showErrors(status === 422 ? errors : {}, message);
  };

  // 32 random hex digits: an Idempotency-Key (16 to 128 of [A-Za-z0-9_.:-]).
  function newKey() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
  }

  // A random id this browser keeps, sent with reports so that one browser reporting from
  // several addresses counts as one reader (the service keeps only a keyed hash of it).
  function readerId() {
    var id = store("discuss-reader");
    if (typeof id === "string" && /^[A-Za-z0-9_-]{16,64}$/.test(id)) return id;
    try {
      var bytes = new Uint8Array(18);
      crypto.getRandomValues(bytes);
      id = btoa(String.fromCharCode.apply(null, bytes)).replace(/\+/g, "-").replace(/\//g, "_");
    } catch (e) {
      return null;
    }
    store("discuss-reader", id);
    return id;
  }

  var REASONS = ["spam", "abuse", "personal-data", "off-topic", "other"];

  // "Report" opens a small form under the comment: why (one of the service's reasons) and a note.
  Widget.prototype.openReport = function (commentId, button) {
    var self = this;
    if (this.reportForm) this.closeReport(false);
    var name = this.id + "r" + commentId;
    var choices = REASONS.map(function (reason, i) {
      var input = h("input", { type: "radio", name: name, value: reason, id: name + "-" + i });
      if (i === 0) input.required = true;
      return h("label", { "class": "choice", "for": input.id }, [input, " " + self.t("reason_" + reason)]);
    });
    var note = h("textarea", { id: name + "-note", name: "note", maxlength: "1000", rows: "3" });
    var problem = h("p", { "class": "error", role: "alert" });
    var send = h("button", { type: "submit", "class": "submit" }, [this.t("send_report")]);
    var cancel = h("button", { type: "button", "class": "cancel", onclick: function () { self.closeReport(true); } }, [this.t("cancel")]);
    var form = h("form", { "class": "report-form", novalidate: true, onsubmit: function (ev) { ev.preventDefault(); self.sendReport(commentId, form); } }, [
      h("fieldset", {}, [h("legend", { text: this.t("report_title") }), h("p", { "class": "hint", text: this.t("report_reason") })].concat(choices)),
      h("div", { "class": "field" }, [h("label", { "for": note.id, text: this.t("report_note") }), note]),
      problem, h("p", { "class": "actions" }, [send, " ", cancel])
    ]);
    form.problem = problem;
    form.send = send;
    this.reportForm = form;
    this.reportButton = button;
    button.setAttribute("aria-expanded", "true");
    button.closest("article").after(form);
    form.querySelector("input").focus();
  };

  Widget.prototype.closeReport = function (refocus) {
    if (!this.reportForm) return;
    this.reportForm.remove();
    this.reportButton.setAttribute("aria-expanded", "false");
    if (refocus) this.reportButton.focus();
    this.reportForm = this.reportButton = null;
  };

  Widget.prototype.sendReport = function (commentId, form) {
    var self = this, chosen = form.querySelector("input:checked");
    if (!chosen) {
      form.problem.textContent = this.t("report_choose");
      return form.querySelector("input").focus();
    }
    var data = { reason: chosen.value, note: form.querySelector("textarea").value.trim() };
    var reader = readerId();
    if (reader) data.reader = reader;
    form.send.disabled = true;
    form.problem.textContent = this.t("reporting");
    fetch(BASE + "/api/v1/comments/" + Number(commentId) + "/reports", {
      method: "POST", credentials: "omit",
      headers: { "Content-Type": "application/json", Accept: "application/json", "Accept-Language": this.lang },
      body: JSON.stringify(data)
    }).then(function (res) {
      if (res.status === 200 || res.status === 201) {
        var button = self.reportButton;
        var thanks = h("p", { "class": "status ok", tabindex: "-1", role: "status", text: self.t("report_thanks") });
        self.closeReport(false);
        button.replaceWith(thanks);
        thanks.focus();
        return;
      }
      form.send.disabled = false;
      form.problem.textContent = self.t(res.status === 429 ? "report_too_often" : "report_failed");
    }).catch(function () {
      form.send.disabled = false;
      form.problem.textContent = self.t("report_failed");
    });
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
