package mcpserver

import (
	"context"
	"log/slog"
)

// sdkLogger returns the logger go-sdk gets: log's handler, with go-sdk's
// Info lines lowered to Debug. In stateless HTTP every request connects and
// disconnects a session, which go-sdk reports at Info: at the default
// level that would be two lines per request about nothing.
func sdkLogger(log *slog.Logger) *slog.Logger {
	return slog.New(quieter{log.Handler()}).With(slog.String("component", "go-sdk"))
}

// quieter is a slog.Handler that lowers Info records to Debug.
type quieter struct{ h slog.Handler }

func lower(l slog.Level) slog.Level {
	if l == slog.LevelInfo {
		return slog.LevelDebug
	}
	return l
}

func (q quieter) Enabled(ctx context.Context, l slog.Level) bool { return q.h.Enabled(ctx, lower(l)) }

func (q quieter) Handle(ctx context.Context, r slog.Record) error {
	r.Level = lower(r.Level)
	return q.h.Handle(ctx, r)
}

func (q quieter) WithAttrs(attrs []slog.Attr) slog.Handler { return quieter{q.h.WithAttrs(attrs)} }

func (q quieter) WithGroup(name string) slog.Handler { return quieter{q.h.WithGroup(name)} }
