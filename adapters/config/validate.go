package config

import (
	"fmt"
	"net"
	"strings"
)

// validate checks the rules that involve more than one value, and the
// ranges a Config built in code may break. sources tells where each value
// came from; nil for a Config built in code.
func validate(c Config, sources map[string]Source) []error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, &Error{Key: name, Source: sources[name], Reason: fmt.Sprintf(format, args...)})
	}
	// Values Load parsed are in range already; these catch a Config built
	// in code.
	for _, k := range keys {
		switch p := k.field(&c).(type) {
		case *string:
			if k.check != nil && *p != "" {
				if problem := k.check(*p); problem != "" {
					bad(k.name, "%s", problem)
				}
			}
		default:
			if problem := k.set(&Config{}, k.show(&c)); problem != "" {
				bad(k.name, "%s", problem)
			}
		}
	}

	if c.Simulator {
		if c.VCenterHost != "" {
			bad("vcenter_host", "cannot be used with simulator%s: the simulator replaces vCenter, so remove one of them", setBy(sources, "simulator"))
		}
	} else {
		for _, name := range []string{"vcenter_host", "vcenter_user", "vcenter_password"} {
			k, _ := lookupKey(name)
			if *k.field(&c).(*string) == "" {
				bad(name, "is required: %s, or use --simulator to serve an embedded vCenter simulator", k.where())
			}
		}
	}

	switch {
	case c.TLSCertFile != "" && c.TLSKeyFile == "":
		bad("tls_cert_file", "is set but tls_key_file is not: HTTPS needs both")
	case c.TLSKeyFile != "" && c.TLSCertFile == "":
		bad("tls_key_file", "is set but tls_cert_file is not: HTTPS needs both")
	}

	if c.Transport == TransportHTTP && c.Listen != "" && !isLoopback(c.Listen) && c.APIKey == "" && !c.AllowUnauthenticated {
		bad("listen", "%q can be reached from other hosts, but api_key is not set, so anyone who reaches it could create, power off and delete VMs: set api_key (MCP_API_KEY) so that clients must send \"Authorization: Bearer <key>\", listen on a loopback address such as 127.0.0.1:8080, or set allow_unauthenticated (MCP_ALLOW_UNAUTHENTICATED, --allow-unauthenticated) if something else protects this address", c.Listen)
	}
	return errs
}

// setBy says where key's value came from, for a message about another key.
func setBy(sources map[string]Source, key string) string {
	if s, ok := sources[key]; ok {
		return " (set by " + s.String() + ")"
	}
	return ""
}

// isLoopback reports whether the host of the address hostport is a loopback
// name or address. An empty host means every interface, so it is not.
func isLoopback(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
