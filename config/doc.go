// Package config reads smoke.yaml, smoke's configuration file.
//
// # Overview
//
// The file is decoded strictly: an unknown key is an error naming the file,
// line and key, so a typo never silently disables a fixture or a rule.
// Values may refer to environment variables as ${NAME} (resolved by the
// command layer with generator.ExpandEnv, so secrets can be masked and
// mapped to Datadog global variables instead of being inlined). The file
// remembers where each key stands (Line, Where), so that a value refused
// later is named by file:line.
//
// # Usage
//
//	cfg, err := config.Load("smoke.yaml")
//	where := cfg.Where("run.concurrency") // "smoke.yaml:7"
//
// Precedence (flags > environment > file) is resolved by the command
// layer. The package is part of smoke and promises no API to other modules.
package config
