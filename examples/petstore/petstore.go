package petstore

import (
	"crypto/rand"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Spec is the OpenAPI 3.1 document the service implements.
//
//go:embed openapi.yaml
var Spec []byte

// SpecPath is where the service serves Spec, so a client can load it by
// URL: smoke run --spec http://127.0.0.1:PORT/openapi.yaml.
const SpecPath = "/openapi.yaml"

// Options configures the service. The zero value is version 1.
type Options struct {
	// Version is 1 or 2 (0 means 1). Version 2 differs in exactly the
	// ways README.md lists: one regression, one fix.
	Version int
	// Now returns the current time for generated_at fields; nil means
	// time.Now.
	Now func() time.Time
}

// Pet is one pet of the store.
type Pet struct {
	ID   int64   `json:"id"`
	Name string  `json:"name"`
	Tag  *string `json:"tag"`
}

type newPet struct {
	Name *string `json:"name"`
	Tag  *string `json:"tag"`
}

type store struct {
	opts   Options
	mu     sync.Mutex
	pets   []Pet // ordered by id
	next   int64
	labels map[int64]map[string]string
	tags   map[string]string // name -> code
	visits int64             // appointments booked
}

// New returns the service: an in-memory store seeded with three pets
// (1 Rex the dog, 2 Tom the cat, 3 Nemo the fish), fresh for every call.
func New(opts Options) http.Handler {
	if opts.Version == 0 {
		opts.Version = 1
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	tag := func(s string) *string { return &s }
	s := &store{opts: opts, next: 4, pets: []Pet{
		{ID: 1, Name: "Rex", Tag: tag("dog")},
		{ID: 2, Name: "Tom", Tag: tag("cat")},
		{ID: 3, Name: "Nemo", Tag: tag("fish")},
	}, labels: map[int64]map[string]string{},
		// A tag an earlier run left: a fixed name collides with it.
		tags: map[string]string{"smoke": "SM0001"}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /pets", s.list)
	mux.HandleFunc("POST /pets", s.create)
	mux.HandleFunc("GET /pets/{petId}", s.get)
	mux.HandleFunc("PUT /pets/{petId}", s.update)
	mux.HandleFunc("DELETE /pets/{petId}", s.remove)
	mux.HandleFunc("PUT /pets/{petId}/labels", s.setLabels)
	mux.HandleFunc("POST /appointments", s.book)
	mux.HandleFunc("POST /tags", s.createTag)
	mux.HandleFunc("GET /stats", s.stats)
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprint(w, "ok")
	})
	mux.HandleFunc("GET "+SpecPath, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		w.Write(Spec)
	})
	return requestID(mux)
}

// requestID sets a fresh X-Request-Id (a random UUID) on every answer: the
// per-request noise a parity diff must ignore, in both versions.
func requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", uuid())
		next.ServeHTTP(w, r)
	})
}

// uuid returns a random version-4 UUID.
func uuid() string {
	var b [16]byte
	rand.Read(b[:]) // crypto/rand.Read never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"code": status, "message": msg})
}

func (s *store) now() string { return s.opts.Now().UTC().Format(time.RFC3339Nano) }

func (s *store) list(w http.ResponseWriter, r *http.Request) {
	limit := 20
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			writeError(w, http.StatusBadRequest, "limit must be an integer from 1 to 100")
			return
		}
		limit = n
	}
	s.mu.Lock()
	items := slices.Clone(s.pets[:min(limit, len(s.pets))])
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "generated_at": s.now()})
}

func (s *store) find(id int64) int {
	return slices.IndexFunc(s.pets, func(p Pet) bool { return p.ID == id })
}

func petID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("petId"), 10, 64)
	if err != nil || id < 1 {
		writeError(w, http.StatusNotFound, "no pet "+r.PathValue("petId"))
		return 0, false
	}
	return id, true
}

func (s *store) get(w http.ResponseWriter, r *http.Request) {
	id, ok := petID(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	i := s.find(id)
	var p Pet
	if i >= 0 {
		p = s.pets[i]
	}
	s.mu.Unlock()
	if i < 0 {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no pet %d", id))
		return
	}
	if s.opts.Version == 2 {
		// The v2 regression: the tag field went missing from this one
		// endpoint. The schema allows it (tag is optional), so only a
		// parity diff catches it.
		writeJSON(w, http.StatusOK, map[string]any{"id": p.ID, "name": p.Name})
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func decodePet(w http.ResponseWriter, r *http.Request) (newPet, bool) {
	var in newPet
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
	if err := dec.Decode(&in); err != nil || in.Name == nil || *in.Name == "" {
		writeError(w, http.StatusBadRequest, "want a JSON object with a non-empty name")
		return in, false
	}
	return in, true
}

func (s *store) create(w http.ResponseWriter, r *http.Request) {
	in, ok := decodePet(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	p := Pet{ID: s.next, Name: *in.Name, Tag: in.Tag}
	s.next++
	s.pets = append(s.pets, p)
	s.mu.Unlock()
	w.Header().Set("Location", fmt.Sprintf("/pets/%d", p.ID))
	writeJSON(w, http.StatusCreated, p)
}

func (s *store) update(w http.ResponseWriter, r *http.Request) {
	id, ok := petID(w, r)
	if !ok {
		return
	}
	in, ok := decodePet(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	i := s.find(id)
	var p Pet
	if i >= 0 {
		s.pets[i] = Pet{ID: id, Name: *in.Name, Tag: in.Tag}
		p = s.pets[i]
	}
	s.mu.Unlock()
	if i < 0 {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no pet %d", id))
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *store) remove(w http.ResponseWriter, r *http.Request) {
	id, ok := petID(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	i := s.find(id)
	if i >= 0 {
		s.pets = slices.Delete(s.pets, i, i+1)
	}
	s.mu.Unlock()
	if i < 0 {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no pet %d", id))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// setLabels rejects an empty label set, as Alertmanager does: the
// schema allows one, the service does not.
func (s *store) setLabels(w http.ResponseWriter, r *http.Request) {
	id, ok := petID(w, r)
	if !ok {
		return
	}
	var labels map[string]string
	if err := json.NewDecoder(r.Body).Decode(&labels); err != nil {
		writeError(w, http.StatusBadRequest, "body: "+err.Error())
		return
	}
	if len(labels) == 0 {
		writeError(w, http.StatusUnprocessableEntity, "at least one label is required")
		return
	}
	s.mu.Lock()
	found := s.find(id) >= 0
	if found {
		s.labels[id] = labels
	}
	s.mu.Unlock()
	if !found {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no pet %d", id))
		return
	}
	writeJSON(w, http.StatusOK, labels)
}

// book accepts an appointment only in the future, ending after it starts.
func (s *store) book(w http.ResponseWriter, r *http.Request) {
	var in struct {
		PetID    int64     `json:"petId"`
		StartsAt time.Time `json:"startsAt"`
		EndsAt   time.Time `json:"endsAt"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusUnprocessableEntity, "body: "+err.Error())
		return
	}
	now := s.opts.Now()
	switch {
	case !in.StartsAt.After(now):
		writeError(w, http.StatusUnprocessableEntity, "startsAt must be in the future")
		return
	case !in.EndsAt.After(in.StartsAt):
		writeError(w, http.StatusUnprocessableEntity, "endsAt must be after startsAt")
		return
	}
	s.mu.Lock()
	found := s.find(in.PetID) >= 0
	s.visits++
	id := s.visits
	s.mu.Unlock()
	if !found {
		writeError(w, http.StatusUnprocessableEntity, fmt.Sprintf("no pet %d", in.PetID))
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": id, "petId": in.PetID,
		"startsAt": in.StartsAt.UTC().Format(time.RFC3339), "endsAt": in.EndsAt.UTC().Format(time.RFC3339)})
}

var tagCode = regexp.MustCompile(`^[A-Z]{2}[0-9]+$`)

// createTag keeps tag names unique and codes to their pattern.
func (s *store) createTag(w http.ResponseWriter, r *http.Request) {
	var in struct{ Name, Code string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusUnprocessableEntity, "body: "+err.Error())
		return
	}
	if len(in.Code) < 6 || !tagCode.MatchString(in.Code) {
		writeError(w, http.StatusUnprocessableEntity, fmt.Sprintf("code %q: want two capitals and digits, six characters at least", in.Code))
		return
	}
	s.mu.Lock()
	_, dup := s.tags[in.Name]
	if !dup {
		s.tags[in.Name] = in.Code
	}
	s.mu.Unlock()
	if dup {
		writeError(w, http.StatusConflict, fmt.Sprintf("tag %q exists", in.Name))
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"name": in.Name, "code": in.Code})
}

func (s *store) stats(w http.ResponseWriter, r *http.Request) {
	if s.opts.Version == 1 {
		// The v1 bug that v2 fixes.
		writeError(w, http.StatusInternalServerError, "stats: cache not warmed up")
		return
	}
	s.mu.Lock()
	byTag := map[string]int{}
	for _, p := range s.pets {
		if p.Tag != nil {
			byTag[*p.Tag]++
		}
	}
	n := len(s.pets)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"count": n, "by_tag": byTag, "generated_at": s.now()})
}

// WriteSpec writes Spec to dir/openapi.yaml and returns the file's path,
// for tools that want a file rather than a URL.
func WriteSpec(dir string) (string, error) {
	p := filepath.Join(dir, "openapi.yaml")
	if err := os.WriteFile(p, Spec, 0o644); err != nil {
		return "", fmt.Errorf("write petstore spec: %w", err)
	}
	return p, nil
}
