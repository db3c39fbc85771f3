package config

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/knadh/koanf/parsers/json"
	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/env/v2"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/providers/posflag"
	"github.com/knadh/koanf/v2"
	"github.com/spf13/pflag"
)

// EnvConfigFile is the environment variable that names the config file when
// -c/--config does not.
const EnvConfigFile = "MCP_CONFIG_FILE"

// Meta is what Load learned besides the configuration itself.
type Meta struct {
	// Help is true when -h/--help was given. Load then reads nothing else:
	// the caller prints Usage and exits.
	Help bool
	// Version is true when --version was given. Load then reads nothing
	// else: the caller prints its version and exits.
	Version bool
	// File is the path of the config file, or "" when there was none.
	File string
	// Sources tells, for every key that a file, the environment or a flag
	// set, where its value came from. A key that is absent has its default.
	Sources map[string]Source
}

// Source returns where key's value came from: the zero Source (FromDefault)
// when no source set it.
func (m Meta) Source(key string) Source { return m.Sources[key] }

// Load parses args (without the program name) into flags, a set made by
// FlagSet, and loads the configuration from defaults < the config file <
// the environment < the flags the user set. getenv reads the environment
// (os.Getenv in a program); an empty variable counts as unset.
//
// With -h/--help or --version, Load returns at once with Meta.Help or
// Meta.Version set and nothing else loaded, so that neither needs a valid
// configuration.
//
// Every problem is an *Error that names its key and source; Load reports
// them all, joined with errors.Join, and then returns the zero Config.
func Load(flags *pflag.FlagSet, args []string, getenv func(string) string) (Config, Meta, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	if err := flags.Parse(args); err != nil {
		return Config{}, Meta{}, &Error{Source: Source{Kind: FromFlag}, Reason: flagError(err)}
	}
	var meta Meta
	meta.Help, _ = flags.GetBool(flagHelp)
	meta.Version, _ = flags.GetBool(flagVersion)
	if meta.Help || meta.Version {
		return Config{}, meta, nil
	}

	var errs []error
	if n := flags.NArg(); n > 0 {
		// The arguments are not shown: a mistyped flag can leave a password
		// among them (--vcenter-password= secret).
		errs = append(errs, &Error{Source: Source{Kind: FromFlag},
			Reason: fmt.Sprintf("%d argument(s) that are not flags: %s takes flags only (give a value as --flag=value or --flag value, and a boolean as --flag or --flag=false)", n, flags.Name())})
	}

	cfg, sources := Default(), make(map[string]Source)
	meta.Sources = sources
	path, via := "", ""
	if f := flags.Lookup(flagConfig); f != nil && f.Changed {
		// An explicit empty -c means "no file", even if MCP_CONFIG_FILE names one.
		path, via = f.Value.String(), "-c/--config"
	} else {
		path, via = getenv(EnvConfigFile), EnvConfigFile
	}
	fileOK := true
	if path != "" {
		meta.File = path
		var fileErrs []error
		fileErrs, fileOK = loadFile(&cfg, sources, path, via)
		errs = append(errs, fileErrs...)
	}
	errs = append(errs, loadEnv(&cfg, sources, getenv)...)
	errs = append(errs, loadFlags(&cfg, sources, flags)...)
	// A file that could not be read may hold the keys that now look
	// missing: checking them would only add noise.
	if fileOK {
		errs = append(errs, validate(cfg, sources)...)
	}
	if len(errs) > 0 {
		return Config{}, meta, errors.Join(errs...)
	}
	return cfg, meta, nil
}

// loadFile reads the config file at path into c. ok is false when the file
// as a whole could not be used; via names what gave the path.
func loadFile(c *Config, sources map[string]Source, path, via string) (errs []error, ok bool) {
	src := Source{Kind: FromFile, Name: path}
	var parser koanf.Parser
	format := "YAML"
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".yaml", ".yml":
		parser = yaml.Parser()
	case ".json":
		parser, format = json.Parser(), "JSON"
	default:
		return []error{&Error{Source: src, Reason: fmt.Sprintf(
			"unsupported file name extension %q: use .yaml, .yml or .json (the path comes from %s)", ext, via)}}, false
	}
	ko := koanf.New(".")
	if err := ko.Load(file.Provider(path), parser); err != nil {
		return []error{&Error{Source: src, Reason: fileError(err, format, via)}}, false
	}
	raw := ko.Raw()
	for _, name := range slices.Sorted(maps.Keys(raw)) {
		k, known := lookupKey(name)
		if !known {
			errs = append(errs, &Error{Key: name, Source: src, Reason: unknownKey(name)})
			continue
		}
		if raw[name] == nil {
			continue // "key:" with no value leaves the default, as if absent
		}
		if problem := k.set(c, raw[name]); problem != "" {
			errs = append(errs, &Error{Key: name, Source: src, Reason: problem})
			continue
		}
		sources[name] = src
	}
	return errs, true
}

// loadEnv reads the environment variables of the keys into c.
func loadEnv(c *Config, sources map[string]Source, getenv func(string) string) []error {
	environ := func() []string {
		var vars []string
		for _, k := range keys {
			if v := getenv(k.env); v != "" {
				vars = append(vars, k.env+"="+v)
			}
		}
		return vars
	}
	toKey := func(name, value string) (string, any) {
		for _, k := range keys {
			if k.env == name {
				return k.name, value
			}
		}
		return "", nil
	}
	ko := koanf.New(".")
	if err := ko.Load(env.Provider(".", env.Opt{EnvironFunc: environ, TransformFunc: toKey}), nil); err != nil {
		return []error{&Error{Source: Source{Kind: FromEnv}, Reason: err.Error()}}
	}
	return apply(c, sources, ko, func(k key) Source { return Source{Kind: FromEnv, Name: k.env} })
}

// loadFlags reads into c the key flags that the user set; a flag left
// at its default overrides nothing.
func loadFlags(c *Config, sources map[string]Source, flags *pflag.FlagSet) []error {
	toKey := func(f *pflag.Flag) (string, any) {
		if k, ok := lookupKey(strings.ReplaceAll(f.Name, "-", "_")); ok && k.flag() == f.Name {
			return k.name, f.Value.String()
		}
		return "", nil // -c, --version, --help and flags a caller added
	}
	ko := koanf.New(".")
	// A nil koanf makes posflag skip every flag the user did not set.
	if err := ko.Load(posflag.ProviderWithFlag(flags, ".", nil, toKey), nil); err != nil {
		return []error{&Error{Source: Source{Kind: FromFlag}, Reason: err.Error()}}
	}
	return apply(c, sources, ko, func(k key) Source { return Source{Kind: FromFlag, Name: "--" + k.flag()} })
}

// apply stores the string values ko holds for the keys into c, in key
// order, and records their source.
func apply(c *Config, sources map[string]Source, ko *koanf.Koanf, source func(key) Source) []error {
	var errs []error
	for _, k := range keys {
		if !ko.Exists(k.name) {
			continue
		}
		src := source(k)
		if problem := k.set(c, ko.Get(k.name)); problem != "" {
			errs = append(errs, &Error{Key: k.name, Source: src, Reason: problem})
			continue
		}
		sources[k.name] = src
	}
	return errs
}

// fileError explains why a config file could not be used.
func fileError(err error, format, via string) string {
	var pe *fs.PathError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "does not exist (the path comes from " + via + ")"
	case errors.As(err, &pe):
		return "cannot be read: " + pe.Err.Error() + " (the path comes from " + via + ")"
	case strings.Contains(err.Error(), "cannot unmarshal"):
		// The parser's message would quote the file's content.
		return "is not a " + format + " mapping of keys to values"
	}
	return "is not valid " + format + ": " + err.Error()
}

// unknownKey explains an unknown key in a config file, with the key it
// most likely meant.
func unknownKey(name string) string {
	best, bestDist := "", 3 // suggest only a near miss
	norm := strings.ToLower(strings.ReplaceAll(name, "-", "_"))
	for _, k := range keys {
		if d := editDistance(norm, k.name); d < bestDist {
			best, bestDist = k.name, d
		}
	}
	if best != "" {
		return fmt.Sprintf("unknown key (did you mean %q?)", best)
	}
	return "unknown key (the keys are listed by --help and in README.md)"
}

// editDistance is the Levenshtein distance of a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
