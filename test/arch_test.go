package test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// listedPackage is the part of `go list -json` that the dependency rule
// needs. Imports and Deps are those of the non-test build: test files may
// import anything they like.
type listedPackage struct {
	ImportPath string
	Standard   bool
	Imports    []string // direct
	Deps       []string // transitive
}

// forbiddenInCore are the technologies domain, ports and app must not know.
var forbiddenInCore = []string{
	"github.com/vmware/govmomi",
	"github.com/modelcontextprotocol/",
	"github.com/knadh/koanf",
}

// isForbiddenInCore reports whether path belongs to a technology the core
// must not know.
func isForbiddenInCore(path string) bool {
	return slices.ContainsFunc(forbiddenInCore, func(f string) bool { return strings.HasPrefix(path, f) })
}

// checkDependencyRule returns every violation of DESIGN 2's dependency rule
// among pkgs, the packages of module and their dependencies:
//   - domain imports only the standard library;
//   - ports imports only the standard library and domain (ports/porttest,
//     the contract suite, may also import ports and test libraries);
//   - app imports only the standard library, domain and ports;
//   - domain, ports and app never import govmomi, go-sdk or koanf;
//   - no adapter imports another adapter;
//   - nothing imports cmd.
//
// Each violation names the package and the import.
func checkDependencyRule(module string, pkgs []listedPackage) []string {
	byPath := make(map[string]listedPackage, len(pkgs))
	for _, p := range pkgs {
		byPath[p.ImportPath] = p
	}
	rel := func(path string) (string, bool) {
		if path == module {
			return ".", true
		}
		r, ok := strings.CutPrefix(path, module+"/")
		return r, ok
	}
	under := func(r, dir string) bool { return r == dir || strings.HasPrefix(r, dir+"/") }
	// via returns the direct import of p that brings in dep: dep itself, or
	// the first import that depends on it.
	via := func(p listedPackage, dep string) string {
		if slices.Contains(p.Imports, dep) {
			return dep
		}
		for _, imp := range p.Imports {
			if slices.Contains(byPath[imp].Deps, dep) {
				return imp
			}
		}
		return ""
	}
	through := func(p listedPackage, dep string) string {
		if v := via(p, dep); v != "" && v != dep {
			return " (through " + v + ")"
		}
		return ""
	}
	inModule := func(path string) bool {
		_, ok := rel(path)
		return ok
	}

	var violations []string
	bad := func(p listedPackage, dep, why string) {
		violations = append(violations, fmt.Sprintf("%s imports %s%s: %s", p.ImportPath, dep, through(p, dep), why))
	}
	for _, p := range pkgs {
		r, ours := rel(p.ImportPath)
		if !ours {
			continue
		}
		for _, imp := range p.Imports {
			if ri, ok := rel(imp); ok && under(ri, "cmd") {
				bad(p, imp, "nothing imports cmd: it is the composition root")
			}
		}

		// allowed reports whether the core package p may depend on dep, a
		// package outside the standard library. A layer's own subpackages
		// are checked by the same rule, so they may be imported.
		var allowed func(dep string) bool
		var rule string
		switch {
		case under(r, "domain"):
			rule = "domain imports only the standard library"
			allowed = func(dep string) bool { rd, ok := rel(dep); return ok && under(rd, "domain") }
		case under(r, "ports/porttest"):
			rule = "ports/porttest imports only the standard library, domain, ports and test libraries"
			allowed = func(dep string) bool {
				rd, ok := rel(dep)
				if !ok {
					return !isForbiddenInCore(dep)
				}
				return under(rd, "domain") || under(rd, "ports")
			}
		case under(r, "ports"):
			rule = "ports imports only the standard library and domain"
			allowed = func(dep string) bool {
				rd, ok := rel(dep)
				return ok && (under(rd, "domain") || under(rd, "ports") && !under(rd, "ports/porttest"))
			}
		case under(r, "app"):
			rule = "app imports only the standard library, domain and ports"
			allowed = func(dep string) bool {
				rd, ok := rel(dep)
				return ok && (under(rd, "domain") || under(rd, "ports") && !under(rd, "ports/porttest") || under(rd, "app"))
			}
		}
		if allowed != nil {
			// Every package of the module is checked, so its direct imports
			// are enough; an import of another layer is reported once,
			// where it is written.
			for _, imp := range p.Imports {
				if !byPath[imp].Standard && !allowed(imp) {
					bad(p, imp, rule)
				}
			}
			// A third-party library may bring in what the core must not
			// know. Imports that are reported already, direct or through
			// the module's own packages, are not reported again.
			for _, dep := range p.Deps {
				if !isForbiddenInCore(dep) {
					continue
				}
				if v := via(p, dep); v == "" || (v != dep && !inModule(v) && allowed(v)) {
					bad(p, dep, "domain, ports and app never import govmomi, go-sdk or koanf")
				}
			}
		}

		if under(r, "adapters") {
			own := adapterOf(r)
			for _, imp := range p.Imports {
				if ri, ok := rel(imp); ok && under(ri, "adapters") && adapterOf(ri) != own {
					bad(p, imp, "an adapter never imports another adapter: cmd wires them together")
				}
			}
		}
	}
	slices.Sort(violations)
	return slices.Compact(violations)
}

// adapterOf returns "adapters/<name>" for a module-relative path under
// adapters/.
func adapterOf(rel string) string {
	parts := strings.SplitN(rel, "/", 3)
	if len(parts) < 2 {
		return rel
	}
	return parts[0] + "/" + parts[1]
}

func TestDependencyRule(t *testing.T) {
	gomod := goCmd(t, "", "env", "GOMOD")
	require.NotEmpty(t, gomod, "not in a module")
	root := filepath.Dir(gomod)
	module := goCmd(t, root, "list", "-m")

	// -e: a package another change left broken still lists its imports; the
	// build and its own tests report the breakage.
	out := goCmd(t, root, "list", "-e", "-deps", "-json=ImportPath,Standard,Imports,Deps", "./...")
	pkgs, err := decodePackages(strings.NewReader(out))
	require.NoError(t, err)

	var ours []string
	for _, p := range pkgs {
		if p.ImportPath == module || strings.HasPrefix(p.ImportPath, module+"/") {
			ours = append(ours, p.ImportPath)
		}
	}
	// Guard against a vacuous pass: the core must be there to be checked.
	for _, core := range []string{"domain", "ports", "app"} {
		require.Contains(t, ours, module+"/"+core)
	}

	for _, v := range checkDependencyRule(module, pkgs) {
		t.Error(v)
	}
}

func TestCheckDependencyRule(t *testing.T) {
	const m = "example.com/m"
	std := func(paths ...string) []listedPackage {
		var out []listedPackage
		for _, p := range paths {
			out = append(out, listedPackage{ImportPath: p, Standard: true})
		}
		return out
	}
	base := append(std("fmt", "context", "testing"),
		listedPackage{ImportPath: "github.com/vmware/govmomi/vim25", Deps: []string{"fmt"}},
		listedPackage{ImportPath: "github.com/knadh/koanf/v2", Deps: []string{"fmt"}},
		listedPackage{ImportPath: "github.com/stretchr/testify/require", Deps: []string{"fmt", "testing"}},
		listedPackage{ImportPath: "github.com/other/lib", Deps: []string{"fmt"}},
		listedPackage{ImportPath: m + "/domain", Imports: []string{"fmt"}, Deps: []string{"fmt"}},
		listedPackage{ImportPath: m + "/ports", Imports: []string{m + "/domain", "context"}, Deps: []string{"context", "fmt", m + "/domain"}},
		listedPackage{ImportPath: m + "/ports/porttest", Imports: []string{m + "/ports", "github.com/stretchr/testify/require"},
			Deps: []string{m + "/ports", m + "/domain", "context", "fmt", "testing", "github.com/stretchr/testify/require"}},
		listedPackage{ImportPath: m + "/app", Imports: []string{m + "/ports"}, Deps: []string{m + "/ports", m + "/domain", "context", "fmt"}},
		listedPackage{ImportPath: m + "/adapters/vsphere", Imports: []string{m + "/app", "github.com/vmware/govmomi/vim25"},
			Deps: []string{m + "/app", m + "/ports", m + "/domain", "github.com/vmware/govmomi/vim25", "fmt", "context"}},
		listedPackage{ImportPath: m + "/adapters/vsphere/internal/x", Imports: []string{"fmt"}, Deps: []string{"fmt"}},
		listedPackage{ImportPath: m + "/adapters/memory", Imports: []string{m + "/ports"}, Deps: []string{m + "/ports", m + "/domain", "context", "fmt"}},
		listedPackage{ImportPath: m + "/cmd/server", Imports: []string{m + "/adapters/vsphere", m + "/adapters/memory"}},
		listedPackage{ImportPath: m + "/test/helpers", Imports: []string{m + "/adapters/memory", "github.com/vmware/govmomi/vim25"}},
	)
	// with returns base with the package path changed by f.
	with := func(path string, f func(*listedPackage)) []listedPackage {
		out := slices.Clone(base)
		for i := range out {
			if out[i].ImportPath == path {
				out[i].Imports = slices.Clone(out[i].Imports)
				out[i].Deps = slices.Clone(out[i].Deps)
				f(&out[i])
				return out
			}
		}
		out = append(out, listedPackage{ImportPath: path})
		f(&out[len(out)-1])
		return out
	}
	imports := func(direct string, transitive ...string) func(*listedPackage) {
		return func(p *listedPackage) {
			p.Imports = append(p.Imports, direct)
			p.Deps = append(p.Deps, append([]string{direct}, transitive...)...)
		}
	}

	tests := []struct {
		name string
		pkgs []listedPackage
		want []string // each must appear in one violation; none: no violation
	}{
		{name: "OK", pkgs: base},
		{name: "ErrDomainImportsThirdParty", pkgs: with(m+"/domain", imports("github.com/other/lib")),
			want: []string{m + "/domain imports github.com/other/lib: domain imports only the standard library"}},
		{name: "OKDomainImportsItsOwnSubpackage", pkgs: append(with(m+"/domain", imports(m+"/domain/internal/x")),
			listedPackage{ImportPath: m + "/domain/internal/x", Imports: []string{"fmt"}, Deps: []string{"fmt"}})},
		{name: "ErrDomainImportsPorts", pkgs: with(m+"/domain/sub", imports(m+"/ports", m+"/domain")),
			want: []string{m + "/domain/sub imports " + m + "/ports: domain imports only"}},
		{name: "ErrPortsImportsApp", pkgs: with(m+"/ports", imports(m+"/app")),
			want: []string{m + "/ports imports " + m + "/app: ports imports only the standard library and domain"}},
		{name: "ErrPortsImportsKoanfTransitively", pkgs: append(with(m+"/ports", imports(m+"/ports/internal/cfg", "github.com/knadh/koanf/v2")),
			listedPackage{ImportPath: m + "/ports/internal/cfg", Imports: []string{"github.com/knadh/koanf/v2"}, Deps: []string{"github.com/knadh/koanf/v2", "fmt"}}),
			want: []string{m + "/ports/internal/cfg imports github.com/knadh/koanf/v2: ports imports only"}},
		{name: "ErrPorttestImportsGovmomiTransitively", pkgs: append(with(m+"/ports/porttest", imports("github.com/other/wrapper", "github.com/vmware/govmomi/vim25")),
			listedPackage{ImportPath: "github.com/other/wrapper", Imports: []string{"github.com/vmware/govmomi/vim25"}, Deps: []string{"github.com/vmware/govmomi/vim25", "fmt"}}),
			want: []string{m + "/ports/porttest imports github.com/vmware/govmomi/vim25 (through github.com/other/wrapper): domain, ports and app never import"}},
		{name: "ErrPorttestImportsGovmomi", pkgs: with(m+"/ports/porttest", imports("github.com/vmware/govmomi/vim25")),
			want: []string{m + "/ports/porttest imports github.com/vmware/govmomi/vim25"}},
		{name: "ErrPorttestImportsAdapter", pkgs: with(m+"/ports/porttest", imports(m+"/adapters/memory")),
			want: []string{m + "/ports/porttest imports " + m + "/adapters/memory"}},
		{name: "ErrAppImportsGovmomi", pkgs: with(m+"/app", imports("github.com/vmware/govmomi/vim25")),
			want: []string{m + "/app imports github.com/vmware/govmomi/vim25: app imports only the standard library, domain and ports"}},
		{name: "ErrAppImportsAdapter", pkgs: with(m+"/app", imports(m+"/adapters/memory")),
			want: []string{m + "/app imports " + m + "/adapters/memory"}},
		{name: "ErrAppImportsPorttest", pkgs: with(m+"/app", imports(m+"/ports/porttest", "testing")),
			want: []string{m + "/app imports " + m + "/ports/porttest"}},
		{name: "ErrAdapterImportsAdapter", pkgs: with(m+"/adapters/memory", imports(m+"/adapters/simulator")),
			want: []string{m + "/adapters/memory imports " + m + "/adapters/simulator: an adapter never imports another adapter"}},
		{name: "ErrAdapterSubpackageImportsAdapter", pkgs: with(m+"/adapters/vsphere/internal/x", imports(m+"/adapters/memory")),
			want: []string{m + "/adapters/vsphere/internal/x imports " + m + "/adapters/memory"}},
		{name: "OKAdapterImportsItsOwnSubpackage", pkgs: with(m+"/adapters/vsphere", imports(m+"/adapters/vsphere/internal/x"))},
		{name: "ErrImportsCmd", pkgs: with(m+"/test/helpers", imports(m+"/cmd/server")),
			want: []string{m + "/test/helpers imports " + m + "/cmd/server: nothing imports cmd"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := checkDependencyRule(m, tt.pkgs)
			if len(tt.want) == 0 {
				assert.Empty(t, got)
				return
			}
			require.NotEmpty(t, got)
			for _, w := range tt.want {
				assert.True(t, slices.ContainsFunc(got, func(v string) bool { return strings.Contains(v, w) }),
					"want a violation containing %q, got %q", w, got)
			}
		})
	}
}

// goCmd runs the go command in dir and returns its trimmed stdout.
func goCmd(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "go", args...)
	cmd.Dir = dir
	// A go.work elsewhere would add its modules to "go list -m".
	cmd.Env = append(os.Environ(), "GOWORK=off")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "go %s: %s", strings.Join(args, " "), stderr.String())
	return strings.TrimSpace(string(out))
}

// decodePackages reads the stream of JSON objects `go list -json` writes.
func decodePackages(r io.Reader) ([]listedPackage, error) {
	var pkgs []listedPackage
	dec := json.NewDecoder(r)
	for {
		var p listedPackage
		err := dec.Decode(&p)
		if errors.Is(err, io.EOF) {
			return pkgs, nil
		}
		if err != nil {
			return nil, err
		}
		pkgs = append(pkgs, p)
	}
}
