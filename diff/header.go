package diff

import (
	"mime"
	"net/http"
	"slices"
	"strings"
)

// skippedHeaders are never compared: they describe the connection, the
// proxy or the server software, all of which a migration changes by
// design. A trailing "*" matches any suffix.
var skippedHeaders = []string{
	"Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "Te", "Trailer", "Upgrade",
	"Content-Length", "Content-Encoding", "Accept-Ranges", "Vary",
	"Server", "Via", "X-Powered-By", "X-Aspnet-Version", "X-Aspnetmvc-Version",
	"Alt-Svc", "Age", "Server-Timing", "Nel", "Report-To", "Reporting-Endpoints",
	"X-Cache", "X-Cache-Hits", "X-Served-By", "X-Timer", "Cf-Ray", "Cf-Cache-Status",
	"X-Envoy-*", "X-Amzn-Remapped-*", "X-Kong-*",
}

// presenceHeaders are compared by presence only: their values differ on
// every request (dates, request and trace ids, rate-limit counters).
var presenceHeaders = []string{
	"Date", "Expires", "Last-Modified", "Etag",
	"X-Request-Id", "Request-Id", "X-Correlation-Id", "X-Github-Request-Id",
	"X-Amzn-Requestid", "X-Amzn-Trace-Id", "X-Amz-Request-Id", "X-Amz-Id-2",
	"X-Amz-Cf-Id", "X-Amz-Cf-Pop", "X-Amz-Apigw-Id",
	"Traceparent", "Tracestate", "Baggage", "Sentry-Trace", "Uber-Trace-Id",
	"X-B3-*", "X-Trace-Id", "X-Cloud-Trace-Context", "X-Datadog-*",
	"X-Runtime", "X-Response-Time",
	"X-Ratelimit-Remaining", "X-Ratelimit-Reset", "X-Ratelimit-Used", "Ratelimit-Remaining", "Ratelimit-Reset",
}

// loadBalancerCookies are cookies set by load balancers and CDNs for
// stickiness or bot management; they are not part of the service.
var loadBalancerCookies = []string{
	"AWSALB*", "AWSELB*", "SERVERID", "BIGipServer*", "GCLB", "INGRESSCOOKIE",
	"ARRAffinity*", "__cf_bm", "_cfuvid", "route",
}

// matchName reports whether name matches one of the patterns,
// case-insensitively; a pattern ending in "*" matches a prefix.
func matchName(patterns []string, name string) bool {
	for _, p := range patterns {
		if prefix, ok := strings.CutSuffix(p, "*"); ok {
			if len(name) >= len(prefix) && strings.EqualFold(name[:len(prefix)], prefix) {
				return true
			}
			continue
		}
		if strings.EqualFold(p, name) {
			return true
		}
	}
	return false
}

// anyValue stands for the value of a header compared by presence only.
const anyValue = "(any value)"

// normaliseHeaders returns the headers to compare, by canonical name:
// skipped headers are dropped, presence-only headers have the value
// anyValue, Content-Type is parsed and rewritten, Set-Cookie is reduced to
// the names of the cookies the service (not a load balancer) sets.
// presence adds header patterns compared by presence only.
func normaliseHeaders(h http.Header, presence []string) map[string]string {
	out := make(map[string]string, len(h))
	for name, values := range h {
		name = http.CanonicalHeaderKey(name)
		switch {
		case matchName(skippedHeaders, name):
			continue
		case matchName(presenceHeaders, name), matchName(presence, name):
			out[name] = anyValue
		case name == "Set-Cookie":
			if v := cookieNames(values); v != "" {
				out[name] = v
			}
		case name == "Content-Type":
			out[name] = normaliseMediaType(strings.Join(values, ", "))
		case matchName(tokenListHeaders, name):
			out[name] = normaliseTokenList(values)
		default:
			out[name] = strings.TrimSpace(strings.Join(values, ", "))
		}
	}
	return out
}

// tokenListHeaders hold comma-separated, case-insensitive tokens whose
// order carries no meaning.
var tokenListHeaders = []string{
	"Allow", "Cache-Control", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers",
	"Access-Control-Expose-Headers",
}

// normaliseTokenList lowercases, trims and sorts the tokens of a list
// header: "no-store, No-Cache" equals "no-cache,no-store".
func normaliseTokenList(values []string) string {
	var toks []string
	for _, v := range values {
		for _, t := range strings.Split(v, ",") {
			if t = strings.ToLower(strings.TrimSpace(t)); t != "" {
				toks = append(toks, t)
			}
		}
	}
	slices.Sort(toks)
	return strings.Join(slices.Compact(toks), ", ")
}

// cookieNames lists the names of the cookies set, load-balancer cookies
// aside; values differ per session and are never compared.
func cookieNames(values []string) string {
	var names []string
	for _, v := range values {
		name, _, _ := strings.Cut(v, "=")
		name = strings.TrimSpace(name)
		if name == "" || matchName(loadBalancerCookies, name) {
			continue
		}
		names = append(names, name)
	}
	slices.Sort(names)
	return strings.Join(slices.Compact(names), "; ")
}

// normaliseMediaType lowercases a media type and orders its parameters,
// so "application/json; charset=UTF-8" equals "application/json;charset=utf-8".
func normaliseMediaType(v string) string {
	mt, params, err := mime.ParseMediaType(v)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(v))
	}
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteString(mt)
	for _, k := range keys {
		val := params[k]
		if k == "charset" {
			val = strings.ToLower(val)
		}
		b.WriteString("; " + k + "=" + val)
	}
	return b.String()
}

// headers records the header differences between two normalised header
// sets.
func (c *comparer) headers(a, b map[string]string) {
	for _, n := range unionKeys(a, b) {
		av, inA := a[n]
		bv, inB := b[n]
		switch {
		case inA && inB && av == bv:
		case inA && inB:
			c.add(rawDiff{header: n, kind: KindHeader, old: av, new: bv, hasOld: true, hasNew: true})
		case inA:
			c.add(rawDiff{header: n, kind: KindHeader, old: av, hasOld: true})
		default:
			c.add(rawDiff{header: n, kind: KindHeader, new: bv, hasNew: true})
		}
	}
}
