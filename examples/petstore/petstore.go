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
	// ReplicaLag makes the first read of an owner's pet that was just
	// created answer 404, as a read replica that lags behind the primary
	// does. Version 2 always lags.
	ReplicaLag bool
}

// Owner is one owner of the store, with pets of their own.
type Owner struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
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
	opts Options
	mu   sync.Mutex
	pets []Pet // ordered by id
	next int64
	// Labels per pet, tags by name (name -> code), appointments booked
	// (ids of those not cancelled).
	labels map[int64]map[string]string
	tags   map[string]string
	visits int64
	booked map[int64]bool
	// Owners and their pets, ordered by id; a pet's id is its owner's.
	owners    []Owner
	ownerPets map[int64][]Pet
	nextOwner int64
	// unread are the owners' pets created and not read yet (replica lag).
	unread map[[2]int64]bool
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
	if opts.Version == 2 {
		opts.ReplicaLag = true
	}
	tag := func(s string) *string { return &s }
	s := &store{opts: opts, next: 4, pets: []Pet{
		{ID: 1, Name: "Rex", Tag: tag("dog")},
		{ID: 2, Name: "Tom", Tag: tag("cat")},
		{ID: 3, Name: "Nemo", Tag: tag("fish")},
	},
		labels: map[int64]map[string]string{},
		booked: map[int64]bool{},
		// A tag an earlier run left: a fixed name collides with it.
		tags:      map[string]string{"smoke": "SM0001"},
		owners:    []Owner{{ID: 1, Name: "Grace"}},
		ownerPets: map[int64][]Pet{1: {{ID: 1, Name: "Bella", Tag: tag("dog")}}},
		nextOwner: 2,
		unread:    map[[2]int64]bool{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /pets", s.list)
	mux.HandleFunc("POST /pets", s.create)
	mux.HandleFunc("GET /pets/{petId}", s.get)
	mux.HandleFunc("PUT /pets/{petId}", s.update)
	mux.HandleFunc("DELETE /pets/{petId}", s.remove)
	mux.HandleFunc("PUT /pets/{petId}/labels", s.setLabels)
	mux.HandleFunc("POST /appointments", s.book)
	mux.HandleFunc("DELETE /appointments/{appointmentId}", s.cancel)
	mux.HandleFunc("POST /tags", s.createTag)
	mux.HandleFunc("DELETE /tags/{name}", s.deleteTag)
	mux.HandleFunc("GET /owners", s.listOwners)
	mux.HandleFunc("POST /owners", s.createOwner)
	mux.HandleFunc("GET /owners/{ownerId}", s.getOwner)
	mux.HandleFunc("DELETE /owners/{ownerId}", s.deleteOwner)
	mux.HandleFunc("GET /owners/{ownerId}/pets", s.listOwnerPets)
	mux.HandleFunc("POST /owners/{ownerId}/pets", s.addOwnerPet)
	mux.HandleFunc("GET /owners/{ownerId}/pets/{petId}", s.getOwnerPet)
	mux.HandleFunc("DELETE /owners/{ownerId}/pets/{petId}", s.removeOwnerPet)
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

// withPet runs fn, under the lock, on the index of pet id. When there is
// no such pet it answers 404 and returns false.
func (s *store) withPet(w http.ResponseWriter, id int64, fn func(i int)) bool {
	s.mu.Lock()
	i := s.find(id)
	if i >= 0 {
		fn(i)
	}
	s.mu.Unlock()
	if i < 0 {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no pet %d", id))
		return false
	}
	return true
}

func (s *store) get(w http.ResponseWriter, r *http.Request) {
	id, ok := petID(w, r)
	if !ok {
		return
	}
	var p Pet
	if !s.withPet(w, id, func(i int) { p = s.pets[i] }) {
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
	p := Pet{ID: id, Name: *in.Name, Tag: in.Tag}
	if s.withPet(w, id, func(i int) { s.pets[i] = p }) {
		writeJSON(w, http.StatusOK, p)
	}
}

func (s *store) remove(w http.ResponseWriter, r *http.Request) {
	id, ok := petID(w, r)
	if !ok {
		return
	}
	if s.withPet(w, id, func(i int) { s.pets = slices.Delete(s.pets, i, i+1) }) {
		w.WriteHeader(http.StatusNoContent)
	}
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
	if s.withPet(w, id, func(int) { s.labels[id] = labels }) {
		writeJSON(w, http.StatusOK, labels)
	}
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
	if found {
		s.booked[id] = true
	}
	s.mu.Unlock()
	if !found {
		writeError(w, http.StatusUnprocessableEntity, fmt.Sprintf("no pet %d", in.PetID))
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": id, "petId": in.PetID,
		"startsAt": in.StartsAt.UTC().Format(time.RFC3339), "endsAt": in.EndsAt.UTC().Format(time.RFC3339)})
}

// cancel removes a booked appointment.
func (s *store) cancel(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("appointmentId"), 10, 64)
	s.mu.Lock()
	found := err == nil && s.booked[id]
	delete(s.booked, id)
	s.mu.Unlock()
	if !found {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no appointment %s", r.PathValue("appointmentId")))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// deleteTag removes a tag by name.
func (s *store) deleteTag(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	s.mu.Lock()
	_, found := s.tags[name]
	delete(s.tags, name)
	s.mu.Unlock()
	if !found {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no tag %q", name))
		return
	}
	w.WriteHeader(http.StatusNoContent)
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

func (s *store) listOwners(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	items := slices.Clone(s.owners)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (s *store) createOwner(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name *string `json:"name"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
	if err := dec.Decode(&in); err != nil || in.Name == nil || *in.Name == "" {
		writeError(w, http.StatusBadRequest, "want a JSON object with a non-empty name")
		return
	}
	s.mu.Lock()
	o := Owner{ID: s.nextOwner, Name: *in.Name}
	s.nextOwner++
	s.owners = append(s.owners, o)
	s.mu.Unlock()
	w.Header().Set("Location", fmt.Sprintf("/owners/%d", o.ID))
	writeJSON(w, http.StatusCreated, o)
}

// owner finds the owner of the request's ownerId; the caller holds s.mu.
func (s *store) owner(r *http.Request) (int, int64) {
	id, err := strconv.ParseInt(r.PathValue("ownerId"), 10, 64)
	if err != nil {
		return -1, 0
	}
	return slices.IndexFunc(s.owners, func(o Owner) bool { return o.ID == id }), id
}

// withOwner runs fn, under the lock, on the index and id of the owner
// the path names. When there is no such owner it answers 404 and returns
// false.
func (s *store) withOwner(w http.ResponseWriter, r *http.Request, fn func(i int, id int64)) bool {
	s.mu.Lock()
	i, id := s.owner(r)
	if i >= 0 {
		fn(i, id)
	}
	s.mu.Unlock()
	if i < 0 {
		writeError(w, http.StatusNotFound, "no owner "+r.PathValue("ownerId"))
		return false
	}
	return true
}

func (s *store) getOwner(w http.ResponseWriter, r *http.Request) {
	var o Owner
	if s.withOwner(w, r, func(i int, _ int64) { o = s.owners[i] }) {
		writeJSON(w, http.StatusOK, o)
	}
}

func (s *store) deleteOwner(w http.ResponseWriter, r *http.Request) {
	var id int64
	pets := 0
	found := s.withOwner(w, r, func(i int, oid int64) {
		id, pets = oid, len(s.ownerPets[oid])
		if pets == 0 {
			s.owners = slices.Delete(s.owners, i, i+1)
		}
	})
	switch {
	case !found:
	case pets > 0:
		writeError(w, http.StatusConflict, fmt.Sprintf("owner %d still has %d pets", id, pets))
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *store) listOwnerPets(w http.ResponseWriter, r *http.Request) {
	items := []Pet{}
	if s.withOwner(w, r, func(_ int, id int64) { items = append(items, s.ownerPets[id]...) }) {
		writeJSON(w, http.StatusOK, map[string]any{"items": items})
	}
}

func (s *store) addOwnerPet(w http.ResponseWriter, r *http.Request) {
	var id int64
	if !s.withOwner(w, r, func(_ int, oid int64) { id = oid }) {
		return
	}
	in, ok := decodePet(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	next := int64(1)
	for _, p := range s.ownerPets[id] {
		next = max(next, p.ID+1)
	}
	p := Pet{ID: next, Name: *in.Name, Tag: in.Tag}
	s.ownerPets[id] = append(s.ownerPets[id], p)
	s.unread[[2]int64{id, p.ID}] = true
	s.mu.Unlock()
	w.Header().Set("Location", fmt.Sprintf("/owners/%d/pets/%d", id, p.ID))
	writeJSON(w, http.StatusCreated, p)
}

// ownerPet finds the request's pet of the request's owner; the caller
// holds s.mu.
func (s *store) ownerPet(r *http.Request) (owner int64, pet int) {
	i, id := s.owner(r)
	if i < 0 {
		return id, -1
	}
	pid, err := strconv.ParseInt(r.PathValue("petId"), 10, 64)
	if err != nil {
		return id, -1
	}
	return id, slices.IndexFunc(s.ownerPets[id], func(p Pet) bool { return p.ID == pid })
}

func (s *store) getOwnerPet(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	id, j := s.ownerPet(r)
	var p Pet
	lagging := false
	if j >= 0 {
		p = s.ownerPets[id][j]
		key := [2]int64{id, p.ID}
		lagging = s.opts.ReplicaLag && s.unread[key]
		delete(s.unread, key)
	}
	s.mu.Unlock()
	if j < 0 || lagging {
		// A lagging replica has not seen the new pet yet: the next read
		// finds it.
		writeError(w, http.StatusNotFound, fmt.Sprintf("no pet %s of owner %s", r.PathValue("petId"), r.PathValue("ownerId")))
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *store) removeOwnerPet(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	id, j := s.ownerPet(r)
	if j >= 0 {
		delete(s.unread, [2]int64{id, s.ownerPets[id][j].ID})
		s.ownerPets[id] = slices.Delete(s.ownerPets[id], j, j+1)
	}
	s.mu.Unlock()
	if j < 0 {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no pet %s of owner %s", r.PathValue("petId"), r.PathValue("ownerId")))
		return
	}
	w.WriteHeader(http.StatusNoContent)
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
