// Package oracle checks a template the macro expanded (or refused) with
// oracles that do not depend on the macro's code: cfn-lint and the SAM
// translator (each one long-lived Python process, see oracles.py), and
// checks written from AWS's documented behaviour: the method still invokes
// asynchronously after SAM, with what Event and Accepted promise (its
// mapping templates rendered by velocityjs, velocity.go; options.go) and
// responses API Gateway deploys, API Gateway is allowed to invoke what it
// invokes, an execution role may deliver to its destinations before the
// configuration is created, in every combination of the template's
// conditions (worlds.go).
package oracle

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/asyncinvoke/asyncinvoke/internal/tree"
)

// Server is one Python process serving cfn-lint or the SAM translator,
// one JSON line in, one out. It is safe for concurrent use: requests wait
// for each other.
type Server struct {
	mu     sync.Mutex
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Reader
	stderr *os.File
}

// Start starts oracles.py in mode "lint" or "sam".
func Start(python, mode string) (*Server, error) {
	_, file, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(file), "..", "oracles.py")
	cmd := exec.Command(python, script, mode)
	cmd.Env = append(os.Environ(), "AWS_DEFAULT_REGION=us-east-1")
	stderr, err := os.CreateTemp("", "oracles-"+mode+"-*.log")
	if err != nil {
		return nil, err
	}
	cmd.Stderr = stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &Server{cmd: cmd, in: in, out: bufio.NewReaderSize(out, 1<<20), stderr: stderr}
	var ready struct{ Ready bool }
	if err := s.read(&ready); err != nil || !ready.Ready {
		s.Close()
		return nil, fmt.Errorf("%s %s did not start (pip install cfn-lint aws-sam-translator): %v\n%s", python, script, err, s.log())
	}
	return s, nil
}

func (s *Server) log() string {
	b, _ := os.ReadFile(s.stderr.Name())
	return string(b)
}

func (s *Server) read(v any) error {
	line, err := s.out.ReadBytes('\n')
	if err != nil {
		return err
	}
	return json.Unmarshal(line, v)
}

// call sends a template and reads the answer into v.
func (s *Server) call(t any, v any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	req := append(append([]byte(`{"template":`), tree.Encode(t)...), "}\n"...)
	if _, err := s.in.Write(req); err != nil {
		return fmt.Errorf("oracle server: %w\n%s", err, s.log())
	}
	if err := s.read(v); err != nil {
		return fmt.Errorf("oracle server: %w\n%s", err, s.log())
	}
	return nil
}

// Close stops the process.
func (s *Server) Close() {
	s.in.Close()
	s.cmd.Wait()
	s.stderr.Close()
	os.Remove(s.stderr.Name())
}

// Finding is one cfn-lint finding.
type Finding struct {
	Rule    string   `json:"rule"`
	Level   string   `json:"level"`
	Message string   `json:"message"`
	Path    []string `json:"path"`
}

func (f Finding) String() string { return f.Rule + " " + f.Message }

// Lint runs cfn-lint on a template.
func (s *Server) Lint(t any) ([]Finding, error) {
	var a struct {
		Findings []Finding
		Error    string
	}
	if err := s.call(t, &a); err != nil {
		return nil, err
	}
	if a.Error != "" {
		return nil, errors.New("cfn-lint: " + a.Error)
	}
	return a.Findings, nil
}

// TranslateError is the SAM translator's refusal of a template.
type TranslateError struct{ Message string }

func (e *TranslateError) Error() string { return "SAM translator: " + e.Message }

// Translate runs the SAM translator on a template.
func (s *Server) Translate(t any) (*tree.Object, error) {
	var a struct {
		Template json.RawMessage
		Error    string
	}
	if err := s.call(t, &a); err != nil {
		return nil, err
	}
	if a.Error != "" {
		return nil, &TranslateError{a.Error}
	}
	v, err := tree.Decode(a.Template)
	if err != nil {
		return nil, err
	}
	o, ok := v.(*tree.Object)
	if !ok {
		return nil, errors.New("SAM translator: not a template")
	}
	return o, nil
}
