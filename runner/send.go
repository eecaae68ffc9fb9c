package runner

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/smoke-dev/smoke/generator"
)

// Send performs one exchange of check c against baseURL, with the
// Runner's timeout, rate limit and retries, and returns the captured
// answer. The error reports a transport-level failure (refused, reset,
// timeout, TLS); any HTTP answer, 5xx included, is a Response. A body
// longer than MaxBodyBytes is a Response with Truncated set. User
// information in baseURL is sent as HTTP Basic authentication, as with
// Options.BaseURL. A write that would name a resource the run did not
// create (generator.ForeignPath) is not sent: the error says so.
func (r *Runner) Send(ctx context.Context, baseURL string, c generator.Check) (*Response, error) {
	if note := generator.Untouchable(c); note != "" {
		return nil, fmt.Errorf("%s %s: %s", c.Method, c.Path, r.maskerFor(c).Mask(note))
	}
	base, auth, err := splitBase(baseURL)
	if err != nil {
		return nil, err
	}
	c = r.render(c)
	c = withAuth(c, auth)
	u, err := generator.JoinURL(base, c.Request.URL)
	if err != nil {
		return nil, err
	}
	target := u.String()
	resp, err := r.send(ctx, target, c)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %s", c.Method, r.mask(c, target), r.mask(c, describe(err, r.opts.Timeout)))
	}
	return resp, nil
}

// send runs the exchange with retries.
func (r *Runner) send(ctx context.Context, target string, c generator.Check) (*Response, error) {
	for attempt := 0; ; attempt++ {
		resp, err := r.attempt(ctx, target, c)
		if attempt >= r.opts.Retries || ctx.Err() != nil || !retryable(resp, err) {
			return resp, err
		}
		wait := backoff(attempt, resp, time.Now())
		if r.debug(ctx) {
			r.log.Debug("retry", "method", c.Method, "url", r.mask(c, target), "attempt", attempt+1, "wait", wait)
		}
		if err := r.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// retryable reports whether an exchange may be repeated: connection
// errors before any answer, and 429 / 503.
func retryable(resp *Response, err error) bool {
	if err != nil {
		return isConnError(err)
	}
	return resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable
}

// Backoff bounds.
const (
	backoffBase = 250 * time.Millisecond
	backoffMax  = 10 * time.Second
)

// backoff returns the wait before retry attempt+1: Retry-After when the
// server sent one (capped), else exponential from backoffBase.
func backoff(attempt int, resp *Response, now time.Time) time.Duration {
	if resp != nil {
		if d, ok := retryAfter(resp.Header.Get("Retry-After"), now); ok {
			return min(d, backoffMax)
		}
	}
	d := backoffBase << min(attempt, 10)
	return min(d, backoffMax)
}

// retryAfter parses a Retry-After value: seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		// Capped before converting: a huge value would overflow Duration.
		return time.Duration(min(n, 24*60*60)) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// attempt performs one HTTP exchange under the per-request timeout.
func (r *Runner) attempt(ctx context.Context, target string, c generator.Check) (*Response, error) {
	if r.limiter != nil {
		if err := r.limiter.Wait(ctx); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
	defer cancel()
	// Phases are measured only when someone reads them: the hooks cost
	// more than a loopback exchange's parsing.
	var tr *tracer
	if r.debug(ctx) {
		tr = &tracer{}
		ctx = httptrace.WithClientTrace(ctx, tr.hooks())
	}

	client := r.client
	if c.Request.Body == nil && (c.Method == http.MethodGet || c.Method == http.MethodHead || c.Method == http.MethodOptions) {
		client = r.bodiless
	}
	req := client.R().SetContext(ctx)
	if client == r.bodiless && len(c.Request.Headers) == 0 && len(c.Request.Cookies) == 0 && r.plainHeader != nil {
		// Shared and only read: resty clones it into the http.Request.
		req.Header = r.plainHeader
	} else {
		r.requestHeader(req.Header, c)
	}
	if c.Request.Body != nil {
		req.SetBody([]byte(c.Request.Body.Text))
	}

	start := time.Now()
	rr, err := req.Execute(c.Method, target)
	if err != nil {
		return nil, err
	}
	raw := rr.RawResponse
	defer raw.Body.Close()
	var (
		body      []byte
		truncated bool
		stream    string
	)
	if doc, ok := c.Expect.Match(raw.StatusCode); ok && doc.Stream != "" {
		// A stream may never end: its first record is the answer, and
		// closing the body ends the exchange.
		stream = doc.Stream
		body, truncated, err = readFirstRecord(raw, r.opts.MaxBodyBytes, stream)
	} else {
		body, truncated, err = readBody(raw, r.opts.MaxBodyBytes)
	}
	if err != nil {
		return nil, &bodyError{read: int64(len(body)), err: err}
	}
	total := time.Since(start)
	if tr != nil {
		tm := tr.timing()
		r.log.Debug("timing", "method", c.Method, "url", r.mask(c, target), "status", raw.StatusCode,
			"dns", tm.DNS, "connect", tm.Connect, "tls", tm.TLS, "ttfb", tm.TTFB, "total", total, "reused", tm.Reused)
	}
	return &Response{
		StatusCode: raw.StatusCode,
		Header:     raw.Header,
		Body:       body,
		Truncated:  truncated,
		Duration:   total,
		Stream:     stream,
	}, nil
}

// requestHeader fills h with the headers of check c: its own, its
// cookies, its body's Content-Type, then Options.Headers, which replace
// those of the same name, and the User-Agent unless one is set.
func (r *Runner) requestHeader(h http.Header, c generator.Check) http.Header {
	for _, p := range c.Request.Headers {
		h.Add(p.Name, p.Value)
	}
	if len(c.Request.Cookies) > 0 {
		parts := make([]string, 0, len(c.Request.Cookies))
		for _, ck := range c.Request.Cookies {
			parts = append(parts, ck.Name+"="+ck.Value)
		}
		h.Set("Cookie", strings.Join(parts, "; "))
	}
	if c.Request.Body != nil && c.Request.Body.ContentType != "" {
		h.Set("Content-Type", c.Request.Body.ContentType)
	}
	for name, vals := range r.opts.Headers {
		h.Del(name)
		for _, v := range vals {
			h.Add(name, v)
		}
	}
	if h.Get("User-Agent") == "" {
		h.Set("User-Agent", r.opts.UserAgent)
	}
	return h
}

// readBody reads at most limit bytes of the decoded body. Transparent
// gzip (the transport's own) and an explicit Content-Encoding of gzip or
// deflate (a check that set Accept-Encoding itself, or a server that
// compresses unasked) are decoded through the same limit, so a
// compression bomb costs at most limit bytes of memory. A body this
// decodes loses its Content-Encoding and Content-Length headers, as with
// the transport's own decoding, so nothing downstream decodes it again;
// other encodings (br, zstd, stacked codings) stay as they came.
func readBody(resp *http.Response, limit int64) (body []byte, truncated bool, err error) {
	// limit+1 below must not overflow: --max-body-bytes 9223372036854775807
	// means "no limit", not an empty body.
	limit = min(max(limit, 0), math.MaxInt64-1)
	rd, done, err := decodedBody(resp)
	if err != nil {
		return nil, false, err
	}
	defer done()
	size := 512
	if resp.ContentLength >= 0 && rd == resp.Body && !resp.Uncompressed {
		// +1 sees EOF without growing. The server's Content-Length is a
		// hint, not a promise: what is allocated before anything is read
		// stays within the default limit.
		size = int(min(resp.ContentLength, limit, maxPrealloc)) + 1
	}
	buf, err := readAll(rd, limit+1, size)
	if err != nil {
		return buf, false, err
	}
	if int64(len(buf)) > limit {
		return buf[:limit], true, nil
	}
	return buf, false, nil
}

// decodedBody returns the body as readBody reads it: decoded when its
// Content-Encoding is one smoke decodes (the headers then say so), and
// what to call once done.
func decodedBody(resp *http.Response) (io.Reader, func(), error) {
	if resp.Uncompressed {
		return resp.Body, func() {}, nil
	}
	dec, err := contentDecoder(resp.Header.Get("Content-Encoding"), resp.Body)
	if err != nil || dec == nil {
		return resp.Body, func() {}, err
	}
	resp.Header.Del("Content-Encoding")
	resp.Header.Del("Content-Length")
	return dec, func() { dec.Close() }, nil
}

// readFirstRecord reads the first record of a streamed body (see
// generator.StreamKind), within limit bytes: the first JSON value of a
// JSON stream, the first event of server-sent events (up to its blank
// line). Whatever follows is not read. A body that ends before a whole
// record is returned as it came, for the assertions to judge.
func readFirstRecord(resp *http.Response, limit int64, kind string) (body []byte, truncated bool, err error) {
	limit = min(max(limit, 0), math.MaxInt64-1)
	rd, done, err := decodedBody(resp)
	if err != nil {
		return nil, false, err
	}
	defer done()
	lr := &io.LimitedReader{R: rd, N: limit + 1}
	if kind == generator.StreamSSE {
		br := bufio.NewReader(lr)
		var event bytes.Buffer
		for {
			line, err := br.ReadSlice('\n')
			event.Write(line)
			if len(bytes.TrimRight(line, "\r\n")) == 0 && len(bytes.TrimSpace(event.Bytes())) > 0 && err == nil {
				return within(bytes.TrimRight(event.Bytes(), "\r\n"), limit)
			}
			if err == bufio.ErrBufferFull {
				continue
			}
			if err != nil {
				return recordEnd(event.Bytes(), lr, limit, err)
			}
		}
	}
	// What the decoder read is kept for the answer it cannot decode.
	var seen bytes.Buffer
	lr.R = io.TeeReader(rd, &seen)
	dec := json.NewDecoder(lr)
	var first json.RawMessage
	if err := dec.Decode(&first); err != nil {
		// Not JSON, empty, or cut short: what came is what is judged.
		return recordEnd(seen.Bytes(), lr, limit, err)
	}
	return within(first, limit)
}

// within bounds a record read through limit+1 bytes: one that fills them
// is over the limit.
func within(record []byte, limit int64) ([]byte, bool, error) {
	if int64(len(record)) > limit {
		return record[:limit], true, nil
	}
	return record, false, nil
}

// recordEnd is readFirstRecord's answer when the body ended (or failed)
// before a whole record: what came, truncated at the limit.
func recordEnd(got []byte, lr *io.LimitedReader, limit int64, err error) ([]byte, bool, error) {
	if lr.N <= 0 {
		return got[:min(int64(len(got)), limit)], true, nil
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF || errors.As(err, new(*json.SyntaxError)) {
		return got, false, nil
	}
	return got, false, err
}

// maxPrealloc bounds the buffer readBody allocates from Content-Length
// before reading; a longer body grows it as it arrives.
const maxPrealloc = DefaultMaxBodyBytes

// contentDecoder returns a reader that decodes r as the Content-Encoding
// says, or nil for identity, an empty body (a HEAD, 204 or 304 answer
// that names its GET's encoding) and encodings it does not decode.
// Deflate is zlib-wrapped (RFC 9110); servers that send raw DEFLATE are
// read too.
func contentDecoder(encoding string, r io.Reader) (io.ReadCloser, error) {
	enc := strings.ToLower(strings.TrimSpace(encoding))
	if enc != "gzip" && enc != "x-gzip" && enc != "deflate" {
		return nil, nil
	}
	br := bufio.NewReaderSize(r, 512)
	head, err := br.Peek(2)
	if len(head) == 0 {
		if err == io.EOF {
			return nil, nil
		}
		return nil, fmt.Errorf("%s: %w", enc, err)
	}
	switch {
	case enc != "deflate":
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		return zr, nil
	case len(head) == 2 && isZlibHeader(head):
		zr, err := zlib.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("deflate: %w", err)
		}
		return zr, nil
	}
	return flate.NewReader(br), nil
}

// isZlibHeader reports whether h starts a zlib stream: compression method
// 8 (deflate), a window of at most 32 KiB, and the header checksum.
func isZlibHeader(h []byte) bool {
	return h[0]&0x0f == 8 && h[0]>>4 <= 7 && (uint16(h[0])<<8|uint16(h[1]))%31 == 0
}

// readAll is io.ReadAll of at most n bytes, starting from a buffer of the
// expected size.
func readAll(r io.Reader, n int64, size int) ([]byte, error) {
	b := make([]byte, 0, size)
	for int64(len(b)) < n {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		m, err := r.Read(b[len(b):int(min(int64(cap(b)), n))])
		b = b[:len(b)+m]
		if err != nil {
			if err == io.EOF {
				return b, nil
			}
			return b, err
		}
	}
	return b, nil
}

// bodyError is a failure while reading the body: the status line and
// headers came, the rest did not.
type bodyError struct {
	read int64
	err  error
}

func (e *bodyError) Error() string {
	return fmt.Sprintf("read body after %s: %v", ByteSize(e.read), e.err)
}

func (e *bodyError) Unwrap() error { return e.err }

// isConnError reports an error that happened before any answer: refused,
// no route, DNS. Such a request never reached the service.
func isConnError(err error) bool {
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH) {
		return true
	}
	if _, ok := errors.AsType[*net.DNSError](err); ok {
		return true
	}
	if op, ok := errors.AsType[*net.OpError](err); ok && op.Op == "dial" {
		return !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, os.ErrDeadlineExceeded)
	}
	return false
}

// describe turns a transport error into the message a user reads.
func describe(err error, timeout time.Duration) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		if be, ok := errors.AsType[*bodyError](err); ok {
			return fmt.Sprintf("timed out after %s while reading the body (%s read)", timeout, ByteSize(be.read))
		}
		return fmt.Sprintf("timed out after %s: no answer", timeout)
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused: " + err.Error()
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset by the server: " + err.Error()
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed before a complete answer: " + err.Error()
	}
	return err.Error()
}

// ByteSize renders a byte count for messages ("4 MiB", "512 KiB", "100
// bytes"), as body limits are shown in every report.
func ByteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
