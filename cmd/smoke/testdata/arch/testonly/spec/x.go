package spec

import _ "github.com/google/go-cmp/cmp" // test-only library in non-test code
