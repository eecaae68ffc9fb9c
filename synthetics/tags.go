package synthetics

import (
	"fmt"
	"strings"
	"unicode"
)

// Identity tags. Only tests carrying TagManagedBy and the service's
// smoke-service tag are ever updated or deleted; the smoke-check tag
// matches a test to its check.
const (
	TagManagedBy = "managed-by:smoke"
	tagService   = "smoke-service:"
	tagCheck     = "smoke-check:"
)

// NormalizeTag returns a tag as Datadog stores it (DataDog/documentation
// content/en/getting_started/tagging/_index.md, and the algorithm of
// datadog-agent pkg/trace/traceutil/normalize.go): lower case; anything
// before the first letter (or colon) dropped; letters, digits, '.', '/',
// '-' and ':' kept; every other run of characters, underscores included,
// one '_', none at the end; at most MaxTagLength characters.
//
// smoke normalises every tag it sends and every tag it compares, so a
// service called "Pet Store" owns the tests tagged
// smoke-service:pet_store, which is what Datadog stores and searches.
func NormalizeTag(tag string) string {
	var b strings.Builder
	seen := 0 // characters read since the first letter, as Datadog counts them
	gap := false
	for _, r := range tag {
		r = unicode.ToLower(r)
		letter := unicode.IsLetter(r) || r == ':'
		if seen == 0 && !letter {
			continue
		}
		if seen == MaxTagLength {
			break
		}
		seen++
		if !letter && !unicode.IsDigit(r) && r != '.' && r != '/' && r != '-' {
			gap = true
			continue
		}
		if gap {
			b.WriteByte('_')
			gap = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// CheckTag returns the tag as Datadog will store it, or an error when
// Datadog refuses it: it normalises to nothing (a tag must start with a
// letter) or ends with a colon ("A tag cannot end with a colon",
// tagging/_index.md).
func CheckTag(tag string) (string, error) {
	n := NormalizeTag(tag)
	switch {
	case n == "":
		return "", fmt.Errorf("tag %q: a Datadog tag must start with a letter", tag)
	case strings.HasSuffix(n, ":"):
		return "", fmt.Errorf("tag %q: a Datadog tag cannot end with a colon", tag)
	}
	return n, nil
}

// IdentityTags returns the tags that tie a test to smoke, a service and a
// check, as Datadog stores them.
func IdentityTags(service, checkID string) []string {
	return []string{TagManagedBy, ServiceTag(service), NormalizeTag(tagCheck + checkID)}
}

// ServiceTag returns the smoke-service tag of a service as Datadog
// stores it.
func ServiceTag(service string) string {
	return NormalizeTag(tagService + strings.TrimSpace(service))
}

// identity returns the check ID of a test that carries smoke's identity
// tags for service.
func identity(tags []string, service string) (string, bool) {
	managed, ours := false, false
	checkID := ""
	want := ServiceTag(service)
	for _, t := range tags {
		t = NormalizeTag(t)
		switch {
		case t == TagManagedBy:
			managed = true
		case t == want:
			ours = true
		case strings.HasPrefix(t, tagCheck):
			checkID = strings.TrimPrefix(t, tagCheck)
		}
	}
	return checkID, managed && ours && checkID != ""
}

// userTags normalises extra tags, leaving out the identity tags smoke
// owns.
func userTags(tags []string) []string {
	var out []string
	for _, t := range tags {
		n := NormalizeTag(t)
		if n == "" || n == TagManagedBy || strings.HasPrefix(n, tagService) || strings.HasPrefix(n, tagCheck) {
			continue
		}
		out = append(out, n)
	}
	return sortedUnique(out)
}
