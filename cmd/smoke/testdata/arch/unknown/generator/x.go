package generator

import _ "github.com/example/left-pad" // a module nobody decided to use
