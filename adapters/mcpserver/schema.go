package mcpserver

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/google/jsonschema-go/jsonschema"

	"github.com/esximcp/esximcp/domain"
)

// A property adjusts the schema of one argument beyond what go-sdk infers
// from the Go type (a description): the bounds, default and allowed values
// an LLM needs in order to call the tool right the first time.
type property func(*jsonschema.Schema)

// between bounds an integer argument, inclusively.
func between(min, max float64) property {
	return func(s *jsonschema.Schema) { s.Minimum, s.Maximum = &min, &max }
}

// byDefault documents the value an absent argument takes. go-sdk applies
// it before the handler runs.
func byDefault(v any) property {
	return func(s *jsonschema.Schema) {
		b, err := json.Marshal(v)
		if err != nil {
			panic(fmt.Sprintf("mcpserver: default %v: %v", v, err))
		}
		s.Default = b
	}
}

// oneOf restricts a string argument to values.
func oneOf[T ~string](values ...T) property {
	return func(s *jsonschema.Schema) {
		s.Enum = nil
		for _, v := range values {
			s.Enum = append(s.Enum, string(v))
		}
	}
}

// inputSchema returns the schema go-sdk infers from In, with props applied
// to the named properties. A property that In does not have is a
// programming error, caught by the first test that builds a server.
func inputSchema[In any](props map[string][]property) *jsonschema.Schema {
	s, err := jsonschema.For[In](nil)
	if err != nil {
		panic(fmt.Sprintf("mcpserver: input schema: %v", err))
	}
	for name, adjust := range props {
		p := s.Properties[name]
		if p == nil {
			panic(fmt.Sprintf("mcpserver: input schema of %T has no property %q", *new(In), name))
		}
		for _, f := range adjust {
			f(p)
		}
	}
	return s
}

// outputSchema returns the schema inferred from Out, whose properties
// include an optional "error", with "required" replaced by a choice: either
// the fields of a success, or "error" alone. go-sdk and clients such as the
// TypeScript SDK validate structuredContent against the output schema even
// when isError is set, so a failure must conform too.
func outputSchema[Out any]() *jsonschema.Schema {
	s, err := jsonschema.For[Out](nil)
	if err != nil {
		panic(fmt.Sprintf("mcpserver: output schema: %v", err))
	}
	if s.Properties["error"] == nil || slices.Contains(s.Required, "error") {
		panic(fmt.Sprintf("mcpserver: output type %T needs an optional field \"error\"", *new(Out)))
	}
	if code := s.Properties["error"].Properties["code"]; code != nil {
		code.Enum = nil
		for _, c := range domain.Codes() {
			code.Enum = append(code.Enum, string(c))
		}
	}
	singleTypes(s)
	s.AnyOf = []*jsonschema.Schema{{Required: s.Required}, {Required: []string{"error"}}}
	s.Required = nil
	return s
}

// singleTypes rewrites every nullable type ["null", T] in s to T. The
// server never sends null: optional fields are omitted, and lists are []
// when empty (the tests validate every result against its schema). Clients
// that map tool schemas onto a one-type dialect (Gemini's function
// declarations, OpenAPI 3.0) reject type arrays.
func singleTypes(s *jsonschema.Schema) {
	if s == nil {
		return
	}
	if len(s.Types) == 2 && slices.Contains(s.Types, "null") {
		for _, t := range s.Types {
			if t != "null" {
				s.Type = t
			}
		}
		s.Types = nil
	}
	for _, p := range s.Properties {
		singleTypes(p)
	}
	singleTypes(s.Items)
	for _, a := range s.AnyOf {
		singleTypes(a)
	}
}

// schemaJSON returns s as JSON, the form in which go-sdk uses a tool's
// schema on every call at no further cost.
func schemaJSON(s *jsonschema.Schema) json.RawMessage {
	b, err := json.Marshal(s)
	if err != nil {
		panic(fmt.Sprintf("mcpserver: schema: %v", err))
	}
	return b
}
