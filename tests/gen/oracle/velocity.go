package oracle

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
)

// Velocity renders API Gateway mapping templates with velocityjs, an
// independent Velocity implementation (tests/vtloracle/render.js, installed
// by make tools), given what a mapping template reads. The same template
// on the same request is rendered once a run: the macro writes a few
// templates, each on many methods. It is safe for concurrent use.
type Velocity struct {
	script string
	mu     sync.Mutex
	done   map[string]Rendered
}

// Request is what a mapping template reads: $context, $input.params()
// (header, querystring, path), $input.body and $stageVariables.
type Request struct {
	Context        map[string]any               `json:"context"`
	Params         map[string]map[string]string `json:"params"`
	Body           string                       `json:"body"`
	StageVariables map[string]string            `json:"stageVariables"`
}

// Rendered is a template's output, and the status it set in
// $context.responseOverride (0: none).
type Rendered struct {
	Output string
	Status int
}

// NewVelocity finds render.js and checks that velocityjs is installed.
func NewVelocity() (*Velocity, error) {
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "vtloracle")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "velocityjs")); err != nil {
		return nil, fmt.Errorf("the Velocity oracle is not installed: run make tools (npm ci --prefix tests/vtloracle)")
	}
	return &Velocity{script: filepath.Join(dir, "render.js"), done: map[string]Rendered{}}, nil
}

// Render renders template on request r.
func (v *Velocity) Render(template string, r Request) (Rendered, error) {
	c := struct {
		Name     string  `json:"name"`
		Template string  `json:"template"`
		Request  Request `json:"request"`
	}{"case", template, r}
	in, err := json.Marshal([]any{c})
	if err != nil {
		return Rendered{}, err
	}
	key := string(in)
	v.mu.Lock()
	defer v.mu.Unlock()
	if out, ok := v.done[key]; ok {
		return out, nil
	}
	cmd := exec.Command("node", v.script)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		return Rendered{}, fmt.Errorf("render.js: %v: %s", err, stderr.String())
	}
	var results []struct {
		Output           string
		ResponseOverride struct{ Status any }
		Error            string
	}
	if err := json.Unmarshal(b, &results); err != nil || len(results) != 1 {
		return Rendered{}, fmt.Errorf("render.js answered %q: %v", b, err)
	}
	res := results[0]
	if res.Error != "" {
		return Rendered{}, fmt.Errorf("velocityjs: %s", res.Error)
	}
	out := Rendered{Output: res.Output}
	switch s := res.ResponseOverride.Status.(type) {
	case float64:
		out.Status = int(s)
	case string:
		fmt.Sscan(s, &out.Status)
	}
	v.done[key] = out
	return out, nil
}
