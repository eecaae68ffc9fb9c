package main

import (
	"github.com/smoke-dev/smoke/generator"
)

// refuseInlineCredentials fails when a base URL bound for Datadog carries
// user information ("https://user:password@host"): a published test would
// hold the secret in plain text, where DESIGN promises secrets only ever
// reach Datadog as global variables. run and diff accept such a URL (the
// runner sends the credentials as a masked Authorization header); publish
// must not.
func refuseInlineCredentials(base string) error {
	clean, auth, _ := generator.Userinfo(base)
	if auth == "" {
		return nil
	}
	return withHint(usageErrf("base URL %s carries credentials: Datadog tests must not inline a secret", clean),
		`Publish the URL without them and give them in smoke.yaml as ${ENV} references: auth: {<scheme>: {username: "${API_USER}", password: "${API_PASS}"}}, or headers: {Authorization: "Basic ${API_BASIC}"}.`)
}
