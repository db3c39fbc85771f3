package mcpserver

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/esximcp/esximcp/domain"
)

// The vmstats resources.
const (
	statsScheme   = "vmstats://"
	statsTemplate = statsScheme + "{vm_name}"
	jsonMIME      = "application/json"
)

func (s *Server) addResources() {
	s.mcp.AddResourceTemplate(&mcp.ResourceTemplate{
		Name:        "vmstats",
		Title:       "VM performance figures",
		URITemplate: statsTemplate,
		MIMEType:    jsonMIME,
		Description: "The latest performance figures of one virtual machine, as JSON: cpu, memory, storage, " +
			"network and disk, with units in the field names. vm_name is a VM name, an inventory path or an " +
			"id, URL-escaped: vmstats://web01, vmstats://%2FDC0%2Fvm%2Fweb01, vmstats://vm-42.",
	}, s.readStats)
}

// readStats reads one vmstats resource. Its errors are JSON-RPC errors: an
// unknown VM is go-sdk's "Resource not found" with the uri in data.
func (s *Server) readStats(ctx context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
	uri := req.Params.URI
	ref, err := refOfURI(uri)
	if err != nil {
		return nil, s.resourceFailure(ctx, "resources/read", uri, err)
	}
	st, err := s.svc.VMStats(ctx, ref)
	if err != nil {
		return nil, s.resourceFailure(ctx, "resources/read", uri, err)
	}
	b, err := json.Marshal(statsOf(st))
	if err != nil {
		return nil, s.resourceFailure(ctx, "resources/read", uri, err)
	}
	return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: uri, MIMEType: jsonMIME, Text: string(b)}}}, nil
}

// refOfURI returns the VM reference of a vmstats URI: its escaped part,
// unescaped.
func refOfURI(uri string) (string, error) {
	rest, ok := strings.CutPrefix(uri, statsScheme)
	if !ok {
		return "", domain.Errorf(domain.CodeInvalidArgument, "%q is not a vmstats:// URI", uri)
	}
	ref, err := url.PathUnescape(rest)
	if err != nil {
		return "", domain.Errorf(domain.CodeInvalidArgument, "%q is not escaped correctly: escape a VM name or path as in a URL", uri)
	}
	return ref, nil
}

// StatsURI returns the vmstats URI of ref (a VM name, inventory path or
// id): ref with every byte but the unreserved characters of RFC 3986
// percent-encoded, so that the URI matches the template vmstats://{vm_name}.
func StatsURI(ref string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.WriteString(statsScheme)
	for i := 0; i < len(ref); i++ {
		switch c := ref[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '.', c == '_', c == '~':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// listResources answers resources/list from the inventory as it is now: one
// vmstats resource per VM (templates, which never run, are left out),
// sorted by inventory path, in pages. go-sdk would page a fixed list
// registered in advance, but VMs come and go.
//
// A VM's URI holds its name, or its inventory path when another VM has the
// same name, so that every URI reads exactly one VM.
func (s *Server) listResources(next mcp.MethodHandler) mcp.MethodHandler {
	return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
		if method != "resources/list" {
			return next(ctx, method, req)
		}
		var cursor string
		if p, ok := req.GetParams().(*mcp.ListResourcesParams); ok && p != nil {
			cursor = p.Cursor
		}
		after, err := decodeCursor(cursor)
		if err != nil {
			return nil, &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: "invalid cursor: pass the nextCursor of the previous page, or none for the first page"}
		}
		res, err := s.svc.ListVMs(ctx, domain.ListFilter{})
		if err != nil {
			return nil, s.resourceFailure(ctx, method, "", err)
		}
		names := make(map[string]int, len(res.VMs))
		for _, vm := range res.VMs {
			names[vm.Name]++
		}
		var page []domain.VM
		more := false
		for _, vm := range res.VMs {
			if after != nil && compareVM(vm, *after) <= 0 {
				continue
			}
			if len(page) == s.opts.ResourcePageSize {
				more = true
				break
			}
			page = append(page, vm)
		}
		out := &mcp.ListResourcesResult{Resources: make([]*mcp.Resource, 0, len(page))}
		// The cache scope is private: what a client sees depends on the
		// vCenter user's permissions.
		out.CacheScope = "private"
		for _, vm := range page {
			ref := vm.Name
			if names[vm.Name] > 1 {
				ref = vm.Path
			}
			out.Resources = append(out.Resources, &mcp.Resource{
				URI:         StatsURI(ref),
				Name:        vm.Name,
				Title:       vm.Path,
				Description: fmt.Sprintf("Performance figures of VM %s", vm),
				MIMEType:    jsonMIME,
			})
		}
		if more {
			out.NextCursor = encodeCursor(page[len(page)-1])
		}
		return out, nil
	}
}

// position is where a resources/list page ends: the last VM it holds, in
// the order of every listing (path, then id). A position, not an index,
// so that VMs created or deleted between pages shift nothing.
type position struct {
	Path string `json:"p"`
	ID   string `json:"i"`
}

func compareVM(vm domain.VM, p position) int {
	return cmp.Or(strings.Compare(vm.Path, p.Path), strings.Compare(vm.ID, p.ID))
}

func encodeCursor(vm domain.VM) string {
	b, _ := json.Marshal(position{Path: vm.Path, ID: vm.ID}) // cannot fail: two strings
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor returns the position of cursor, nil for the first page.
func decodeCursor(cursor string) (*position, error) {
	if cursor == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return nil, err
	}
	var p position
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, err
	}
	return &p, nil
}
