package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

// Every command that writes a file (run and diff --output, plan --output,
// publish --export, trigger --junit, demo's reports) goes through
// checkOutput, before anything is loaded or sent, and writeOutput, once
// the data is ready. Both resolve the destination the same way
// (resolveOutput):
//
//   - a regular file, or a name that does not exist yet, is written
//     atomically: a temporary file in the same directory, renamed into
//     place, so an interrupted write never leaves half a report where a
//     good one was. A new file gets 0666 less the umask, as a shell
//     redirection would; a replaced file keeps its mode and owner. When
//     the owner cannot be kept (a file of another user we may write), or
//     the directory is not writable, the file is written in place instead;
//   - a regular file with more than one hard link is written in place, so
//     every name keeps seeing the same file;
//   - anything that is not a regular file (a device such as /dev/null, a
//     FIFO, a terminal) is opened and written in place, never replaced;
//   - a symbolic link is followed to its target, which is written by the
//     rules above: the link itself stays;
//   - a descriptor path (/dev/fd/N, /dev/stdout, /proc/self/fd/N, which is
//     how a shell's process substitution >(…) names its pipe) is opened in
//     append mode, so it writes where the descriptor points without
//     truncating a file the shell opened for appending.

// outputKind says how a destination is written.
type outputKind int

const (
	outputAtomic     outputKind = iota // temporary file renamed into place
	outputInPlace                      // opened and truncated where it is
	outputDescriptor                   // an open descriptor: append, never truncate
	outputStdout                       // env.Stdout
)

// outputDest is a resolved destination.
type outputDest struct {
	kind outputKind
	// path is the file to write: the final target after symbolic links.
	path string
	// existing describes path when it exists (nil for a new file).
	existing fs.FileInfo
}

// maxSymlinks bounds how many symbolic links are followed, as the kernel
// does (Linux's MAXSYMLINKS).
const maxSymlinks = 40

// checkOutput fails, before anything is sent, when the FILE of flag
// (--output, --junit, --export) cannot be written: a missing directory,
// a directory, a file or directory without write permission. "" and "-"
// mean stdout.
func checkOutput(flag, path string) error {
	if path == "" || path == "-" {
		return nil
	}
	if _, err := resolveOutput(path); err != nil {
		return usageErrf("%s %s: %v", flag, path, err)
	}
	return nil
}

// resolveOutput finds what writing path means: which file, and how.
func resolveOutput(path string) (outputDest, error) {
	if path == "" || path == "-" {
		return outputDest{kind: outputStdout}, nil
	}
	p, err := filepath.Abs(path)
	if err != nil {
		return outputDest{}, err
	}
	if os.IsPathSeparator(path[len(path)-1]) {
		return outputDest{}, errors.New("is a directory")
	}
	for range maxSymlinks {
		dir, base := filepath.Split(p)
		realDir, err := filepath.EvalSymlinks(dir)
		if err != nil {
			return outputDest{}, unwrapPathErr(err)
		}
		if fi, err := os.Stat(realDir); err != nil {
			return outputDest{}, unwrapPathErr(err)
		} else if !fi.IsDir() {
			return outputDest{}, fmt.Errorf("%s is not a directory", dir)
		}
		p = filepath.Join(realDir, base)
		if isDescriptorDir(realDir) {
			fi, err := os.Stat(p)
			if err != nil {
				return outputDest{}, unwrapPathErr(err)
			}
			if err := writableFile(p, fi); err != nil {
				return outputDest{}, err
			}
			return outputDest{kind: outputDescriptor, path: p, existing: fi}, nil
		}
		fi, err := os.Lstat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if err := writableDir(realDir); err != nil {
				return outputDest{}, fmt.Errorf("directory %s: %w", filepath.Clean(dir), err)
			}
			return outputDest{kind: outputAtomic, path: p}, nil
		case err != nil:
			return outputDest{}, unwrapPathErr(err)
		case fi.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return outputDest{}, unwrapPathErr(err)
			}
			if !filepath.IsAbs(target) {
				target = filepath.Join(realDir, target)
			}
			p = target
			continue
		}
		if err := writableFile(p, fi); err != nil {
			return outputDest{}, err
		}
		d := outputDest{kind: outputInPlace, path: p, existing: fi}
		if fi.Mode().IsRegular() && links(fi) <= 1 && writableDir(realDir) == nil {
			d.kind = outputAtomic
		}
		return d, nil
	}
	return outputDest{}, errors.New("too many levels of symbolic links")
}

// writableFile checks an existing destination: a file this process may
// open for writing.
func writableFile(p string, fi fs.FileInfo) error {
	switch {
	case fi.IsDir():
		return errors.New("is a directory")
	case fi.Mode()&fs.ModeSocket != 0:
		return errors.New("is a socket")
	}
	if err := writable(p); err != nil {
		return err
	}
	return nil
}

// writeOutput runs write against stdout, or against the file path names,
// written as resolveOutput decides (see the top of this file). An error
// here comes after the work was done: it is not a usage error.
func writeOutput(env *Env, path string, write func(io.Writer) error) error {
	d, err := resolveOutput(path)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if d.kind == outputStdout {
		bw := bufio.NewWriter(env.Stdout)
		if err := write(bw); err != nil {
			return err
		}
		return bw.Flush()
	}
	if d.kind == outputAtomic {
		tmp, err := createTemp(d)
		if err == nil {
			return writeAtomic(path, tmp, d.path, write)
		}
		if !errors.Is(err, errKeepOwner) {
			return fmt.Errorf("write %s: %w", path, err)
		}
		// A file of another owner that we may write: write it in place
		// rather than hand it to us.
	}
	flag := os.O_WRONLY
	switch {
	case d.kind == outputDescriptor:
		flag |= os.O_APPEND
	case d.existing != nil && d.existing.Mode().IsRegular():
		flag |= os.O_TRUNC
	}
	f, err := os.OpenFile(d.path, flag, 0)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, unwrapPathErr(err))
	}
	return finish(path, f, write)
}

// writeAtomic fills tmp and renames it over target.
func writeAtomic(path string, tmp *os.File, target string, write func(io.Writer) error) error {
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if err := finish(path, tmp, write); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// finish writes through a buffer and closes f; write's own error is
// returned as it is.
func finish(path string, f *os.File, write func(io.Writer) error) error {
	bw := bufio.NewWriter(f)
	if err := write(bw); err != nil {
		f.Close()
		return err
	}
	err := bw.Flush()
	if err == nil && isRegular(f) {
		err = f.Sync() // a renamed file must not turn up empty after a crash
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func isRegular(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode().IsRegular()
}

// errKeepOwner means a replacement could not be given the replaced file's
// owner.
var errKeepOwner = errors.New("cannot keep the file's owner")

// createTemp creates the temporary file an atomic write fills, next to
// d.path. A new destination gets 0666 less the umask (the kernel applies
// it, as for a shell redirection); a replaced one gets the same owner and
// mode before anything is written into it.
func createTemp(d outputDest) (*os.File, error) {
	dir, base := filepath.Split(d.path)
	if len(base) > 100 {
		base = base[:100] // the temporary name must stay under NAME_MAX
	}
	perm := fs.FileMode(0o666)
	if d.existing != nil {
		perm = 0o600
	}
	var f *os.File
	var err error
	for range 100 {
		name := filepath.Join(dir, "."+base+"."+strconv.FormatUint(rand.Uint64(), 36)+".tmp")
		f, err = os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if !errors.Is(err, fs.ErrExist) {
			break
		}
	}
	if err != nil {
		return nil, unwrapPathErr(err)
	}
	if d.existing == nil {
		return f, nil
	}
	if err := keepOwner(f, d.existing); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("%w: %v", errKeepOwner, err)
	}
	// After chown, which clears set-user-ID and set-group-ID bits.
	mode := d.existing.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
	if err := f.Chmod(mode); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return f, nil
}

func unwrapPathErr(err error) error {
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		return pe.Err
	}
	if le, ok := errors.AsType[*os.LinkError](err); ok {
		return le.Err
	}
	return err
}
