package runner

import (
	"crypto/tls"
	"net/http/httptrace"
	"sync"
	"time"
)

// phases splits one exchange into phases, measured with net/http/httptrace.
// A phase that did not happen (DNS for an IP address, TLS for http, any
// of them on a reused connection) is zero.
type phases struct {
	DNS     time.Duration // name lookup
	Connect time.Duration // TCP connect
	TLS     time.Duration // TLS handshake
	// TTFB is the time from writing the request to the first response
	// byte: the server's think time plus one round trip.
	TTFB time.Duration
	// Reused is true when the exchange used a kept-alive connection.
	Reused bool
}

// tracer fills a phases from httptrace hooks. net/http may call dial hooks
// from its own goroutines, even after the request returned, hence the lock.
type tracer struct {
	mu                                   sync.Mutex
	t                                    phases
	dnsStart, connStart, tlsStart, wrote time.Time
}

func (tr *tracer) set(f func()) {
	tr.mu.Lock()
	f()
	tr.mu.Unlock()
}

// timing returns the phases measured so far.
func (tr *tracer) timing() phases {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.t
}

func (tr *tracer) hooks() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		DNSStart: func(httptrace.DNSStartInfo) { tr.set(func() { tr.dnsStart = time.Now() }) },
		DNSDone:  func(httptrace.DNSDoneInfo) { tr.set(func() { tr.t.DNS = since(tr.dnsStart) }) },
		ConnectStart: func(string, string) {
			tr.set(func() {
				if tr.connStart.IsZero() {
					tr.connStart = time.Now()
				}
			})
		},
		ConnectDone:       func(string, string, error) { tr.set(func() { tr.t.Connect = since(tr.connStart) }) },
		TLSHandshakeStart: func() { tr.set(func() { tr.tlsStart = time.Now() }) },
		TLSHandshakeDone:  func(tls.ConnectionState, error) { tr.set(func() { tr.t.TLS = since(tr.tlsStart) }) },
		GotConn:           func(i httptrace.GotConnInfo) { tr.set(func() { tr.t.Reused = i.Reused }) },
		WroteRequest:      func(httptrace.WroteRequestInfo) { tr.set(func() { tr.wrote = time.Now() }) },
		GotFirstResponseByte: func() {
			tr.set(func() { tr.t.TTFB = since(tr.wrote) })
		},
	}
}

func since(t time.Time) time.Duration {
	if t.IsZero() {
		return 0
	}
	return time.Since(t)
}
