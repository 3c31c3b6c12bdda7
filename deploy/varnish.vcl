vcl 4.1;
# Varnish in front of discuss (docs/operations.md, "A shared cache in front"):
# public thread reads are kept and served here, and `discuss purge-relay` drops
# each one the moment a commit changes its thread (xkey, by surrogate key), so a
# reader never sees a page older than the last purge. Everything else passes.
#
# The backends and who may purge are the installation's: this file includes
# `discuss-backends.vcl`, which defines `sub discuss_backend` (choose
# req.backend_hint) and `acl discuss_purgers`. deploy/varnish-backends.vcl is
# the compose file's; the tests and benchmarks write their own.

import xkey;

include "discuss-backends.vcl";

sub vcl_recv {
    call discuss_backend;
    if (req.method == "PURGE") {
        if (client.ip !~ discuss_purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "No xkey-purge header"));
        }
        set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.n-gone));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Public thread reads never depend on who asks: the app answers them with the
    # public page and sets no cookie, so cookies and credentials go and every reader
    # shares them. Accept-Language and Origin stay: the app's Vary keeps a variant
    # per value. Other reads go on to the built-in rules (a request with a cookie
    # or credentials passes).
    if (req.url ~ "^/api/v1/sites/[^/?]+/threads/") {
        unset req.http.Cookie;
        unset req.http.Authorization;
        return (hash);
    }
}

sub vcl_backend_response {
    # Keep only what the app marks public (thread reads, the widget's script and
    # words); anything else (an error, a page with no Cache-Control) is never kept,
    # whatever Varnish's default TTL would say.
    if (beresp.http.Cache-Control !~ "(^|[ ,])public([ ,]|$)" || beresp.http.Set-Cookie) {
        set beresp.uncacheable = true;
        set beresp.ttl = 0s;
        return (deliver);
    }
    # xkey indexes each object by the space-separated keys in this header.
    set beresp.http.xkey = beresp.http.Surrogate-Key;
}

sub vcl_deliver {
    unset resp.http.xkey;
    # A kept answer's request id is the request that fetched it, not this one's.
    if (obj.hits > 0) {
        unset resp.http.X-Request-Id;
    }
}
