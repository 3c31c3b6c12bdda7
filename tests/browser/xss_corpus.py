"""An XSS corpus of our own: every payload, if it ran, would call ``__xss(n)``
(or ``alert(n)``) with its own number, so a test can say which one got through.

The shapes: script tags in many spellings, event handlers on every kind of
element, ``javascript:``/``data:``/``vbscript:`` URLs, SVG and MathML, entity and
encoding tricks, Markdown link and image tricks (the bodies are Markdown), CSS,
attribute and tag breakouts for every quoting context, JSON/JS-string breakouts
(the widget builds DOM from JSON) and template-injection strings (Jinja, Angular,
Vue, ERB-like) that a careless renderer would evaluate.
"""

from __future__ import annotations

# "{c}" is the call (``__xss(n)``), "{n}" the bare number.
TEMPLATES = (
    # script elements
    "<script>{c}</script>",
    "<SCRIPT>{c}</SCRIPT>",
    "<script >{c}</script >",
    "<script type=module>{c}</script>",
    "<script/src=data:,{c}></script>",
    "<scr<script>ipt>{c}</scr</script>ipt>",
    "</textarea><script>{c}</script>",
    "</title><script>{c}</script>",
    "</style><script>{c}</script>",
    "</noscript><script>{c}</script>",
    "<!--><script>{c}</script>-->",
    "<![CDATA[<script>{c}</script>]]>",
    "\"><script>{c}</script>",
    "'><script>{c}</script>",
    "</script><script>{c}</script>",
    "<script>/*</script><script>*/{c}</script>",
    # event handlers
    "<img src=x onerror={c}>",
    "<img src=x onerror=\"{c}\">",
    "<IMG SRC=x OnErRoR={c}>",
    "<img src=x:x onerror=javascript:{c}>",
    "<img/src/onerror={c}>",
    "<img src=`x` onerror=`{c}`>",
    "<image src=x onerror={c}>",
    "<svg onload={c}>",
    "<svg/onload={c}>",
    "<body onload={c}>",
    "<iframe onload={c}></iframe>",
    "<iframe srcdoc=\"<script>parent.{c}</script>\"></iframe>",
    "<input autofocus onfocus={c}>",
    "<select autofocus onfocus={c}></select>",
    "<textarea autofocus onfocus={c}></textarea>",
    "<details open ontoggle={c}>",
    "<video><source onerror={c}></video>",
    "<audio src=x onerror={c}>",
    "<marquee onstart={c}>x</marquee>",
    "<div onmouseover={c} style=\"position:fixed;inset:0\">x</div>",
    "<a onmouseover={c}>hover</a>",
    "<form><button formaction=javascript:{c}>x</button></form>",
    "<object data=javascript:{c}></object>",
    "<embed src=javascript:{c}>",
    "<style onload={c}></style>",
    "<link rel=stylesheet href=x onerror={c}>",
    "<div style=\"animation-name:x\" onanimationstart={c}></div>",
    "<x contenteditable autofocus onfocus={c}>x</x>",
    "<body onpageshow={c}>",
    # quote and tag breakouts
    "\" onmouseover=\"{c}\" x=\"",
    "' onfocus='{c}' autofocus x='",
    "\" autofocus onfocus=\"{c}",
    "\"><img src=x onerror={c}>",
    "'><img src=x onerror={c}>",
    "--><img src=x onerror={c}>",
    "]]><img src=x onerror={c}>",
    "\\\"><img src=x onerror={c}>",
    "</a><img src=x onerror={c}>",
    "</p></li></ol><img src=x onerror={c}>",
    # URLs
    "<a href=\"javascript:{c}\">click</a>",
    "<a href=\"JaVaScRiPt:{c}\">click</a>",
    "<a href=\"java&#x09;script:{c}\">click</a>",
    "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;{c}\">click</a>",
    "<a href=\" javascript:{c}\">click</a>",
    "<a href=\"data:text/html,<script>{c}</script>\">click</a>",
    "<a href=\"vbscript:msgbox({n})\">click</a>",
    "<meta http-equiv=refresh content=\"0;url=javascript:{c}\">",
    "<base href=\"javascript:{c}//\">",
    "javascript:{c}",
    "javascript://%0a{c}",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    # SVG and MathML
    "<svg><script>{c}</script></svg>",
    "<svg><animate onbegin={c} attributeName=x dur=1s>",
    "<svg><set attributeName=onmouseover to={c}>",
    "<svg><a xlink:href=\"javascript:{c}\"><text x=0 y=20>x</text></a></svg>",
    "<svg><foreignObject><img src=x onerror={c}></foreignObject></svg>",
    "<svg><use href=\"data:image/svg+xml,<svg id='x' xmlns='http://www.w3.org/2000/svg'><image href='x' onerror='{c}'/></svg>#x\"/></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror={c}>",
    "<math href=\"javascript:{c}\">x</math>",
    "<math><maction actiontype=statusline xlink:href=javascript:{c}>x</maction></math>",
    "<svg><style><img src=x onerror={c}></style></svg>",
    # entity and encoding tricks
    "&lt;script&gt;{c}&lt;/script&gt;",
    "&#60;script&#62;{c}&#60;/script&#62;",
    "&#x3C;img src=x onerror={c}&#x3E;",
    "\\u003cimg src=x onerror={c}\\u003e",
    "%3Cscript%3E{c}%3C/script%3E",
    "\\x3cscript\\x3e{c}\\x3c/script\\x3e",
    "＜script＞{c}＜/script＞",
    "<scr\u200bipt>{c}</scr\u200bipt>",
    "<img src=x onerror=\"&#{n2};{c}\">",
    "<img src=x onerror=\"{c}&#x2F;&#x2F;\">",
    "\u2028{c}\u2029",
    "</script\u0000><script>{c}</script>",
    "<img src=x onerror=eval(atob('X194c3Mo'+'{n}'+'KQ=='))>",
    # Markdown tricks
    "[click](javascript:{c})",
    "[click](JAVASCRIPT:{c})",
    "[click](javascript&#58;{c})",
    "[click](data:text/html,<script>{c}</script>)",
    "[click](\"onmouseover=\"{c})",
    "[click](https://x.example/\"onmouseover=\"{c}\")",
    "![x](x\"onerror=\"{c})",
    "![x](javascript:{c})",
    "![x\" onerror=\"{c}](x)",
    "<javascript:{c}>",
    "[a](<javascript:{c}>)",
    "[a][r]\n\n[r]: javascript:{c}",
    "`<img src=x onerror={c}>`",
    "**<img src=x onerror={c}>**",
    "> <script>{c}</script>",
    "- <svg onload={c}>",
    "[<img src=x onerror={c}>](https://x.example)",
    "https://x.example/<img src=x onerror={c}>",
    "https://x.example/\"onmouseover=\"{c}\"",
    # CSS
    "<style>@import 'javascript:{c}';</style>",
    "<div style=\"background:url(javascript:{c})\">x</div>",
    "<div style=\"width:expression({c})\">x</div>",
    "<style>*{{background:url(\"javascript:{c}\")}}</style>",
    "<link rel=stylesheet href=\"javascript:{c}\">",
    "<style>body{{behavior:url(x.htc)}}</style><img src=x onerror={c}>",
    # JSON / JS string breakouts (the widget builds its DOM from JSON)
    "\";{c};//",
    "';{c};//",
    "`;{c};//",
    "${{{c}}}",
    "\\\";{c};//",
    "</script><script>{c}//",
    "{{\"a\":\"</script><script>{c}</script>\"}}",
    # template injection
    "{{{{constructor.constructor('{c}')()}}}}",
    "{{{{ {c} }}}}",
    "{{% print({c}) %}}",
    "<%= {c} %>",
    "#{{{c}}}",
    "[[ {c} ]]",
    "{{{{7*7}}}}<img src=x onerror={c}>",
    "<div v-html=\"'<img src=x onerror={c}>'\"></div>",
    "<div ng-app ng-csp>{{{{$on.constructor('{c}')()}}}}</div>",
    "{{{{config.__class__.__init__.__globals__}}}}<svg onload={c}>",
    # odd parsers and old browsers
    "<xmp><img src=x onerror={c}></xmp>",
    "<noembed><img src=x onerror={c}></noembed>",
    "<plaintext><img src=x onerror={c}>",
    "<isindex type=image src=1 onerror={c}>",
    "<table background=\"javascript:{c}\"></table>",
    "<frameset onload={c}>",
    "<template><img src=x onerror={c}></template>",
    "<slot onclick={c}>x</slot>",
    "<dialog open onclose={c}><form method=dialog><button autofocus>x</button></form></dialog>",
    "<portal src=javascript:{c}>",
    "<object type=text/html data=\"data:text/html,<script>parent.{c}</script>\"></object>",
    "<a href=# onclick={c} id=x>x</a><script>x.click()</script>",
    "<svg><discard onbegin={c}>",
    "<img srcset=\",,,,,x\" onerror={c}>",
    "<picture><source srcset=x><img src=x onerror={c}></picture>",
    "<bdo dir=rtl onmouseover={c}>x</bdo>",
    "<keygen autofocus onfocus={c}>",
    "<svg><animatetransform onbegin={c} attributeName=transform>",
)

ALERT_TEMPLATES = (
    "<script>alert({n})</script>",
    "<img src=x onerror=alert({n})>",
    "<svg onload=confirm({n})>",
    "[x](javascript:prompt({n}))",
    "<iframe src=\"javascript:alert({n})\"></iframe>",
)


def payloads() -> list[str]:
    """The corpus; payload ``i`` calls ``__xss(i)`` (or ``alert(i)`` and friends)."""
    out: list[str] = []
    for template in TEMPLATES + ALERT_TEMPLATES:
        n = len(out)
        out.append(template.format(c=f"__xss({n})", n=n, n2=n % 10 + 48))
    return out


def short(payloads: list[str], limit: int) -> list[str]:
    """The payloads that fit a field of ``limit`` characters."""
    return [p for p in payloads if len(p) <= limit]
