# Varnish in front of Folio: caches public reads, purged by tag (xkey) when Folio publishes.
#
# Replace the two placeholders with where Folio listens before loading, for example
#   sed -e 's/@FOLIO_HOST@/127.0.0.1/' -e 's/@FOLIO_PORT@/8000/' folio.vcl > /etc/varnish/default.vcl
# and point Folio at this Varnish: FOLIO_PURGE_VARNISH=http://VARNISH_HOST:PORT.
# Needs varnish 6 or later and varnish-modules (vmod xkey). See README, "Behind a CDN".
vcl 4.1;

import xkey;

backend folio {
    .host = "@FOLIO_HOST@";
    .port = "@FOLIO_PORT@";
    .connect_timeout = 2s;
    .first_byte_timeout = 90s;  # a cold handout renders for a few seconds
}

# Who may purge: Folio's hosts. Loopback by default; add the addresses Folio's replicas send from.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(405, "Not allowed."));
        }
        # Folio sends the tags space-separated in xkey-purge (api/purge.py); xkey is the vmod's
        # own example, accepted too.
        if (req.http.xkey-purge) {
            set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        } elsif (req.http.xkey) {
            set req.http.n-gone = xkey.purge(req.http.xkey);
        } else {
            return (synth(400, "Name the tags to purge in an xkey-purge header."));
        }
        return (synth(200, "Purged " + req.http.n-gone + " objects."));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Drafts, the desk and anything else a person signed in for: never shared.
    if (req.http.Authorization || req.http.Cookie) {
        return (pass);
    }
    # A purge must not be dodged by a client: the tags are Folio's word only.
    unset req.http.xkey-purge;
    return (hash);
}

# The default hash (URL and Host) is kept; the answers for one URL are told apart by the headers
# Folio's Vary names (Accept-Encoding, Accept-Language, Origin), which Varnish honours itself.

sub vcl_backend_response {
    # Only what Folio tagged is kept: what it cannot purge, Varnish does not keep (problem details,
    # health, drafts, packets). Folio's own Cache-Control decides for how long (max-age), and its
    # stale-while-revalidate becomes the grace Varnish serves stale in while it refetches.
    if (!beresp.http.Surrogate-Key || beresp.http.Set-Cookie) {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    set beresp.http.xkey = beresp.http.Surrogate-Key;
    # An expired copy is kept a day to revalidate with If-None-Match: Folio answers 304 cheaply.
    set beresp.keep = 1d;
    return (deliver);
}

sub vcl_deliver {
    unset resp.http.xkey;
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
