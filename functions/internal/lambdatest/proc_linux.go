package lambdatest

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
)

func supported() error { return nil }

// sysProcAttr puts the emulator in its own process group, so a terminal's
// Ctrl-C reaches only the harness, which then stops the emulator in order;
// and it has the kernel send SIGTERM to the emulator if the harness dies.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}

// groupAttr puts a go command in its own process group, so the runner
// stops it, with everything it started, when the run is interrupted.
func groupAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

// interruptGroup sends SIGINT to the process group p leads.
func interruptGroup(p *os.Process) error {
	err := syscall.Kill(-p.Pid, syscall.SIGINT)
	if errors.Is(err, syscall.ESRCH) {
		return os.ErrProcessDone
	}
	return err
}

// killGroup kills what is left of the process group p led.
func killGroup(p *os.Process) {
	_ = syscall.Kill(-p.Pid, syscall.SIGKILL)
}

// terminate asks the emulator to shut down; it kills the runtime itself.
func terminate(pid int) error {
	return syscall.Kill(pid, syscall.SIGTERM)
}

// kill kills the process group led by pid and the process itself. The
// emulator and each runtime it starts lead their own groups.
func kill(pid int) error {
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	err := syscall.Kill(pid, syscall.SIGKILL)
	if errors.Is(err, syscall.ESRCH) {
		return nil
	}
	return err
}

// children returns the IDs of the live processes whose parent is pid.
func children(pid int) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var kids []int
	for _, e := range entries {
		id, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ppid, state, ok := procStat(id); ok && ppid == pid && state != 'Z' {
			kids = append(kids, id)
		}
	}
	return kids
}

// procStat reads the parent ID and the state of process id from
// /proc/<id>/stat. The command name may hold spaces and parentheses, so the
// fields are read after its last ')'.
func procStat(id int) (ppid int, state byte, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(id) + "/stat")
	if err != nil {
		return 0, 0, false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0, false
	}
	fields := strings.Fields(string(b[i+1:]))
	if len(fields) < 2 || len(fields[0]) != 1 {
		return 0, 0, false
	}
	ppid, err = strconv.Atoi(fields[1])
	if err != nil {
		return 0, 0, false
	}
	return ppid, fields[0][0], true
}

// Running reports whether process pid exists and is not a zombie.
func Running(pid int) bool {
	_, state, ok := procStat(pid)
	return ok && state != 'Z'
}

// tryLock takes an exclusive flock on f without waiting: false when another
// open file holds it.
func tryLock(f *os.File) (bool, error) {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return false, nil
	}
	return err == nil, err
}

// unlock releases the flock tryLock took.
func unlock(f *os.File) { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
