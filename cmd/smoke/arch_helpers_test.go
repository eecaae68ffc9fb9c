package main

import (
	"go/ast"
)

// containsCall reports whether the file calls pkg.Func (e.g. "os.Exit").
func containsCall(f *ast.File, name string) bool {
	found := false
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if id, ok := sel.X.(*ast.Ident); ok && id.Name+"."+sel.Sel.Name == name {
			found = true
		}
		return !found
	})
	return found
}
