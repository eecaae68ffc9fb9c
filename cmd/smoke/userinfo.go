package main

import (
	"github.com/smoke-dev/smoke/generator"
)

// refuseInlineCredentials fails when a base URL bound for something that
// is stored and travels (a Datadog test, a k6 script) carries user
// information ("https://user:password@host"): it would hold the secret in
// plain text, where DESIGN promises secrets only ever go by reference.
// run and diff accept such a URL (the runner sends the credentials as a
// masked Authorization header). from names where the URL was given;
// artefact says what would carry it.
func refuseInlineCredentials(base string, from origin, artefact string) error {
	clean, auth, _ := generator.Userinfo(base)
	if auth == "" {
		return nil
	}
	return withHint(from.invalid(clean, "carries credentials: %s must not inline a secret", artefact),
		`Give the URL without them and the credentials in smoke.yaml as ${ENV} references: auth: {<scheme>: {username: "${API_USER}", password: "${API_PASS}"}}, or headers: {Authorization: "Basic ${API_BASIC}"}.`)
}
