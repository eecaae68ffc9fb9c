// Package newpkg is not in the architecture table: a new package must be
// added there deliberately.
package newpkg
