//go:build !linux

package lambdatest

import (
	"errors"
	"os"
	"syscall"
)

// errNotSupported is returned where the emulator cannot run: aws-lambda-rie
// is built for Linux, where Lambda runs.
var errNotSupported = errors.New("aws-lambda-rie runs only on Linux")

func supported() error { return errNotSupported }

func sysProcAttr() *syscall.SysProcAttr { return nil }

func groupAttr() *syscall.SysProcAttr { return nil }

func interruptGroup(p *os.Process) error { return p.Kill() }

func killGroup(*os.Process) {}

func terminate(int) error { return errNotSupported }

func kill(int) error { return errNotSupported }

func children(int) []int { return nil }

// Running reports whether process pid exists and is not a zombie. It
// always reports false where the emulator cannot run.
func Running(int) bool { return false }

// tryLock locks nothing where flock is not used: builds run as they come.
func tryLock(*os.File) (bool, error) { return true, nil }

func unlock(*os.File) {}
