//go:build unix

package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// writable reports whether this process may open the file at p for
// writing (access(2): a read-only file system, a file without write
// permission).
func writable(p string) error {
	return syscall.Access(p, 0x2) // W_OK
}

// writableDir reports whether files may be created in dir.
func writableDir(dir string) error {
	return syscall.Access(dir, 0x2|0x1) // W_OK|X_OK
}

// links returns the number of hard links of fi's file.
func links(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Nlink)
	}
	return 1
}

// keepOwner gives f the owner and group of the file fi describes.
func keepOwner(f *os.File, fi fs.FileInfo) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	return f.Chown(int(st.Uid), int(st.Gid))
}

// isDescriptorDir reports whether dir (symbolic links resolved) holds
// open descriptors rather than files: /proc/PID/fd, /proc/PID/task/TID/fd
// on Linux, /dev/fd where it is a file system of its own.
func isDescriptorDir(dir string) bool {
	dir = filepath.Clean(dir)
	if dir == "/dev/fd" {
		return true
	}
	parts := strings.Split(strings.TrimPrefix(dir, "/"), "/")
	switch {
	case len(parts) == 3 && parts[0] == "proc" && parts[2] == "fd":
		return true
	case len(parts) == 5 && parts[0] == "proc" && parts[2] == "task" && parts[4] == "fd":
		return true
	}
	return false
}
