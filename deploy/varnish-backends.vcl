# docker-compose.yml's `discuss-backends.vcl` for deploy/varnish.vcl: the compose
# mounts this file as /etc/varnish/discuss-backends.vcl in the `cache` service.
#
# Varnish resolves the host names once, when it loads this VCL, and refuses a name
# with more than one address: the cache is on the `edge` network only, so web1 and
# web2 resolve to their fixed edge addresses (docker-compose.yml), the same after a
# web container is recreated.

import directors;

# /healthz, not /readyz. The two instances share every dependency /readyz checks
# (one PostgreSQL, one Redis), so a failing check fails both at once and Varnish
# would have no backend left: a Redis outage, which the app rides out (rate limits
# per process), would turn every read the cache has not kept into a 503 from
# Varnish. What tells the instances apart is a process that stops answering, which
# /healthz (liveness: touches nothing external) catches. Readiness still gates the
# start: the cache starts only once both instances pass /readyz (depends_on).
# The probe's Host is the backend's name (web1, web2): in DISCUSS_TRUSTED_HOSTS.
probe discuss_alive {
    .url = "/healthz";
    .expected_response = 200;
    .interval = 5s;
    .timeout = 2s;
    # Sick after 3 failures in the last 5 probes; healthy again after 3 successes.
    .window = 5;
    .threshold = 3;
}

backend web1 {
    .host = "web1";
    .port = "8000";
    .probe = discuss_alive;
    .connect_timeout = 1s;
    # nginx's proxy_read_timeout and gunicorn's worker timeout: 30 s.
    .first_byte_timeout = 30s;
}

backend web2 {
    .host = "web2";
    .port = "8000";
    .probe = discuss_alive;
    .connect_timeout = 1s;
    .first_byte_timeout = 30s;
}

sub vcl_init {
    # Each fetch goes to the next healthy instance in turn; a sick one is skipped.
    new discuss_webs = directors.round_robin();
    discuss_webs.add_backend(web1);
    discuss_webs.add_backend(web2);
}

sub discuss_backend {
    set req.backend_hint = discuss_webs.backend();
}

# Purges come from `discuss purge-relay` alone, at its fixed address on the edge
# network (docker-compose.yml, service purge-relay); the proxy (172.30.0.10) and
# everything else get 403.
acl discuss_purgers {
    "172.30.0.12";
}
