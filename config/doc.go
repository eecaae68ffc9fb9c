// Package config reads smoke.yaml, smoke's configuration file.
//
// # Overview
//
// The file is decoded strictly: an unknown key is an error naming the file,
// line and key, so a typo never silently disables a fixture or a rule.
// Values may refer to environment variables as ${NAME}; Expand resolves
// them and remembers which variable a value came from, so secrets can be
// masked and mapped to Datadog global variables instead of being inlined.
//
// # Usage
//
//	cfg, err := config.Load("smoke.yaml")
//	v, err := config.Expand(cfg.Headers["X-Env"], os.Getenv)
//
// Precedence (flags > environment > file) is resolved by the command
// layer. The package is part of smoke and promises no API to other modules.
package config
