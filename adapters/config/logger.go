package config

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
)

// OpenLogger returns the logger c describes: text or JSON lines at
// c.LogLevel, appended to c.LogFile (its directory is created when missing)
// or, when c.LogFile is "", written to stderr. It never writes to stdout,
// which the stdio transport owns. The caller closes the returned Closer
// when the logger is no longer used.
func (c Config) OpenLogger(stderr io.Writer) (*slog.Logger, io.Closer, error) {
	var w, closer = stderr, io.Closer(nopCloser{})
	if c.LogFile != "" {
		if err := os.MkdirAll(filepath.Dir(c.LogFile), 0o750); err != nil {
			return nil, nil, fmt.Errorf("key %q: cannot create the directory of log file %s: %w", "log_file", c.LogFile, err)
		}
		f, err := os.OpenFile(c.LogFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
		if err != nil {
			return nil, nil, fmt.Errorf("key %q: cannot open log file: %w", "log_file", err)
		}
		w, closer = f, f
	}
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	var h slog.Handler
	if c.LogFormat == LogJSON {
		h = slog.NewJSONHandler(w, opts)
	} else {
		h = slog.NewTextHandler(w, opts)
	}
	return slog.New(h), closer, nil
}

// nopCloser is the Closer of a logger that writes to the caller's stderr,
// which the caller keeps open.
type nopCloser struct{}

func (nopCloser) Close() error { return nil }
